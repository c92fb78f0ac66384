import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';

export interface AuthUser {
  id: string;
  email: string;
  displayName: string;
  sessionId: string;
  // when the session ends unless used again (the earlier of its absolute and idle limits)
  sessionDeadline: Date;
  // the account's address was proven to be its holder's (see docs/asvs.md)
  emailVerified: boolean;
}

export const IS_PUBLIC = 'parley:isPublic';
// an operation that needs no session (signUp, login, invitePreview, publishedAgreement)
export const Public = () => SetMetadata(IS_PUBLIC, true);

export function requestOf(ctx: ExecutionContext): { user?: AuthUser; headers: Record<string, string | string[] | undefined>; body?: unknown; ip?: string } {
  if (ctx.getType<string>() === 'graphql') return GqlExecutionContext.create(ctx).getContext().req;
  return ctx.switchToHttp().getRequest();
}

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => {
  const user = requestOf(ctx).user;
  if (!user) throw new Error('CurrentUser used on an operation without authentication');
  return user;
});
