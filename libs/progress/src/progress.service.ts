import { Injectable } from '@nestjs/common';
import { invalidState, ballotClosed, rateLimited } from '@parley/common';
import { TransactionRunner } from '@parley/database';
import { toCsv } from '@parley/domain';
import type { AuthUser } from '@parley/identity';
import { BallotsService, ProposalsService } from '@parley/negotiation';
import { RoomAccessService, RoomEventsService, toParty, type RoomScope } from '@parley/rooms';
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
  ) {}

  // Three statements per room, side by side, whatever its parties, clauses, ballots or history
  // (ProgressRepository.figures); the views and the figures are built in memory.
  async progress(scope: RoomScope): Promise<RoomProgressType> {
    return (await this.load(scope)).progress;
  }

  private async load(scope: RoomScope) {
    const figures = await this.repo.figures(scope.room.id);
    const views = this.proposals.listViews(
      scope,
      figures.proposals.map((f) => f.proposal),
      figures.parties,
    );
    const partyList = figures.parties.map(toParty);
    const rows = figures.proposals.map((f, i) => {
      const ballots = f.ballots.map(({ ballot, votes }) => this.ballots.viewOf(scope, ballot, votes, figures.parties));
      return { ballots, progress: proposalProgress(views[i], partyList, ballots, f.series, f.signOff) };
    });
    return { rows, progress: { partyCount: figures.parties.length, proposals: rows.map((r) => r.progress) } };
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
