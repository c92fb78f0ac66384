import { Args, Context, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { UseGuards } from '@nestjs/common';
import { IdentityService } from './identity.service';
import { AuthPayload, SessionType, SetupStatus, SignUpInput, UserType } from './identity.types';
import { CurrentUser, Public, type AuthUser } from './auth-user';
import { LocalLoginGuard } from './guards';
import type { NewSession, SignedInUser } from './identity.service';
import { clearedSessionCookie, sessionCookie, wantsCookieSession } from './session-cookie';

interface HttpContext {
  req: { headers: Record<string, string | string[] | undefined>; secure?: boolean; ip?: string };
  res?: { setHeader(name: string, value: string): void };
}

// A browser that asks for a cookie session gets the token only in an HttpOnly cookie; the
// answer's token is then empty. API clients and the CLI get the token as before.
function issue(s: NewSession, ctx: HttpContext): AuthPayload {
  if (wantsCookieSession(ctx.req.headers) && ctx.res) {
    ctx.res.setHeader('Set-Cookie', sessionCookie(s.token, s.expiresAt, !!ctx.req.secure));
    return { token: '', expiresAt: s.expiresAt, user: toUser(s.user) };
  }
  return { token: s.token, expiresAt: s.expiresAt, user: toUser(s.user) };
}

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
  @Query(() => SetupStatus)
  async setup(): Promise<SetupStatus> {
    return { needsFirstUser: (await this.identity.countUsers()) === 0, openSignup: this.identity.openSignup };
  }

  @Public()
  @Mutation(() => AuthPayload)
  async signUp(@Args('input') input: SignUpInput, @Context() ctx: HttpContext): Promise<AuthPayload> {
    return issue(await this.identity.signUp(input, ctx.req.ip ?? 'unknown'), ctx);
  }

  @Public()
  @UseGuards(LocalLoginGuard)
  @Mutation(() => AuthPayload)
  async login(
    @Args('email') _email: string,
    @Args('password') _password: string,
    @Context() ctx: HttpContext & { req: { user: SignedInUser } },
  ): Promise<AuthPayload> {
    return issue(await this.identity.login(ctx.req.user), ctx);
  }

  @Mutation(() => Boolean)
  async logout(@CurrentUser() user: AuthUser, @Context() ctx: HttpContext): Promise<boolean> {
    const done = await this.identity.logout(user);
    ctx.res?.setHeader('Set-Cookie', clearedSessionCookie(!!ctx.req.secure));
    return done;
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
