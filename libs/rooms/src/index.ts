export * from './rooms.module';
export * from './room-access.service';
export * from './room-event-bus';
export * from './room-events.service';
export * from './rooms.service';
export { InvitesService } from './invites.service';
export * from './rooms.types';
export * from './rooms.entities';
