import { Injectable } from '@nestjs/common';
import type { Tx } from '@parley/database';
import type { ConvergenceFigures, ConvergenceSink } from '@parley/negotiation';
import { ProgressRepository } from './progress.repository';

// The convergence series as a derived table: a point per negotiation event (NEGOTIATION_EVENTS),
// written in the same transaction as the event, and only when a figure actually changed. The
// event's writer in negotiation (ProposalWrites) reads the figures under the room lock and hands
// them here as its ConvergenceSink, registered in apps/api/src/room-event-hooks.ts, so a write's
// path goes negotiation → rooms → progress and never back into negotiation. Reads then cost one
// indexed query, however long the room's log grows.
@Injectable()
export class ConvergenceService implements ConvergenceSink {
  constructor(private readonly repo: ProgressRepository) {}

  recordPoint(tx: Tx, figures: ConvergenceFigures, event: { seq: number; at: Date }): Promise<void> {
    return this.repo.recordIfMoved(tx, figures, event.seq, event.at);
  }

  recordPoints(tx: Tx, points: Array<{ figures: ConvergenceFigures; event: { seq: number; at: Date } }>): Promise<void> {
    return this.repo.recordManyIfMoved(
      tx,
      points.map((p) => ({ ...p.figures, seq: p.event.seq, at: p.event.at })),
    );
  }
}
