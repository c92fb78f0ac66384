import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { io } from 'socket.io-client';
import { startApp, type TestApp } from './support/harness';
import { adoptedAgreement, newRoom, type TestRoom } from './support/factories';

// The web app's session: the opaque token in an HttpOnly SameSite=Strict cookie, end to end
// over real HTTP and socket.io.

const LOGIN = `mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token expiresAt user { id email } } }`;

interface Answer {
  status: number;
  setCookie: string[];
  body: { data?: Record<string, any> | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

async function post(app: TestApp, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${app.server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, setCookie: res.headers.getSetCookie(), body: text.startsWith('{') ? JSON.parse(text) : { errors: [{ message: text }] } };
}

const cookieOf = (setCookie: string[]) => setCookie.find((c) => c.startsWith('parley_session='))!.split(';')[0];

// connect_error's message, or null once connected (the socket is closed either way)
function handshake(app: TestApp, headers: Record<string, string>, auth: Record<string, string> = {}): Promise<string | null> {
  const socket = io(`${app.server.url}/live`, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: headers, auth });
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.disconnect();
      resolve(null);
    });
    socket.once('connect_error', (e) => {
      socket.disconnect();
      resolve(e.message);
    });
  });
}

describe('the web session cookie', () => {
  let app: TestApp;
  let room: TestRoom;
  let cookie: string;
  let agreementId: string;
  let textHash: string;

  beforeAll(async () => {
    app = await startApp();
    room = await newRoom(app.anon, { parties: ['Lab A', 'Lab B'] });
    // an agreement, for the export route
    ({ agreementId, textHash } = await adoptedAgreement(room));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('login with x-parley-session: cookie sets an HttpOnly SameSite=Strict cookie and returns an empty token', async () => {
    const r = await post(
      app,
      { query: LOGIN, variables: { email: room.facilitator.email, password: room.facilitator.password } },
      { 'x-parley-session': 'cookie' },
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data!.login.token).toBe('');
    expect(r.body.data!.login.user.email).toBe(room.facilitator.email);
    const set = r.setCookie.find((c) => c.startsWith('parley_session='))!;
    expect(set).toMatch(/^parley_session=[A-Za-z0-9_-]{20,}; /);
    const attrs = set.split(';').map((a) => a.trim().toLowerCase());
    expect(attrs).toEqual(expect.arrayContaining(['httponly', 'samesite=strict', 'path=/']));
    // plain HTTP here: Secure only when served over HTTPS
    expect(attrs).not.toContain('secure');
    cookie = cookieOf(r.setCookie);
  });

  it('authenticates GraphQL and the export routes with the cookie alone', async () => {
    const me = await post(app, { query: '{ me { email } }' }, { cookie });
    expect(me.body.data!.me.email).toBe(room.facilitator.email);
    const exported = await fetch(`${app.server.url}/api/agreements/${agreementId}/export.json`, { headers: { cookie } });
    expect(exported.status).toBe(200);
    expect(await exported.text()).toContain(textHash);
    const anonymous = await fetch(`${app.server.url}/api/agreements/${agreementId}/export.json`);
    expect(anonymous.status).toBe(401);
    const forged = await post(app, { query: '{ me { email } }' }, { cookie: 'parley_session=not-a-real-session-token-at-all' });
    expect(forged.body.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('refuses cross-site style requests carrying the cookie (CSRF prevention)', async () => {
    // a GET query without a preflight header, as a link or <img> would send it
    const get = await fetch(`${app.server.url}/graphql?query=${encodeURIComponent('{ me { email } }')}`, { headers: { cookie } });
    const getText = await get.text();
    expect(get.status).toBe(400);
    expect(getText).not.toContain(room.facilitator.email);
    // a text/plain POST, as a cross-site <form> would send it: the logout does not happen
    const form = await fetch(`${app.server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', cookie },
      body: JSON.stringify({ query: 'mutation { logout }' }),
    });
    expect(form.status).toBe(400);
    expect(form.headers.getSetCookie()).toEqual([]);
    const still = await post(app, { query: '{ me { email } }' }, { cookie });
    expect(still.body.data!.me.email).toBe(room.facilitator.email);
  });

  it('opens a socket with the cookie from an allowed Origin only', async () => {
    const own = app.server.url;
    const socket = io(`${own}/live`, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie, origin: own } });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const ack = await socket.timeout(15_000).emitWithAck('room:join', { roomId: room.id });
    socket.disconnect();
    expect(ack).toMatchObject({ ok: true });
    expect(await handshake(app, { cookie, origin: 'http://evil.example' })).toBe('FORBIDDEN');
    expect(await handshake(app, { cookie, origin: own.replace('127.0.0.1', 'localhost') })).toBe('FORBIDDEN');
    // no Origin: not a browser, so the cookie does not count
    expect(await handshake(app, { cookie })).toBe('UNAUTHENTICATED');
  });

  it('keeps Bearer tokens working for API clients', async () => {
    const r = await post(app, { query: LOGIN, variables: { email: room.observer.email, password: room.observer.password } });
    expect(r.setCookie.filter((c) => c.startsWith('parley_session='))).toEqual([]);
    const token = r.body.data!.login.token as string;
    expect(token.length).toBeGreaterThan(20);
    const me = await post(app, { query: '{ me { email } }' }, { authorization: `Bearer ${token}` });
    expect(me.body.data!.me.email).toBe(room.observer.email);
    expect(await handshake(app, {}, { token })).toBeNull();
  });

  it('logout clears the cookie and ends its session', async () => {
    const r = await post(app, { query: 'mutation { logout }' }, { cookie });
    expect(r.body.data!.logout).toBe(true);
    const cleared = r.setCookie.find((c) => c.startsWith('parley_session='))!;
    expect(cleared).toMatch(/^parley_session=;/);
    expect(cleared).toContain('Expires=Thu, 01 Jan 1970');
    const after = await post(app, { query: '{ me { email } }' }, { cookie });
    expect(after.body.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    expect(await handshake(app, { cookie, origin: app.server.url })).toBe('UNAUTHENTICATED');
  });
});
