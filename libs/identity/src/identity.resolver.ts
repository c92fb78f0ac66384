import { Args, Context, Mutation, Query, Resolver } from '@nestjs/graphql';
import { UseGuards } from '@nestjs/common';
import { IdentityService } from './identity.service';
import { AuthPayload, SignUpInput, UserType } from './identity.types';
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

  @Public()
  @Mutation(() => AuthPayload)
  async signUp(@Args('input') input: SignUpInput): Promise<AuthPayload> {
    const s = await this.identity.signUp(input);
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
}
