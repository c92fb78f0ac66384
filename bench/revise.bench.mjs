// reviseProposal benchmark (not a test): one client, serial, revises a proposal of 20 clauses
// whose history already holds 10, 1,000 or 10,000 versions (each with its proposal.revised
// event in the room's log, seeded with direct SQL; the hash chain is not valid and nothing here
// reads it). p50/p99 per history size, server CPU and the PostgreSQL backends' CPU (the
// server's pool) per call; then SQL statements per call, from a second server with
// PARLEY_COUNT_SQL=1 (BENCH_COUNTED calls per history size, 5): its per-request count runs every request in an
// AsyncLocalStorage, which turns on Node's promise hooks for every promise of the process and
// would weigh on the timed calls; that server talks to PostgreSQL through a wire-protocol proxy
// (countingProxy, bench/lib.mjs) that counts round trips per call as well: a pipelined
// transaction sends several statements per round trip. The goal: p50 < 5 ms, flat from
// 10 to 10,000 versions.
//   node bench/revise.bench.mjs   (after npm run build; DATABASE_URL = an admin URL)
// Before the timed calls, the server is warmed on a proposal of its own (BENCH_WARM_UP calls,
// 2,000): a long-running server's steady state, not its first minute. With 300 the sizes still
// read slower in the order they were measured (p50 6.6 / 5.4 / 4.4 ms, server CPU 4.7 / 3.3 /
// 2.9 ms: V8 was still optimising the path); with 1,000 they read 5.1 / 5.2 / 5.2 ms and with
// 2,000 about 4 ms each (docs/benchmarks.md, reviseProposal).
// BENCH_REQUESTS per history size (200); BENCH_CPU_PROF=<dir>: the server runs under --cpu-prof;
// BENCH_SERVER_ROOT=<another checkout, built>: measure that build's server instead (a before/after pair).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  backendPids,
  countingProxy,
  cpuMsOf,
  keepAliveGraphql,
  percentile,
  report,
  round,
  seedRooms,
  startChild as startIn,
  stopChild as stop,
  withDb,
} from './lib.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const HISTORIES = [10, 1000, 10_000];
const CLAUSES = 20;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const WARM_UP = Number(process.env.BENCH_WARM_UP ?? 2000);
// calls per history size on the counting server
const COUNTED = Number(process.env.BENCH_COUNTED ?? 5);
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SERVER_ROOT = process.env.BENCH_SERVER_ROOT ? resolve(process.env.BENCH_SERVER_ROOT) : ROOT;
const CPU_PROF = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : null;

const REVISE = `mutation($input: ReviseProposalInput!) { reviseProposal(input: $input) { id version textHash status } }`;
const clausesOf = (v) => Array.from({ length: CLAUSES }, (_, c) => ({ key: String(c + 1), heading: null, text: `Clause ${c + 1} as of version ${v}.` }));

// A room with a facilitator and three parties, one DRAFTING proposal at `versions` versions.
async function seed(db, versions) {
  await db.query('BEGIN');
  const [room] = await seedRooms(db, { rooms: 1, members: 4, parties: 3 });
  const {
    rows: [fac],
  } = await db.query(`SELECT id FROM membership WHERE room_id = $1 AND role = 'FACILITATOR'`, [room.id]);
  const full = (v) => JSON.stringify(clausesOf(v).map((c) => ({ ...c, alternatives: [] })));
  const {
    rows: [proposal],
  } = await db.query(
    `INSERT INTO proposal (room_id, title, status, version, text_hash, clauses, created_by) VALUES ($1, 'Bench', 'DRAFTING', $2, $3, $4, $5) RETURNING id`,
    [room.id, versions, 'f'.repeat(64), full(versions), fac.id],
  );
  await db.query(
    `INSERT INTO proposal_version (proposal_id, number, clauses, text_hash, summary, author_membership_id)
     SELECT $1, n, $2::jsonb, 'f', 'seeded', $3 FROM generate_series(1, $4) AS n`,
    [proposal.id, full(0), fac.id, versions],
  );
  await db.query(
    `INSERT INTO room_event (room_id, seq, type, actor_membership_id, payload, at, prev_hash, hash)
     SELECT $1, n, CASE WHEN n = 1 THEN 'proposal.created' ELSE 'proposal.revised' END, $2,
            jsonb_build_object('proposalId', $3::text, 'version', n), now() - (($4 - n) * interval '1 second'), 'x', 'x'
       FROM generate_series(1, $4) AS n`,
    [room.id, fac.id, proposal.id, versions],
  );
  await db.query(`UPDATE room SET last_seq = $2 WHERE id = $1`, [room.id, versions]);
  await db.query('COMMIT');
  return { token: room.tokens[0], proposalId: proposal.id, versions };
}

function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

// `room.version`: the proposal's version, carried from one measure to the next
async function measure(url, server, room, backends, requests = REQUESTS, warmUp = 20) {
  room.version ??= room.versions;
  const post = keepAliveGraphql(url);
  const revise = async () => {
    const res = await post(
      { query: REVISE, variables: { input: { proposalId: room.proposalId, expectedVersion: room.version, clauses: clausesOf(room.version + 1) } } },
      room.token,
    ).catch((e) => {
      throw new Error(`${e.message}\n${server.logs?.slice(-5).join('') ?? ''}`);
    });
    room.version = res.body.data.reviseProposal.version;
    return { ms: res.ms, sql: res.sql };
  };
  for (let i = 0; i < warmUp; i++) await revise();
  const pids = await backends();
  const cpu0 = cpuMs(server.child.pid);
  const db0 = cpuMsOf(pids);
  const times = [];
  const sql = new Set();
  for (let i = 0; i < requests; i++) {
    const r = await revise();
    times.push(r.ms);
    sql.add(r.sql);
  }
  times.sort((a, b) => a - b);
  return {
    p50: round(percentile(times, 50)),
    p99: round(percentile(times, 99)),
    sql: [...sql].join(' / '),
    serverCpuMs: round((cpuMs(server.child.pid) - cpu0) / requests),
    postgresCpuMs: round((cpuMsOf(pids) - db0) / requests),
  };
}

const name = `parley_bench_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const dbUrl = withDb(ADMIN_URL, name);
let api;
let db;
let proxy;
const startApi = (countSql, prof, url = dbUrl) =>
  startIn(
    SERVER_ROOT,
    [...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []), 'dist/apps/api/src/main.js'],
    { DATABASE_URL: url, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', REDIS_URL: '', PARLEY_COUNT_SQL: countSql ? '1' : '' },
    (out) => /"port":(\d+),"ms"/.exec(out)?.[1],
  );
try {
  api = await startApi(false, CPU_PROF);
  db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  const rooms = [];
  for (const versions of HISTORIES) rooms.push(await seed(db, versions));
  const warm = await seed(db, HISTORIES[0]);
  await db.query('ANALYZE');
  await measure(`http://127.0.0.1:${api.port}/graphql`, api, warm, () => backendPids(db, name), 1, WARM_UP);
  const load0 = os.loadavg()[0];
  const figures = {};
  for (const room of rooms) {
    const r = await measure(`http://127.0.0.1:${api.port}/graphql`, api, room, () => backendPids(db, name));
    console.error(`${room.versions} versions: p50 ${r.p50} ms, p99 ${r.p99} ms, server CPU ${r.serverCpuMs} ms, PostgreSQL CPU ${r.postgresCpuMs} ms per call`);
    figures[`v${room.versions}`] = r;
  }
  const load1 = os.loadavg()[0];
  await stop(api.child);
  const target = new URL(dbUrl);
  proxy = await countingProxy({ host: target.hostname, port: Number(target.port || 5432) });
  api = await startApi(true, null, Object.assign(new URL(dbUrl), { port: String(proxy.port) }).toString());
  for (const room of rooms) {
    const url = `http://127.0.0.1:${api.port}/graphql`;
    await measure(url, api, room, () => backendPids(db, name), 2, 0);
    const before = proxy.counts.roundTrips;
    const { sql } = await measure(url, api, room, () => backendPids(db, name), COUNTED, 0);
    const roundTrips = round((proxy.counts.roundTrips - before) / COUNTED);
    console.error(`${room.versions} versions: ${sql} statements, ${roundTrips} round trips to PostgreSQL per call`);
    Object.assign(figures[`v${room.versions}`], { sql, roundTrips });
  }
  report('revise', {
    requests: REQUESTS,
    clauses: CLAUSES,
    versions: HISTORIES.join(' / '),
    p50Ms: HISTORIES.map((v) => figures[`v${v}`].p50),
    p99Ms: HISTORIES.map((v) => figures[`v${v}`].p99),
    sqlStatementsPerCall: figures[`v${HISTORIES[0]}`].sql,
    roundTripsPerCall: HISTORIES.map((v) => figures[`v${v}`].roundTrips).join(' / '),
    serverCpuMsPerCall: HISTORIES.map((v) => figures[`v${v}`].serverCpuMs),
    postgresCpuMsPerCall: HISTORIES.map((v) => figures[`v${v}`].postgresCpuMs),
    loadAverage: round((load0 + load1) / 2),
    ...(SERVER_ROOT === ROOT ? {} : { server: SERVER_ROOT }),
  });
} finally {
  await db?.end();
  if (api) await stop(api.child);
  proxy?.server.close();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
