import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TransactionModule } from '@parley/database';
import { IdentityModule } from '@parley/identity';
import { RoomsModule } from '@parley/rooms';
import { MessageEntity } from './message.entity';
import { DiscussionService } from './discussion.service';
import { DiscussionResolver } from './discussion.resolver';
import { MessageBatch } from './message-batch';
import { MessageWriter } from './message-writer';

@Module({
  imports: [IdentityModule, RoomsModule, TransactionModule, TypeOrmModule.forFeature([MessageEntity])],
  providers: [DiscussionService, DiscussionResolver, MessageBatch, MessageWriter],
  exports: [DiscussionService],
})
export class DiscussionModule {}
