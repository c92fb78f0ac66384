import { Injectable } from '@nestjs/common';
import { invalidState, ballotClosed, rateLimited } from '@parley/common';
import { TransactionRunner } from '@parley/database';
import { toCsv } from '@parley/domain';
import type { AuthUser } from '@parley/identity';
import { SignaturesService } from '@parley/agreements';
import { BallotsService, NegotiationFiguresQuery, ProposalsService } from '@parley/negotiation';
import { RoomAccessService, RoomEventsService, RoomsService, toParty, type RoomScope } from '@parley/rooms';
import { proposalProgress, progressCsvRows } from './progress-figures';
import { ProgressRepository } from './progress.repository';
import type { RoomProgressType } from './progress.types';

@Injectable()
export class ProgressService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly access: RoomAccessService,
    private readonly events: RoomEventsService,
    private readonly proposals: ProposalsService,
    private readonly ballots: BallotsService,
    private readonly repo: ProgressRepository,
    private readonly rooms: RoomsService,
    private readonly negotiation: NegotiationFiguresQuery,
    private readonly signatures: SignaturesService,
  ) {}

  // Four statements per room whatever its parties, clauses, ballots or history, each asked of the
  // capability owning its tables: three side by side (parties; proposals with their figure
  // ballots; sign-offs), then the convergence series of the proposals found; the views and the
  // figures are built in memory. With the session and the access check: six per call.
  async progress(scope: RoomScope): Promise<RoomProgressType> {
    return (await this.load(scope)).progress;
  }

  private async load(scope: RoomScope) {
    const roomId = scope.room.id;
    const [parties, negotiation, signOffs] = await Promise.all([
      this.rooms.parties(roomId),
      this.negotiation.roomFigures(roomId),
      this.signatures.signOffsByProposal(roomId),
    ]);
    const series = await this.repo.series(negotiation.proposals.map((p) => p.id));
    const views = this.proposals.listViews(scope, negotiation.proposals, parties);
    const partyList = parties.map(toParty);
    const rows = negotiation.proposals.map((proposal, i) => {
      const ballots = (negotiation.ballots.get(proposal.id) ?? []).map(({ ballot, votes }) => this.ballots.viewOf(scope, ballot, votes, parties));
      return { ballots, progress: proposalProgress(views[i], partyList, ballots, series.get(proposal.id) ?? [], signOffs.get(proposal.id)) };
    });
    return { rows, progress: { partyCount: parties.length, proposals: rows.map((r) => r.progress) } };
  }

  async csv(user: AuthUser, roomId: string): Promise<string> {
    const scope = await this.access.check(user, roomId, 'read');
    return toCsv(progressCsvRows((await this.load(scope)).rows));
  }

  // A closed ballot (or one past its deadline) answers BALLOT_CLOSED, as castVote does: the
  // reminder is about voting on it.
  async remind(user: AuthUser, ballotId: string): Promise<boolean> {
    return this.tx.run(async (tx) => {
      const ctx = await this.ballots.lockBallotRoom(tx, user, ballotId, 'facilitate');
      const ballot = await this.ballots.ballotAwaiting(tx, ballotId);
      if (!ballot.open) throw ballotClosed();
      if (!ballot.awaiting.length) throw invalidState('Every party has voted.');
      if (!(await this.repo.claimReminder(tx, ballotId))) throw rateLimited('A reminder for this ballot went out less than an hour ago.');
      await this.events.append(tx, {
        roomId: ctx.roomId,
        type: 'ballot.reminder',
        actor: ctx.membership,
        payload: { ballotId, proposalId: ballot.proposalId, parties: ballot.awaiting.map((p) => ({ id: p.id, name: p.name })) },
      });
      return true;
    });
  }
}
