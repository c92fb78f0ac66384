import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TransactionModule } from '@parley/database';
import { InviteEntity, MembershipEntity, PartyEntity, RoomEntity, RoomEventEntity } from './rooms.entities';
import { RoomAccessService } from './room-access.service';
import { RoomEventBus } from './room-event-bus';
import { RoomEventsService } from './room-events.service';
import { RoomsService } from './rooms.service';
import { RoomWrites } from './room-writes';
import { InvitesService } from './invites.service';
import { InvitesResolver, RoomEventsResolver, RoomsResolver } from './rooms.resolver';

@Module({
  imports: [TransactionModule, TypeOrmModule.forFeature([RoomEntity, PartyEntity, MembershipEntity, InviteEntity, RoomEventEntity])],
  providers: [RoomAccessService, RoomEventBus, RoomEventsService, RoomWrites, RoomsService, InvitesService, RoomsResolver, InvitesResolver, RoomEventsResolver],
  exports: [RoomAccessService, RoomEventBus, RoomEventsService, RoomWrites, RoomsService, InvitesService],
})
export class RoomsModule {}
