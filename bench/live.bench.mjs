// Live feed benchmark (not a test): 50 rooms × 20 members on one API instance, closed loop
// (one message in flight per room), then the same pattern through a plain socket.io server
// with no persistence, in the same process tree. Prints one JSON line of results at the end.
//   node bench/live.bench.mjs          (after npm run build; DATABASE_URL = an admin URL)
import { randomBytes } from 'node:crypto';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { connectAll, percentile as pct, round, seedRooms, startChild as startIn, stopChild as stop, withDb } from './lib.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const startChild = (args, env, ready) => startIn(ROOT, args, env, ready);
const ROOMS = Number(process.env.BENCH_ROOMS ?? 50);
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const MAX_MESSAGES = 50_000;
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const seed = async (db) => {
  await db.query('BEGIN');
  const rooms = await seedRooms(db, { rooms: ROOMS, members: MEMBERS, parties: 4 });
  await db.query('COMMIT');
  return rooms;
};

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
