import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdentityModule } from '@parley/identity';
import { MessageEntity } from './message.entity';
import { DiscussionService } from './discussion.service';
import { DiscussionResolver } from './discussion.resolver';
import { LiveService } from './live.service';
import { LiveGateway } from './live.gateway';
import { SocketSessions } from './socket-sessions';

@Module({
  imports: [IdentityModule, TypeOrmModule.forFeature([MessageEntity])],
  providers: [DiscussionService, DiscussionResolver, LiveService, LiveGateway, SocketSessions],
  exports: [DiscussionService],
})
export class DiscussionModule {}
