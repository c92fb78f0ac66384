import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { INVITE_REDEEMER } from '@parley/identity';
import { InviteEntity, MembershipEntity, PartyEntity, RoomEntity, RoomEventEntity } from './rooms.entities';
import { RoomAccessService } from './room-access.service';
import { RoomEventBus } from './room-event-bus';
import { RoomEventsService } from './room-events.service';
import { RoomsService } from './rooms.service';
import { InvitesService } from './invites.service';
import { InvitesResolver, RoomEventsResolver, RoomsResolver } from './rooms.resolver';

// Global so identity's signUp can reach the invite redeemer without importing rooms.
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([RoomEntity, PartyEntity, MembershipEntity, InviteEntity, RoomEventEntity])],
  providers: [
    RoomAccessService,
    RoomEventBus,
    RoomEventsService,
    RoomsService,
    InvitesService,
    RoomsResolver,
    InvitesResolver,
    RoomEventsResolver,
    { provide: INVITE_REDEEMER, useExisting: InvitesService },
  ],
  exports: [RoomAccessService, RoomEventBus, RoomEventsService, RoomsService, INVITE_REDEEMER],
})
export class RoomsModule {}
