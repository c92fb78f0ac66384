import { Injectable } from '@nestjs/common';
import { invalidState, ballotClosed, rateLimited } from '@parley/common';
import { TransactionRunner } from '@parley/database';
import { toCsv } from '@parley/domain';
import type { AuthUser } from '@parley/identity';
import { AgreementsService } from '@parley/agreements';
import { BallotsService, ProposalsService } from '@parley/negotiation';
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
    private readonly rooms: RoomsService,
    private readonly proposals: ProposalsService,
    private readonly ballots: BallotsService,
    private readonly agreements: AgreementsService,
    private readonly repo: ProgressRepository,
  ) {}

  // A fixed number of set-based queries per room, whatever its parties, clauses or history.
  async progress(scope: RoomScope): Promise<RoomProgressType> {
    return (await this.load(scope)).progress;
  }

  private async load(scope: RoomScope) {
    // the room's parties once, for the proposals, their ballots and the table
    const [parties, signOffs] = await Promise.all([this.rooms.parties(scope.room.id), this.agreements.signOffs(scope.room.id)]);
    const proposals = await this.proposals.roomProposals(scope, parties);
    const ids = proposals.map((p) => p.id);
    const [ballots, series] = await Promise.all([this.ballots.forProposals(scope, ids, parties), this.repo.series(ids)]);
    const partyList = parties.map(toParty);
    const rows = proposals.map((p) => {
      const own = ballots.get(p.id) ?? [];
      return { ballots: own, progress: proposalProgress(p, partyList, own, series.get(p.id) ?? [], signOffs.get(p.id)) };
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
