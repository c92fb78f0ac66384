import { Injectable } from '@nestjs/common';
import { partySignatureValid } from '@parley/domain';
import { badInput, Check, invalidState } from '@parley/common';
import type { AuthUser } from '@parley/identity';
import { RoomWrites, toParty } from '@parley/rooms';
import type { AgreementEntity } from './agreement.entities';
import type { SignatureType, SignOffSets } from './agreement.types';
import { AgreementAccessService } from './agreement-access.service';
import { AgreementRepository } from './agreement.repository';
import { PublicationService } from './publication.service';

const HEX64 = /^[0-9a-f]{64}$/;

// Sign-off: each party signs the adopted text's hash, optionally with its own registered key.
@Injectable()
export class SignaturesService {
  constructor(
    private readonly writes: RoomWrites,
    private readonly agreements: AgreementAccessService,
    private readonly repo: AgreementRepository,
    private readonly publication: PublicationService,
  ) {}

  // the read the progress figures take: by proposal, who signed its agreement and who consented to publish it
  signOffsByProposal(roomId: string): Promise<Map<string, SignOffSets>> {
    return this.repo.signOffsByProposal(roomId);
  }

  async signatures(agreement: AgreementEntity): Promise<SignatureType[]> {
    const [rows, parties] = await Promise.all([this.repo.signatures(agreement.id), this.agreements.partyMap(agreement.roomId)]);
    return rows.map((s) => ({
      party: toParty(parties.get(s.partyId)!),
      textHash: s.textHash,
      signedAt: s.signedAt,
      partyMade: s.partySignature !== null,
      partySignature: s.partySignature,
    }));
  }

  async sign(user: AuthUser, agreementId: string, textHashRaw: string, signature?: string | null): Promise<SignatureType> {
    const c = new Check();
    const textHash = c.text('textHash', textHashRaw, { min: 1, max: 128 }).toLowerCase();
    c.that('textHash', HEX64.test(textHash), 'must be the 64-character hex SHA-256 of the adopted text');
    if (signature != null) c.text('signature', signature, { min: 1, max: 200 });
    c.done();
    return this.writes.run(async (tx) => {
      const { agreement, access } = await this.agreements.lockScope(tx, user, agreementId, 'partyAction');
      if (agreement.status === 'PUBLISHED') throw invalidState('This agreement is already published.');
      if (textHash !== agreement.textHash) throw badInput({ textHash: 'does not match the adopted text; sign exactly the agreement’s textHash' });
      const { partyId } = access;
      if (await this.repo.hasSigned(tx, agreementId, partyId)) throw invalidState('Your party has already signed this agreement.');
      let keyId: string | null = null;
      if (signature != null) {
        const key = await this.repo.activePartyKey(tx, partyId);
        if (!key) throw badInput({ signature: 'your party has no registered key; register one with registerPartyKey first' });
        if (!partySignatureValid(key.publicKeyPem, agreement.textHash, signature.trim())) {
          throw badInput({ signature: 'does not verify against your party’s registered key over the text hash' });
        }
        keyId = key.id;
      }
      const row = await this.repo.insertSignature(tx, {
        agreementId,
        partyId,
        membershipId: access.membership.id,
        textHash,
        partySignature: signature?.trim() ?? null,
        partyKeyId: keyId,
      });
      await this.writes.append(tx, {
        roomId: agreement.roomId,
        type: 'agreement.signed',
        actor: access.membership,
        payload: { agreementId, partyId, textHash, partyMade: keyId !== null },
      });
      const parties = await this.agreements.partyMap(agreement.roomId, tx);
      const signed = await this.repo.countSignatures(tx, agreementId);
      if (signed >= parties.size && agreement.status === 'AWAITING_SIGNATURES') {
        agreement.status = 'SIGNED';
        await this.repo.updateAgreement(tx, agreementId, { status: 'SIGNED' });
        await this.writes.append(tx, { roomId: agreement.roomId, type: 'agreement.fully_signed', actor: null, payload: { agreementId, textHash } });
      }
      await this.publication.maybePublish(tx, agreement);
      return { party: toParty(parties.get(partyId)!), textHash, signedAt: row.signedAt, partyMade: keyId !== null, partySignature: row.partySignature };
    });
  }
}
