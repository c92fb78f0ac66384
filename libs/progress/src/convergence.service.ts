import { Injectable } from '@nestjs/common';
import type { Tx } from '@parley/database';
import { isOneOf, NEGOTIATION_EVENTS } from '@parley/domain';
import { BallotsService } from '@parley/negotiation';
import type { RoomEvent, RoomEventHook } from '@parley/rooms';
import { ProgressRepository } from './progress.repository';

// The convergence series as a derived table, written by a room event hook (listed in
// apps/api/src/room-event-hooks.ts) rather than by calls in each negotiation write path: every
// path that appends one of the NEGOTIATION_EVENTS (mutations, the deadline scheduler, a ballot
// closed by the last vote, a ballot that applies an amendment) is covered by construction, in
// the same transaction as the event, and negotiation does not depend on progress. Reads then
// cost one indexed query, however long the room's log grows.
@Injectable()
export class ConvergenceService implements RoomEventHook {
  constructor(
    private readonly ballots: BallotsService,
    private readonly repo: ProgressRepository,
  ) {}

  async record(tx: Tx, event: RoomEvent): Promise<void> {
    // the events that can move open brackets, open amendments or supporting parties (a point is
    // written only when a figure actually changed)
    if (!isOneOf(NEGOTIATION_EVENTS, event)) return;
    const { payload } = event;
    const proposalId = 'proposalId' in payload ? payload.proposalId : null;
    const ballotId = 'ballotId' in payload && payload.ballotId ? payload.ballotId : null;
    if (!proposalId && !ballotId) return;
    const figures = await this.ballots.convergenceFigures(tx, { proposalId, ballotId });
    if (figures) await this.repo.recordIfMoved(tx, figures, event.seq, event.at);
  }
}
