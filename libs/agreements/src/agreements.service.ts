import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { In, IsNull } from 'typeorm';
import { parsePublicKeyPem, partySignatureValid, resolveCommitments, validateCommitment } from '@parley/domain';
import { badInput, Check, invalidState, isUuid, notFound } from '@parley/common';
import { TransactionRunner, type Tx } from '@parley/database';
import type { AuthUser } from '@parley/identity';
import {
  ROOM,
  RoomAccessService,
  RoomEventsService,
  RoomsService,
  toParty,
  type ActorFor,
  type Locked,
  type MembershipEntity,
  type ObjectKind,
  type PartyEntity,
  type PartyType,
  type RoomAccessContext,
  type RoomAction,
} from '@parley/rooms';
import { AgreementEntity, CommitmentEntity, PartyKeyEntity, PublishConsentEntity, SignatureEntity } from './agreement.entities';
import type { CommitmentType, PartyKeyType, SignatureType } from './agreement.types';

const HEX64 = /^[0-9a-f]{64}$/;
const MAX_EMBARGO_MS = 5 * 365 * 24 * 3600_000;

// How RoomAccessService finds the room of an agreement, and of a sealed commitment (its
// party's members alone may know it exists).
const AGREEMENT: ObjectKind = { sql: `SELECT room_id, NULL::uuid AS audience_party_id FROM agreement WHERE id = $1` };
const COMMITMENT: ObjectKind = {
  sql: `SELECT a.room_id, c.party_id AS audience_party_id FROM commitment c JOIN agreement a ON a.id = c.agreement_id WHERE c.id = $1`,
};

export interface SignOff {
  agreementId: string;
  signed: Set<string>;
  consented: Set<string>;
}

export interface AgreementScope<Access extends RoomAccessContext = RoomAccessContext> {
  agreement: AgreementEntity;
  access: Access;
}

@Injectable()
export class AgreementsService {
  // run once an agreement's publication has committed (the export freezes its bundle)
  private readonly publishedHooks: Array<(agreement: AgreementEntity) => Promise<unknown>> = [];

  onPublished(hook: (agreement: AgreementEntity) => Promise<unknown>): void {
    this.publishedHooks.push(hook);
  }

  constructor(
    private readonly tx: TransactionRunner,
    private readonly access: RoomAccessService,
    private readonly events: RoomEventsService,
    private readonly rooms: RoomsService,
  ) {}

  // Resolves the agreement's room together with the caller's membership: an agreement of
  // another room is NOT_FOUND, exactly as an unknown one.
  async scope(user: AuthUser, agreementId: string, action: RoomAction = 'read'): Promise<AgreementScope> {
    const roomId = await this.access.roomOfOrThrow(user, AGREEMENT, agreementId);
    const access = await this.access.check(user, roomId, action);
    return { agreement: await this.agreementOrThrow(this.tx.manager, agreementId), access };
  }

  // the lock idiom on the agreement, then the agreement row
  private async lockScope<A extends RoomAction>(tx: Tx, user: AuthUser, agreementId: string, action: A): Promise<AgreementScope<Locked<ActorFor<A>>>> {
    const access = await this.access.lock(tx, user, AGREEMENT, agreementId, action);
    const agreement = await this.agreementOrThrow(tx.em, agreementId, true);
    return { agreement, access };
  }

  // `lock`: inside a write, after the room lock
  private async agreementOrThrow(em: Tx['em'], id: string, lock = false): Promise<AgreementEntity> {
    const agreement = isUuid(id)
      ? await em.findOne(AgreementEntity, { where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) })
      : null;
    if (!agreement) throw notFound();
    return agreement;
  }

  private async commitmentOrThrow(em: Tx['em'], id: string): Promise<CommitmentEntity> {
    const row = isUuid(id) ? await em.findOne(CommitmentEntity, { where: { id } }) : null;
    if (!row) throw notFound();
    return row;
  }

  private async partyMap(em: Tx['em'], roomId: string): Promise<Map<string, PartyEntity>> {
    return new Map((await this.rooms.parties(roomId, em)).map((p) => [p.id, p]));
  }

  async signatures(agreement: AgreementEntity): Promise<SignatureType[]> {
    const [rows, parties] = await Promise.all([
      this.tx.manager.find(SignatureEntity, { where: { agreementId: agreement.id }, order: { signedAt: 'ASC' } }),
      this.partyMap(this.tx.manager, agreement.roomId),
    ]);
    return rows.map((s) => ({
      party: toParty(parties.get(s.partyId)!),
      textHash: s.textHash,
      signedAt: s.signedAt,
      partyMade: s.partySignature !== null,
      partySignature: s.partySignature,
    }));
  }

  async publishConsents(agreement: AgreementEntity): Promise<PartyType[]> {
    const [rows, parties] = await Promise.all([
      this.tx.manager.find(PublishConsentEntity, { where: { agreementId: agreement.id }, order: { consentedAt: 'ASC' } }),
      this.partyMap(this.tx.manager, agreement.roomId),
    ]);
    return rows.map((c) => toParty(parties.get(c.partyId)!));
  }

  // For progress: each agreement of the room by proposal, with the parties that signed and
  // consented to publish; three queries however many agreements and parties.
  async signOffs(roomId: string): Promise<Map<string, SignOff>> {
    const agreements = await this.tx.manager.find(AgreementEntity, { where: { roomId } });
    if (!agreements.length) return new Map();
    const ids = agreements.map((a) => a.id);
    const [signatures, consents] = await Promise.all([
      this.tx.manager.find(SignatureEntity, { where: { agreementId: In(ids) }, select: { agreementId: true, partyId: true } }),
      this.tx.manager.find(PublishConsentEntity, { where: { agreementId: In(ids) }, select: { agreementId: true, partyId: true } }),
    ]);
    const byId = new Map(agreements.map((a) => [a.id, { agreementId: a.id, signed: new Set<string>(), consented: new Set<string>() }]));
    for (const s of signatures) byId.get(s.agreementId)?.signed.add(s.partyId);
    for (const c of consents) byId.get(c.agreementId)?.consented.add(c.partyId);
    return new Map(agreements.map((a) => [a.proposalId, byId.get(a.id)!]));
  }

  // Sealed until resolution: a party sees only its own; afterwards everyone sees the
  // BINDING ones, and a party still sees its own LAPSED ones. Nothing else, ever.
  async commitmentsVisibleTo(agreement: AgreementEntity, viewerPartyId: string | null): Promise<CommitmentType[]> {
    const rows = await this.tx.manager.find(CommitmentEntity, { where: { agreementId: agreement.id, withdrawnAt: IsNull() }, order: { createdAt: 'ASC' } });
    const visible = rows.filter((c) => c.partyId === viewerPartyId || c.status === 'BINDING');
    const parties = await this.partyMap(this.tx.manager, agreement.roomId);
    return visible.map((c) => this.commitmentView(c, parties));
  }

  private commitmentView(c: CommitmentEntity, parties: Map<string, PartyEntity>): CommitmentType {
    return {
      id: c.id,
      party: toParty(parties.get(c.partyId)!),
      statement: c.statement,
      minParties: c.minParties,
      requiredParties: c.requiredPartyIds
        .map((id) => parties.get(id))
        .filter((p): p is PartyEntity => !!p)
        .map(toParty),
      status: c.status,
    };
  }

  async sign(user: AuthUser, agreementId: string, textHashRaw: string, signature?: string | null): Promise<SignatureType> {
    const c = new Check();
    const textHash = c.text('textHash', textHashRaw, { min: 1, max: 128 }).toLowerCase();
    c.that('textHash', HEX64.test(textHash), 'must be the 64-character hex SHA-256 of the adopted text');
    if (signature != null) c.text('signature', signature, { min: 1, max: 200 });
    c.done();
    const result = await this.tx.run(async (tx) => {
      const { agreement, access } = await this.lockScope(tx, user, agreementId, 'partyAction');
      if (agreement.status === 'PUBLISHED') throw invalidState('This agreement is already published.');
      if (textHash !== agreement.textHash) throw badInput({ textHash: 'does not match the adopted text; sign exactly the agreement’s textHash' });
      const { partyId } = access;
      if (await tx.em.exists(SignatureEntity, { where: { agreementId, partyId } })) throw invalidState('Your party has already signed this agreement.');
      let keyId: string | null = null;
      if (signature != null) {
        const key = await tx.em.findOne(PartyKeyEntity, { where: { partyId, retiredAt: IsNull() } });
        if (!key) throw badInput({ signature: 'your party has no registered key; register one with registerPartyKey first' });
        if (!partySignatureValid(key.publicKeyPem, agreement.textHash, signature.trim())) {
          throw badInput({ signature: 'does not verify against your party’s registered key over the text hash' });
        }
        keyId = key.id;
      }
      const row = await tx.em.save(
        tx.em.create(SignatureEntity, {
          agreementId,
          partyId,
          membershipId: access.membership.id,
          textHash,
          partySignature: signature?.trim() ?? null,
          partyKeyId: keyId,
        }),
      );
      await this.events.append(tx, {
        roomId: agreement.roomId,
        type: 'agreement.signed',
        actor: access.membership,
        payload: { agreementId, partyId, textHash, partyMade: keyId !== null },
      });
      const parties = await this.partyMap(tx.em, agreement.roomId);
      const signed = await tx.em.count(SignatureEntity, { where: { agreementId } });
      if (signed >= parties.size && agreement.status === 'AWAITING_SIGNATURES') {
        agreement.status = 'SIGNED';
        await tx.em.update(AgreementEntity, { id: agreementId }, { status: 'SIGNED' });
        await this.events.append(tx, { roomId: agreement.roomId, type: 'agreement.fully_signed', actor: null, payload: { agreementId, textHash } });
      }
      await this.maybePublish(tx, agreement);
      return { party: toParty(parties.get(partyId)!), textHash, signedAt: row.signedAt, partyMade: keyId !== null, partySignature: row.partySignature };
    });
    return result;
  }

  async registerPartyKey(user: AuthUser, roomId: string, publicKeyRaw: string): Promise<PartyKeyType> {
    const c = new Check();
    const pem = c.text('publicKey', publicKeyRaw, { min: 1, max: 4000 });
    c.that('publicKey', parsePublicKeyPem(pem), 'must be an Ed25519 public key in SPKI PEM form');
    c.done();
    return this.tx.run(async (tx) => {
      const access = await this.access.lock(tx, user, ROOM, roomId, 'partyAction');
      const { partyId } = access;
      const now = new Date();
      const old = await tx.em.find(PartyKeyEntity, { where: { partyId, retiredAt: IsNull() } });
      if (old.length) await tx.em.update(PartyKeyEntity, { id: In(old.map((k) => k.id)) }, { retiredAt: now });
      const key = await tx.em.save(tx.em.create(PartyKeyEntity, { roomId, partyId, publicKeyPem: pem, registeredBy: access.membership.id }));
      await this.events.append(tx, {
        roomId,
        type: 'party_key.registered',
        actor: access.membership,
        payload: { partyId, keyId: key.id, retiredKeyIds: old.map((k) => k.id), publicKey: pem },
      });
      const parties = await this.partyMap(tx.em, roomId);
      return { id: key.id, party: toParty(parties.get(partyId)!), publicKey: pem, createdAt: key.createdAt, retiredAt: null };
    });
  }

  async partyKeys(roomId: string): Promise<PartyKeyType[]> {
    const [keys, parties] = await Promise.all([
      this.tx.manager.find(PartyKeyEntity, { where: { roomId }, order: { createdAt: 'ASC' } }),
      this.partyMap(this.tx.manager, roomId),
    ]);
    return keys.map((k) => ({ id: k.id, party: toParty(parties.get(k.partyId)!), publicKey: k.publicKeyPem, createdAt: k.createdAt, retiredAt: k.retiredAt }));
  }

  async makeCommitment(
    user: AuthUser,
    input: { agreementId: string; statement: string; minParties?: number | null; requiredPartyIds?: string[] | null },
  ): Promise<CommitmentType> {
    return this.tx.run(async (tx) => {
      const { agreement, access } = await this.lockScope(tx, user, input.agreementId, 'partyAction');
      if (agreement.commitmentsResolvedAt) throw invalidState('Commitments on this agreement are already resolved.');
      if (agreement.status === 'PUBLISHED') throw invalidState('This agreement is already published.');
      const parties = await this.partyMap(tx.em, agreement.roomId);
      const required = input.requiredPartyIds ?? [];
      const bad = validateCommitment({
        statement: input.statement,
        minParties: input.minParties ?? null,
        requiredPartyIds: required,
        partyCount: parties.size,
        selfPartyId: access.partyId,
        knownPartyIds: [...parties.keys()],
      });
      if (Object.keys(bad).length) throw badInput(bad);
      const row = await tx.em.save(
        tx.em.create(CommitmentEntity, {
          agreementId: agreement.id,
          partyId: access.partyId,
          membershipId: access.membership.id,
          statement: input.statement.trim(),
          minParties: input.minParties ?? null,
          requiredPartyIds: [...new Set(required.map((id) => id.toLowerCase()))],
        }),
      );
      // sealed: only the committing party's members ever see this event
      await this.events.append(tx, {
        roomId: agreement.roomId,
        type: 'commitment.made',
        actor: access.membership,
        audiencePartyId: row.partyId,
        payload: { agreementId: agreement.id, commitmentId: row.id },
      });
      return this.commitmentView(row, parties);
    });
  }

  async withdrawCommitment(user: AuthUser, commitmentId: string): Promise<CommitmentType> {
    return this.tx.run(async (tx) => {
      // another party's commitment does not exist as far as this caller may know
      const access = await this.access.lock(tx, user, COMMITMENT, commitmentId, 'partyAction');
      const row = await this.commitmentOrThrow(tx.em, commitmentId);
      const agreement = await this.agreementOrThrow(tx.em, row.agreementId, true);
      // a commitment of another party, or one already withdrawn
      if (row.partyId !== access.partyId || row.withdrawnAt) throw notFound();
      if (agreement.commitmentsResolvedAt) throw invalidState('Commitments on this agreement are already resolved.');
      row.withdrawnAt = new Date();
      await tx.em.update(CommitmentEntity, { id: row.id }, { withdrawnAt: row.withdrawnAt });
      await this.events.append(tx, {
        roomId: agreement.roomId,
        type: 'commitment.withdrawn',
        actor: access.membership,
        audiencePartyId: row.partyId,
        payload: { agreementId: agreement.id, commitmentId: row.id },
      });
      return this.commitmentView(row, await this.partyMap(tx.em, agreement.roomId));
    });
  }

  async resolve(user: AuthUser, agreementId: string): Promise<AgreementScope> {
    return this.tx.run(async (tx) => {
      const scope = await this.lockScope(tx, user, agreementId, 'facilitate');
      const { agreement, access } = scope;
      if (agreement.commitmentsResolvedAt) throw invalidState('Commitments on this agreement are already resolved.');
      await this.resolveLocked(tx, agreement, access.membership);
      await this.maybePublish(tx, agreement);
      return scope;
    });
  }

  // Under the agreement row lock. The same step, with the same event, whether any commitment
  // was made or not: nobody learns from the path to publication that one was.
  private async resolveLocked(tx: Tx, agreement: AgreementEntity, actor: MembershipEntity | null): Promise<void> {
    const agreementId = agreement.id;
    const rows = await tx.em.find(CommitmentEntity, { where: { agreementId, withdrawnAt: IsNull() } });
    const { binding } = resolveCommitments(rows.map((r) => ({ id: r.id, partyId: r.partyId, minParties: r.minParties, requiredPartyIds: r.requiredPartyIds })));
    const bindingSet = new Set(binding);
    // one statement however many (or few) there are: the step costs the same either way
    await tx.em.query(
      `UPDATE commitment SET status = CASE WHEN id = ANY($2::uuid[]) THEN 'BINDING' ELSE 'LAPSED' END WHERE agreement_id = $1 AND withdrawn_at IS NULL`,
      [agreementId, binding],
    );
    agreement.commitmentsResolvedAt = new Date();
    await tx.em.update(AgreementEntity, { id: agreementId }, { commitmentsResolvedAt: agreement.commitmentsResolvedAt });
    const bound = rows.filter((r) => bindingSet.has(r.id));
    // reveals the binding commitments only; lapsed ones are never mentioned
    await this.events.append(tx, {
      roomId: agreement.roomId,
      type: 'commitments.resolved',
      actor,
      payload: {
        agreementId,
        binding: bound.map((r) => ({ id: r.id, partyId: r.partyId, statement: r.statement, minParties: r.minParties, requiredPartyIds: r.requiredPartyIds })),
      },
    });
  }

  async consent(user: AuthUser, agreementId: string, embargoUntil?: Date | null): Promise<AgreementScope> {
    if (embargoUntil != null) {
      const t = embargoUntil instanceof Date ? embargoUntil.getTime() : NaN;
      if (!Number.isFinite(t) || t <= Date.now()) throw badInput({ embargoUntil: 'must be in the future' });
      if (t > Date.now() + MAX_EMBARGO_MS) throw badInput({ embargoUntil: 'must be within five years' });
    }
    return this.tx.run(async (tx) => {
      const scope = await this.lockScope(tx, user, agreementId, 'partyAction');
      const { agreement, access } = scope;
      if (agreement.status === 'PUBLISHED') throw invalidState('This agreement is already published.');
      const { partyId } = access;
      if (await tx.em.exists(PublishConsentEntity, { where: { agreementId, partyId } })) throw invalidState('Your party has already consented to publish.');
      await tx.em.insert(PublishConsentEntity, { agreementId, partyId, membershipId: access.membership.id, embargoUntil: embargoUntil ?? null });
      // the agreement keeps the latest embargo any party asked for
      if (embargoUntil && (!agreement.embargoUntil || embargoUntil > agreement.embargoUntil)) {
        agreement.embargoUntil = embargoUntil;
        await tx.em.update(AgreementEntity, { id: agreementId }, { embargoUntil });
      }
      await this.events.append(tx, {
        roomId: agreement.roomId,
        type: 'publication.consented',
        actor: access.membership,
        payload: { agreementId, partyId, embargoUntil: embargoUntil?.toISOString() ?? null },
      });
      await this.maybePublish(tx, agreement);
      return scope;
    });
  }

  // Publication happens once: under the agreement row lock, when every party signed and
  // consented and the latest embargo has passed. Commitments are always resolved on the way:
  // by the facilitator earlier, or here by themselves at the last sign-off, whether or not
  // any were made, so status, events and timing never tell.
  private async maybePublish(tx: Tx, agreement: AgreementEntity): Promise<boolean> {
    if (agreement.status === 'PUBLISHED') return false;
    const parties = (await this.rooms.parties(agreement.roomId, tx.em)).length;
    // one connection in a transaction: queries run one after another
    const signed = await tx.em.count(SignatureEntity, { where: { agreementId: agreement.id } });
    const consents = await tx.em.count(PublishConsentEntity, { where: { agreementId: agreement.id } });
    if (parties === 0 || signed < parties || consents < parties) return false;
    if (!agreement.commitmentsResolvedAt) await this.resolveLocked(tx, agreement, null);
    if (agreement.embargoUntil && agreement.embargoUntil.getTime() > Date.now()) return false;
    agreement.status = 'PUBLISHED';
    agreement.publishedAt = new Date();
    agreement.publicSlug = randomBytes(12).toString('base64url');
    await tx.em.update(AgreementEntity, { id: agreement.id }, { status: 'PUBLISHED', publishedAt: agreement.publishedAt, publicSlug: agreement.publicSlug });
    await this.events.append(tx, {
      roomId: agreement.roomId,
      type: 'agreement.published',
      actor: null,
      payload: { agreementId: agreement.id, publicSlug: agreement.publicSlug },
    });
    const published = agreement;
    tx.afterCommit(() => {
      for (const hook of this.publishedHooks) void hook(published);
    });
    return true;
  }

  // For the scheduler: agreements whose embargo has passed since their last consent. An
  // archived room is read-only: nothing in it publishes any more.
  async publishDue(): Promise<number> {
    const candidates: Array<{ id: string; room_id: string }> = await this.tx.manager.query(
      `SELECT a.id, a.room_id FROM agreement a JOIN room r ON r.id = a.room_id AND r.archived_at IS NULL
        WHERE a.status <> 'PUBLISHED' AND a.embargo_until IS NOT NULL AND a.embargo_until <= now()`,
    );
    let published = 0;
    for (const { id, room_id: roomId } of candidates) {
      const done = await this.tx.run(async (tx) => {
        // the room row first, as every write in a room does; a second instance waits here
        // and then finds the agreement already published
        if (!(await this.access.lockForSystem(tx, roomId))) return false;
        const agreement = await this.agreementOrThrow(tx.em, id, true);
        return this.maybePublish(tx, agreement);
      });
      if (done) published += 1;
    }
    return published;
  }

  async ofProposals(proposalIds: string[]): Promise<Map<string, AgreementEntity>> {
    if (!proposalIds.length) return new Map();
    const rows = await this.tx.manager.find(AgreementEntity, { where: { proposalId: In(proposalIds) } });
    return new Map(rows.map((a) => [a.proposalId, a]));
  }

  async publishedOrThrow(slug: string): Promise<AgreementEntity> {
    if (typeof slug !== 'string' || !/^[A-Za-z0-9_-]{8,64}$/.test(slug)) throw notFound();
    const agreement = await this.tx.manager.findOne(AgreementEntity, { where: { publicSlug: slug, status: 'PUBLISHED' } });
    if (!agreement) throw notFound();
    return agreement;
  }

  signatureRows(agreementId: string): Promise<SignatureEntity[]> {
    return this.tx.manager.find(SignatureEntity, { where: { agreementId }, order: { signedAt: 'ASC' } });
  }

  partyKeyRows(roomId: string): Promise<PartyKeyEntity[]> {
    return this.tx.manager.find(PartyKeyEntity, { where: { roomId } });
  }

  async parties(roomId: string): Promise<PartyType[]> {
    const parties = await this.rooms.parties(roomId);
    return parties.map(toParty);
  }
}
