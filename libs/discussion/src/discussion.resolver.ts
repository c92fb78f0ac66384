import { Args, ID, Int, Query, Resolver } from '@nestjs/graphql';
import { CurrentUser, type AuthUser } from '@parley/identity';
import { DiscussionService } from './discussion.service';
import { MessageType } from './discussion.types';

@Resolver(() => MessageType)
export class DiscussionResolver {
  constructor(private readonly discussion: DiscussionService) {}

  @Query(() => [MessageType], { description: 'One thread (null = room-wide), newest first; page on with beforeSeq = the last seq received.' })
  messages(
    @CurrentUser() user: AuthUser,
    @Args('roomId', { type: () => ID }) roomId: string,
    @Args('thread', { type: () => String, nullable: true }) thread: string | null,
    @Args('beforeSeq', { type: () => Int, nullable: true }) beforeSeq: number | null,
    @Args('limit', { type: () => Int, nullable: true, defaultValue: 50 }) limit: number | null,
  ) {
    return this.discussion.list(user, { roomId, thread, beforeSeq, limit });
  }
}
