import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { GqlExecutionContext } from '@nestjs/graphql';
import { Check, DomainError, unauthenticated } from '@parley/common';
import { IS_PUBLIC, requestOf } from './auth-user';
import { readCookie } from './session-cookie';

// Global: every GraphQL operation and HTTP route needs a valid bearer session unless @Public().
@Injectable()
export class SessionGuard extends AuthGuard('bearer') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(ctx: ExecutionContext) {
    const type = ctx.getType<string>();
    if (type !== 'graphql' && type !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [ctx.getHandler(), ctx.getClass()])) return true;
    return super.canActivate(ctx) as Promise<boolean>;
  }

  // the web app's HttpOnly cookie carries the same token when no Authorization header is sent
  override getRequest(ctx: ExecutionContext) {
    const req = requestOf(ctx);
    if (!req.headers.authorization) {
      const token = readCookie(req.headers);
      if (token) req.headers.authorization = `Bearer ${token}`;
    }
    return req;
  }

  override handleRequest<T>(err: unknown, user: T): T {
    if (err instanceof DomainError) throw err;
    if (err || !user) throw unauthenticated();
    return user;
  }
}

// login: the GraphQL arguments become the credentials passport-local reads.
@Injectable()
export class LocalLoginGuard extends AuthGuard('local') {
  override getRequest(ctx: ExecutionContext) {
    const gql = GqlExecutionContext.create(ctx);
    const req = gql.getContext().req;
    const args = gql.getArgs<{ email: unknown; password: unknown }>();
    const c = new Check();
    c.text('email', args.email, { min: 1, max: 320 });
    c.text('password', args.password, { min: 1, max: 1024, trim: false });
    c.done();
    req.body = { email: args.email, password: args.password };
    return req;
  }

  override handleRequest<T>(err: unknown, user: T): T {
    if (err instanceof DomainError) throw err;
    if (err || !user) throw unauthenticated('Wrong email or password.');
    return user;
  }
}
