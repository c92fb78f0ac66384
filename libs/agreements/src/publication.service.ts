import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { badInput, invalidState, notFound } from '@parley/common';
import type { Tx } from '@parley/database';
import type { AuthUser } from '@parley/identity';
import { RoomsService, RoomWrites, toParty, type PartyType } from '@parley/rooms';
import type { AgreementEntity } from './agreement.entities';
import { AgreementAccessService, type AgreementScope } from './agreement-access.service';
import { AgreementRepository } from './agreement.repository';
import { CommitmentResolutionService } from './commitment-resolution.service';

const MAX_EMBARGO_MS = 5 * 365 * 24 * 3600_000;

// Publication: each party's consent (with an optional embargo), then publishing once every
// party signed and consented and the latest embargo has passed.
@Injectable()
export class PublicationService {
  // run once an agreement's publication has committed (the export freezes its bundle)
  private readonly publishedHooks: Array<(agreement: AgreementEntity) => Promise<unknown>> = [];

  constructor(
    private readonly writes: RoomWrites,
    private readonly agreements: AgreementAccessService,
    private readonly repo: AgreementRepository,
    private readonly resolution: CommitmentResolutionService,
    private readonly rooms: RoomsService,
  ) {}

  onPublished(hook: (agreement: AgreementEntity) => Promise<unknown>): void {
    this.publishedHooks.push(hook);
  }

  async publishConsents(agreement: AgreementEntity): Promise<PartyType[]> {
    const [rows, parties] = await Promise.all([this.repo.consents(agreement.id), this.agreements.partyMap(agreement.roomId)]);
    return rows.map((c) => toParty(parties.get(c.partyId)!));
  }

  async publishedOrThrow(slug: string): Promise<AgreementEntity> {
    if (typeof slug !== 'string' || !/^[A-Za-z0-9_-]{8,64}$/.test(slug)) throw notFound();
    const agreement = await this.repo.publishedBySlug(slug);
    if (!agreement) throw notFound();
    return agreement;
  }

  async consent(user: AuthUser, agreementId: string, embargoUntil?: Date | null): Promise<AgreementScope> {
    if (embargoUntil != null) {
      const t = embargoUntil instanceof Date ? embargoUntil.getTime() : NaN;
      if (!Number.isFinite(t) || t <= Date.now()) throw badInput({ embargoUntil: 'must be in the future' });
      if (t > Date.now() + MAX_EMBARGO_MS) throw badInput({ embargoUntil: 'must be within five years' });
    }
    return this.writes.run(async (tx) => {
      const scope = await this.agreements.lockScope(tx, user, agreementId, 'partyAction');
      const { agreement, access } = scope;
      if (agreement.status === 'PUBLISHED') throw invalidState('This agreement is already published.');
      const { partyId } = access;
      if (await this.repo.hasConsented(tx, agreementId, partyId)) throw invalidState('Your party has already consented to publish.');
      await this.repo.insertConsent(tx, { agreementId, partyId, membershipId: access.membership.id, embargoUntil: embargoUntil ?? null });
      // the agreement keeps the latest embargo any party asked for
      if (embargoUntil && (!agreement.embargoUntil || embargoUntil > agreement.embargoUntil)) {
        agreement.embargoUntil = embargoUntil;
        await this.repo.updateAgreement(tx, agreementId, { embargoUntil });
      }
      await this.writes.append(tx, {
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
  async maybePublish(tx: Tx, agreement: AgreementEntity): Promise<boolean> {
    if (agreement.status === 'PUBLISHED') return false;
    const parties = (await this.agreements.partyMap(agreement.roomId, tx)).size;
    // one connection in a transaction: queries run one after another
    const signed = await this.repo.countSignatures(tx, agreement.id);
    const consents = await this.repo.countConsents(tx, agreement.id);
    if (parties === 0 || signed < parties || consents < parties) return false;
    if (!agreement.commitmentsResolvedAt) await this.resolution.resolveLocked(tx, agreement, null);
    if (agreement.embargoUntil && agreement.embargoUntil.getTime() > Date.now()) return false;
    agreement.status = 'PUBLISHED';
    agreement.publishedAt = new Date();
    agreement.publicSlug = randomBytes(12).toString('base64url');
    await this.repo.updateAgreement(tx, agreement.id, { status: 'PUBLISHED', publishedAt: agreement.publishedAt, publicSlug: agreement.publicSlug });
    await this.writes.append(tx, {
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
    let published = 0;
    const due = await this.repo.dueForPublication();
    const unarchived = await this.rooms.unarchivedRoomIds([...new Set(due.map((a) => a.roomId))]);
    for (const { id, roomId } of due.filter((a) => unarchived.has(a.roomId))) {
      const done = await this.writes.run(async (tx) => {
        // the room row first, as every write in a room does; a second instance waits here
        // and then finds the agreement already published
        if (!(await this.writes.lockForSystem(tx, roomId))) return false;
        const agreement = await this.repo.lockAgreementOrThrow(tx, id);
        return this.maybePublish(tx, agreement);
      });
      if (done) published += 1;
    }
    return published;
  }
}
