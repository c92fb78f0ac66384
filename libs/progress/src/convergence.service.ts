import { Injectable } from '@nestjs/common';
import type { Tx } from '@parley/database';
import { NEGOTIATION_EVENTS, type NegotiationEventType } from '@parley/domain';
import { BallotsService, FIGURES_HANDED_BY_WRITER, type ConvergenceFigures, type ConvergenceSink, type FiguresHandedEvent } from '@parley/negotiation';
import type { RoomEvent, RoomEventHook } from '@parley/rooms';
import { ProgressRepository } from './progress.repository';

// The convergence series as a derived table, a point per NEGOTIATION_EVENTS event written in the
// same transaction as the event (a point only when a figure actually changed), by two ways in,
// both registered in apps/api/src/room-event-hooks.ts:
//  - ConvergenceSink: the ballot's writer (BallotsService: castVote, open, close, the deadline)
//    reads the figures itself under the room lock and hands them on with the event, so the
//    castVote path goes negotiation → rooms → progress and never back into negotiation;
//  - RoomEventHook: the other negotiation events (proposals, brackets, amendments), whose
//    writers do not hand figures on yet, ask negotiation for them.
// Reads then cost one indexed query, however long the room's log grows.

// the events that can move open brackets, open amendments or supporting parties, but for those
// whose figures their writer hands on
type DerivedHere = Exclude<NegotiationEventType, FiguresHandedEvent>;
const DERIVED_HERE: ReadonlySet<DerivedHere> = new Set(
  [...NEGOTIATION_EVENTS].filter((t): t is DerivedHere => !(FIGURES_HANDED_BY_WRITER as ReadonlySet<string>).has(t)),
);

@Injectable()
export class ConvergenceService implements RoomEventHook<DerivedHere>, ConvergenceSink {
  readonly types = DERIVED_HERE;

  constructor(
    private readonly ballots: BallotsService,
    private readonly repo: ProgressRepository,
  ) {}

  recordPoint(tx: Tx, figures: ConvergenceFigures, event: { seq: number; at: Date }): Promise<void> {
    return this.repo.recordIfMoved(tx, figures, event.seq, event.at);
  }

  async record(tx: Tx, event: Extract<RoomEvent, { type: DerivedHere }>): Promise<void> {
    const { payload } = event;
    const proposalId = 'proposalId' in payload ? payload.proposalId : null;
    const ballotId = 'ballotId' in payload && payload.ballotId ? payload.ballotId : null;
    if (!proposalId && !ballotId) return;
    const figures = await this.ballots.convergenceFigures(tx, { proposalId, ballotId });
    if (figures) await this.recordPoint(tx, figures, event);
  }
}
