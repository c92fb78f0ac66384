import { Args, ID, Mutation, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentUser, type AuthUser } from '@parley/identity';
import { RoomType } from '@parley/rooms';
import { ProgressService } from './progress.service';
import { RoomProgressType } from './progress.types';

@Resolver(() => RoomType)
export class RoomProgressResolver {
  constructor(private readonly progress: ProgressService) {}

  @ResolveField('progress', () => RoomProgressType)
  roomProgress(@Parent() room: RoomType) {
    return this.progress.progress(room.scope);
  }

  @Mutation(() => Boolean)
  remindParties(@CurrentUser() user: AuthUser, @Args('ballotId', { type: () => ID }) ballotId: string) {
    return this.progress.remind(user, ballotId);
  }
}
