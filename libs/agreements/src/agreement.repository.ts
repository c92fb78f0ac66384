import { Injectable } from '@nestjs/common';
import { In, IsNull } from 'typeorm';
import { isUuid, notFound } from '@parley/common';
import { TransactionRunner, type Tx } from '@parley/database';
import type { AgreementBundle } from '@parley/domain';
import type { ObjectKind } from '@parley/rooms';
import type { SignOffSets } from './agreement.types';
import { AgreementEntity, CommitmentEntity, PartyKeyEntity, PublishConsentEntity, SignatureEntity } from './agreement.entities';

// How RoomAccessService finds the room of an agreement, and of a sealed commitment (its
// party's members alone may know it exists).
export const AGREEMENT: ObjectKind = { sql: `SELECT room_id, NULL::uuid AS audience_party_id FROM agreement WHERE id = $1` };
export const COMMITMENT: ObjectKind = {
  sql: `SELECT a.room_id, c.party_id AS audience_party_id FROM commitment c JOIN agreement a ON a.id = c.agreement_id WHERE c.id = $1`,
};

type AgreementChange = Partial<Pick<AgreementEntity, 'status' | 'embargoUntil' | 'commitmentsResolvedAt' | 'publishedAt' | 'publicSlug'>>;

// The only code that touches the agreements tables (agreement, signature, publish_consent,
// commitment, party_key). Reads outside a write use the shared manager; a write passes its Tx.
@Injectable()
export class AgreementRepository {
  constructor(private readonly tx: TransactionRunner) {}

  private get em() {
    return this.tx.manager;
  }

  async findAgreement(id: string): Promise<AgreementEntity | null> {
    return isUuid(id) ? this.em.findOne(AgreementEntity, { where: { id } }) : null;
  }

  async agreementOrThrow(id: string): Promise<AgreementEntity> {
    const agreement = await this.findAgreement(id);
    if (!agreement) throw notFound();
    return agreement;
  }

  // inside a write, after the room lock
  async lockAgreementOrThrow(tx: Tx, id: string): Promise<AgreementEntity> {
    const agreement = isUuid(id) ? await tx.em.findOne(AgreementEntity, { where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
    if (!agreement) throw notFound();
    return agreement;
  }

  async insertAgreement(
    tx: Tx,
    row: Pick<AgreementEntity, 'id' | 'roomId' | 'proposalId' | 'version' | 'textHash' | 'clauses' | 'status' | 'adoptedHeadSeq' | 'adoptedHeadHash'>,
  ): Promise<void> {
    await tx.em.insert(AgreementEntity, row as never);
  }

  async updateAgreement(tx: Tx, id: string, change: AgreementChange): Promise<void> {
    await tx.em.update(AgreementEntity, { id }, change);
  }

  async ofProposals(proposalIds: string[]): Promise<Map<string, AgreementEntity>> {
    if (!proposalIds.length) return new Map();
    const rows = await this.em.find(AgreementEntity, { where: { proposalId: In(proposalIds) } });
    return new Map(rows.map((a) => [a.proposalId, a]));
  }

  async publishedBySlug(slug: string): Promise<AgreementEntity | null> {
    return this.em.findOne(AgreementEntity, { where: { publicSlug: slug, status: 'PUBLISHED' } });
  }

  // Stores the published bundle unless one is stored, then returns whichever is stored.
  async freezeBundle(agreementId: string, made: AgreementBundle): Promise<AgreementBundle> {
    await this.em.query(`UPDATE agreement SET published_bundle = $1 WHERE id = $2 AND status = 'PUBLISHED' AND published_bundle IS NULL`, [made, agreementId]);
    const row = await this.em.findOne(AgreementEntity, { where: { id: agreementId }, select: { id: true, publishedBundle: true } });
    return row?.publishedBundle ?? made;
  }

  // agreements whose embargo has passed (in any room: whether a room is archived is the rooms capability's to say)
  dueForPublication(): Promise<Array<{ id: string; roomId: string }>> {
    return this.em
      .query(`SELECT id, room_id FROM agreement WHERE status <> 'PUBLISHED' AND embargo_until IS NOT NULL AND embargo_until <= now()`)
      .then((rows: Array<{ id: string; room_id: string }>) => rows.map((r) => ({ id: r.id, roomId: r.room_id })));
  }

  // each agreement of the room, by its proposal: the parties that signed it and those that consented to publish it
  async signOffsByProposal(roomId: string): Promise<Map<string, SignOffSets>> {
    const rows: Array<{ proposal_id: string; signed: string[]; consented: string[] }> = await this.em.query(
      `SELECT a.proposal_id,
              ARRAY(SELECT s.party_id FROM agreement_signature s WHERE s.agreement_id = a.id) AS signed,
              ARRAY(SELECT c.party_id FROM publish_consent c WHERE c.agreement_id = a.id) AS consented
         FROM agreement a WHERE a.room_id = $1`,
      [roomId],
    );
    return new Map(rows.map((r) => [r.proposal_id, { signed: new Set(r.signed), consented: new Set(r.consented) }]));
  }

  // signatures

  signatures(agreementId: string): Promise<SignatureEntity[]> {
    return this.em.find(SignatureEntity, { where: { agreementId }, order: { signedAt: 'ASC' } });
  }

  hasSigned(tx: Tx, agreementId: string, partyId: string): Promise<boolean> {
    return tx.em.exists(SignatureEntity, { where: { agreementId, partyId } });
  }

  insertSignature(
    tx: Tx,
    row: Pick<SignatureEntity, 'agreementId' | 'partyId' | 'membershipId' | 'textHash' | 'partySignature' | 'partyKeyId'>,
  ): Promise<SignatureEntity> {
    return tx.em.save(tx.em.create(SignatureEntity, row));
  }

  countSignatures(tx: Tx, agreementId: string): Promise<number> {
    return tx.em.count(SignatureEntity, { where: { agreementId } });
  }

  // publication consents

  consents(agreementId: string): Promise<PublishConsentEntity[]> {
    return this.em.find(PublishConsentEntity, { where: { agreementId }, order: { consentedAt: 'ASC' } });
  }

  hasConsented(tx: Tx, agreementId: string, partyId: string): Promise<boolean> {
    return tx.em.exists(PublishConsentEntity, { where: { agreementId, partyId } });
  }

  async insertConsent(tx: Tx, row: Pick<PublishConsentEntity, 'agreementId' | 'partyId' | 'membershipId' | 'embargoUntil'>): Promise<void> {
    await tx.em.insert(PublishConsentEntity, row);
  }

  countConsents(tx: Tx, agreementId: string): Promise<number> {
    return tx.em.count(PublishConsentEntity, { where: { agreementId } });
  }

  // party keys

  partyKeys(roomId: string): Promise<PartyKeyEntity[]> {
    return this.em.find(PartyKeyEntity, { where: { roomId }, order: { createdAt: 'ASC' } });
  }

  activePartyKey(tx: Tx, partyId: string): Promise<PartyKeyEntity | null> {
    return tx.em.findOne(PartyKeyEntity, { where: { partyId, retiredAt: IsNull() } });
  }

  // retires the party's active keys and returns their ids
  async retirePartyKeys(tx: Tx, partyId: string, at: Date): Promise<string[]> {
    const old = await tx.em.find(PartyKeyEntity, { where: { partyId, retiredAt: IsNull() } });
    if (old.length) await tx.em.update(PartyKeyEntity, { id: In(old.map((k) => k.id)) }, { retiredAt: at });
    return old.map((k) => k.id);
  }

  insertPartyKey(tx: Tx, row: Pick<PartyKeyEntity, 'roomId' | 'partyId' | 'publicKeyPem' | 'registeredBy'>): Promise<PartyKeyEntity> {
    return tx.em.save(tx.em.create(PartyKeyEntity, row));
  }

  // commitments

  // the agreement's commitments not withdrawn, oldest first; `tx` inside a write
  activeCommitments(agreementId: string, tx?: Tx): Promise<CommitmentEntity[]> {
    return (tx?.em ?? this.em).find(CommitmentEntity, { where: { agreementId, withdrawnAt: IsNull() }, order: { createdAt: 'ASC' } });
  }

  async commitmentOrThrow(tx: Tx, id: string): Promise<CommitmentEntity> {
    const row = isUuid(id) ? await tx.em.findOne(CommitmentEntity, { where: { id } }) : null;
    if (!row) throw notFound();
    return row;
  }

  insertCommitment(
    tx: Tx,
    row: Pick<CommitmentEntity, 'agreementId' | 'partyId' | 'membershipId' | 'statement' | 'minParties' | 'requiredPartyIds'>,
  ): Promise<CommitmentEntity> {
    return tx.em.save(tx.em.create(CommitmentEntity, row));
  }

  async withdrawCommitment(tx: Tx, id: string, at: Date): Promise<void> {
    await tx.em.update(CommitmentEntity, { id }, { withdrawnAt: at });
  }

  // one statement however many (or few) there are: the step costs the same either way
  async settleCommitments(tx: Tx, agreementId: string, binding: string[]): Promise<void> {
    await tx.em.query(
      `UPDATE commitment SET status = CASE WHEN id = ANY($2::uuid[]) THEN 'BINDING' ELSE 'LAPSED' END WHERE agreement_id = $1 AND withdrawn_at IS NULL`,
      [agreementId, binding],
    );
  }
}
