import { Injectable } from '@nestjs/common';
import { parsePublicKeyPem } from '@parley/domain';
import { Check } from '@parley/common';
import type { AuthUser } from '@parley/identity';
import { RoomWrites, ROOM, toParty } from '@parley/rooms';
import type { PartyKeyType } from './agreement.types';
import { AgreementAccessService } from './agreement-access.service';
import { AgreementRepository } from './agreement.repository';

// A party's own Ed25519 key, for signatures the server cannot make on its behalf; a new one
// retires the old.
@Injectable()
export class PartyKeysService {
  constructor(
    private readonly writes: RoomWrites,
    private readonly agreements: AgreementAccessService,
    private readonly repo: AgreementRepository,
  ) {}

  async register(user: AuthUser, roomId: string, publicKeyRaw: string): Promise<PartyKeyType> {
    const c = new Check();
    const pem = c.text('publicKey', publicKeyRaw, { min: 1, max: 4000 });
    c.that('publicKey', parsePublicKeyPem(pem), 'must be an Ed25519 public key in SPKI PEM form');
    c.done();
    return this.writes.run(async (tx) => {
      const access = await this.writes.lock(tx, user, ROOM, roomId, 'partyAction');
      const { partyId } = access;
      const retiredKeyIds = await this.repo.retirePartyKeys(tx, partyId, new Date());
      const key = await this.repo.insertPartyKey(tx, { roomId, partyId, publicKeyPem: pem, registeredBy: access.membership.id });
      await this.writes.append(tx, {
        roomId,
        type: 'party_key.registered',
        actor: access.membership,
        payload: { partyId, keyId: key.id, retiredKeyIds, publicKey: pem },
      });
      const parties = await this.agreements.partyMap(roomId, tx);
      return { id: key.id, party: toParty(parties.get(partyId)!), publicKey: pem, createdAt: key.createdAt, retiredAt: null };
    });
  }

  async partyKeys(roomId: string): Promise<PartyKeyType[]> {
    const [keys, parties] = await Promise.all([this.repo.partyKeys(roomId), this.agreements.partyMap(roomId)]);
    return keys.map((k) => ({ id: k.id, party: toParty(parties.get(k.partyId)!), publicKey: k.publicKeyPem, createdAt: k.createdAt, retiredAt: k.retiredAt }));
  }
}
