import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Subject } from 'rxjs';
import { ballotClosed, Check, invalidState, isUuid, notFound, openBrackets } from '@parley/common';
import { GroupCommit, type Tx } from '@parley/database';
import { acceptsVotes, ballotSealed, countOpenBrackets, decide, everyPartyVoted, validateBallotRule } from '@parley/domain';
import type { AuthUser } from '@parley/identity';
import {
  eventAuthor,
  RoomsService,
  RoomWrites,
  type AppendEvent,
  type Locked,
  type MembershipEntity,
  type PartyActor,
  type PartyEntity,
  type RoomAction,
  type RoomScope,
} from '@parley/rooms';
import type { BallotEntity, VoteEntity } from './negotiation.entities';
import type { ConvergenceFigures } from './negotiation-figures.query';
import { ballotView, voteView, type BallotFields, type PartyFields, type VoteFields } from './ballot-view';
import { ProposalWrites } from './proposal-writes';
import { BALLOT, ProposalRepository } from './proposal.repository';
import { AmendmentsService } from './amendments.service';
import type { BallotType, CastVoteInput, OpenBallotInput, ProposalType, VoteType } from './negotiation.types';

export const MAX_REASON = 2000;
export const MAX_BALLOT_DAYS = 90;

export type CloseCause = 'FACILITATOR' | 'ALL_VOTED' | 'DEADLINE';

interface PendingVote {
  user: AuthUser;
  choice: VoteEntity['choice'];
  reason: string | null;
}

// a sealed ballot's event says only who voted; choices appear in ballot.closed
const voteCastEvent = (b: BallotEntity, vote: VoteEntity, actor: Locked<PartyActor>): AppendEvent<'vote.cast'> => ({
  roomId: b.roomId,
  type: 'vote.cast',
  actor: actor.membership,
  payload: ballotSealed(b)
    ? { ballotId: b.id, partyId: vote.partyId }
    : { ballotId: b.id, partyId: vote.partyId, choice: vote.choice, reason: vote.reason, author: eventAuthor(actor.membership) },
});

// The votes of a batch judged in turn, as if each committed alone: refused by the policy
// (`actors` holds its error), by a ballot that does not take votes, or after the vote that
// completed the ballot (then `completed` holds every party's latest vote, oldest first).
function judgeVotes(b: BallotEntity, votes: VoteEntity[], parties: PartyEntity[], items: PendingVote[], actors: Array<Locked<PartyActor> | Error>, now: Date) {
  const partyIds = parties.map((p) => p.id);
  const latest = new Map(votes.map((v) => [v.partyId, v]));
  const accepting = acceptsVotes(b, now);
  let completed: VoteEntity[] | null = null;
  const cast: Array<{ vote: VoteEntity; actor: Locked<PartyActor> }> = [];
  const results = items.map((item, i): VoteType | Error => {
    const actor = actors[i];
    if (actor instanceof Error) return actor;
    if (!accepting || completed) return ballotClosed();
    const vote: VoteEntity = {
      ballotId: b.id,
      partyId: actor.partyId,
      choice: item.choice,
      reason: item.reason,
      membershipId: actor.membership.id,
      castAt: now,
    };
    latest.delete(vote.partyId);
    latest.set(vote.partyId, vote);
    cast.push({ vote, actor });
    if (everyPartyVoted(partyIds, [...latest.keys()])) completed = [...latest.values()];
    const party = parties.find((p) => p.id === vote.partyId)!;
    return voteView(vote, { id: party.id, name: party.name });
  });
  return { results, cast, completed: completed as VoteEntity[] | null };
}

// The proposal's convergence figures after each vote of a batch, as they would be read after
// it: only the supporting parties can move, and only when the figures count this ballot's
// votes (its proposal's latest whole-text ballot, not sealed): each party's latest vote, of
// the room's parties, that is SUPPORT.
function figuresAfterEach(
  b: BallotEntity,
  before: VoteEntity[],
  parties: PartyEntity[],
  convergence: { figures: ConvergenceFigures; countedBallotId: string | null } | null,
  cast: Array<{ vote: VoteEntity }>,
): Array<ConvergenceFigures | null> {
  if (!convergence) return cast.map(() => null);
  const { figures, countedBallotId } = convergence;
  if (countedBallotId !== b.id) return cast.map(() => figures);
  const inRoom = new Set(parties.map((p) => p.id));
  const choices = new Map(before.map((v) => [v.partyId, v.choice]));
  return cast.map(({ vote }) => {
    choices.set(vote.partyId, vote.choice);
    let supportingParties = 0;
    for (const [partyId, choice] of choices) if (choice === 'SUPPORT' && inRoom.has(partyId)) supportingParties += 1;
    return { ...figures, supportingParties };
  });
}

@Injectable()
export class BallotsService {
  // deadlines of newly opened ballots, for the scheduler
  readonly deadlines = new Subject<Date>();
  // votes on one ballot arriving while an earlier batch is written go in the next batch
  private readonly voteBatches = new GroupCommit<string, PendingVote, VoteType>((ballotId, items) => this.castVotes(ballotId, items));

  constructor(
    private readonly repo: ProposalRepository,
    private readonly writes: RoomWrites,
    private readonly proposalWrites: ProposalWrites,
    private readonly rooms: RoomsService,
    private readonly amendments: AmendmentsService,
  ) {}

  // for progress and reminders: reads that other capabilities make through this service

  // the lock idiom on a ballot, for writes that other capabilities make about one
  lockBallotRoom<A extends RoomAction>(tx: Tx, user: AuthUser, ballotId: string, action: A) {
    return this.writes.lock(tx, user, BALLOT, ballotId, action);
  }

  ballotAwaiting(tx: Tx, ballotId: string) {
    return this.repo.ballotAwaiting(tx, ballotId);
  }

  // reads: every ballot of these proposals with their votes in two queries, as `scope` sees them

  // `known` parties: a caller that has read the room's parties already passes them on
  async forProposals(scope: RoomScope, proposalIds: string[], known?: PartyEntity[]): Promise<Map<string, BallotType[]>> {
    const [ballots, parties] = await Promise.all([this.repo.ballots(proposalIds), known ?? this.rooms.parties(scope.room.id)]);
    const votes = await this.repo.votes(ballots.map((b) => b.id));
    const votesOf = new Map<string, VoteEntity[]>();
    for (const v of votes) {
      const list = votesOf.get(v.ballotId);
      if (list) list.push(v);
      else votesOf.set(v.ballotId, [v]);
    }
    const out = new Map<string, BallotType[]>(proposalIds.map((id) => [id, []]));
    for (const b of ballots) {
      if (b.roomId !== scope.room.id) continue;
      out.get(b.proposalId)?.push(ballotView(b, votesOf.get(b.id) ?? [], parties, scope.membership.partyId));
    }
    return out;
  }

  // a ballot and its votes that a caller read itself (progress reads only the ballots its
  // figures use), as `scope` sees them
  viewOf(scope: RoomScope, b: BallotFields, votes: VoteFields[], parties: PartyFields[]): BallotType {
    return ballotView(b, votes, parties, scope.membership.partyId);
  }

  async forProposal(proposal: ProposalType): Promise<BallotType[]> {
    const { siblings } = proposal;
    const all = siblings
      ? await siblings.once('ballots', (ids) => this.forProposals(proposal.scope, ids))
      : await this.forProposals(proposal.scope, [proposal.id]);
    return all.get(proposal.id) ?? [];
  }

  private async viewIn(tx: Tx, scope: RoomScope, b: BallotEntity): Promise<BallotType> {
    // one connection in a transaction: queries run one after another
    const votes = await this.repo.votes([b.id], tx);
    const parties = await this.writes.parties(tx, b.roomId);
    return ballotView(b, votes, parties, scope.membership.partyId);
  }

  // writes

  async open(user: AuthUser, input: OpenBallotInput): Promise<BallotType> {
    const c = new Check();
    for (const [field, problem] of Object.entries(validateBallotRule(input.rule, input.threshold ?? null, input.quorum))) c.that(field, false, problem);
    const closesAt = input.closesAt ?? null;
    if (closesAt !== null) c.that('closesAt', Number.isFinite(closesAt.getTime()), 'must be a date');
    c.done();
    if (input.amendmentId !== null && input.amendmentId !== undefined && !isUuid(input.amendmentId)) throw notFound();
    return this.proposalWrites.run(user, input.proposalId, 'facilitate', async (tx, ctx, p) => {
      if (closesAt !== null) {
        // by the database's clock, as the deadline will be judged: a ballot opens taking votes
        const deadline = new Check();
        deadline.that('closesAt', acceptsVotes({ status: 'OPEN', closesAt }, ctx.now), 'must be in the future');
        deadline.that('closesAt', closesAt.getTime() <= ctx.now.getTime() + MAX_BALLOT_DAYS * 86_400_000, `must be at most ${MAX_BALLOT_DAYS} days ahead`);
        deadline.done();
      }
      if (p.status !== 'DRAFTING') throw invalidState(`A ballot cannot open on a ${p.status.toLowerCase()} proposal.`);
      const open = await this.repo.openBallots(tx, p.id);
      let amendmentId: string | null = null;
      if (input.amendmentId) {
        const a = await this.repo.lockAmendmentOrThrow(tx, input.amendmentId, p.id);
        if (a.status !== 'OPEN') throw invalidState(`The amendment is already ${a.status.toLowerCase()}.`);
        if (open.some((b) => b.amendmentId === a.id)) throw invalidState('A ballot on this amendment is already open.');
        amendmentId = a.id;
      } else {
        const brackets = countOpenBrackets(p.clauses);
        if (brackets > 0) throw openBrackets(brackets);
        if (open.length) throw invalidState('Close the open ballots on amendments before a ballot on the whole text.');
      }
      const b = await this.repo.insertBallot(tx, {
        roomId: p.roomId,
        proposalId: p.id,
        amendmentId,
        version: p.version,
        rule: input.rule,
        threshold: input.threshold ?? null,
        quorum: input.quorum,
        secrecy: input.secrecy,
        closesAt,
        openedBy: ctx.membership.id,
      });
      if (!amendmentId) await this.repo.setStatus(tx, p, 'VOTING');
      await this.proposalWrites.appendEvent(tx, {
        roomId: p.roomId,
        type: 'ballot.opened',
        actor: ctx.membership,
        payload: {
          ballotId: b.id,
          proposalId: p.id,
          amendmentId,
          version: b.version,
          rule: b.rule,
          threshold: b.threshold,
          quorum: b.quorum,
          secrecy: b.secrecy,
          closesAt: closesAt?.toISOString() ?? null,
        },
      });
      if (closesAt) tx.afterCommit(() => this.deadlines.next(closesAt));
      return this.viewIn(tx, ctx, b);
    });
  }

  async castVote(user: AuthUser, input: CastVoteInput): Promise<VoteType> {
    const c = new Check();
    const reason = c.text('reason', input.reason, { max: MAX_REASON, optional: true }) || null;
    c.done();
    if (!isUuid(input.ballotId)) throw notFound();
    return this.voteBatches.submit(input.ballotId, { user, choice: input.choice, reason });
  }

  // The votes on one ballot waiting on this instance, in the order they came, as one write
  // (see GroupCommit) on a pipelined transaction, in two round trips: BEGIN and one room lock
  // reading every voter's membership, then (run once the lock is granted) the ballot with its
  // votes, the room's parties and the proposal's convergence figures; the rules judged per
  // vote in turn as if each committed alone (a vote after the one that completes the ballot
  // finds it closed); then each party's latest vote in one upsert, the votes' vote.cast events
  // in one statement, in order, and the figures after each vote (derived in memory) in one,
  // sent with the COMMIT — unless the batch completes the ballot, whose close follows.
  private castVotes(ballotId: string, items: PendingVote[]): Promise<Array<VoteType | Error>> {
    if (!isUuid(ballotId)) return Promise.resolve(items.map(() => notFound()));
    return this.writes.pipelined(async (tx) => {
      const locking = this.writes.lockEach(
        tx,
        items.map((i) => i.user),
        BALLOT,
        ballotId,
        'partyAction',
      );
      const reading = Promise.all([
        this.repo.ballotWithVotes(tx, ballotId),
        this.writes.partiesOf(tx, BALLOT, ballotId),
        this.repo.convergenceOf(tx, { proposalId: null, ballotId }),
      ]);
      // not awaited when every voter is refused
      reading.catch(() => undefined);
      const actors = await locking;
      const actor = actors.find((a): a is Locked<PartyActor> => !(a instanceof Error));
      if (!actor) return actors as Error[];
      const [{ ballot: b, votes }, parties, convergence] = await reading;
      const { results, cast, completed } = judgeVotes(b, votes, parties, items, actors, actor.now);
      if (!cast.length) return results;
      const latest = new Map(cast.map(({ vote }) => [vote.partyId, vote]));
      await this.repo.upsertVotes(tx, [...latest.values()]);
      await this.proposalWrites.appendEvents(
        tx,
        actor.room,
        cast.map(({ vote, actor: by }) => voteCastEvent(b, vote, by)),
        figuresAfterEach(b, votes, parties, convergence, cast),
      );
      if (completed) await this.closeLocked(tx, b, null, 'ALL_VOTED', parties, completed);
      return results;
    });
  }

  async close(user: AuthUser, ballotId: string): Promise<BallotType> {
    return this.writes.run(async (tx) => {
      const ctx = await this.writes.lock(tx, user, BALLOT, ballotId, 'facilitate');
      const b = await this.repo.lockBallotOrThrow(tx, ballotId);
      if (b.status !== 'OPEN') throw invalidState('The ballot is already closed.');
      await this.closeLocked(tx, b, ctx.membership, 'FACILITATOR');
      return this.viewIn(tx, ctx, b);
    });
  }

  // Closes every open ballot past its deadline; safe to run on several instances at once.
  async closeDue(): Promise<number> {
    let closed = 0;
    for (const due of await this.repo.dueBallots()) {
      const done = await this.writes.run(async (tx) => {
        // the room row first, as every write takes it; an archived room's ballots stay as they were
        if (!(await this.writes.lockForSystem(tx, due.roomId))) return false;
        const b = await this.repo.lockDueBallot(tx, due.id);
        if (!b) return false;
        await this.closeLocked(tx, b, null, 'DEADLINE');
        return true;
      });
      if (done) closed += 1;
    }
    return closed;
  }

  // Under the room and ballot locks: the outcome by the decision rule over the room's parties
  // now, each party's latest vote; then what the outcome does to the proposal or amendment.
  private async closeLocked(
    tx: Tx,
    b: BallotEntity,
    actor: MembershipEntity | null,
    cause: CloseCause,
    parties?: PartyEntity[],
    votes?: VoteEntity[],
  ): Promise<void> {
    const partyList = parties ?? (await this.writes.parties(tx, b.roomId));
    const voteList = votes ?? (await this.repo.votes([b.id], tx));
    const partyIds = partyList.map((p) => p.id);
    const decision = decide({
      rule: b.rule,
      threshold: b.threshold,
      quorum: b.quorum,
      partyIds,
      votes: voteList.map((v) => ({ partyId: v.partyId, choice: v.choice, castAt: v.castAt.getTime() })),
    });
    await this.repo.closeBallot(tx, b, decision.outcome, decision.tally);
    await this.proposalWrites.appendEvent(tx, {
      roomId: b.roomId,
      type: 'ballot.closed',
      actor,
      payload: {
        ballotId: b.id,
        proposalId: b.proposalId,
        amendmentId: b.amendmentId,
        version: b.version,
        cause,
        outcome: decision.outcome,
        tally: decision.tally,
        votes: voteList.filter((v) => partyIds.includes(v.partyId)).map((v) => ({ partyId: v.partyId, choice: v.choice, reason: v.reason })),
      },
    });
    const p = await this.repo.lockProposalOrThrow(tx, b.proposalId);
    if (b.amendmentId) {
      await this.amendments.settleByBallot(tx, p, b);
      return;
    }
    if (decision.outcome !== 'PASSED') {
      if (p.status === 'VOTING') await this.repo.setStatus(tx, p, 'DRAFTING');
      return;
    }
    const [version] = await this.repo.versionsNumbered(p.id, [b.version], tx);
    await this.repo.setStatus(tx, p, 'ADOPTED');
    // the agreements capability records the agreement from this event, in this transaction
    await this.proposalWrites.appendEvent(tx, {
      roomId: p.roomId,
      type: 'proposal.adopted',
      actor,
      payload: { proposalId: p.id, ballotId: b.id, version: version.number, textHash: version.textHash, agreementId: randomUUID() },
    });
  }
}
