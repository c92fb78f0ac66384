import { Injectable } from '@nestjs/common';
import type { DomainError } from '@parley/common';
import { TransactionRunner, type Tx } from '@parley/database';
import type { RoomEventType } from '@parley/domain';
import type { AuthUser } from '@parley/identity';
import { RoomAccessService, type ActorFor, type Locked, type ObjectKind, type RoomAction } from './room-access.service';
import { RoomEventsService, type AppendEvent } from './room-events.service';
import type { PartyEntity, RoomEntity, RoomEvent } from './rooms.entities';

// The write idiom of every capability in a room, in one place: one transaction, the room lock
// on the object written (RoomAccessService.lock), and the room events the write appends.
@Injectable()
export class RoomWrites {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly access: RoomAccessService,
    private readonly events: RoomEventsService,
  ) {}

  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.tx.run(work);
  }

  // the same on a pipelined transaction (TransactionRunner.pipelined), for group-commit batches
  pipelined<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.tx.pipelined(work);
  }

  lock<A extends RoomAction>(tx: Tx, user: AuthUser, kind: ObjectKind, id: string, action: A): Promise<Locked<ActorFor<A>>> {
    return this.access.lock(tx, user, kind, id, action);
  }

  lockEach<A extends RoomAction>(tx: Tx, users: AuthUser[], kind: ObjectKind, id: string, action: A): Promise<Array<Locked<ActorFor<A>> | DomainError>> {
    return this.access.lockEach(tx, users, kind, id, action);
  }

  // the room's parties, after the lock
  parties(tx: Tx, roomId: string): Promise<PartyEntity[]> {
    return this.access.partiesIn(tx, roomId);
  }

  // the parties of the room of an object, read with its lock (pipelined, before the lock's answer)
  partiesOf(tx: Tx, kind: ObjectKind, id: string): Promise<PartyEntity[]> {
    return this.access.partiesOfRoomOf(tx, kind, id);
  }

  lockForSystem(tx: Tx, roomId: string): Promise<RoomEntity | null> {
    return this.access.lockForSystem(tx, roomId);
  }

  // the event as written (its seq and time), for a writer that hands on what follows from it
  append<T extends RoomEventType>(tx: Tx, input: AppendEvent<T>): Promise<RoomEvent & { type: T }> {
    return this.events.append(tx, input);
  }
}
