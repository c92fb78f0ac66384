// Live fan-out benchmark (not a test): 50 rooms × 20 members, open loop at stepped rates.
// Each step sends messages at a fixed total rate (spread over the rooms, each room's members
// in turn) for a few seconds whatever the receipts, then waits a grace period: p50/p99 from
// send to receipt at every other member of the room, and losses (a receipt still missing
// after the grace period, or a send refused); and send → the sender's ack (Parley acks after
// the commit: the durable write as its author sees it). "Sustained" is the highest step with p99 ≤ 250 ms
// and nothing lost; the run stops at the first step that fails. The same steps then run
// against a plain socket.io server with no persistence, on the same clients. Between the two,
// the floor under Parley's ack: durable commits alone at 100/s on the same PostgreSQL for 15 s
// (commitFloorAt100), so a p99 can be read against what the disk allowed in the same run.
//   node bench/live.bench.mjs       (after npm run build; DATABASE_URL = an admin URL)
//   BENCH_INSTANCES=2               also two API instances with the Redis adapter (REDIS_URL,
//                                   default redis://127.0.0.1:6379), members of every room
//                                   spread over both, the same total load
//   BENCH_PLAIN=0                   without the plain socket.io run
//   BENCH_STEPS=100,200,…  BENCH_STEP_SECONDS=4  BENCH_CPU_PROF=<dir> (profiles the API)
//   BENCH_SERVER_ROOT=<another checkout, built>: that build's API instead (a before/after pair)
//   BENCH_SERVER_NODE_ARGS='--max-semi-space-size=32 …': node options for the API alone
//   BENCH_WARM_UP_RATE=20 BENCH_WARM_UP_SECONDS=2: the uncounted first step, on every server
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { backendPids, connectAll, cpuMsOf, percentile as pct, round, seedRooms, startChild as startIn, withDb } from './lib.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SERVER_ROOT = process.env.BENCH_SERVER_ROOT ? resolve(process.env.BENCH_SERVER_ROOT) : ROOT;
const ROOMS = Number(process.env.BENCH_ROOMS ?? 50);
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 20);
const STEPS = (process.env.BENCH_STEPS ?? '25,50,100,200,300,400,560,800,1200,1600,2000,2400,2800,3200').split(',').map(Number);
const STEP_SECONDS = Number(process.env.BENCH_STEP_SECONDS ?? 4);
const GRACE_MS = 3000;
const WARM_UP_RATE = Number(process.env.BENCH_WARM_UP_RATE ?? 20);
const WARM_UP_SECONDS = Number(process.env.BENCH_WARM_UP_SECONDS ?? 2);
const P99_BAR_MS = 250;
// the commit floor's sample: a quiet machine (no load runs meanwhile; measured during a load,
// the clients' own backlog at high rates reads as commit time), long enough to catch the
// disk's stalls more often than not
const FLOOR_SECONDS = Number(process.env.BENCH_FLOOR_SECONDS ?? 15);
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 1);
const WITH_PLAIN = process.env.BENCH_PLAIN !== '0';
const SCENARIO = process.env.BENCH_SCENARIO ?? 'live';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const CPU_PROF = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : null;
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const startChild = (args, env, ready) => startIn(ROOT, args, env, ready);
// SIGTERM, then SIGKILL if a backlog keeps it from ending in time
const stop = (child) =>
  new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) return r();
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => (clearTimeout(kill), r()));
    child.kill('SIGTERM');
  });

// The load: one 'room:event' listener per socket, a table of messages in flight by body.
function attachReceipts(rooms) {
  const load = { rooms, pending: new Map(), latencies: [], failed: 0, next: 0, tag: randomBytes(3).toString('hex') };
  for (const room of rooms) {
    room.turn = 0;
    for (const s of room.sockets)
      s.on('room:event', (e) => {
        let body;
        try {
          body = JSON.parse(e.payload).body;
        } catch {
          return;
        }
        const entry = load.pending.get(body);
        if (!entry || entry.sender === s) return;
        load.latencies.push(performance.now() - entry.t0);
        if (--entry.remaining === 0) load.pending.delete(body);
      });
  }
  return load;
}

function sendOne(load) {
  const room = load.rooms[load.next % load.rooms.length];
  const sender = room.sockets[room.turn++ % room.sockets.length];
  const id = `${load.tag}:${load.next++}`;
  const t0 = performance.now();
  load.pending.set(id, { t0, remaining: room.sockets.length - 1, sender });
  sender.emit('message:send', { roomId: room.id, body: id, clientMsgId: id }, (ack) => {
    if (!ack?.ok) load.failed++;
    else load.acks.push(performance.now() - t0);
  });
}

// write(2)/writev(2) calls the server(s) made (Linux /proc; 0 elsewhere): socket writes
// are most of a fan-out's CPU
function writeCalls(pids) {
  let n = 0;
  for (const pid of pids) {
    try {
      n += Number(/syscw: (\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone, or not Linux
    }
  }
  return n;
}

// CPU of the server(s), their PostgreSQL backends (per pid: the pool may open one mid-step)
// and this process (the clients), in ms
async function cpuSample(target) {
  const backends = target.db ? await backendPids(target.db, target.database) : [];
  const usage = process.cpuUsage();
  return {
    server: cpuMsOf(target.pids),
    writes: writeCalls(target.pids),
    postgres: new Map(backends.map((pid) => [pid, cpuMsOf([pid])])),
    clients: (usage.user + usage.system) / 1000,
  };
}

function cpuUsed(before, after) {
  let postgres = 0;
  for (const [pid, ms] of after.postgres) postgres += ms - (before.postgres.get(pid) ?? 0);
  return { server: after.server - before.server, postgres, clients: after.clients - before.clients, writes: after.writes - before.writes };
}

async function runStep(load, target, rate, seconds = STEP_SECONDS) {
  load.latencies = [];
  load.acks = [];
  load.failed = 0;
  const total = Math.round(rate * seconds);
  const cpu0 = await cpuSample(target);
  const t0 = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
    for (; sent < due; sent++) sendOne(load);
    await sleep(1);
  }
  const sendMs = performance.now() - t0;
  const until = performance.now() + GRACE_MS;
  while (load.pending.size && performance.now() < until) await sleep(5);
  const wallMs = performance.now() - t0;
  const cpu = cpuUsed(cpu0, await cpuSample(target));
  let lost = 0;
  for (const e of load.pending.values()) lost += e.remaining;
  load.pending.clear();
  const latencies = load.latencies.sort((a, b) => a - b);
  const acks = load.acks.sort((a, b) => a - b);
  const p99 = pct(latencies, 99);
  return {
    rate,
    sentPerSecond: round(total / (sendMs / 1000)),
    deliveries: latencies.length,
    p50Ms: round(pct(latencies, 50)),
    p99Ms: round(p99),
    // send → the sender's ack: Parley acks once the message is committed, so this is the
    // durable write as its author sees it, and the rest of p50/p99 is the fan-out
    ackP50Ms: round(pct(acks, 50)),
    ackP99Ms: round(pct(acks, 99)),
    lost,
    failedSends: load.failed,
    ok: lost === 0 && load.failed === 0 && p99 !== null && p99 <= P99_BAR_MS,
    cores: { server: round(cpu.server / wallMs), postgres: round(cpu.postgres / wallMs), clients: round(cpu.clients / wallMs) },
    cpuMsPerMessage: { server: round(cpu.server / total), postgres: round(cpu.postgres / total), clients: round(cpu.clients / total) },
    serverWritesPerMessage: round(cpu.writes / total),
  };
}

// every step in turn until one fails; sustained = the last that passed
async function run(label, urlOf, rooms, auth, target) {
  const sockets = await connectAll(urlOf, rooms, auth);
  const load = attachReceipts(rooms);
  await runStep(load, target, WARM_UP_RATE, WARM_UP_SECONDS); // warm-up, not counted
  const steps = [];
  for (const rate of STEPS) {
    const s = await runStep(load, target, rate);
    steps.push(s);
    console.error(
      `${label} ${rate}/s: p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms (ack p50 ${s.ackP50Ms}, p99 ${s.ackP99Ms}), lost ${s.lost}, failed ${s.failedSends}, cores server ${s.cores.server} pg ${s.cores.postgres} clients ${s.cores.clients}; ms per message server ${s.cpuMsPerMessage.server} pg ${s.cpuMsPerMessage.postgres} clients ${s.cpuMsPerMessage.clients}; server writes per message ${s.serverWritesPerMessage}`,
    );
    if (!s.ok) break;
  }
  for (const s of sockets) s.disconnect();
  const sustained = steps.filter((s) => s.ok).at(-1) ?? null;
  return { sustained: sustained?.rate ?? 0, atSustained: sustained, steps };
}

// The floor under Parley's ack: a durable commit and nothing else, on the PostgreSQL the run
// uses, with no load running. One connection, open loop at `rate` for `seconds`: each
// tick sends BEGIN; INSERT; COMMIT in one round trip (fewer than Parley's two), timed from
// when it was due (a stalled fsync delays the ones queued behind it, as it does Parley's).
async function commitFloor(dbUrl, rate, seconds) {
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  await db.query('CREATE TABLE bench_commit_floor (id bigserial PRIMARY KEY, body text NOT NULL, at timestamptz NOT NULL DEFAULT now())');
  const body = `'${'x'.repeat(64)}'`;
  const latencies = [];
  const pending = [];
  const t0 = performance.now();
  for (let i = 0; i < rate * seconds; i++) {
    const due = t0 + (i * 1000) / rate;
    while (performance.now() < due) await sleep(1);
    pending.push(db.query(`BEGIN; INSERT INTO bench_commit_floor (body) VALUES (${body}); COMMIT`).then(() => latencies.push(performance.now() - due)));
  }
  await Promise.all(pending);
  await db.query('DROP TABLE bench_commit_floor');
  await db.end();
  latencies.sort((a, b) => a - b);
  return { rate, commits: latencies.length, p50Ms: round(pct(latencies, 50)), p99Ms: round(pct(latencies, 99)), maxMs: round(latencies.at(-1)) };
}

const PLAIN_SERVER = `
const { Server } = require('socket.io');
const http = require('node:http').createServer();
const io = new Server(http, { maxHttpBufferSize: 64 * 1024, serveClient: false });
let seq = 0;
io.of('/live').on('connection', (s) => {
  s.on('room:join', (p, ack) => { s.join('r:' + p.roomId); ack({ ok: true, lastSeq: 0, events: [] }); });
  s.on('message:send', (p, ack) => {
    const event = { seq: ++seq, type: 'message.posted', at: new Date().toISOString(), actor: null, payload: JSON.stringify({ body: p.body }) };
    ack({ ok: true, message: { id: p.clientMsgId, body: p.body } });
    io.of('/live').to('r:' + p.roomId).emit('room:event', event);
  });
});
http.listen(0, '127.0.0.1', () => console.log('PLAIN_PORT=' + http.address().port));
`;

async function startApis(count, dbUrl) {
  const env = {
    DATABASE_URL: dbUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    REDIS_URL: count > 1 ? REDIS_URL : '',
    PARLEY_REDIS_PREFIX: `parley_bench_${randomBytes(4).toString('hex')}`,
    // the bench's senders are few sessions at high rates: not what the limiter is for
    PARLEY_SOCKET_EVENTS_PER_10S: '1000000',
  };
  const args = [...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : []), ...NODE_ARGS, 'dist/apps/api/src/main.js'];
  const apis = [];
  for (let i = 0; i < count; i++) apis.push(await startIn(SERVER_ROOT, args, env, (out) => /"port":(\d+),"ms"/.exec(out)?.[1]));
  return apis;
}

const compact = (steps) => steps.map((s) => `${s.rate}/s p99 ${s.p99Ms} ms${s.lost || s.failedSends ? `, lost ${s.lost + s.failedSends}` : ''}`);
const cpuText = (s) =>
  s
    ? `server ${s.cores.server} / PostgreSQL ${s.cores.postgres} / clients ${s.cores.clients} cores; ${s.cpuMsPerMessage.server} / ${s.cpuMsPerMessage.postgres} / ${s.cpuMsPerMessage.clients} ms per message; ${s.serverWritesPerMessage} server writes per message`
    : null;
const stepAt = (r, rate) => r.steps.find((s) => s.rate === rate && s.ok) ?? null;

const name = `parley_bench_${randomBytes(5).toString('hex')}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const dbUrl = withDb(ADMIN_URL, name);
const loadAverage = round(loadavg()[0]);
let running = [];
try {
  running = await startApis(1, dbUrl);
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  await db.query('BEGIN');
  const rooms = await seedRooms(db, { rooms: ROOMS, members: MEMBERS, parties: 4 });
  await db.query('COMMIT');
  await db.end();
  console.error(`seeded ${ROOMS} rooms × ${MEMBERS} members; load average ${loadAverage}`);
  const token = (t) => ({ token: t });
  const apiTarget = (apis) => ({ pids: apis.map((a) => a.child.pid), db: admin, database: name });
  const one = await run('parley', `http://127.0.0.1:${running[0].port}`, rooms, token, apiTarget(running));
  for (const a of running) await stop(a.child);
  running = [];
  // beside the comparison with plain socket.io (not in the two-instance scenario)
  const floor = WITH_PLAIN ? await commitFloor(dbUrl, 100, FLOOR_SECONDS) : null;
  if (floor) console.error(`a durable commit alone at 100/s: p50 ${floor.p50Ms} ms, p99 ${floor.p99Ms} ms, max ${floor.maxMs} ms`);
  let two = null;
  if (INSTANCES > 1) {
    running = await startApis(INSTANCES, dbUrl);
    const urls = running.map((a) => `http://127.0.0.1:${a.port}`);
    two = await run(`parley ×${INSTANCES}`, (m) => urls[m % urls.length], rooms, token, apiTarget(running));
    for (const a of running) await stop(a.child);
    running = [];
  }
  let plain = null;
  if (WITH_PLAIN) {
    running = [await startChild(['-e', PLAIN_SERVER], {}, (out) => /PLAIN_PORT=(\d+)/.exec(out)?.[1])];
    plain = await run('plain', `http://127.0.0.1:${running[0].port}`, rooms, () => ({}), { pids: [running[0].child.pid] });
  }
  const figures = { rooms: ROOMS, membersPerRoom: MEMBERS, stepSeconds: STEP_SECONDS, loadAverage, sustained: one.sustained };
  figures.cpuAtSustained = cpuText(one.atSustained);
  // per message at the lowest step, whether or not it passed: robust to a shared machine
  figures.cpuAtFirstStep = cpuText(one.steps[0]);
  figures.steps = compact(one.steps);
  if (plain) {
    const common = Math.min(one.sustained, plain.sustained);
    const [a, b] = [stepAt(one, common), stepAt(plain, common)];
    const atRate = (rate) => {
      const [x, y] = [stepAt(one, rate), stepAt(plain, rate)];
      if (!x || !y) return {};
      return {
        [`p99At${rate}Ms`]: x.p99Ms,
        [`plainP99At${rate}Ms`]: y.p99Ms,
        [`p99RatioAt${rate}`]: round(x.p99Ms / y.p99Ms),
        // how much of it is the durable write (send → ack, the ack after the commit)
        [`ackP50At${rate}Ms`]: x.ackP50Ms,
        [`ackP99At${rate}Ms`]: x.ackP99Ms,
        [`plainAckP99At${rate}Ms`]: y.ackP99Ms,
      };
    };
    Object.assign(figures, {
      plainSustained: plain.sustained,
      throughputRatio: plain.sustained ? round(one.sustained / plain.sustained) : null,
      commonRate: common,
      p99AtCommonMs: a?.p99Ms ?? null,
      plainP99AtCommonMs: b?.p99Ms ?? null,
      p99RatioAtCommon: a && b ? round(a.p99Ms / b.p99Ms) : null,
      // and at 100 msg/s, the rate the issue compared them at ("where both keep up"): the
      // highest common rate is where the slower of the two is at its own limit
      ...atRate(100),
      // what the disk alone allows at 100/s: Parley's ack can be no faster than this
      commitFloorAt100: `p50 ${floor.p50Ms} ms, p99 ${floor.p99Ms} ms, max ${floor.maxMs} ms (${floor.commits} commits, one connection)`,
      plainCpuAtSustained: cpuText(plain.atSustained),
      plainSteps: compact(plain.steps),
    });
  }
  if (two) {
    const common = Math.min(one.sustained, two.sustained);
    const [a, b] = [stepAt(one, common), stepAt(two, common)];
    Object.assign(figures, {
      instances: INSTANCES,
      instancesSustained: two.sustained,
      instancesThroughputRatio: one.sustained ? round(two.sustained / one.sustained) : null,
      instancesP99AtCommonMs: b?.p99Ms ?? null,
      instancesP99DeltaMs: a && b ? round(b.p99Ms - a.p99Ms) : null,
      instancesCpuAtSustained: cpuText(two.atSustained),
      instancesCpuAtFirstStep: cpuText(two.steps[0]),
      instancesSteps: compact(two.steps),
    });
  }
  console.log(JSON.stringify({ one, two, plain }));
  console.log(`BENCH_RESULT ${JSON.stringify({ scenario: SCENARIO, ...figures })}`);
} finally {
  for (const a of running) await stop(a.child);
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
