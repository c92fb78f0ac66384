export * from './rooms.module';
export * from './room-access.service';
export * from './room-event-bus';
export * from './room-events.service';
export * from './rooms.service';
export * from './rooms.types';
export * from './rooms.entities';
