export * from './rooms.module';
export * from './room-access.service';
export * from './room-event-bus';
export * from './room-events.service';
export * from './room-writes';
export * from './rooms.service';
export { InvitesService } from './invites.service';
export * from './rooms.types';
// row shapes the services hand out; the entities themselves stay inside rooms (type-only)
export type { MembershipEntity, PartyEntity, RoomEntity, RoomEvent, RoomRole } from './rooms.entities';
