export * from './discussion.module';
export * from './discussion.service';
export * from './discussion.types';
export { parseThread, type Thread } from './thread';
