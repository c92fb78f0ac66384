import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdentityModule } from '@parley/identity';
import { MessageEntity } from './message.entity';
import { DiscussionService } from './discussion.service';
import { DiscussionResolver } from './discussion.resolver';

@Module({
  imports: [IdentityModule, TypeOrmModule.forFeature([MessageEntity])],
  providers: [DiscussionService, DiscussionResolver],
  exports: [DiscussionService],
})
export class DiscussionModule {}
