import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startApp, startServer, Client, type TestApp } from './support/harness';
import { fresh, newUser, SIGN_UP } from './support/factories';

const LOGIN = `mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token expiresAt user { id email displayName } } }`;
const ME = `{ me { id email displayName } }`;

describe('identity', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  describe('signUp', () => {
    it('creates an account and a session, with a normalised email', async () => {
      const email = `  ${fresh('Mixed').toUpperCase()}@Example.ORG `;
      const r = await app.anon.ok(SIGN_UP, { input: { email, password: 'a long enough password', displayName: ' Ada ' } });
      expect(r.signUp.user.email).toBe(email.trim().toLowerCase());
      expect(r.signUp.user.displayName).toBe('Ada');
      expect(r.signUp.token.length).toBeGreaterThanOrEqual(43);
      expect(new Date(r.signUp.expiresAt).getTime()).toBeGreaterThan(Date.now());
      const me = await app.anon.as(r.signUp.token).ok(ME);
      expect(me.me.id).toBe(r.signUp.user.id);
    });

    it('stores only a hash of the session token and an argon2id password hash', async () => {
      const u = await newUser(app.anon);
      const rows = await app.sql('SELECT s.token_hash, u.password_hash FROM user_session s JOIN app_user u ON u.id = s.user_id WHERE u.id = $1', [u.id]);
      expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(rows[0].token_hash).not.toContain(u.client.token);
      expect(rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    });

    it('refuses the same email in another case', async () => {
      const u = await newUser(app.anon);
      const r = await app.anon.gql(SIGN_UP, { input: { email: u.email.toUpperCase(), password: 'another long password', displayName: 'Other' } });
      expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0].extensions?.fields).toHaveProperty('email');
    });

    it('lets exactly one of several concurrent sign-ups with one email through', async () => {
      const email = `${fresh('race')}@example.org`;
      const results = await Promise.all(
        Array.from({ length: 6 }, () => app.anon.gql(SIGN_UP, { input: { email, password: 'a long enough password', displayName: 'Racer' } })),
      );
      expect(results.filter((r) => !r.errors).length).toBe(1);
      for (const r of results.filter((x) => x.errors)) expect(r.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    });

    it.each([
      ['an empty email', { email: '', password: 'a long enough password', displayName: 'A' }, 'email'],
      ['a malformed email', { email: 'not-an-email', password: 'a long enough password', displayName: 'A' }, 'email'],
      ['a huge email', { email: `${'a'.repeat(400)}@example.org`, password: 'a long enough password', displayName: 'A' }, 'email'],
      ['a short password', { email: 'short@example.org', password: 'short', displayName: 'A' }, 'password'],
      ['a huge password', { email: 'huge@example.org', password: 'p'.repeat(1025), displayName: 'A' }, 'password'],
      ['an empty display name', { email: 'empty@example.org', password: 'a long enough password', displayName: '   ' }, 'displayName'],
      ['a huge display name', { email: 'hugename@example.org', password: 'a long enough password', displayName: 'n'.repeat(101) }, 'displayName'],
    ])('refuses %s with BAD_USER_INPUT naming the field', async (_label, input, field) => {
      const r = await app.anon.gql(SIGN_UP, { input });
      expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0].extensions?.fields).toHaveProperty(field);
      expect(r.data).toBeNull();
    });

    it('refuses wrong types and missing fields with BAD_USER_INPUT', async () => {
      const wrongType = await app.anon.gql(SIGN_UP, { input: { email: 42, password: true, displayName: ['x'] } });
      expect(wrongType.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      const missing = await app.anon.gql(SIGN_UP, { input: { email: 'x@example.org' } });
      expect(missing.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('accepts exactly 12 and 1024 character passwords', async () => {
      await newUser(app.anon); // warm
      for (const password of ['pq7'.repeat(4), 'pq7x'.repeat(256)]) {
        const r = await app.anon.gql(SIGN_UP, { input: { email: `${fresh('len')}@example.org`, password, displayName: 'Len' } });
        expect(r.errors).toBeUndefined();
      }
    });
  });

  describe('login', () => {
    it('gives a new working session for the right password, any email case', async () => {
      const u = await newUser(app.anon);
      const r = await app.anon.ok(LOGIN, { email: u.email.toUpperCase(), password: u.password });
      expect(r.login.user.id).toBe(u.id);
      expect(r.login.token).not.toBe(u.client.token);
      expect((await app.anon.as(r.login.token).ok(ME)).me.email).toBe(u.email);
    });

    it('answers a wrong password and an unknown email alike, in about the same time', async () => {
      const u = await newUser(app.anon);
      const t0 = Date.now();
      const wrong = await app.anon.gql(LOGIN, { email: u.email, password: 'wrong password here' });
      const t1 = Date.now();
      const unknown = await app.anon.gql(LOGIN, { email: `${fresh('nobody')}@example.org`, password: 'wrong password here' });
      const t2 = Date.now();
      expect(wrong.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      expect(unknown.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      expect(wrong.errors?.[0].message).toBe(unknown.errors?.[0].message);
      // both verify an argon2id hash; neither answers an order of magnitude faster
      const a = t1 - t0;
      const b = t2 - t1;
      expect(Math.max(a, b) / Math.max(1, Math.min(a, b))).toBeLessThan(5);
    });

    it('refuses empty and huge credentials with BAD_USER_INPUT', async () => {
      expect(await app.anon.code(LOGIN, { email: '', password: 'x' })).toBe('BAD_USER_INPUT');
      expect(await app.anon.code(LOGIN, { email: 'a@example.org', password: 'p'.repeat(2000) })).toBe('BAD_USER_INPUT');
    });

    it('is rate limited per email', async () => {
      const u = await newUser(app.anon);
      const codes: string[] = [];
      for (let i = 0; i < 12; i++) codes.push(await app.anon.code(LOGIN, { email: u.email, password: 'wrong password here' }));
      expect(codes.slice(0, 10).every((c) => c === 'UNAUTHENTICATED')).toBe(true);
      expect(codes.slice(10)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    });
  });

  describe('sessions', () => {
    it('needs a session for me, and refuses garbage tokens', async () => {
      expect(await app.anon.code(ME)).toBe('UNAUTHENTICATED');
      expect(await app.anon.as('garbage').code(ME)).toBe('UNAUTHENTICATED');
      expect(await app.anon.as('x'.repeat(5000)).code(ME)).toBe('UNAUTHENTICATED');
    });

    it('logout revokes the session at once, and only that one', async () => {
      const u = await newUser(app.anon);
      const second = await app.anon.ok(LOGIN, { email: u.email, password: u.password });
      expect((await u.client.ok(`mutation { logout }`)).logout).toBe(true);
      expect(await u.client.code(ME)).toBe('UNAUTHENTICATED');
      expect((await app.anon.as(second.login.token).ok(ME)).me.id).toBe(u.id);
    });

    it('refuses an expired session', async () => {
      const u = await newUser(app.anon);
      await app.sql(`UPDATE user_session SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [u.id]);
      expect(await u.client.code(ME)).toBe('UNAUTHENTICATED');
    });
  });

  describe('the GraphQL edge', () => {
    it('refuses deep queries, many aliases and batches', async () => {
      const u = await newUser(app.anon);
      const deep = `{ rooms { parties { id } members { party { id } } } ${'a: me { id } '.replace('a:', 'x0:')} }`;
      expect((await u.client.gql(deep)).errors).toBeUndefined();
      const aliases = `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
      expect(await u.client.code(aliases)).toBe('BAD_USER_INPUT');
      const nested = `fragment F on Room { members { party { id } } } { rooms { ...F parties { id } } ${Array.from({ length: 10 }, (_, i) => `r${i}: rooms { ...F }`).join(' ')} }`;
      expect((await u.client.gql(nested)).errors).toBeUndefined();
      const batch = await fetch(`${app.server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${u.client.token}` },
        body: JSON.stringify([{ query: ME }, { query: ME }]),
      });
      expect(batch.status).toBeGreaterThanOrEqual(400);
      expect(await batch.text()).not.toMatch(/at .*\.js:\d+/);
    });

    it('refuses an oversized body without a stack trace', async () => {
      const res = await fetch(`${app.server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: ME, variables: { pad: 'x'.repeat(400_000) } }),
      });
      expect(res.status).toBe(413);
      const text = await res.text();
      expect(text).not.toMatch(/at .*\.js:\d+|node_modules/);
    });

    it('answers malformed JSON and unknown fields with BAD_USER_INPUT', async () => {
      const res = await fetch(`${app.server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
      expect(res.status).toBe(400);
      expect(await res.text()).not.toMatch(/node_modules|at .*\.js/);
      expect(await app.anon.code(`{ nope }`)).toBe('BAD_USER_INPUT');
    });

    it('serves /healthz after checking the database', async () => {
      const res = await fetch(`${app.server.url}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok', database: 'ok' });
    });
  });

  describe('closed sign-up', () => {
    it('needs an invitation unless open sign-up is configured', async () => {
      const closed = await startServer({ DATABASE_URL: app.db.url, PARLEY_OPEN_SIGNUP: 'false' });
      try {
        const c = new Client(closed.url);
        const r = await c.gql(SIGN_UP, { input: { email: `${fresh('c')}@example.org`, password: 'a long enough password', displayName: 'C' } });
        expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
        expect(r.errors?.[0].extensions?.fields).toHaveProperty('inviteToken');
        const bad = await c.gql(SIGN_UP, {
          input: { email: `${fresh('c')}@example.org`, password: 'a long enough password', displayName: 'C', inviteToken: 'x'.repeat(43) },
        });
        expect(bad.errors?.[0].extensions?.code).toBe('INVITE_INVALID');
      } finally {
        await closed.stop();
      }
    });
  });
});
