import { Injectable } from '@nestjs/common';
import type { Tx } from '@parley/database';
import type { AuthUser } from '@parley/identity';
import {
  RoomAccessService,
  RoomsService,
  toParty,
  type ActorFor,
  type Locked,
  type PartyEntity,
  type PartyType,
  type RoomAccessContext,
  type RoomAction,
} from '@parley/rooms';
import type { AgreementEntity } from './agreement.entities';
import { AGREEMENT, AgreementRepository } from './agreement.repository';

export interface AgreementScope<Access extends RoomAccessContext = RoomAccessContext> {
  agreement: AgreementEntity;
  access: Access;
}

// An agreement together with the caller's standing in its room: read for a reader, locked
// (the room, then the agreement row) for a writer. Every agreements service starts here.
@Injectable()
export class AgreementAccessService {
  constructor(
    private readonly access: RoomAccessService,
    private readonly rooms: RoomsService,
    private readonly repo: AgreementRepository,
  ) {}

  // Resolves the agreement's room together with the caller's membership: an agreement of
  // another room is NOT_FOUND, exactly as an unknown one.
  async scope(user: AuthUser, agreementId: string, action: RoomAction = 'read'): Promise<AgreementScope> {
    const roomId = await this.access.roomOfOrThrow(user, AGREEMENT, agreementId);
    const access = await this.access.check(user, roomId, action);
    return { agreement: await this.repo.agreementOrThrow(agreementId), access };
  }

  // the lock idiom on the agreement, then the agreement row
  async lockScope<A extends RoomAction>(tx: Tx, user: AuthUser, agreementId: string, action: A): Promise<AgreementScope<Locked<ActorFor<A>>>> {
    const access = await this.access.lock(tx, user, AGREEMENT, agreementId, action);
    const agreement = await this.repo.lockAgreementOrThrow(tx, agreementId);
    return { agreement, access };
  }

  // the room's parties by id; `tx` inside a write
  async partyMap(roomId: string, tx?: Tx): Promise<Map<string, PartyEntity>> {
    return new Map((await this.rooms.parties(roomId, tx?.em)).map((p) => [p.id, p]));
  }

  async parties(roomId: string): Promise<PartyType[]> {
    return (await this.rooms.parties(roomId)).map(toParty);
  }
}
