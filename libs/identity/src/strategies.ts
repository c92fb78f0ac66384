import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy as LocalStrategyBase } from 'passport-local';
import { Strategy as BearerStrategyBase } from 'passport-http-bearer';
import type { Request } from 'express';
import { IdentityService } from './identity.service';
import type { AuthUser } from './auth-user';

@Injectable()
export class LocalStrategy extends PassportStrategy(LocalStrategyBase, 'local') {
  constructor(private readonly identity: IdentityService) {
    super({ usernameField: 'email', passwordField: 'password', passReqToCallback: true });
  }

  validate(req: Request, email: string, password: string) {
    return this.identity.validateCredentials(email, password, req.ip ?? 'unknown');
  }
}

@Injectable()
export class BearerStrategy extends PassportStrategy(BearerStrategyBase, 'bearer') {
  constructor(private readonly identity: IdentityService) {
    super();
  }

  // the token only from the Authorization header: never from a query string or a body
  // (passport-http-bearer also reads `access_token` there, which ends up in logs and history)
  override authenticate(req: Request, options?: object) {
    return super.authenticate({ headers: { authorization: req.headers?.authorization } } as Request, options);
  }

  async validate(token: string): Promise<AuthUser | false> {
    return (await this.identity.authenticate(token)) ?? false;
  }
}
