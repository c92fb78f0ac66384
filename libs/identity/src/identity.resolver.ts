import { Args, Context, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { UseGuards } from '@nestjs/common';
import { IdentityService } from './identity.service';
import { AuthPayload, SessionType, SignUpInput, UserType } from './identity.types';
import { CurrentUser, Public, type AuthUser } from './auth-user';
import { LocalLoginGuard } from './guards';
import type { UserEntity } from './user.entity';

const toUser = (u: { id: string; email: string; displayName: string }): UserType => ({ id: u.id, email: u.email, displayName: u.displayName });

@Resolver(() => UserType)
export class IdentityResolver {
  constructor(private readonly identity: IdentityService) {}

  @Query(() => UserType)
  me(@CurrentUser() user: AuthUser): UserType {
    return toUser(user);
  }

  @Query(() => [SessionType], { description: "the caller's sessions that have not ended" })
  sessions(@CurrentUser() user: AuthUser): Promise<SessionType[]> {
    return this.identity.sessions(user);
  }

  @Public()
  @Mutation(() => AuthPayload)
  async signUp(@Args('input') input: SignUpInput, @Context() ctx: { req: { ip?: string } }): Promise<AuthPayload> {
    const s = await this.identity.signUp(input, ctx.req.ip ?? 'unknown');
    return { token: s.token, expiresAt: s.expiresAt, user: toUser(s.user) };
  }

  @Public()
  @UseGuards(LocalLoginGuard)
  @Mutation(() => AuthPayload)
  async login(
    @Args('email') _email: string,
    @Args('password') _password: string,
    @Context() ctx: { req: { user: UserEntity } },
  ): Promise<AuthPayload> {
    const s = await this.identity.login(ctx.req.user);
    return { token: s.token, expiresAt: s.expiresAt, user: toUser(s.user) };
  }

  @Mutation(() => Boolean)
  logout(@CurrentUser() user: AuthUser): Promise<boolean> {
    return this.identity.logout(user);
  }

  @Mutation(() => Boolean, { description: "ends one of the caller's sessions and its sockets" })
  endSession(@CurrentUser() user: AuthUser, @Args('id', { type: () => ID }) id: string): Promise<boolean> {
    return this.identity.endSession(user, id);
  }

  @Mutation(() => Boolean, { description: "needs the current password; ends the caller's other sessions and their sockets" })
  changePassword(@CurrentUser() user: AuthUser, @Args('oldPassword') oldPassword: string, @Args('newPassword') newPassword: string): Promise<boolean> {
    return this.identity.changePassword(user, oldPassword, newPassword);
  }
}
