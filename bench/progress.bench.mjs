// Progress benchmark (not a test): one room with 40 parties, 10 proposals × 30 clauses (300),
// 2,000 versions with their proposal.revised events, 200 amendments, 50 ballots (one open per
// proposal, half of them secret) with ~1,900 votes, one adopted proposal with signatures and
// consents, and the convergence series those writes would have left; then a second room, the
// same but with five times the history (10,000 versions and their events), in the same
// database. Seeded with direct SQL (the hash chain is not valid; nothing here reads it), then
// `room { progress { ... } }` timed over BENCH_REQUESTS requests in each room, and the SQL
// statements of one call counted through PARLEY_COUNT_SQL=1 (the x-sql-count header) on a second
// server started for that alone: the count keeps an AsyncLocalStorage per request, which turns on
// Node's promise hooks for the whole process (about 1 ms of CPU per call on the timed server).
//   node bench/progress.bench.mjs   (after npm run build; DATABASE_URL = an admin URL)
// BENCH_COMPARE_WITH=<another checkout, built>: also starts that build's server on the same
//   database and fails unless both answer every room identically, to the facilitator and to a
//   negotiator (whose party voted on the open secret ballots).
// BENCH_CPU_PROF=<dir>: the measured server runs under node --cpu-prof, profile written there.
// BENCH_SERVER_ROOT=<another checkout, built>: measure that build's server instead (a before/after pair).
// BENCH_SERVER_NODE_ARGS='--max-semi-space-size=32 …': node options for the measured server alone.
import { spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { cpuMsOf, keepAliveGraphql, percentile, report } from './lib.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PARTIES = 40;
const PROPOSALS = 10;
const CLAUSES = 30;
const HISTORIES = [200, 1000]; // versions per proposal: 2,000 and 10,000 in all
const BALLOTS = 5; // per proposal: 50 in all
const AMENDMENTS = 20; // per proposal
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const COMPARE_WITH = process.env.BENCH_COMPARE_WITH ? resolve(process.env.BENCH_COMPARE_WITH) : null;
const NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const CPU_PROF = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : null;
const SERVER_ROOT = process.env.BENCH_SERVER_ROOT ? resolve(process.env.BENCH_SERVER_ROOT) : ROOT;

const withDb = (url, name) => Object.assign(new URL(url), { pathname: `/${name}` }).toString();
const round = (n) => (n === null ? null : Math.round(n * 100) / 100);
const CHOICES = ['SUPPORT', 'SUPPORT', 'SUPPORT', 'OPPOSE', 'ABSTAIN'];

export const QUERY = `query($id: ID!) { room(id: $id) { progress {
  partyCount
  proposals {
    proposal { id title status version openBrackets }
    openBrackets openAmendments
    latestBallot { id amendmentId status secrecy outcome votedParties { id } votes { party { id } choice } tally { support oppose abstain block notVoted } }
    positions { party { id name } choice }
    awaitingVote { id name } awaitingSignature { id name } awaitingPublishConsent { id name }
    convergence { seq at openBrackets openAmendments supportingParties }
  }
} } }`;

function startApi(env, root = ROOT, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, 'dist/apps/api/src/main.js'], {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', REDIS_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`api did not start:\n${out}`)), 60_000);
    child.stdout.on('data', (c) => {
      out += c;
      const m = /"port":(\d+),"ms"/.exec(out);
      if (m) {
        clearTimeout(timer);
        res({ child, url: `http://127.0.0.1:${m[1]}` });
      }
    });
    child.stderr.on('data', (c) => (out += c));
    child.on('exit', (code) => rej(new Error(`api exited with ${code}:\n${out}`)));
  });
}
const stop = (child) => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', r), child.kill('SIGTERM'))));

const clausesOf = (p, v, bracketed) =>
  Array.from({ length: CLAUSES }, (_, c) => ({
    key: String(c + 1),
    heading: null,
    text: `Proposal ${p} clause ${c + 1}, version ${v}.`,
    alternatives:
      c < bracketed
        ? [
            { id: randomUUID(), text: `Option A ${c}`, partyId: null },
            { id: randomUUID(), text: `Option B ${c}`, partyId: null },
          ]
        : [],
  }));

async function seed(db, VERSIONS) {
  await db.query('BEGIN');
  const fac = randomUUID();
  await db.query(`INSERT INTO app_user (id, email, display_name, password_hash) VALUES ($1, $2, 'Facilitator', 'x')`, [fac, `${fac}@bench.invalid`]);
  const token = randomBytes(32).toString('base64url');
  await db.query(`INSERT INTO user_session (user_id, token_hash, expires_at) VALUES ($1, $2, now() + interval '1 day')`, [
    fac,
    createHash('sha256').update(token).digest('hex'),
  ]);
  const {
    rows: [room],
  } = await db.query(`INSERT INTO room (title, purpose, speaker_attribution, created_by) VALUES ('Bench', 'bench', 'ATTRIBUTED', $1) RETURNING id`, [fac]);
  const {
    rows: [facM],
  } = await db.query(`INSERT INTO membership (room_id, user_id, role, display_name) VALUES ($1, $2, 'FACILITATOR', 'Facilitator') RETURNING id`, [
    room.id,
    fac,
  ]);
  const parties = [];
  for (let i = 0; i < PARTIES; i++) {
    const {
      rows: [p],
    } = await db.query(`INSERT INTO party (room_id, name) VALUES ($1, $2) RETURNING id`, [room.id, `Party ${String(i).padStart(2, '0')}, "Delegation"`]);
    const u = randomUUID();
    await db.query(`INSERT INTO app_user (id, email, display_name, password_hash) VALUES ($1, $2, $3, 'x')`, [u, `${u}@bench.invalid`, `Delegate ${i}`]);
    const {
      rows: [m],
    } = await db.query(`INSERT INTO membership (room_id, user_id, role, party_id, display_name) VALUES ($1, $2, 'NEGOTIATOR', $3, $4) RETURNING id`, [
      room.id,
      u,
      p.id,
      `Delegate ${i}`,
    ]);
    parties.push({ id: p.id, membership: m.id, user: u });
  }
  // a negotiator of the first party, which votes on every ballot (the open secret ones too)
  const negotiatorToken = randomBytes(32).toString('base64url');
  await db.query(`INSERT INTO user_session (user_id, token_hash, expires_at) VALUES ($1, $2, now() + interval '1 day')`, [
    parties[0].user,
    createHash('sha256').update(negotiatorToken).digest('hex'),
  ]);
  let seq = 0;
  const events = []; // [seq, type, payload]
  const points = []; // [proposalId, seq, brackets, amendments, supporters]
  const t0 = Date.now() - 86_400_000;
  for (let p = 0; p < PROPOSALS; p++) {
    const adopted = p === 0;
    const brackets = adopted ? 0 : (p % 4) + 1;
    const proposalId = randomUUID();
    const final = clausesOf(p, VERSIONS, brackets);
    await db.query(`INSERT INTO proposal (id, room_id, title, status, version, text_hash, clauses, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
      proposalId,
      room.id,
      `Proposal ${p}`,
      adopted ? 'ADOPTED' : 'VOTING',
      VERSIONS,
      'f'.repeat(64),
      JSON.stringify(final),
      facM.id,
    ]);
    // versions: the text grows a bracket now and then; every version is a proposal.revised event
    const versionRows = [];
    for (let v = 1; v <= VERSIONS; v++) {
      seq += 1;
      const open = Math.min(brackets, Math.floor((v / VERSIONS) * (brackets + 1)));
      versionRows.push([v, JSON.stringify(v === VERSIONS ? final : clausesOf(p, v, open)), seq]);
      events.push([seq, v === 1 ? 'proposal.created' : 'proposal.revised', { proposalId, version: v }]);
      if (v === 1 || open !== Math.min(brackets, Math.floor(((v - 1) / VERSIONS) * (brackets + 1)))) points.push([proposalId, seq, open, 0, 0]);
    }
    await db.query(
      `INSERT INTO proposal_version (proposal_id, number, clauses, text_hash, author_membership_id)
       SELECT $1, n, c::jsonb, 'f', $2 FROM unnest($3::int[], $4::text[]) AS t(n, c)`,
      [proposalId, facM.id, versionRows.map((r) => r[0]), versionRows.map((r) => r[1])],
    );
    // amendments: 5 of 20 still open; each proposed, most settled, one point each
    let openAmendments = 0;
    for (let a = 0; a < AMENDMENTS; a++) {
      const party = parties[a % PARTIES];
      const status = a < 5 && !adopted ? 'OPEN' : a % 2 ? 'REJECTED' : 'WITHDRAWN';
      const {
        rows: [am],
      } = await db.query(
        `INSERT INTO amendment (room_id, proposal_id, base_version, clause_key, kind, text, status, party_id, author_membership_id, resolved_at)
         VALUES ($1, $2, $3, '2', 'REPLACE', 'Amended.', $4, $5, $6, CASE WHEN $4 = 'OPEN' THEN NULL ELSE now() END) RETURNING id`,
        [room.id, proposalId, VERSIONS, status, party.id, party.membership],
      );
      seq += 1;
      events.push([seq, 'amendment.proposed', { amendmentId: am.id, proposalId }]);
      points.push([proposalId, seq, brackets, ++openAmendments, 0]);
      if (status !== 'OPEN') {
        seq += 1;
        events.push([seq, status === 'REJECTED' ? 'amendment.rejected' : 'amendment.withdrawn', { amendmentId: am.id, proposalId }]);
        points.push([proposalId, seq, brackets, --openAmendments, 0]);
      }
    }
    // ballots on the whole text: four closed, the fifth open (secret on odd proposals) or, on
    // the adopted proposal, closed and PASSED
    let supporters = 0;
    for (let b = 0; b < BALLOTS; b++) {
      const last = b === BALLOTS - 1;
      const open = last && !adopted;
      const secrecy = open && p % 2 ? 'SECRET_UNTIL_CLOSE' : 'OPEN';
      const outcome = open ? null : last ? 'PASSED' : 'FAILED';
      const ballotId = randomUUID();
      await db.query(
        `INSERT INTO ballot (id, room_id, proposal_id, version, rule, quorum, secrecy, status, outcome, opened_by, created_at, closed_at)
         VALUES ($1, $2, $3, $4, 'MAJORITY', 0.5, $5, $6, $7, $8, $9, CASE WHEN $6 = 'CLOSED' THEN $9::timestamptz + interval '1 hour' END)`,
        [ballotId, room.id, proposalId, VERSIONS, secrecy, open ? 'OPEN' : 'CLOSED', outcome, facM.id, new Date(t0 + (p * BALLOTS + b) * 3_600_000)],
      );
      seq += 1;
      events.push([seq, 'ballot.opened', { ballotId, proposalId, secrecy }]);
      if (supporters !== 0) points.push([proposalId, seq, brackets, openAmendments, (supporters = 0)]);
      const voters = parties.slice(0, open ? 30 : PARTIES);
      const choices = voters.map((_, i) => (last && !open ? 'SUPPORT' : CHOICES[(i + b) % CHOICES.length]));
      await db.query(
        `INSERT INTO vote (ballot_id, party_id, choice, membership_id, cast_at) SELECT $1, p, c, m, now() FROM unnest($2::uuid[], $3::text[], $4::uuid[]) AS t(p, c, m)`,
        [ballotId, voters.map((v) => v.id), choices, voters.map((v) => v.membership)],
      );
      voters.forEach((v, i) => {
        seq += 1;
        events.push([seq, 'vote.cast', secrecy === 'OPEN' ? { ballotId, partyId: v.id, choice: choices[i] } : { ballotId, partyId: v.id }]);
        if (secrecy === 'OPEN' && choices[i] === 'SUPPORT') points.push([proposalId, seq, brackets, openAmendments, ++supporters]);
      });
      if (!open) {
        seq += 1;
        events.push([seq, 'ballot.closed', { ballotId, proposalId, outcome }]);
      }
    }
    if (adopted) {
      const {
        rows: [ag],
      } = await db.query(`INSERT INTO agreement (room_id, proposal_id, version, text_hash, clauses) VALUES ($1, $2, $3, $4, $5) RETURNING id`, [
        room.id,
        proposalId,
        VERSIONS,
        'f'.repeat(64),
        JSON.stringify(final),
      ]);
      for (const [i, party] of parties.entries()) {
        if (i < 25)
          await db.query(`INSERT INTO agreement_signature (agreement_id, party_id, membership_id, text_hash) VALUES ($1, $2, $3, $4)`, [
            ag.id,
            party.id,
            party.membership,
            'f'.repeat(64),
          ]);
        if (i < 10)
          await db.query(`INSERT INTO publish_consent (agreement_id, party_id, membership_id) VALUES ($1, $2, $3)`, [ag.id, party.id, party.membership]);
      }
    }
  }
  await db.query(
    `INSERT INTO room_event (room_id, seq, type, payload, at, prev_hash, hash)
     SELECT $1, s, t, p::jsonb, $5::timestamptz + s * interval '1 second', 'x', 'x' FROM unnest($2::int[], $3::text[], $4::text[]) AS e(s, t, p)`,
    [room.id, events.map((e) => e[0]), events.map((e) => e[1]), events.map((e) => JSON.stringify(e[2])), new Date(t0)],
  );
  await db.query(
    `INSERT INTO proposal_convergence (proposal_id, seq, at, open_brackets, open_amendments, supporting_parties)
     SELECT p, s, $6::timestamptz + s * interval '1 second', b, a, su FROM unnest($1::uuid[], $2::int[], $3::int[], $4::int[], $5::int[]) AS c(p, s, b, a, su)`,
    [points.map((x) => x[0]), points.map((x) => x[1]), points.map((x) => x[2]), points.map((x) => x[3]), points.map((x) => x[4]), new Date(t0)],
  );
  await db.query(`UPDATE room SET last_seq = $2 WHERE id = $1`, [room.id, seq]);
  await db.query('COMMIT');
  await db.query('ANALYZE');
  return { roomId: room.id, token, negotiatorToken, versions: VERSIONS * PROPOSALS, events: events.length, points: points.length };
}

// keepAliveGraphql (bench/lib.mjs): fetch's streams and a parsed 233 KiB answer made this
// process's own GC pauses fall inside the timed calls
const call = (api, token, roomId) => keepAliveGraphql(`${api.url}/graphql`)({ query: QUERY, variables: { id: roomId } }, token);

async function measure(api, room) {
  for (let i = 0; i < 10; i++) await call(api, room.token, room.roomId); // warm-up
  // the server's PostgreSQL backends: its pool's connections to this database
  const backends = (await db.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)).rows.map((r) => r.pid);
  const cpu0 = [cpuMsOf([api.child.pid]), cpuMsOf(backends)];
  const times = [];
  let last;
  for (let i = 0; i < REQUESTS; i++) {
    last = await call(api, room.token, room.roomId);
    times.push(last.ms);
  }
  times.sort((a, b) => a - b);
  const serverCpu = round((cpuMsOf([api.child.pid]) - cpu0[0]) / REQUESTS);
  const dbCpu = round((cpuMsOf(backends) - cpu0[1]) / REQUESTS);
  return { p50: round(percentile(times, 50)), p99: round(percentile(times, 99)), serverCpu, dbCpu, last };
}

// statements per call, for the facilitator and a negotiator, on a server that counts them
async function countStatements(dbUrl, rooms) {
  const counter = await startApi({ DATABASE_URL: dbUrl, PARLEY_COUNT_SQL: '1' }, SERVER_ROOT);
  try {
    const counts = [];
    for (const room of rooms) {
      const seen = new Set();
      for (let i = 0; i < 5; i++) for (const token of [room.token, room.negotiatorToken]) seen.add((await call(counter, token, room.roomId)).sql);
      counts.push([...seen].join(' / '));
    }
    return counts;
  } finally {
    await stop(counter.child);
  }
}

const name = `parley_bench_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
let api;
let other;
let db;
try {
  const dbUrl = withDb(ADMIN_URL, name);
  api = await startApi({ DATABASE_URL: dbUrl }, SERVER_ROOT, [...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : []), ...NODE_ARGS]);
  db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  const rooms = [];
  for (const versions of HISTORIES) rooms.push(await seed(db, versions));
  if (COMPARE_WITH) {
    other = await startApi({ DATABASE_URL: dbUrl }, COMPARE_WITH);
    for (const room of rooms) {
      for (const token of [room.token, room.negotiatorToken]) {
        const [a, b] = await Promise.all([call(api, token, room.roomId), call(other, token, room.roomId)]);
        if (a.text !== b.text) throw new Error(`the answers differ from ${COMPARE_WITH}'s in the room with ${room.versions} versions`);
      }
    }
    console.log(`same answers as ${COMPARE_WITH} (${rooms.length} rooms × facilitator and negotiator)`);
    await stop(other.child);
    other = undefined;
  }
  const statements = await countStatements(dbUrl, rooms);
  const runs = [];
  for (const [i, room] of rooms.entries()) runs.push({ room, sql: statements[i], ...(await measure(api, room)) });
  const [base, big] = runs;
  const progress = base.last.body.data.room.progress;
  for (const r of runs)
    console.log(
      `${r.room.versions} versions: seeded ${r.room.events} events, ${r.room.points} convergence points; answer ${Math.round(r.last.text.length / 1024)} KiB; p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.sql} statements; CPU per call: server ${r.serverCpu} ms, PostgreSQL ${r.dbCpu} ms`,
    );
  report('progress', {
    parties: progress.partyCount,
    proposals: progress.proposals.length,
    clauses: PROPOSALS * CLAUSES,
    versions: base.room.versions,
    ballots: PROPOSALS * BALLOTS,
    events: base.room.events,
    convergencePoints: progress.proposals.reduce((n, p) => n + p.convergence.length, 0),
    requests: REQUESTS,
    p50Ms: base.p50,
    p99Ms: base.p99,
    sqlStatementsPerCall: base.sql,
    answerKiB: Math.round(base.last.text.length / 1024),
    serverCpuMsPerCall: base.serverCpu,
    postgresCpuMsPerCall: base.dbCpu,
    largerHistoryVersions: big.room.versions,
    largerHistoryEvents: big.room.events,
    largerHistoryP50Ms: big.p50,
    largerHistoryP99Ms: big.p99,
    largerHistorySqlStatementsPerCall: big.sql,
    largerHistoryServerCpuMsPerCall: big.serverCpu,
    ...(SERVER_ROOT === ROOT ? {} : { server: SERVER_ROOT }),
  });
} finally {
  await db?.end();
  if (other) await stop(other.child);
  if (api) await stop(api.child);
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
