import { Injectable } from '@nestjs/common';
import type { Tx } from '@parley/database';
import type { RoomEventType } from '@parley/domain';
import type { AuthUser } from '@parley/identity';
import { RoomEventsService, RoomWrites, type Actor, type ActorFor, type AppendEvent, type Locked, type RoomAction } from '@parley/rooms';
import type { ProposalEntity } from './negotiation.entities';
import { PROPOSAL, ProposalRepository } from './proposal.repository';

// One write on a proposal: the room lock idiom on the proposal, then the proposal row.
@Injectable()
export class ProposalWrites {
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
    return this.locked(user, proposalId, action, async (tx, actor) => work(tx, actor, await this.repo.lockProposalOrThrow(tx, proposalId)));
  }

  // The room lock alone: `work` reads (and locks) the proposal itself, e.g. in the statement
  // that writes it.
  async locked<T, A extends RoomAction>(
    user: AuthUser,
    proposalId: string,
    action: A,
    work: (tx: Tx, actor: Locked<ActorFor<A> & Actor>) => Promise<T>,
  ): Promise<T> {
    return this.writes.run(async (tx) => work(tx, await this.writes.lock(tx, user, PROPOSAL, proposalId, action)));
  }

  // The write's event, chained to the room head that the lock statement read with the room
  // row locked (no second read of the room).
  async append<T extends RoomEventType>(tx: Tx, actor: Actor, input: AppendEvent<T>): Promise<void> {
    await this.events.appendMany(tx, new Map([[actor.room.id, { room: actor.room, members: new Map() }]]), [input]);
  }
}
