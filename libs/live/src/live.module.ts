import { Module } from '@nestjs/common';
import { DiscussionModule } from '@parley/discussion';
import { IdentityModule } from '@parley/identity';
import { RoomsModule } from '@parley/rooms';
import { LiveGateway } from './live.gateway';
import { LiveService } from './live.service';
import { SocketSessions } from './socket-sessions';

// Live delivery of room events over socket.io (/live): reads each stream of a room's log in
// seq order and sends every member what they may see; the socket events of discussion.
@Module({
  imports: [IdentityModule, RoomsModule, DiscussionModule],
  providers: [LiveService, LiveGateway, SocketSessions],
})
export class LiveModule {}
