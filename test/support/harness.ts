// End-to-end harness: a fresh database per test file on the run's PostgreSQL server, and
// the built server started as a real child process talking real HTTP.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import pg from 'pg';
import { io, type Socket as ClientSocket } from 'socket.io-client';

const ROOT = resolve(process.cwd());

export function adminUrl(): string {
  const url = process.env.PARLEY_TEST_ADMIN_URL;
  if (!url) throw new Error('PARLEY_TEST_ADMIN_URL is not set: run the e2e tests through jest (global setup)');
  return url;
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

// A fresh database named parley_test_* on the run's server.
export async function createTestDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `parley_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    name,
    url: withDatabase(adminUrl(), name),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

// The guard: a test may write only to a database named parley_test_*. It checks what a
// server or pool is about to be given, not a name the harness made (in the external-database
// run, process.env.DATABASE_URL names the real server's `postgres` database: a server started
// without its own DATABASE_URL would inherit it).
export function assertTestDatabase(name: string) {
  if (!/^parley_test_[a-z0-9_]+$/.test(name)) throw new Error(`refusing to use database ${name}: not a test database`);
}

export function assertTestDatabaseUrl(url: string) {
  assertTestDatabase(decodeURIComponent(new URL(url).pathname.replace(/^\//, '')));
}

// The environment a test server runs with. A DATABASE_URL must name a test database; without
// one the server starts its embedded PostgreSQL, which must be in a folder of the test's own
// (PARLEY_DATA_DIR, or a copy of the project as `cwd`), never this checkout's ./.parley.
export function serverEnv(env: Record<string, string | undefined>, cwd: string = ROOT): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    NODE_ENV: 'test',
    PARLEY_AUTH_RATE_PER_IP: '100000',
    // the suites sign up hundreds of users; the pace has its own test (sessions.e2e-spec.ts)
    PARLEY_SIGN_INS_PER_SECOND: '100000',
    ...env,
  };
  if (merged.DATABASE_URL) assertTestDatabaseUrl(merged.DATABASE_URL);
  else if (!merged.PARLEY_DATA_DIR?.trim() && resolve(cwd) === ROOT)
    throw new Error("refusing to start a test server on this checkout's own data folder: set DATABASE_URL or PARLEY_DATA_DIR");
  return merged;
}

// The built CLI (`parley …`). It never inherits the run's DATABASE_URL: a command that needs a
// database gets a test database's in `env`, and one given none cannot reach any (its
// embedded PostgreSQL would need a folder that does not exist).
export function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; out: string; err: string }> {
  const merged: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: '', PARLEY_DATA_DIR: '/nonexistent/parley-test-cli', ...env };
  if (merged.DATABASE_URL) assertTestDatabaseUrl(merged.DATABASE_URL);
  return new Promise((res) => {
    execFile(process.execPath, ['dist/apps/cli/src/main.js', ...args], { env: merged, maxBuffer: 16 * 1024 * 1024 }, (e, stdout, stderr) =>
      res({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, out: stdout, err: stderr }),
    );
  });
}

export interface ServerHandle {
  url: string;
  port: number;
  process: ChildProcess;
  logs: string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

// `cwd`: another copy of the built project (default: this checkout)
export async function startServer(env: Record<string, string | undefined>, opts: { cwd?: string } = {}): Promise<ServerHandle> {
  const child = spawn(process.execPath, ['dist/apps/api/src/main.js'], {
    cwd: opts.cwd ?? ROOT,
    // every test client shares one address: the per-address sign-in/sign-up limit would stop a
    // test file's hundreds of sign-ups (the limit's own tests set it low)
    env: serverEnv(env, opts.cwd),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${logs.join('\n')}`)), 45_000);
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        logs.push(line);
        if (logs.length > 5000) logs.shift();
        const m = /"port":(\d+),"ms":\d+,"embedded"/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolvePort(Number(m[1]));
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => logs.push(c.toString('utf8')));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${logs.join('\n')}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    process: child,
    logs,
    stop(signal: NodeJS.Signals = 'SIGTERM') {
      return new Promise((res) => {
        // a child ended by a signal has no exitCode, and 'exit' will not fire again
        if (child.exitCode !== null || child.signalCode !== null) return res(child.exitCode);
        child.once('exit', (code) => res(code));
        child.kill(signal);
      });
    },
  };
}

export interface GqlResult<T = Record<string, unknown>> {
  status: number;
  data: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string; fields?: Record<string, string> }; path?: string[] }>;
}

export class Client {
  constructor(
    readonly baseUrl: string,
    public token: string | null = null,
  ) {}

  async gql<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}): Promise<GqlResult<T>> {
    const res = await fetch(`${this.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.text();
    let body: { data?: T; errors?: GqlResult['errors'] };
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`non-JSON answer (${res.status}): ${text.slice(0, 500)}`);
    }
    return { status: res.status, data: body.data ?? null, errors: body.errors };
  }

  // the data, or a thrown error naming the GraphQL errors
  async ok<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const r = await this.gql<T>(query, variables);
    if (r.errors?.length || !r.data) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors)}`);
    return r.data;
  }

  // the first error's code (fails when the call succeeded)
  async code(query: string, variables: Record<string, unknown> = {}): Promise<string> {
    const r = await this.gql(query, variables);
    if (!r.errors?.length) throw new Error(`expected an error, got ${JSON.stringify(r.data)}`);
    return r.errors[0].extensions?.code ?? 'NONE';
  }

  as(token: string | null): Client {
    return new Client(this.baseUrl, token);
  }
}

export interface TestApp {
  server: ServerHandle;
  db: { name: string; url: string; drop(): Promise<void> };
  anon: Client;
  close(): Promise<void>;
  sql<T = any>(text: string, params?: unknown[]): Promise<T[]>;
}

// The pool a test's own SQL goes through, checked against the database it really reaches
// (not the URL it was meant to have). An idle connection the server ends (a drop, a restart)
// is replaced by the next query; a pool without the listener would throw it as an unhandled
// error into whichever test file the jest worker is running then.
export async function testSqlPool(url: string): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', (e) => console.warn(`test pool: idle connection lost (${e.message})`));
  const [{ name }] = (await pool.query('SELECT current_database() AS name')).rows;
  assertTestDatabase(name);
  return pool;
}

export async function startApp(env: Record<string, string | undefined> = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const server = await startServer({ DATABASE_URL: db.url, PARLEY_OPEN_SIGNUP: 'true', ...env });
  const pool = await testSqlPool(db.url);
  return {
    server,
    db,
    anon: new Client(server.url),
    sql: async (text, params) => (await pool.query(text, params as unknown[])).rows,
    async close() {
      await server.stop();
      await pool.end();
      await db.drop();
    },
  };
}

// A socket.io-client connection to /live that records what the server sends.
export interface LiveClient {
  socket: ClientSocket;
  events: Array<{ seq: number; type: string; actor: string | null; payload: string }>;
  received: Array<{ event: string; data: any }>;
  call<T = any>(event: string, payload?: unknown): Promise<T>;
  // resolves once `pred` holds for something received (or rejects after `ms`)
  waitFor<T = any>(event: string, pred?: (data: any) => boolean, ms?: number): Promise<T>;
  close(): void;
}

export async function connectLive(baseUrl: string, token: string | null, opts: { reconnection?: boolean } = {}): Promise<LiveClient> {
  const socket = io(`${baseUrl}/live`, {
    auth: token === null ? {} : { token },
    transports: ['websocket'],
    reconnection: opts.reconnection ?? false,
    forceNew: true,
  });
  const received: LiveClient['received'] = [];
  const events: LiveClient['events'] = [];
  const waiters = new Set<{ event: string; pred: (d: any) => boolean; resolve: (d: any) => void }>();
  socket.onAny((event: string, data: any) => {
    received.push({ event, data });
    if (event === 'room:event') events.push(data);
    for (const w of waiters) {
      if (w.event === event && w.pred(data)) {
        waiters.delete(w);
        w.resolve(data);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (e) => reject(e));
  });
  return {
    socket,
    events,
    received,
    call: (event, payload) => socket.timeout(15_000).emitWithAck(event, payload),
    waitFor(event, pred = () => true, ms = 10_000) {
      const seen = received.find((r) => r.event === event && pred(r.data));
      if (seen) return Promise.resolve(seen.data);
      return new Promise((resolve, reject) => {
        const w = { event, pred, resolve: (d: any) => (clearTimeout(timer), resolve(d)) };
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`timed out waiting for ${event}`));
        }, ms);
        waiters.add(w);
      });
    },
    close: () => socket.disconnect(),
  };
}

// connect_error's message, or null when the connection succeeded
export async function connectError(baseUrl: string, auth: Record<string, unknown>): Promise<string | null> {
  const socket = io(`${baseUrl}/live`, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve) => {
    socket.once('connect', () => (socket.disconnect(), resolve(null)));
    socket.once('connect_error', (e) => (socket.disconnect(), resolve(e.message)));
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// `read` again every `every` ms until `ok` holds of what it answers or `ms` have passed; the
// last answer either way (the caller's assertions say what was wanted)
export async function waitFor<T>(read: () => Promise<T> | T, ok: (x: T) => boolean, ms = 20_000, every = 200): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const x = await read();
    if (ok(x) || Date.now() > until) return x;
    await sleep(every);
  }
}
