import { Inject, Injectable, Optional } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { APP_CONFIG, type AppConfig, Check, inviteInvalid, unauthenticated, badInput, RateLimiter, rateLimited } from '@parley/common';
import { TransactionRunner } from '@parley/database';
import { UserEntity } from './user.entity';
import { SessionEntity } from './session.entity';
import { hashPassword, verifyPassword, PASSWORD_MAX, PASSWORD_MIN } from './password';
import { newToken, tokenHash } from './tokens';
import { INVITE_REDEEMER, type InviteRedeemer } from './invite-redeemer';
import type { AuthUser } from './auth-user';
import { SessionEvents } from './session-events';

export interface NewSession {
  token: string;
  expiresAt: Date;
  user: UserEntity;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function isEmail(email: string): boolean {
  return EMAIL.test(email);
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

@Injectable()
export class IdentityService {
  // per email and per client address; a successful login clears the email's counter
  private readonly loginByEmail = new RateLimiter(10, 15 * 60_000);
  private readonly loginByIp = new RateLimiter(100, 15 * 60_000);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly sessionEvents: SessionEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(INVITE_REDEEMER) private readonly invites?: InviteRedeemer,
  ) {}

  validateNewAccount(input: { email: unknown; password: unknown; displayName: unknown }) {
    const c = new Check();
    const email = normaliseEmail(c.text('email', input.email, { min: 3, max: 320 }));
    c.that('email', isEmail(email), 'must be an email address');
    const password = c.text('password', input.password, { min: PASSWORD_MIN, max: PASSWORD_MAX, trim: false });
    const displayName = c.text('displayName', input.displayName, { min: 1, max: 100 });
    c.done();
    return { email, password, displayName };
  }

  async signUp(input: { email: string; password: string; displayName: string; inviteToken?: string | null }): Promise<NewSession> {
    const fields = this.validateNewAccount(input);
    const token = input.inviteToken?.trim() || null;
    if (token === null && !this.config.openSignup) {
      throw badInput({ inviteToken: 'is required: sign-up needs an invitation' }, 'Sign-up needs an invitation.');
    }
    if (token !== null && (token.length > 200 || !this.invites)) throw inviteInvalid();
    const passwordHash = await hashPassword(fields.password);
    return this.tx.run(async (tx) => {
      const taken = await tx.em.exists(UserEntity, { where: { email: fields.email } });
      if (taken) throw badInput({ email: 'is already registered' });
      const user = await tx.em.save(tx.em.create(UserEntity, { email: fields.email, displayName: fields.displayName, passwordHash }));
      if (token !== null) await this.invites!.redeem(tx, token, user);
      return this.insertSession(tx.em, user);
    }).catch((e: unknown) => {
      // two sign-ups racing for one email: the unique index decides
      if ((e as { code?: string }).code === '23505') throw badInput({ email: 'is already registered' });
      throw e;
    });
  }

  async createUser(input: { email: string; password: string; displayName: string }): Promise<UserEntity> {
    const fields = this.validateNewAccount(input);
    const passwordHash = await hashPassword(fields.password);
    return this.tx.run(async ({ em }) => {
      if (await em.exists(UserEntity, { where: { email: fields.email } })) throw badInput({ email: 'is already registered' });
      return em.save(em.create(UserEntity, { email: fields.email, displayName: fields.displayName, passwordHash }));
    });
  }

  get openSignup(): boolean {
    return this.config.openSignup;
  }

  async countUsers(): Promise<number> {
    return this.tx.manager.count(UserEntity);
  }

  // Wrong password and unknown email answer alike and take about the same time.
  async validateCredentials(emailRaw: unknown, password: unknown, clientIp: string): Promise<UserEntity> {
    const c = new Check();
    const email = normaliseEmail(c.text('email', emailRaw, { min: 1, max: 320 }));
    c.text('password', password, { min: 1, max: PASSWORD_MAX, trim: false });
    c.done();
    if (!this.loginByIp.take(clientIp) || !this.loginByEmail.take(email)) {
      throw rateLimited('Too many sign-in attempts; wait a few minutes and try again.');
    }
    const user = await this.tx.manager.findOne(UserEntity, { where: { email } });
    const ok = await verifyPassword(user?.passwordHash ?? null, password as string);
    if (!user || !ok) throw unauthenticated('Wrong email or password.');
    this.loginByEmail.reset(email);
    return user;
  }

  async login(user: UserEntity): Promise<NewSession> {
    return this.tx.run(({ em }) => this.insertSession(em, user));
  }

  private async insertSession(em: TransactionRunner['manager'], user: UserEntity): Promise<NewSession> {
    const token = newToken();
    const expiresAt = new Date(Date.now() + this.config.sessionTtlHours * 3600_000);
    await em.insert(SessionEntity, { userId: user.id, tokenHash: tokenHash(token), expiresAt, revokedAt: null });
    return { token, expiresAt, user };
  }

  async authenticate(token: string): Promise<AuthUser | null> {
    if (typeof token !== 'string' || token.length < 20 || token.length > 200) return null;
    // every authenticated request passes here: one statement for the session and its user
    const [row]: Array<{ id: string; email: string; display_name: string; session_id: string }> = await this.tx.manager.query(
      `SELECT u.id, u.email, u.display_name, s.id AS session_id
         FROM user_session s JOIN app_user u ON u.id = s.user_id
        WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()`,
      [tokenHash(token)],
    );
    return row ? { id: row.id, email: row.email, displayName: row.display_name, sessionId: row.session_id } : null;
  }

  async logout(auth: AuthUser): Promise<boolean> {
    await this.tx.run(({ em }) => em.update(SessionEntity, { id: auth.sessionId, revokedAt: IsNull() }, { revokedAt: new Date() }));
    this.sessionEvents.revoked.next({ sessionId: auth.sessionId, userId: auth.id });
    return true;
  }
}
