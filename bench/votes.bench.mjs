// castVote benchmark (not a test): 16 clients, each a negotiator of its own party, vote over
// and over on one open ballot of one room over real HTTP GraphQL (closed loop: each sends its
// next vote when the last is answered), against a baseline in the same run: a minimal Apollo
// Server 5 + `pg` server doing the same SQL work (lock the room, upsert the vote, append a
// hash-chained event, commit each vote alone), same clients, a room of its own seeded alike.
// Phases alternate (baseline, Parley, baseline, Parley, …) so a machine shared with other work
// weighs on both alike. Also: SQL statements per castVote (PARLEY_COUNT_SQL=1, the x-sql-count
// header; one vote alone, and the mean under load, where votes share batches), counted on a
// second Parley server in a phase of its own after the timed ones (the count keeps an
// AsyncLocalStorage per request, which turns on Node's promise hooks for the whole process, so
// the timed server runs without it); server and
// PostgreSQL CPU per vote, and a check that every acknowledged vote left
// exactly one vote.cast event (nothing acknowledged was lost, nothing counted twice).
//   node bench/votes.bench.mjs   (after npm run build; DATABASE_URL = an admin URL)
// BENCH_CLIENTS (16), BENCH_SECONDS per phase (8), BENCH_ROUNDS (2); BENCH_CPU_PROF=<dir>: the
// Parley server runs under node --cpu-prof, its profile written there.
// BENCH_SERVER_ROOT=<another checkout, built>: that build's Parley server instead (a before/after pair).
import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { cpuMsOf, percentile, report, round, seedOpenBallot, seedRooms, startChild as startIn, stopChild as stop, withDb } from './lib.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SERVER_ROOT = process.env.BENCH_SERVER_ROOT ? resolve(process.env.BENCH_SERVER_ROOT) : ROOT;
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const WARMUP_MS = 1500;
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CPU_PROF = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : null;
const CHOICES = ['SUPPORT', 'OPPOSE', 'ABSTAIN'];

// The baseline: what castVote must do at the least, with nothing else (no session, no
// membership or role check, no ballot rules, no salts, no hooks, no live delivery): one
// transaction per vote, the room row locked, the vote upserted, one hash-chained event
// appended and the room's head moved in one statement, commit; five statements.
const BASELINE_SERVER = `
const { ApolloServer } = require('@apollo/server');
const { startStandaloneServer } = require('@apollo/server/standalone');
const { createHash } = require('node:crypto');
const pg = require('pg');
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
const typeDefs = \`
  type Vote { choice: String!, reason: String, castAt: String! }
  type Query { ok: Boolean }
  type Mutation { castVote(ballotId: ID!, partyId: ID!, membershipId: ID!, choice: String!, reason: String): Vote! }
\`;
async function castVote(_, a) {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const { rows: [room] } = await c.query(
      'SELECT r.id, r.last_seq, r.head_hash FROM room r JOIN ballot b ON b.room_id = r.id WHERE b.id = $1 FOR UPDATE OF r', [a.ballotId]);
    const { rows: [vote] } = await c.query(
      \`INSERT INTO vote (ballot_id, party_id, choice, reason, membership_id, cast_at) VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (ballot_id, party_id) DO UPDATE SET choice = EXCLUDED.choice, reason = EXCLUDED.reason,
         membership_id = EXCLUDED.membership_id, cast_at = EXCLUDED.cast_at RETURNING cast_at\`,
      [a.ballotId, a.partyId, a.choice, a.reason ?? null, a.membershipId]);
    const seq = room.last_seq + 1;
    const at = new Date();
    const payload = { ballotId: a.ballotId, partyId: a.partyId, choice: a.choice, reason: a.reason ?? null };
    const hash = createHash('sha256').update(room.head_hash + '\\n' + JSON.stringify({ roomId: room.id, seq, type: 'vote.cast', at, payload })).digest('hex');
    await c.query(
      \`WITH e AS (INSERT INTO room_event (room_id, seq, type, actor_membership_id, payload, at, prev_hash, hash)
                  VALUES ($1, $2, 'vote.cast', $3, $4, $5, $6, $7))
       UPDATE room SET last_seq = $2, head_hash = $7 WHERE id = $1\`,
      [room.id, seq, a.membershipId, payload, at, room.head_hash, hash]);
    await c.query('COMMIT');
    return { choice: a.choice, reason: a.reason ?? null, castAt: vote.cast_at.toISOString() };
  } catch (e) {
    await c.query('ROLLBACK');
    throw e;
  } finally {
    c.release();
  }
}
const server = new ApolloServer({ typeDefs, resolvers: { Mutation: { castVote } } });
startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } }).then(({ url }) => console.log('BASELINE_URL=' + url));
`;

const PARLEY_VOTE = `mutation($input: CastVoteInput!) { castVote(input: $input) { choice reason castAt party { id } } }`;
const BASELINE_VOTE = `mutation($b: ID!, $p: ID!, $m: ID!, $c: String!, $r: String) { castVote(ballotId: $b, partyId: $p, membershipId: $m, choice: $c, reason: $r) { choice reason castAt } }`;

// One room of CLIENTS + 2 parties (the extra party never votes, so the ballot never closes
// by everyone having voted), a facilitator, CLIENTS negotiators of parties of their own, a
// proposal in VOTING and an open majority ballot on it.
async function seed(db) {
  await db.query('BEGIN');
  const [room] = await seedRooms(db, { rooms: 1, members: CLIENTS + 1, parties: CLIENTS + 1 });
  const members = [];
  for (const token of room.tokens.slice(1)) {
    const {
      rows: [m],
    } = await db.query(`SELECT m.id, m.party_id FROM membership m JOIN user_session s ON s.user_id = m.user_id WHERE s.token_hash = $1 AND m.room_id = $2`, [
      createHash('sha256').update(token).digest('hex'),
      room.id,
    ]);
    members.push({ token, membershipId: m.id, partyId: m.party_id });
  }
  const ballotId = await seedOpenBallot(db, room.id, 'Bench');
  await db.query('COMMIT');
  return { roomId: room.id, ballotId, members };
}

async function post(url, body, token) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (json.errors) throw new Error(JSON.stringify(json.errors));
  return { json, sql: res.headers.get('x-sql-count') };
}

const backendsOf = async (db) =>
  (await db.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)).rows.map((r) => r.pid);

// CLIENTS closed loops for WARMUP_MS (not counted), then SECONDS counted.
async function phase(db, server, room, vote) {
  const latencies = [];
  const sql = [];
  let errors = 0;
  let acked = 0;
  let counting = false;
  let cpu0 = null;
  let backends = [];
  const end = Date.now() + WARMUP_MS + SECONDS * 1000;
  setTimeout(async () => {
    backends = await backendsOf(db);
    cpu0 = [cpuMsOf([server.pid]), new Map(backends.map((pid) => [pid, cpuMsOf([pid])]))];
    counting = true;
  }, WARMUP_MS);
  const started = Date.now() + WARMUP_MS;
  await Promise.all(
    room.members.map(async (m, i) => {
      for (let n = i; Date.now() < end; n++) {
        const t0 = performance.now();
        try {
          const { sql: count } = await vote(m, CHOICES[n % CHOICES.length], n % 4 === 0 ? `reason ${n}` : null);
          acked += 1;
          if (counting) {
            latencies.push(performance.now() - t0);
            if (count !== null) sql.push(Number(count));
          }
        } catch (e) {
          errors += 1;
          if (errors < 4) console.error(String(e).slice(0, 300));
        }
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  // a backend that ended during the phase (the pool closes idle connections) is left out
  const dbCpu = [...cpu0[1]].reduce((sum, [pid, before]) => {
    const after = cpuMsOf([pid]);
    return after >= before ? sum + after - before : sum;
  }, 0);
  const cpu = [cpuMsOf([server.pid]) - cpu0[0], dbCpu];
  latencies.sort((a, b) => a - b);
  return {
    votes: latencies.length,
    acked,
    errors,
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    sql,
    serverCpuMs: cpu[0] / latencies.length,
    postgresCpuMs: cpu[1] / latencies.length,
  };
}

const summary = (runs) => {
  const all = (k) => runs.map((r) => r[k]);
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return {
    perSecond: round(mean(all('perSecond'))),
    p50: round(median(all('p50'))),
    p99: round(Math.max(...all('p99'))),
    serverCpuMs: round(mean(all('serverCpuMs'))),
    postgresCpuMs: round(mean(all('postgresCpuMs'))),
    errors: all('errors').reduce((a, b) => a + b, 0),
    acked: all('acked').reduce((a, b) => a + b, 0),
    sql: runs.flatMap((r) => r.sql),
  };
};

const name = `parley_bench_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const dbUrl = withDb(ADMIN_URL, name);
let api;
let counter;
let baseline;
let db;
try {
  api = await startIn(
    SERVER_ROOT,
    [...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : []), 'dist/apps/api/src/main.js'],
    { DATABASE_URL: dbUrl, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', REDIS_URL: '', PARLEY_COUNT_SQL: 'false' },
    (out) => /"port":(\d+),"ms"/.exec(out)?.[1],
  );
  counter = await startIn(
    SERVER_ROOT,
    ['dist/apps/api/src/main.js'],
    { DATABASE_URL: dbUrl, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', REDIS_URL: '', PARLEY_COUNT_SQL: 'true' },
    (out) => /"port":(\d+),"ms"/.exec(out)?.[1],
  );
  baseline = await startIn(ROOT, ['-e', BASELINE_SERVER], { DATABASE_URL: dbUrl }, (out) => /BASELINE_URL=http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
  db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  const parleyRoom = await seed(db);
  const baselineRoom = await seed(db);
  await db.query('ANALYZE');
  const parleyUrl = `http://127.0.0.1:${api.port}/graphql`;
  const baselineUrl = `http://127.0.0.1:${baseline.port}/`;
  const parleyVote = (m, choice, reason) =>
    post(parleyUrl, { query: PARLEY_VOTE, variables: { input: { ballotId: parleyRoom.ballotId, choice, reason } } }, m.token);
  const baselineVote = (m, choice, reason) =>
    post(baselineUrl, { query: BASELINE_VOTE, variables: { b: baselineRoom.ballotId, p: m.partyId, m: m.membershipId, c: choice, r: reason } });
  const counterUrl = `http://127.0.0.1:${counter.port}/graphql`;
  const countedVote = (m, choice, reason) =>
    post(counterUrl, { query: PARLEY_VOTE, variables: { input: { ballotId: parleyRoom.ballotId, choice, reason } } }, m.token);
  // one vote with no other in flight: its statements
  const alone = Number((await countedVote(parleyRoom.members[0], 'SUPPORT', null)).sql);
  const load0 = os.loadavg()[0];
  const runs = { parley: [], baseline: [] };
  for (let r = 0; r < ROUNDS; r++) {
    runs.baseline.push(await phase(db, baseline.child, baselineRoom, baselineVote));
    runs.parley.push(await phase(db, api.child, parleyRoom, parleyVote));
    const [b, p] = [runs.baseline.at(-1), runs.parley.at(-1)];
    console.error(
      `round ${r + 1}: baseline ${round(b.perSecond)}/s p50 ${round(b.p50)} p99 ${round(b.p99)} ms; Parley ${round(p.perSecond)}/s p50 ${round(p.p50)} p99 ${round(p.p99)} ms (load ${os.loadavg()[0]})`,
    );
  }
  const parley = summary(runs.parley);
  const base = summary(runs.baseline);
  // statements per vote under the same load, on the counting server
  const counted = await phase(db, counter.child, parleyRoom, countedVote);
  // every acknowledged vote is in the log once: one vote.cast event per acknowledged castVote
  const {
    rows: [logged],
  } = await db.query(`SELECT count(*)::int AS n FROM room_event WHERE room_id = $1 AND type = 'vote.cast'`, [parleyRoom.roomId]);
  const acked = parley.acked + counted.acked + 1; // and the counted phase's, and the one alone
  if (logged.n !== acked) throw new Error(`${acked} votes acknowledged but ${logged.n} vote.cast events logged`);
  // statements per vote under load: a batch's statements are counted on the request of its
  // first vote (GroupCommit runs it in that request's context), so their sum over the
  // answered requests is every statement the votes cost
  const statements = counted.sql.reduce((a, b) => a + b, 0) / counted.sql.length;
  report('votes', {
    clients: CLIENTS,
    secondsPerPhase: SECONDS,
    rounds: ROUNDS,
    votesPerSecond: parley.perSecond,
    p50Ms: parley.p50,
    p99Ms: parley.p99,
    baselineVotesPerSecond: base.perSecond,
    baselineP50Ms: base.p50,
    baselineP99Ms: base.p99,
    ratio: round(parley.perSecond / base.perSecond),
    sqlStatementsPerVote: round(statements),
    sqlStatementsOneVoteAlone: alone,
    baselineSqlStatementsPerVote: 5,
    serverCpuMsPerVote: parley.serverCpuMs,
    postgresCpuMsPerVote: parley.postgresCpuMs,
    baselineServerCpuMsPerVote: base.serverCpuMs,
    baselinePostgresCpuMsPerVote: base.postgresCpuMs,
    errors: parley.errors + base.errors,
    ackedVotesLogged: `${logged.n} / ${acked}`,
    loadAverage: round((load0 + os.loadavg()[0]) / 2),
    ...(SERVER_ROOT === ROOT ? {} : { server: SERVER_ROOT }),
  });
} finally {
  await db?.end();
  if (baseline) await stop(baseline.child);
  if (api) await stop(api.child);
  if (counter) await stop(counter.child);
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
