import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Tx } from '@parley/database';
import { BallotsService } from '@parley/negotiation';
import { RoomEventsService, type RoomEventEntity } from '@parley/rooms';
import { ProgressRepository } from './progress.repository';

// Every event that can move open brackets, open amendments or supporting parties. A point is
// written only when a figure actually changed, so listing more types costs one statement,
// never a wrong point.
export const CONVERGENCE_EVENTS: ReadonlySet<string> = new Set([
  'proposal.created',
  'proposal.revised',
  'proposal.withdrawn',
  'proposal.adopted',
  'bracket.opened',
  'bracket.option_added',
  'bracket.resolved',
  'amendment.proposed',
  'amendment.withdrawn',
  'amendment.accepted',
  'amendment.rejected',
  'ballot.opened',
  'vote.cast',
  'ballot.closed',
]);

// The convergence series as a derived table, written by a hook on RoomEventsService.append
// rather than by calls in each negotiation write path: every path that appends one of these
// events (mutations, the deadline scheduler, a ballot closed by the last vote, a ballot that
// applies an amendment) is covered by construction, in the same transaction as the event,
// and negotiation does not depend on progress. Reads then cost one indexed query, however
// long the room's log grows.
@Injectable()
export class ConvergenceService implements OnModuleInit {
  constructor(
    private readonly events: RoomEventsService,
    private readonly ballots: BallotsService,
    private readonly repo: ProgressRepository,
  ) {}

  onModuleInit(): void {
    this.events.onAppend((tx, event) => this.record(tx, event));
  }

  async record(tx: Tx, event: RoomEventEntity): Promise<void> {
    if (!CONVERGENCE_EVENTS.has(event.type)) return;
    const proposalId = typeof event.payload.proposalId === 'string' ? event.payload.proposalId : null;
    const ballotId = typeof event.payload.ballotId === 'string' ? event.payload.ballotId : null;
    if (!proposalId && !ballotId) return;
    const figures = await this.ballots.convergenceFigures(tx, { proposalId, ballotId });
    if (figures) await this.repo.recordIfMoved(tx, figures, event.seq, event.at);
  }
}
