import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, sleep, type TestApp } from './support/harness';
import { fresh, SIGN_UP } from './support/factories';

// argon2 in a process of its own (libs/identity/src/argon2-process.ts, argon2-child.ts): the
// built files, driven from scripts of their own (a parent that can be killed), then inside the
// server. Needs `npm run build`.
jest.setTimeout(60_000);

const DIST = join(process.cwd(), 'dist/libs/identity/src');
const PASSWORD = 'correct horse battery staple';

// a process that no longer runs (gone, or a zombie nobody has reaped yet)
function ended(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z';
  } catch {
    return true;
  }
}

async function endsWithin(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (ended(pid)) return true;
    await sleep(50);
  }
  return ended(pid);
}

// /proc/<pid>/stat: the session id is field 6
function sessionOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
}

function childrenOf(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

// A parent script (a node process of its own) that uses the argon2 process as the server does
// and prints one JSON line per event; `script` is its body, with `a` the Argon2Process (of
// `file`, with `options`: JavaScript source of an Argon2ProcessOptions object).
function parent(
  script: string,
  { file = join(DIST, 'argon2-child.js'), options = '{}' }: { file?: string; options?: string } = {},
): { proc: ChildProcess; lines: Array<Record<string, unknown>>; next(): Promise<Record<string, unknown>> } {
  const code = `
    const { Argon2Process } = require(${JSON.stringify(join(DIST, 'argon2-process.js'))});
    const { Algorithm } = require('@node-rs/argon2');
    const params = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 };
    const a = new Argon2Process(${JSON.stringify(file)}, 1, ${options});
    const say = (o) => console.log(JSON.stringify(o));
    ${script}`;
  const proc = spawn(process.execPath, ['-e', code], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Array<Record<string, unknown>> = [];
  let buffer = '';
  const waiters: Array<() => void> = [];
  proc.stdout!.on('data', (c: Buffer) => {
    buffer += c.toString('utf8');
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>);
      buffer = buffer.slice(nl + 1);
      waiters.splice(0).forEach((w) => w());
    }
  });
  let read = 0;
  const next = async () => {
    while (lines.length <= read) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`the parent script ended (${proc.exitCode ?? proc.signalCode})`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
    return lines[read++];
  };
  return { proc, lines, next };
}

const exited = (proc: ChildProcess) =>
  new Promise<number | string | null>((r) =>
    proc.exitCode !== null || proc.signalCode !== null ? r(proc.exitCode ?? proc.signalCode) : proc.once('exit', (c, s) => r(c ?? s)),
  );

describe('the argon2 process', () => {
  beforeAll(() => {
    if (!existsSync(join(DIST, 'argon2-child.js'))) throw new Error('run `npm run build` first');
  });

  it('hashes and verifies in a process of its own, in a session of its own', async () => {
    const p = parent(`
      (async () => {
        const hash = await a.run({ op: 'hash', password: ${JSON.stringify(PASSWORD)}, params });
        const right = await a.run({ op: 'verify', password: ${JSON.stringify(PASSWORD)}, hash });
        const wrong = await a.run({ op: 'verify', password: 'not the password at all', hash });
        const garbage = await a.run({ op: 'verify', password: 'x', hash: 'not a hash' }).then(() => 'answered', (e) => e.name + ': ' + e.message);
        say({ hash, right, wrong, garbage, pid: a.pid, self: process.pid });
      })();`);
    const r = await p.next();
    expect(r.hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(r).toMatchObject({ right: true, wrong: false });
    // a stored hash argon2 cannot read is an error of that job, not of the process
    expect(r.garbage).toMatch(/^Error: /);
    expect(r.pid).not.toBe(r.self);
    // the parent ends by itself: an idle argon2 process keeps nobody alive, and ends with it
    expect(await exited(p.proc)).toBe(0);
    expect(await endsWithin(r.pid as number, 5_000)).toBe(true);
  });

  it('rejects the jobs of a process that dies, and the next job starts a new one', async () => {
    const p = parent(`
      (async () => {
        await a.run({ op: 'hash', password: 'warm up the process', params });
        const first = a.pid;
        // ten jobs in it, then it is killed
        const jobs = Array.from({ length: 10 }, (_, i) => a.run({ op: 'hash', password: 'job ' + i + ' password', params }).then(() => 'done', (e) => e.name));
        process.kill(first, 'SIGKILL');
        const outcomes = await Promise.all(jobs);
        const again = await a.run({ op: 'verify', password: 'p', hash: await a.run({ op: 'hash', password: 'p', params }) });
        say({ first, outcomes, again, second: a.pid });
      })();`);
    const r = await p.next();
    expect(new Set(r.outcomes as string[])).toEqual(new Set(['Argon2Unavailable']));
    expect(r.again).toBe(true);
    expect(r.second).not.toBe(r.first);
    expect(await exited(p.proc)).toBe(0);
  });

  it.each(['SIGKILL', 'SIGTERM'] as const)('exits by itself when its parent is killed with %s', async (signal) => {
    const p = parent(`
      a.run({ op: 'hash', password: 'one to start it', params }).then(() => {
        say({ pid: a.pid, session: 0 });
        // busy when its parent dies
        a.run({ op: 'hash', password: 'one in flight', params });
        setInterval(() => {}, 1000);
      });`);
    const { pid } = (await p.next()) as { pid: number };
    expect(ended(pid)).toBe(false);
    // its own session, so its own scheduling group (Linux autogroups)
    expect(sessionOf(pid)).toBe(pid);
    expect(sessionOf(pid)).not.toBe(sessionOf(p.proc.pid!));
    p.proc.kill(signal);
    await exited(p.proc);
    expect(await endsWithin(pid, 5_000)).toBe(true);
  });
});

describe('an argon2 process that cannot start (degraded mode)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-argon2-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the jobs in the fallback, reports it once, and tries the process again later', async () => {
    // no such file: each process started exits (code 1) before it is ready
    const file = join(dir, 'argon2-child.js');
    const p = parent(
      `
      const { symlinkSync } = require('node:fs');
      (async () => {
        const hash = await a.run({ op: 'hash', password: ${JSON.stringify(PASSWORD)}, params });
        const right = await a.run({ op: 'verify', password: ${JSON.stringify(PASSWORD)}, hash });
        const wrong = await a.run({ op: 'verify', password: 'not the password at all', hash });
        // several at once, as the gate lets through
        const many = await Promise.all(Array.from({ length: 4 }, (_, i) => a.run({ op: 'hash', password: 'job ' + i, params })));
        say({ hash, right, wrong, many: many.length, degraded: a.degraded, pid: a.pid, fallbacks, degradedReports, ends });
        // the file appears (a link to the real one): after retryMs the next job starts it
        symlinkSync(${JSON.stringify(join(DIST, 'argon2-child.js'))}, ${JSON.stringify(file)});
        await new Promise((r) => setTimeout(r, 600));
        const before = fallbacks;
        const again = await a.run({ op: 'verify', password: 'p', hash: await a.run({ op: 'hash', password: 'p', params }) });
        say({ again, degraded: a.degraded, pid: a.pid, fallbacksSince: fallbacks - before, degradedReports, recovered, ends });
      })();`,
      {
        file,
        options: `(() => {
          const argon2 = require('@node-rs/argon2');
          globalThis.fallbacks = 0; globalThis.degradedReports = []; globalThis.recovered = 0; globalThis.ends = 0;
          return {
            fallback: (job) => (fallbacks++, job.op === 'hash' ? argon2.hash(job.password, job.params) : argon2.verify(job.hash, job.password)),
            retryMs: 500,
            onDegraded: (why) => degradedReports.push(why),
            onRecovered: () => recovered++,
          };
        })()`,
      },
    );
    const r = await p.next();
    expect(r.hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(r).toMatchObject({ right: true, wrong: false, many: 4, degraded: true, pid: null });
    // every job ran in the fallback (7), and the trouble was reported once, however many tries
    expect(r.fallbacks).toBe(7);
    expect(r.degradedReports).toHaveLength(1);
    expect((r.degradedReports as string[])[0]).toMatch(/exited \(code 1\) before it was ready/);
    expect(r.ends).toBe(0);
    const s = await p.next();
    expect(s).toMatchObject({ again: true, degraded: false, fallbacksSince: 0, recovered: 1, ends: 0 });
    expect(s.degradedReports).toHaveLength(1);
    expect(s.pid).toBeGreaterThan(0);
    expect(await exited(p.proc)).toBe(0);
    expect(await endsWithin(s.pid as number, 5_000)).toBe(true);
  });

  it('a server whose argon2 process cannot start still signs people up and in, and says so once', async () => {
    const app = await startApp({ PARLEY_ARGON2_CHILD: join(dir, 'no-such-argon2-child.js') });
    try {
      const LOGIN = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`;
      const users = Array.from({ length: 3 }, () => `${fresh('degraded')}@example.org`);
      // at once: they queue for the one in-process slot instead of being refused
      const signUps = await Promise.all(
        users.map((email) => app.anon.gql<{ signUp: { token: string } }>(SIGN_UP, { input: { email, password: PASSWORD, displayName: 'Degraded' } })),
      );
      for (const r of signUps) {
        expect(r.errors).toBeUndefined();
        expect(r.data?.signUp.token).toBeTruthy();
      }
      const login = await app.anon.gql<{ login: { token: string } }>(LOGIN, { e: users[0], p: PASSWORD });
      expect(login.errors).toBeUndefined();
      expect(login.data?.login.token).toBeTruthy();
      expect(login.data?.login.token).not.toBe(signUps[0].data?.signUp.token);
      const wrong = await app.anon.gql(LOGIN, { e: users[1], p: 'not the password at all' });
      expect(wrong.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      const unknown = await app.anon.gql(LOGIN, { e: `${fresh('nobody')}@example.org`, p: PASSWORD });
      expect(unknown.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      // the hashes are real argon2id
      const [row] = await app.sql<{ password_hash: string }>('SELECT password_hash FROM app_user WHERE email = $1', [users[2]]);
      expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      // no argon2 process runs, the degraded mode is logged once, and no sign-in was refused as busy
      expect(childrenOf(app.server.process.pid!)).toEqual([]);
      expect(app.server.logs.filter((l) => l.includes('the argon2 process cannot start'))).toHaveLength(1);
      expect(app.server.logs.some((l) => l.includes('the argon2 process ended'))).toBe(false);
    } finally {
      await app.close();
    }
  });
});

describe('the server and its argon2 process', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  const signUp = (email = `${fresh('argon')}@example.org`) =>
    app.anon.gql<{ signUp: { token: string } }>(SIGN_UP, { input: { email, password: PASSWORD, displayName: 'Argon' } });

  it('a sign-up whose argon2 process dies is refused RATE_LIMITED; the next one is served by a new process', async () => {
    expect((await signUp()).data?.signUp.token).toBeTruthy();
    const [child] = childrenOf(app.server.process.pid!);
    expect(child).toBeGreaterThan(0);
    // stopped, the process takes the job but never answers; then it is killed
    process.kill(child, 'SIGSTOP');
    const email = `${fresh('argon')}@example.org`;
    const pending = signUp(email);
    await sleep(2_000);
    process.kill(child, 'SIGKILL');
    const refused = await pending;
    expect(refused.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(refused.errors?.[0]?.message).toMatch(/try again/);
    expect(refused.status).toBeLessThan(500);
    // nothing half-written: no account for the refused address, which can sign up again
    expect(await app.sql('SELECT 1 FROM app_user WHERE email = $1', [email])).toEqual([]);
    expect(await endsWithin(child, 5_000)).toBe(true);
    // and the server says so in its log
    expect(app.server.logs.some((l) => l.includes('the argon2 process ended'))).toBe(true);
    const served = await signUp(email);
    expect(served.errors).toBeUndefined();
    const [next] = childrenOf(app.server.process.pid!);
    expect(next).toBeGreaterThan(0);
    expect(next).not.toBe(child);
  });

  it('ends with the server, even a server killed with SIGKILL', async () => {
    const other = await startApp();
    try {
      expect(
        (await other.anon.gql(SIGN_UP, { input: { email: `${fresh('argon')}@example.org`, password: PASSWORD, displayName: 'Argon' } })).errors,
      ).toBeUndefined();
      const [child] = childrenOf(other.server.process.pid!);
      expect(child).toBeGreaterThan(0);
      await other.server.stop('SIGKILL');
      expect(await endsWithin(child, 5_000)).toBe(true);
    } finally {
      await other.close();
    }
  });
});
