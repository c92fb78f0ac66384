export * from './live.module';
export { LiveService, REPLAY_MAX, type LiveSocket, type LiveSocketData } from './live.service';
