import { Injectable } from '@nestjs/common';
import { isUuid, notFound } from '@parley/common';
import type { Tx } from '@parley/database';
import { isOneOf, NEGOTIATION_EVENTS, type RoomEventType } from '@parley/domain';
import type { AuthUser } from '@parley/identity';
import {
  RoomEventsService,
  RoomWrites,
  type Actor,
  type ActorFor,
  type AppendEvent,
  type Locked,
  type RoomAction,
  type RoomEntity,
  type RoomEvent,
} from '@parley/rooms';
import type { ConvergenceFigures, ConvergenceSink } from './negotiation-figures.query';
import type { ProposalEntity } from './negotiation.entities';
import { PROPOSAL, ProposalRepository } from './proposal.repository';

// One write on a proposal: the room lock idiom on the proposal, then the proposal row; and
// the one way negotiation appends its events, handing the convergence figures on.
@Injectable()
export class ProposalWrites {
  // set once at start-up (apps/api/src/room-event-hooks.ts), as the room event hooks are
  private convergence: ConvergenceSink | null = null;

  constructor(
    private readonly writes: RoomWrites,
    private readonly events: RoomEventsService,
    private readonly repo: ProposalRepository,
  ) {}

  async run<T, A extends RoomAction>(
    user: AuthUser,
    proposalId: string,
    action: A,
    work: (tx: Tx, actor: Locked<ActorFor<A> & Actor>, p: ProposalEntity) => Promise<T>,
  ): Promise<T> {
    return this.writes.run(async (tx) => {
      const actor = await this.writes.lock(tx, user, PROPOSAL, proposalId, action);
      return work(tx, actor, await this.repo.lockProposalOrThrow(tx, proposalId));
    });
  }

  // The room lock, and with it the proposal's statement that `issue` sends, on a pipelined
  // transaction (TransactionRunner.pipelined): BEGIN, the lock and that statement leave in one
  // write and run in that order, the statement once the lock is granted (its own snapshot, so
  // it sees what committed while the lock waited). It is sent before the lock's answer says
  // whether the caller may write: it must find nothing for a caller who is not an active member
  // of the room (so a stranger's NOT_FOUND costs the same whether the object exists or not), and
  // whatever it wrote for a member the rules then refuse is rolled back with the refusal.
  // Writes through `tx.execute` (the event, the convergence point) then leave with the COMMIT:
  // three round trips in all.
  async locked<T, R, A extends RoomAction>(
    user: AuthUser,
    proposalId: string,
    action: A,
    issue: (tx: Tx) => Promise<R>,
    work: (tx: Tx, actor: Locked<ActorFor<A> & Actor>, issued: R) => Promise<T>,
  ): Promise<T> {
    if (!isUuid(proposalId)) throw notFound();
    return this.writes.pipelined(async (tx) => {
      const locking = this.writes.lock(tx, user, PROPOSAL, proposalId, action);
      const issued = issue(tx);
      // not awaited when the lock refuses the caller
      issued.catch(() => undefined);
      const actor = await locking;
      return work(tx, actor, await issued);
    });
  }

  useConvergence(sink: ConvergenceSink): void {
    if (this.convergence) throw new Error('the convergence sink is registered once');
    this.convergence = sink;
  }

  // The write's event, chained to the room head that the lock statement read with the room
  // row locked (no second read of the room). `figures`: the proposal's figures after the
  // write, when the statement that wrote it already read them (no statement to read them again).
  async append<T extends RoomEventType>(tx: Tx, actor: Actor, input: AppendEvent<T>, figures?: ConvergenceFigures | null): Promise<void> {
    const [event] = await this.events.appendMany(tx, new Map([[actor.room.id, { room: actor.room, members: new Map() }]]), [input]);
    if (!figures) return this.handFigures(tx, event);
    await this.sink().recordPoint(tx, figures, event);
  }

  // Several events of one write, in order, chained in memory and written in one statement to
  // the room the caller locked (`room`, as its lock statement read it); the convergence figures
  // after each (null: none) computed by the caller from what it read under the lock, handed on
  // in one statement.
  async appendEvents(tx: Tx, room: RoomEntity, inputs: AppendEvent[], figuresAfter: Array<ConvergenceFigures | null>): Promise<RoomEvent[]> {
    const sink = this.sink();
    const events = await this.events.appendMany(tx, new Map([[room.id, { room, members: new Map() }]]), inputs);
    const points = events.flatMap((event, i) => (figuresAfter[i] ? [{ figures: figuresAfter[i], event }] : []));
    if (points.length) await sink.recordPoints(tx, points);
    return events;
  }

  // A negotiation event through the room write idiom (the room already locked by the caller).
  async appendEvent<T extends RoomEventType>(tx: Tx, input: AppendEvent<T>): Promise<RoomEvent> {
    const event = await this.writes.append(tx, input);
    await this.handFigures(tx, event);
    return event;
  }

  // After each negotiation event (NEGOTIATION_EVENTS), the proposal's convergence figures as
  // they stand after it, handed to the series at the event's seq: read here, under the room
  // lock, before the write leaves negotiation, so the series' writer never reads them back.
  private async handFigures(tx: Tx, event: RoomEvent): Promise<void> {
    if (!isOneOf(NEGOTIATION_EVENTS, event)) return;
    const sink = this.sink();
    const payload = event.payload as { proposalId?: unknown; ballotId?: unknown };
    const proposalId = typeof payload.proposalId === 'string' ? payload.proposalId : null;
    const ballotId = typeof payload.ballotId === 'string' && payload.ballotId ? payload.ballotId : null;
    if (!proposalId && !ballotId) return;
    const figures = await this.repo.convergenceFigures(tx, { proposalId, ballotId });
    if (figures) await sink.recordPoint(tx, figures, event);
  }

  private sink(): ConvergenceSink {
    if (!this.convergence) throw new Error('the convergence sink is not registered (apps/api/src/room-event-hooks.ts)');
    return this.convergence;
  }
}
