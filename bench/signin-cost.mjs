// CPU per sign-in on the server's event loop (not a scenario of `npm run bench`): one API
// instance, the machine's PostgreSQL, N sign-ups then N logins one after another (each on a
// connection of its own, as bench/burst.bench.mjs's clients), and the CPU the server's main
// thread and the database's backends used meanwhile, per operation (from /proc; 10 ms ticks,
// so N of a few hundred), less what they use idle over the same time (measured before and
// after). argon2 runs in the server's child process and is not counted.
//   node bench/signin-cost.mjs          (after npm run build; DATABASE_URL = an admin URL)
// BENCH_SERVER_ROOT measures another built checkout; BENCH_N the operations of each kind;
// BENCH_SERVER_ARGS node flags for the server (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p").
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { backendPids, graphqlFrom, round, startChild, stopChild, withDb } from './lib.mjs';

const ROOT = resolve(process.env.BENCH_SERVER_ROOT ?? resolve(dirname(fileURLToPath(import.meta.url)), '..'));
const N = Number(process.env.BENCH_N ?? 200);
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PASSWORD = 'bench login passphrase, long enough';
const IDLE_S = 10;

const gql = (port, query, variables) => graphqlFrom(port, '127.0.0.1', query, variables);

const LOGIN = `mutation($email: String!, $password: String!) { login(email: $email, password: $password) { expiresAt } }`;
const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { expiresAt } }`;

// CPU (user + system) of a process or thread, ms; 0 once it is gone
function cpuMs(path) {
  try {
    const s = readFileSync(path, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return 0;
  }
}
// the database's backends, each counted from when it was first seen
const dbCpu = async (db, database) => new Map((await backendPids(db, database)).map((p) => [p, cpuMs(`/proc/${p}/stat`)]));
const dbSince = (now, before) => [...now].reduce((n, [p, ms]) => n + ms - (before.get(p) ?? 0), 0);

const name = `parley_bench_${randomBytes(5).toString('hex')}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
let api;
try {
  api = await startChild(
    ROOT,
    [...(process.env.BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean), 'dist/apps/api/src/main.js'],
    {
      DATABASE_URL: withDb(ADMIN_URL, name),
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      REDIS_URL: '',
      PARLEY_OPEN_SIGNUP: 'true',
      PARLEY_AUTH_RATE_PER_IP: '1000000',
    },
    (out) => /"port":(\d+),"ms"/.exec(out)?.[1],
  );
  const pid = api.child.pid;
  const emails = [];
  const signUp = async () => {
    const email = `cost-${randomUUID()}@bench.invalid`;
    const r = await gql(api.port, SIGN_UP, { input: { email, password: PASSWORD, displayName: 'Cost' } });
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    emails.push(email);
  };
  const login = async (i) => {
    const r = await gql(api.port, LOGIN, { email: emails[i % emails.length], password: PASSWORD });
    if (r.errors) throw new Error(JSON.stringify(r.errors));
  };
  // warm-up: JIT, the password list, the argon2 process, the pool's connections
  for (let i = 0; i < 30; i++) await signUp();
  for (let i = 0; i < 30; i++) await login(i);
  const measure = async (op) => {
    const db0 = await dbCpu(admin, name);
    const l0 = cpuMs(`/proc/${pid}/task/${pid}/stat`);
    const t0 = performance.now();
    for (let i = 0; i < N; i++) await op(i);
    const wall = performance.now() - t0;
    const l1 = cpuMs(`/proc/${pid}/task/${pid}/stat`);
    const db1 = await dbCpu(admin, name);
    return { eventLoopMsPerOp: round((l1 - l0) / N), dbMsPerOp: round(dbSince(db1, db0) / N), wallMsPerOp: round(wall / N) };
  };
  // what the server's event loop and the database use meanwhile without sign-ins (timers, the
  // scheduler, the pool), per ms of wall time: subtracted from the figures above
  const idle = async () => {
    const l0 = cpuMs(`/proc/${pid}/task/${pid}/stat`);
    const db0 = await dbCpu(admin, name);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, IDLE_S * 1000));
    const wall = performance.now() - t0;
    return { loop: (cpuMs(`/proc/${pid}/task/${pid}/stat`) - l0) / wall, db: dbSince(await dbCpu(admin, name), db0) / wall };
  };
  const net = (m, rate) => ({
    ...m,
    eventLoopMsPerOp: round(m.eventLoopMsPerOp - rate.loop * m.wallMsPerOp),
    dbMsPerOp: round(m.dbMsPerOp - rate.db * m.wallMsPerOp),
    eventLoopGrossMsPerOp: m.eventLoopMsPerOp,
  });
  const before = await idle();
  const s = await measure(signUp);
  const l = await measure(login);
  const after = await idle();
  const rate = { loop: (before.loop + after.loop) / 2, db: (before.db + after.db) / 2 };
  const result = {
    n: N,
    signUp: net(s, rate),
    login: net(l, rate),
    idleEventLoopPercent: round(rate.loop * 100),
    loadAverage: loadavg().map(round).join(' '),
  };
  console.log(`SIGNIN_COST ${JSON.stringify(result)}`);
} finally {
  if (api) await stopChild(api.child);
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
