// Log growth benchmark (not a test): what one live message costs in a room whose log holds
// 1,000 events and in one whose log holds 100,000 (seeded with SQL: message.posted events with
// their message rows, one in 50 redacted; the hash chain is not valid, nothing here reads it).
// One sender and one receiver per room; messages sent one at a time, alternating the rooms in
// blocks, timed from send to receipt by the other member. Per room: p50/p99, server and
// PostgreSQL CPU per message (PostgreSQL: the server's own backends), and the SQL statements
// and round trips per message, counted by a PostgreSQL wire-protocol proxy in front of a
// second server process (so the timed one runs without it).
//   node bench/log-growth.bench.mjs   (after npm run build; DATABASE_URL = an admin URL)
// BENCH_SERVER_ROOT=<another checkout, built>: measure that build's server instead.
// BENCH_CPU_PROF=<dir>: the timed server runs under node --cpu-prof, its profile written there.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { randomBytes } from 'node:crypto';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { connectAll, countingProxy, percentile, report, round, seedRooms, startChild, stopChild, withDb } from './lib.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SERVER_ROOT = process.env.BENCH_SERVER_ROOT ? resolve(process.env.BENCH_SERVER_ROOT) : ROOT;
const SIZES = [1_000, 100_000];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const PER_BLOCK = Number(process.env.BENCH_PER_BLOCK ?? 50);
const COUNTED = 50;
const CPU_PROF = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : null;
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TICK_MS = 10; // /proc/<pid>/stat counts CPU in clock ticks of 10 ms (USER_HZ = 100)

// Events 1..n of a room's log, straight into the tables: a message.posted (and its message
// row) per seq, every 50th a message.redacted of the message before it.
async function seedLog(db, roomId, n) {
  const m = await db.query(`SELECT id, user_id FROM membership WHERE room_id = $1 AND role = 'NEGOTIATOR' LIMIT 1`, [roomId]);
  const { id: membershipId, user_id: userId } = m.rows[0];
  await db.query(
    `INSERT INTO message (id, room_id, seq, thread, author_membership_id, user_id, client_msg_id, body, created_at, redacted_at)
     SELECT md5($1::text || s)::uuid, $2::uuid, s, NULL, $3::uuid, $4::uuid, 'seed-' || s, CASE WHEN s % 50 = 49 THEN '' ELSE 'seeded message ' || s END,
            now(), CASE WHEN s % 50 = 49 THEN now() END
       FROM generate_series(1, $5::int) s WHERE s % 50 <> 0`,
    [roomId, roomId, membershipId, userId, n],
  );
  await db.query(
    `INSERT INTO room_event (room_id, stream, seq, type, actor_membership_id, payload, at, prev_hash, hash, format, salts)
     SELECT $2::uuid, 'room', s, CASE WHEN s % 50 = 0 THEN 'message.redacted' ELSE 'message.posted' END, $3::uuid,
            CASE WHEN s % 50 = 0 THEN jsonb_build_object('messageId', md5($1::text || (s - 1))::uuid, 'thread', NULL)
                 ELSE jsonb_build_object('messageId', md5($1::text || s)::uuid, 'thread', NULL, 'body', 'seeded message ' || s) END,
            now(), md5('h' || (s - 1)), md5('h' || s), 2, '{}'::jsonb
       FROM generate_series(1, $4::int) s`,
    [roomId, roomId, membershipId, n],
  );
  await db.query(`UPDATE room SET last_seq = $2::int, head_hash = md5('h' || $3::text) WHERE id = $1`, [roomId, n, n]);
}

async function seed(dbUrl) {
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  try {
    await db.query('BEGIN');
    const rooms = await seedRooms(db, { rooms: SIZES.length, members: 2, parties: 1 });
    for (const [i, n] of SIZES.entries()) await seedLog(db, rooms[i].id, n);
    await db.query('COMMIT');
    await db.query('ANALYZE');
    return rooms;
  } finally {
    await db.end();
  }
}

const startApi = (dbUrl, nodeArgs = []) =>
  startChild(
    SERVER_ROOT,
    [...nodeArgs, 'dist/apps/api/src/main.js'],
    { DATABASE_URL: dbUrl, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', REDIS_URL: '', PARLEY_SOCKET_EVENTS_PER_10S: '1000000' },
    (out) => /"port":(\d+),"ms"/.exec(out)?.[1],
  );

// one message from the room's first member, until the second received it (ms)
async function sendOne(room, n) {
  const [sender, receiver] = room.sockets;
  const body = `${room.id} ${n} ${randomBytes(4).toString('hex')}`;
  const t0 = performance.now();
  const received = new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error('no receipt in 10 s')), 10_000);
    const on = (e) => {
      if (JSON.parse(e.payload).body !== body) return;
      clearTimeout(timer);
      receiver.off('room:event', on);
      res(performance.now() - t0);
    };
    receiver.on('room:event', on);
  });
  const ack = await sender.timeout(10_000).emitWithAck('message:send', { roomId: room.id, body, clientMsgId: body });
  if (!ack.ok) throw new Error(`send failed: ${JSON.stringify(ack)}`);
  return received;
}

const ticksOf = (pid) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0; // a backend that ended
  }
};

async function cpuTicks(admin, dbName, serverPid) {
  const { rows } = await admin.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [dbName]);
  return { server: ticksOf(serverPid), postgres: Object.fromEntries(rows.map((r) => [r.pid, ticksOf(r.pid)])) };
}

const postgresDelta = (a, b) => Object.entries(b.postgres).reduce((sum, [pid, t]) => sum + t - (a.postgres[pid] ?? 0), 0);

// serial sends in blocks, alternating the rooms so both see the same neighbours
async function timed(rooms, admin, dbName, serverPid) {
  const stats = rooms.map(() => ({ latencies: [], serverTicks: 0, postgresTicks: 0, messages: 0 }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, room] of rooms.entries()) {
      const before = await cpuTicks(admin, dbName, serverPid);
      for (let k = 0; k < PER_BLOCK; k++) stats[i].latencies.push(await sendOne(room, `${round}.${k}`));
      const after = await cpuTicks(admin, dbName, serverPid);
      stats[i].serverTicks += after.server - before.server;
      stats[i].postgresTicks += postgresDelta(before, after);
      stats[i].messages += PER_BLOCK;
    }
  }
  return stats.map((s) => {
    const sorted = [...s.latencies].sort((a, b) => a - b);
    return {
      p50Ms: round(percentile(sorted, 50)),
      p99Ms: round(percentile(sorted, 99)),
      serverCpuMsPerMessage: round((s.serverTicks * TICK_MS) / s.messages),
      postgresCpuMsPerMessage: round((s.postgresTicks * TICK_MS) / s.messages),
    };
  });
}

// statements and round trips of COUNTED messages in each room, through the proxy
async function counted(rooms, proxy) {
  const out = [];
  for (const room of rooms) {
    await sendOne(room, 'warm');
    const before = { ...proxy.counts };
    for (let k = 0; k < COUNTED; k++) await sendOne(room, `count.${k}`);
    // the receipt can come before the last statements of the send's transaction return
    await new Promise((r) => setTimeout(r, 200));
    out.push({
      statementsPerMessage: round((proxy.counts.statements - before.statements) / COUNTED),
      roundTripsPerMessage: round((proxy.counts.roundTrips - before.roundTrips) / COUNTED),
    });
  }
  return out;
}

const withSockets = async (url, rooms, work) => {
  const sockets = await connectAll(url, rooms);
  try {
    return await work();
  } finally {
    for (const s of sockets) s.disconnect();
  }
};

const loadAtStart = loadavg()[0];
const dbName = `parley_bench_${randomBytes(5).toString('hex')}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const dbUrl = withDb(ADMIN_URL, dbName);
let api;
let proxy;
try {
  const t0 = Date.now();
  api = await startApi(dbUrl, CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROF] : []); // runs the migrations
  const rooms = await seed(dbUrl);
  console.error(`seeded logs of ${SIZES.join(' and ')} events in ${Date.now() - t0} ms`);
  const url = `http://127.0.0.1:${api.port}`;
  const times = await withSockets(url, rooms, async () => {
    for (const room of rooms) for (let k = 0; k < 20; k++) await sendOne(room, `warm.${k}`);
    return timed(rooms, admin, dbName, api.child.pid);
  });
  await stopChild(api.child);
  api = null;
  const target = new URL(dbUrl);
  proxy = await countingProxy({ host: target.hostname, port: Number(target.port || 5432) });
  api = await startApi(Object.assign(new URL(dbUrl), { port: String(proxy.port) }).toString());
  const counts = await withSockets(`http://127.0.0.1:${api.port}`, rooms, () => counted(rooms, proxy));
  const [small, large] = SIZES.map((events, i) => ({ events, ...times[i], ...counts[i] }));
  console.log(JSON.stringify({ bench: 'log-growth', server: SERVER_ROOT, small, large }));
  report('log-growth', {
    events: SIZES.join(' / '),
    messagesPerRoom: ROUNDS * PER_BLOCK,
    p50Ms: `${small.p50Ms} / ${large.p50Ms}`,
    p99Ms: `${small.p99Ms} / ${large.p99Ms}`,
    p50Growth: round(large.p50Ms / small.p50Ms),
    cpuGrowth: round((large.serverCpuMsPerMessage + large.postgresCpuMsPerMessage) / (small.serverCpuMsPerMessage + small.postgresCpuMsPerMessage)),
    serverCpuMsPerMessage: `${small.serverCpuMsPerMessage} / ${large.serverCpuMsPerMessage}`,
    postgresCpuMsPerMessage: `${small.postgresCpuMsPerMessage} / ${large.postgresCpuMsPerMessage}`,
    statementsPerMessage: `${small.statementsPerMessage} / ${large.statementsPerMessage}`,
    roundTripsPerMessage: `${small.roundTripsPerMessage} / ${large.roundTripsPerMessage}`,
    loadAverage: round(loadAtStart),
  });
} finally {
  if (api) await stopChild(api.child);
  proxy?.server.close();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
}
