import { Injectable } from '@nestjs/common';
import { badInput, Check, DomainError, invalidState } from '@parley/common';
import type { Tx } from '@parley/database';
import { applyAmendment, clauseUnchanged, validateAmendment, type AmendmentChange } from '@parley/domain';
import type { AuthUser } from '@parley/identity';
import { eventAuthor, type MembershipEntity, RoomWrites } from '@parley/rooms';
import type { AmendmentEntity, AmendmentStatus, BallotEntity, ProposalEntity } from './negotiation.entities';
import type { PartyBook } from './party-book';
import { ProposalWrites } from './proposal-writes';
import { AMENDMENT, ProposalRepository } from './proposal.repository';
import { assertEditable, assertVersion, ProposalsService } from './proposals.service';
import type { AmendmentType, ProposalType, ProposeAmendmentInput } from './negotiation.types';

export const MAX_RATIONALE = 2000;

const change = (a: AmendmentEntity): AmendmentChange => ({ kind: a.kind, clauseKey: a.clauseKey, text: a.text });

@Injectable()
export class AmendmentsService {
  constructor(
    private readonly repo: ProposalRepository,
    private readonly writes: RoomWrites,
    private readonly proposalWrites: ProposalWrites,
    private readonly proposals: ProposalsService,
  ) {}

  view(a: AmendmentEntity, book: PartyBook): AmendmentType {
    return {
      id: a.id,
      proposalId: a.proposalId,
      baseVersion: a.baseVersion,
      clauseKey: a.clauseKey,
      kind: a.kind,
      text: a.text,
      rationale: a.rationale,
      status: a.status,
      party: book.attributed(a.partyId),
      createdAt: a.createdAt,
    };
  }

  async list(proposal: ProposalType, status?: AmendmentStatus | null): Promise<AmendmentType[]> {
    const [list, book] = await Promise.all([this.repo.amendments([proposal.id], status), this.proposals.book(proposal.scope)]);
    return list.map((a) => this.view(a, book));
  }

  async propose(user: AuthUser, input: ProposeAmendmentInput): Promise<AmendmentType> {
    const c = new Check();
    c.int('baseVersion', input.baseVersion, { min: 1, max: 2 ** 31 - 1 });
    const rationale = c.text('rationale', input.rationale, { max: MAX_RATIONALE, optional: true }) || null;
    c.done();
    return this.proposalWrites.run(user, input.proposalId, 'draft', async (tx, ctx, p) => {
      assertEditable(p);
      const [base] = await this.repo.versionsNumbered(p.id, [input.baseVersion], tx);
      if (!base) throw badInput({ baseVersion: `no such version (the current one is ${p.version})` });
      const text = input.kind === 'DELETE' ? null : (input.text ?? null);
      const bad = validateAmendment(base.clauses, { kind: input.kind, clauseKey: input.clauseKey, text });
      if (Object.keys(bad).length) throw badInput(bad);
      const a = await this.repo.insertAmendment(tx, {
        roomId: p.roomId,
        proposalId: p.id,
        baseVersion: base.number,
        clauseKey: input.clauseKey,
        kind: input.kind,
        text,
        rationale,
        partyId: ctx.membership.partyId,
        authorMembershipId: ctx.membership.id,
      });
      await this.proposalWrites.appendEvent(tx, {
        roomId: p.roomId,
        type: 'amendment.proposed',
        actor: ctx.membership,
        payload: {
          amendmentId: a.id,
          proposalId: p.id,
          baseVersion: a.baseVersion,
          clauseKey: a.clauseKey,
          kind: a.kind,
          text,
          rationale,
          author: eventAuthor(ctx.membership),
        },
      });
      return this.view(a, await this.proposals.book(ctx, tx));
    });
  }

  // the amendment's room locked first, then the amendment, not on an open ballot
  private async settle(tx: Tx, user: AuthUser, id: string, action: 'withdrawAmendment' | 'facilitate') {
    const ctx = await this.writes.lock(tx, user, AMENDMENT, id, action);
    const found = await this.repo.amendmentOrThrow(id, tx);
    const p = await this.repo.lockProposalOrThrow(tx, found.proposalId);
    const a = await this.repo.lockAmendmentOrThrow(tx, found.id);
    if (a.status !== 'OPEN') throw invalidState(`The amendment is already ${a.status.toLowerCase()}.`);
    if ((await this.repo.openBallots(tx, p.id)).some((b) => b.amendmentId === a.id)) throw invalidState('A ballot on this amendment is open.');
    return { ctx, p, a };
  }

  withdraw(user: AuthUser, id: string): Promise<AmendmentType> {
    return this.close(user, id, 'withdrawAmendment', 'WITHDRAWN', 'amendment.withdrawn');
  }

  reject(user: AuthUser, id: string): Promise<AmendmentType> {
    return this.close(user, id, 'facilitate', 'REJECTED', 'amendment.rejected');
  }

  // an amendment settled without applying it: withdrawn by its party or rejected by the facilitator
  private async close(
    user: AuthUser,
    id: string,
    action: 'withdrawAmendment' | 'facilitate',
    status: 'WITHDRAWN' | 'REJECTED',
    type: 'amendment.withdrawn' | 'amendment.rejected',
  ): Promise<AmendmentType> {
    return this.writes.run(async (tx) => {
      const { ctx, a } = await this.settle(tx, user, id, action);
      await this.repo.settleAmendment(tx, a, status);
      await this.proposalWrites.appendEvent(tx, { roomId: a.roomId, type, actor: ctx.membership, payload: { amendmentId: a.id, proposalId: a.proposalId } });
      return this.view(a, await this.proposals.book(ctx, tx));
    });
  }

  async accept(user: AuthUser, id: string, expectedVersion: number): Promise<ProposalType> {
    return this.writes.run(async (tx) => {
      const { ctx, p, a } = await this.settle(tx, user, id, 'facilitate');
      assertEditable(p);
      assertVersion(p, expectedVersion);
      if (!(await this.apply(tx, p, a, ctx.membership, null))) {
        throw new DomainError('VERSION_CONFLICT', `Clause "${a.clauseKey}" changed since version ${a.baseVersion}; the amendment stays open.`);
      }
      return this.proposals.view(ctx, p, tx);
    });
  }

  // Applies the amendment as a new version when its clause is unchanged since the base
  // version; false (nothing written) otherwise.
  async apply(tx: Tx, p: ProposalEntity, a: AmendmentEntity, actor: MembershipEntity | null, ballot: BallotEntity | null): Promise<boolean> {
    const [base] = await this.repo.versionsNumbered(p.id, [a.baseVersion], tx);
    if (!base || !clauseUnchanged(base.clauses, p.clauses, change(a))) return false;
    const clauses = applyAmendment(p.clauses, change(a));
    const summary = `Amendment (${a.kind.toLowerCase()} clause ${a.clauseKey || 'at the start'})${ballot ? ' passed by ballot' : ' accepted'}`;
    await this.repo.commitVersion(tx, p, p.version, clauses, summary, actor?.id ?? a.authorMembershipId);
    await this.repo.settleAmendment(tx, a, 'ACCEPTED', p.version);
    await this.proposalWrites.appendEvent(tx, {
      roomId: p.roomId,
      type: 'amendment.accepted',
      actor,
      payload: { amendmentId: a.id, proposalId: p.id, version: p.version, textHash: p.textHash, ballotId: ballot?.id ?? null },
    });
    return true;
  }

  // A closed ballot on an amendment: PASSED applies it (or records the conflict and leaves
  // it open), FAILED rejects it, NO_QUORUM leaves it open.
  async settleByBallot(tx: Tx, p: ProposalEntity, ballot: BallotEntity): Promise<void> {
    const a = await this.repo.lockAmendmentOrThrow(tx, ballot.amendmentId!);
    if (a.status !== 'OPEN') return;
    if (ballot.outcome === 'FAILED') {
      await this.repo.settleAmendment(tx, a, 'REJECTED');
      await this.proposalWrites.appendEvent(tx, {
        roomId: a.roomId,
        type: 'amendment.rejected',
        actor: null,
        payload: { amendmentId: a.id, proposalId: a.proposalId, ballotId: ballot.id },
      });
      return;
    }
    if (ballot.outcome !== 'PASSED') return;
    if (p.status === 'DRAFTING' && (await this.apply(tx, p, a, null, ballot))) return;
    await this.proposalWrites.appendEvent(tx, {
      roomId: a.roomId,
      type: 'amendment.conflict',
      actor: null,
      payload: { amendmentId: a.id, proposalId: p.id, ballotId: ballot.id, clauseKey: a.clauseKey, baseVersion: a.baseVersion, currentVersion: p.version },
    });
  }
}
