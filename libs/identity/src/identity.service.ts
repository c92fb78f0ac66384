import { Inject, Injectable } from '@nestjs/common';
import {
  APP_CONFIG,
  LOGGER,
  type AppConfig,
  type Logger,
  Check,
  inviteInvalid,
  unauthenticated,
  badInput,
  notFound,
  isUuid,
  RateLimiter,
  rateLimited,
} from '@parley/common';
import { preparedQuery, returnedRows, TransactionRunner } from '@parley/database';
import { UserEntity } from './user.entity';
import { argon2Busy, hashPassword, reportArgon2Trouble, verifyPassword, PASSWORD_MAX } from './password';
import { passwordProblem } from './password-policy';
import { newToken, tokenHash } from './tokens';
import type { InviteRedeemer } from './invite-redeemer';
import type { AuthUser } from './auth-user';
import { SessionEvents } from './session-events';

// who signed in or up: what the answer and the session need, never the password hash
export type SignedInUser = Pick<UserEntity, 'id' | 'email' | 'displayName'>;
type SignedInRow = { id: string; email: string; display_name: string };
const signedIn = (row: SignedInRow): SignedInUser => ({ id: row.id, email: row.email, displayName: row.display_name });

export interface NewSession {
  token: string;
  expiresAt: Date;
  user: SignedInUser;
}

export interface SessionView {
  id: string;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  current: boolean;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const WINDOW_MS = 15 * 60_000;
// the argon2 queue is full (the same words as BoundedSemaphore's refusal)
const BUSY = 'The server is busy signing people in; try again in a moment.';
const TOO_MANY_LOGINS = 'Too many sign-in attempts; wait a few minutes and try again.';
const TOO_MANY_SIGN_UPS = 'Too many sign-up attempts; wait a few minutes and try again.';
// a session's last use is written at most this often (one UPDATE per half minute, not per request)
const TOUCH_EVERY_S = 30;

// The sign-in paths' statements, prepared once per connection (preparedQuery) instead of
// built by TypeORM at every call: a burst of sign-ins runs them at argon2's pace on the
// event loop every other room's live feed needs (bench/signin-cost.mjs, docs/benchmarks.md).
const USER_BY_EMAIL = `SELECT id, email, display_name, password_hash FROM app_user WHERE email = $1`;
// one statement, so one transaction, without BEGIN and COMMIT round trips
const INSERT_SESSION = `INSERT INTO user_session (user_id, token_hash, expires_at) VALUES ($1, $2, $3)`;
// A sign-up without an invitation: the account and its first session in one statement (one
// transaction); no row when the address is taken (the unique index decides, races included).
const SIGN_UP = `WITH u AS (
    INSERT INTO app_user (email, display_name, password_hash) VALUES ($1, $2, $3)
    ON CONFLICT (email) DO NOTHING
    RETURNING id, email, display_name
  ), s AS (
    INSERT INTO user_session (user_id, token_hash, expires_at) SELECT id, $4, $5 FROM u
  )
  SELECT id, email, display_name FROM u`;

export function isEmail(email: string): boolean {
  return EMAIL.test(email);
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

@Injectable()
export class IdentityService {
  // per account: a successful login clears the email's counter
  private readonly loginByEmail = new RateLimiter(10, WINDOW_MS);
  private readonly loginByIp: RateLimiter;
  private readonly signUpByIp: RateLimiter;
  private readonly signUpByEmail = new RateLimiter(10, WINDOW_MS);
  private readonly passwordChanges = new RateLimiter(10, WINDOW_MS);
  // rooms', registered at start-up (apps/api/src/invite-redemption.ts)
  private invites: InviteRedeemer | null = null;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly sessionEvents: SessionEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    reportArgon2Trouble(
      (why) => logger.warn({ argon2: why }, 'the argon2 process ended'),
      (why) => logger.error({ argon2: why }, 'the argon2 process cannot start: degraded mode, passwords are hashed in the server, one at a time'),
      () => logger.info('the argon2 process started again: degraded mode ended'),
    );
    this.loginByIp = new RateLimiter(config.authRatePerIp, WINDOW_MS);
    this.signUpByIp = new RateLimiter(config.authRatePerIp, WINDOW_MS);
  }

  registerInviteRedeemer(redeemer: InviteRedeemer): void {
    if (this.invites) throw new Error('the invite redeemer is registered once');
    this.invites = redeemer;
  }

  validateNewAccount(input: { email: unknown; password: unknown; displayName: unknown }) {
    const c = new Check();
    const email = normaliseEmail(c.text('email', input.email, { min: 3, max: 320 }));
    c.that('email', isEmail(email), 'must be an email address');
    const displayName = c.text('displayName', input.displayName, { min: 1, max: 100 });
    const password = c.text('password', input.password, { max: PASSWORD_MAX, trim: false });
    if (typeof input.password === 'string') {
      const problem = passwordProblem(password, { email, displayName });
      if (problem) c.that('password', false, problem);
    }
    c.done();
    return { email, password, displayName };
  }

  // Says nothing about whether an email is registered unless the caller holds a usable
  // invitation: the invitation is checked first (one INVITE_INVALID for every bad token, and
  // an email-bound one only for its address), then argon2 runs in every case, then the
  // address is looked up. See docs/asvs.md ("Sign-up and enumeration").
  async signUp(input: { email: string; password: string; displayName: string; inviteToken?: string | null }, clientIp = 'unknown'): Promise<NewSession> {
    const fields = this.validateNewAccount(input);
    if (!this.signUpByIp.take(clientIp) || !this.signUpByEmail.take(fields.email)) {
      throw rateLimited(TOO_MANY_SIGN_UPS, Math.max(this.signUpByIp.refusedForSeconds(clientIp), this.signUpByEmail.refusedForSeconds(fields.email)));
    }
    if (argon2Busy()) throw rateLimited(BUSY, 1);
    const token = input.inviteToken?.trim() || null;
    if (token === null && !this.config.openSignup) {
      throw badInput({ inviteToken: 'is required: sign-up needs an invitation' }, 'Sign-up needs an invitation.');
    }
    const invites = this.invites;
    if (token !== null && !invites) throw new Error('no invite redeemer is registered (apps/api/src/invite-redemption.ts)');
    if (token !== null && token.length > 200) throw inviteInvalid();
    // holding the token of an invitation bound to this address proves the mailbox
    const emailVerified = token !== null ? (await invites!.check(token, fields.email)).boundToEmail : false;
    const passwordHash = await hashPassword(fields.password);
    const taken = () => badInput({ email: emailVerified ? 'already has an account: sign in, then accept the invitation' : 'is already registered' });
    if (token === null) {
      const session = this.newSession();
      const [row] = await preparedQuery<SignedInRow>(this.tx.manager, SIGN_UP, [
        fields.email,
        fields.displayName,
        passwordHash,
        session.tokenHash,
        session.expiresAt,
      ]);
      if (!row) throw taken();
      return { token: session.token, expiresAt: session.expiresAt, user: signedIn(row) };
    }
    return this.tx
      .run(async (tx) => {
        if (await tx.em.exists(UserEntity, { where: { email: fields.email } })) throw taken();
        const user = await tx.em.save(
          tx.em.create(UserEntity, { email: fields.email, displayName: fields.displayName, passwordHash, emailVerifiedAt: emailVerified ? new Date() : null }),
        );
        await invites!.redeem(tx, token, { ...user, emailVerified });
        return this.insertSession(tx.em, user);
      })
      .catch((e: unknown) => {
        // two sign-ups racing for one email: the unique index decides
        if ((e as { code?: string }).code === '23505') throw taken();
        throw e;
      });
  }

  // the operator's command (first facilitator): the operator vouches for the address
  async createUser(input: { email: string; password: string; displayName: string }): Promise<UserEntity> {
    const fields = this.validateNewAccount(input);
    const passwordHash = await hashPassword(fields.password);
    return this.tx.run(async ({ em }) => {
      if (await em.exists(UserEntity, { where: { email: fields.email } })) throw badInput({ email: 'is already registered' });
      return em.save(em.create(UserEntity, { email: fields.email, displayName: fields.displayName, passwordHash, emailVerifiedAt: new Date() }));
    });
  }

  get openSignup(): boolean {
    return this.config.openSignup;
  }

  async countUsers(): Promise<number> {
    return this.tx.manager.count(UserEntity);
  }

  // The refusal a `login` or `signUp` from this address would get before any work of its own
  // (its address's limit is used up, or the argon2 queue is full), with the seconds to wait;
  // null when it would go on. Nothing is counted: apps/api/src/sign-in-gate.ts answers with it
  // before GraphQL, so a refused burst costs the event loop as little as possible.
  // `queueFull`: the caller's own queue in front of argon2's is full (the sign-in gate's).
  refusalAtOnce(op: 'login' | 'signUp', clientIp: string, queueFull = false): { message: string; retryAfterSeconds: number } | null {
    const byIp = op === 'login' ? this.loginByIp : this.signUpByIp;
    const limitedFor = byIp.refusedForSeconds(clientIp);
    if (limitedFor > 0) return { message: op === 'login' ? TOO_MANY_LOGINS : TOO_MANY_SIGN_UPS, retryAfterSeconds: limitedFor };
    return queueFull || argon2Busy() ? { message: BUSY, retryAfterSeconds: 1 } : null;
  }

  // Wrong password and unknown email answer alike and take about the same time.
  async validateCredentials(emailRaw: unknown, password: unknown, clientIp: string): Promise<SignedInUser> {
    const c = new Check();
    const email = normaliseEmail(c.text('email', emailRaw, { min: 1, max: 320 }));
    c.text('password', password, { min: 1, max: PASSWORD_MAX, trim: false });
    c.done();
    if (!this.loginByIp.take(clientIp) || !this.loginByEmail.take(email)) {
      throw rateLimited(TOO_MANY_LOGINS, Math.max(this.loginByIp.refusedForSeconds(clientIp), this.loginByEmail.refusedForSeconds(email)));
    }
    if (argon2Busy()) throw rateLimited(BUSY, 1);
    const [user] = await preparedQuery<SignedInRow & { password_hash: string }>(this.tx.manager, USER_BY_EMAIL, [email]);
    const ok = await verifyPassword(user?.password_hash ?? null, password as string);
    if (!user || !ok) throw unauthenticated('Wrong email or password.');
    this.loginByEmail.reset(email);
    return signedIn(user);
  }

  // a new random token at every login; earlier sessions are left as they are
  async login(user: SignedInUser): Promise<NewSession> {
    return this.insertSession(this.tx.manager, user);
  }

  private newSession(): { token: string; tokenHash: string; expiresAt: Date } {
    const token = newToken();
    return { token, tokenHash: tokenHash(token), expiresAt: new Date(Date.now() + this.config.sessionTtlHours * 3600_000) };
  }

  // one statement (on its own, its own transaction; inside a sign-up's, part of it)
  private async insertSession(em: TransactionRunner['manager'], user: SignedInUser): Promise<NewSession> {
    const session = this.newSession();
    await preparedQuery(em, INSERT_SESSION, [user.id, session.tokenHash, session.expiresAt]);
    return { token: session.token, expiresAt: session.expiresAt, user };
  }

  private deadline(expiresAt: Date, lastUsedAt: Date): Date {
    return new Date(Math.min(expiresAt.getTime(), lastUsedAt.getTime() + this.config.sessionIdleMinutes * 60_000));
  }

  async authenticate(token: string): Promise<AuthUser | null> {
    if (typeof token !== 'string' || token.length < 20 || token.length > 200) return null;
    // every authenticated request passes here: one statement finds the session and its user
    // and, at most every half minute, records the use (the idle timeout counts from it)
    const [row] = await preparedQuery<{ id: string; email: string; display_name: string; email_verified: boolean; session_id: string; expires_at: Date }>(
      this.tx.manager,
      `WITH s AS (
         SELECT u.id, u.email, u.display_name, u.email_verified_at IS NOT NULL AS email_verified, s.id AS session_id, s.expires_at, s.last_used_at
           FROM user_session s JOIN app_user u ON u.id = s.user_id
          WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()
            AND s.last_used_at > now() - make_interval(mins => $2)
       ), touched AS (
         UPDATE user_session t SET last_used_at = now() FROM s
          WHERE t.id = s.session_id AND t.last_used_at < now() - make_interval(secs => $3)
       )
       SELECT id, email, display_name, email_verified, session_id, expires_at FROM s`,
      [tokenHash(token), this.config.sessionIdleMinutes, TOUCH_EVERY_S],
    );
    if (!row) return null;
    return {
      id: row.id,
      email: row.email,
      displayName: row.display_name,
      sessionId: row.session_id,
      emailVerified: row.email_verified,
      sessionDeadline: this.deadline(new Date(row.expires_at), new Date()),
    };
  }

  // A live socket's session: when used (an event), record the use; either way, when it ends
  // now (null = it has ended: revoked, expired or idle).
  async sessionDeadline(sessionId: string, used: boolean): Promise<Date | null> {
    const result: unknown = used
      ? await this.tx.manager.query(
          `UPDATE user_session SET last_used_at = now()
            WHERE id = $1 AND revoked_at IS NULL AND expires_at > now() AND last_used_at > now() - make_interval(mins => $2)
           RETURNING expires_at, last_used_at`,
          [sessionId, this.config.sessionIdleMinutes],
        )
      : await this.tx.manager.query(
          `SELECT expires_at, last_used_at FROM user_session
            WHERE id = $1 AND revoked_at IS NULL AND expires_at > now() AND last_used_at > now() - make_interval(mins => $2)`,
          [sessionId, this.config.sessionIdleMinutes],
        );
    const [row] = returnedRows<{ expires_at: Date; last_used_at: Date }>(result);
    return row ? this.deadline(new Date(row.expires_at), new Date(row.last_used_at)) : null;
  }

  async logout(auth: AuthUser): Promise<boolean> {
    await this.revoke(auth.id, { only: auth.sessionId });
    return true;
  }

  // the caller's live sessions, newest first; never their tokens
  async sessions(auth: AuthUser): Promise<SessionView[]> {
    const rows: Array<{ id: string; created_at: Date; last_used_at: Date; expires_at: Date }> = await this.tx.manager.query(
      `SELECT id, created_at, last_used_at, expires_at FROM user_session
        WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() AND last_used_at > now() - make_interval(mins => $2)
        ORDER BY created_at DESC, id`,
      [auth.id, this.config.sessionIdleMinutes],
    );
    return rows.map((r) => ({
      id: r.id,
      createdAt: new Date(r.created_at),
      lastUsedAt: new Date(r.last_used_at),
      expiresAt: this.deadline(new Date(r.expires_at), new Date(r.last_used_at)),
      current: r.id === auth.sessionId,
    }));
  }

  // ends one of the caller's own sessions (another's, or an unknown id: NOT_FOUND)
  async endSession(auth: AuthUser, sessionId: string): Promise<boolean> {
    if (!isUuid(sessionId)) throw notFound();
    const ended = await this.revoke(auth.id, { only: sessionId.toLowerCase() });
    if (!ended.length) throw notFound();
    return true;
  }

  // Needs the current password; ends every other session of the user, and their sockets, at once.
  async changePassword(auth: AuthUser, oldPassword: unknown, newPassword: unknown): Promise<boolean> {
    const c = new Check();
    c.text('oldPassword', oldPassword, { min: 1, max: PASSWORD_MAX, trim: false });
    const next = c.text('newPassword', newPassword, { max: PASSWORD_MAX, trim: false });
    if (typeof newPassword === 'string') {
      const problem = passwordProblem(next, { email: auth.email, displayName: auth.displayName });
      if (problem) c.that('newPassword', false, problem);
      c.that('newPassword', newPassword !== oldPassword, 'must differ from the current password');
    }
    c.done();
    if (!this.passwordChanges.take(auth.id))
      throw rateLimited('Too many attempts; wait a few minutes and try again.', this.passwordChanges.refusedForSeconds(auth.id));
    const user = await this.userOrThrow(auth.id);
    if (!(await verifyPassword(user.passwordHash, oldPassword as string))) {
      throw badInput({ oldPassword: 'is not your current password' });
    }
    const passwordHash = await hashPassword(next);
    const ended = await this.tx.run(async ({ em }) => {
      await em.update(UserEntity, { id: auth.id }, { passwordHash });
      return this.revokeIn(em, auth.id, { except: auth.sessionId });
    });
    this.announce(auth.id, ended);
    return true;
  }

  private async userOrThrow(id: string): Promise<UserEntity> {
    const user = await this.tx.manager.findOne(UserEntity, { where: { id } });
    if (!user) throw notFound();
    return user;
  }

  private async revoke(userId: string, which: { only?: string; except?: string }): Promise<string[]> {
    const ended = await this.tx.run(({ em }) => this.revokeIn(em, userId, which));
    this.announce(userId, ended);
    return ended;
  }

  private async revokeIn(em: TransactionRunner['manager'], userId: string, which: { only?: string; except?: string }): Promise<string[]> {
    const rows = returnedRows<{ id: string }>(
      await em.query(
        `UPDATE user_session SET revoked_at = now()
        WHERE user_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR id = $2) AND ($3::uuid IS NULL OR id <> $3)
        RETURNING id`,
        [userId, which.only ?? null, which.except ?? null],
      ),
    );
    return rows.map((r) => r.id);
  }

  // after commit: every instance ends these sessions' sockets (through the socket.io adapter)
  private announce(userId: string, sessionIds: string[]) {
    for (const sessionId of sessionIds) this.sessionEvents.revoked.next({ sessionId, userId });
  }
}
