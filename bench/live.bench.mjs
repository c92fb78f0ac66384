// Live feed benchmark (not a test): 50 rooms × 20 members on one API instance, closed loop
// (one message in flight per room), then the same pattern through a plain socket.io server
// with no persistence, in the same process tree. Prints one JSON line of results at the end.
//   node bench/live.bench.mjs          (after npm run build; DATABASE_URL = an admin URL)
import { spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { io } from 'socket.io-client';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ROOMS = Number(process.env.BENCH_ROOMS ?? 50);
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const MAX_MESSAGES = 50_000;
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const withDb = (url, name) => Object.assign(new URL(url), { pathname: `/${name}` }).toString();
const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : null);
const round = (n) => (n === null ? null : Math.round(n * 100) / 100);

function startChild(args, env, ready) {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs = [];
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`child did not start:\n${logs.join('')}`)), 60_000);
    child.stdout.on('data', (c) => {
      logs.push(String(c));
      const port = ready(logs.join(''));
      if (port) {
        clearTimeout(timer);
        res({ child, port });
      }
    });
    child.stderr.on('data', (c) => logs.push(String(c)));
    child.on('exit', (code) => rej(new Error(`child exited with ${code}:\n${logs.join('')}`)));
  });
}

const stop = (child) => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', r), child.kill('SIGTERM'))));

// Users, sessions, rooms, parties and memberships straight into the database: sign-up's
// argon2 would dominate the set-up time and is not what is measured.
async function seed(db) {
  const rooms = [];
  await db.query('BEGIN');
  for (let r = 0; r < ROOMS; r++) {
    const members = [];
    const creator = randomUUID();
    await db.query(`INSERT INTO app_user (id, email, display_name, password_hash) VALUES ($1, $2, 'Bench', 'x')`, [creator, `${creator}@bench.invalid`]);
    const {
      rows: [room],
    } = await db.query(`INSERT INTO room (title, purpose, speaker_attribution, created_by) VALUES ('Bench', 'bench', 'ATTRIBUTED', $1) RETURNING id`, [
      creator,
    ]);
    const parties = [];
    for (let p = 0; p < 4; p++) parties.push((await db.query(`INSERT INTO party (room_id, name) VALUES ($1, $2) RETURNING id`, [room.id, `P${p}`])).rows[0].id);
    for (let m = 0; m < MEMBERS; m++) {
      const userId = m === 0 ? creator : randomUUID();
      if (m > 0)
        await db.query(`INSERT INTO app_user (id, email, display_name, password_hash) VALUES ($1, $2, $3, 'x')`, [
          userId,
          `${userId}@bench.invalid`,
          `Member ${m}`,
        ]);
      const token = randomBytes(32).toString('base64url');
      await db.query(`INSERT INTO user_session (user_id, token_hash, expires_at) VALUES ($1, $2, now() + interval '1 day')`, [
        userId,
        createHash('sha256').update(token).digest('hex'),
      ]);
      const role = m === 0 ? 'FACILITATOR' : 'NEGOTIATOR';
      await db.query(`INSERT INTO membership (room_id, user_id, role, party_id, display_name) VALUES ($1, $2, $3, $4, $5)`, [
        room.id,
        userId,
        role,
        m === 0 ? null : parties[m % 4],
        `Member ${m}`,
      ]);
      members.push(token);
    }
    rooms.push({ id: room.id, tokens: members });
  }
  await db.query('COMMIT');
  return rooms;
}

async function connectAll(url, rooms, auth) {
  const sockets = [];
  for (const room of rooms) {
    room.sockets = await Promise.all(
      room.tokens.map(
        (token) =>
          new Promise((res, rej) => {
            const s = io(`${url}/live`, { auth: auth(token), transports: ['websocket'], reconnection: false, forceNew: true });
            s.once('connect', () => res(s));
            s.once('connect_error', rej);
          }),
      ),
    );
    sockets.push(...room.sockets);
    for (const s of room.sockets) {
      const ack = await s.timeout(30_000).emitWithAck('room:join', { roomId: room.id });
      if (!ack.ok) throw new Error(`join failed: ${JSON.stringify(ack)}`);
    }
  }
  return sockets;
}

// Closed loop: each room keeps one message in flight (sent by its members in turn) and
// waits until every other member received it before sending the next.
async function run(url, rooms, auth, bodyOf) {
  const sockets = await connectAll(url, rooms, auth);
  const latencies = [];
  let sent = 0;
  const deadline = Date.now() + SECONDS * 1000;
  const started = Date.now();
  await Promise.all(
    rooms.map(async (room) => {
      let turn = 0;
      while (Date.now() < deadline && sent < MAX_MESSAGES) {
        const sender = room.sockets[turn++ % room.sockets.length];
        const id = `${room.id}:${turn}`;
        const others = room.sockets.filter((s) => s !== sender);
        const t0 = performance.now();
        const received = others.map(
          (s) =>
            new Promise((res) => {
              const timer = setTimeout(() => (s.off('room:event', on), res(null)), 10_000);
              const on = (e) => {
                if (bodyOf(e) !== id) return;
                clearTimeout(timer);
                s.off('room:event', on);
                res(performance.now() - t0);
              };
              s.on('room:event', on);
            }),
        );
        const ack = await sender
          .timeout(10_000)
          .emitWithAck('message:send', { roomId: room.id, body: id, clientMsgId: id })
          .catch(() => null);
        if (!ack?.ok) throw new Error(`send failed: ${JSON.stringify(ack)}`);
        sent++;
        for (const l of await Promise.all(received)) if (l !== null) latencies.push(l);
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  for (const s of sockets) s.disconnect();
  latencies.sort((a, b) => a - b);
  return {
    messages: sent,
    seconds: round(seconds),
    messagesPerSecond: round(sent / seconds),
    deliveries: latencies.length,
    p50Ms: round(pct(latencies, 50)),
    p99Ms: round(pct(latencies, 99)),
  };
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

const name = `parley_bench_${randomBytes(5).toString('hex')}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const dbUrl = withDb(ADMIN_URL, name);
let api;
let plain;
try {
  api = await startChild(
    ['dist/apps/api/src/main.js'],
    { DATABASE_URL: dbUrl, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', REDIS_URL: '' },
    (out) => /"port":(\d+),"ms"/.exec(out)?.[1],
  );
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  const rooms = await seed(db);
  await db.end();
  console.error(`seeded ${ROOMS} rooms × ${MEMBERS} members; measuring Parley for ${SECONDS} s`);
  const parley = await run(
    `http://127.0.0.1:${api.port}`,
    rooms,
    (token) => ({ token }),
    (e) => JSON.parse(e.payload).body,
  );
  await stop(api.child);
  api = null;
  plain = await startChild(['-e', PLAIN_SERVER], {}, (out) => /PLAIN_PORT=(\d+)/.exec(out)?.[1]);
  console.error(`measuring plain socket.io for ${SECONDS} s`);
  const baseline = await run(
    `http://127.0.0.1:${plain.port}`,
    rooms,
    () => ({}),
    (e) => JSON.parse(e.payload).body,
  );
  const result = {
    bench: 'live',
    rooms: ROOMS,
    membersPerRoom: MEMBERS,
    parley,
    plainSocketIo: baseline,
    ratio: {
      throughput: round(parley.messagesPerSecond / baseline.messagesPerSecond),
      p50: round(parley.p50Ms / baseline.p50Ms),
      p99: round(parley.p99Ms / baseline.p99Ms),
    },
  };
  console.log(JSON.stringify(result));
  console.log(
    `BENCH_RESULT ${JSON.stringify({ scenario: 'live', rooms: ROOMS, membersPerRoom: MEMBERS, messagesPerSecond: parley.messagesPerSecond, p50Ms: parley.p50Ms, p99Ms: parley.p99Ms, plainMessagesPerSecond: baseline.messagesPerSecond, plainP50Ms: baseline.p50Ms, plainP99Ms: baseline.p99Ms, throughputRatio: result.ratio.throughput })}`,
  );
} finally {
  if (api) await stop(api.child);
  if (plain) await stop(plain.child);
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
