// Sign-in burst benchmark (not a test): does a burst of logins and sign-ups (argon2 is
// expensive on purpose) slow the live feed of other rooms? One API instance, machine
// PostgreSQL. A steady open-loop live load runs on several rooms throughout, well below
// saturation; quiet and burst phases alternate (so a machine shared with other work weighs on
// both alike), and p50/p99 from send to receipt are compared. The bar: the burst may
// raise the live p99 by at most half (ratio ≤ 1.5).
//   node bench/burst.bench.mjs          (after npm run build; DATABASE_URL = an admin URL)
// BENCH_SERVER_ARGS passes node flags to the server (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p");
// BENCH_ROOMS, BENCH_MEMBERS, BENCH_INTERVAL_MS, BENCH_PHASE_SECONDS, BENCH_ROUNDS,
// BENCH_SETTLE_SECONDS, BENCH_BURST_CLIENTS, BENCH_BURST_IPS change the shape.
//
// Burst clients come from several loopback addresses (127.0.0.2, 127.0.0.3, …: real source
// addresses, no X-Forwarded-For), so the per-address limit (PARLEY_AUTH_RATE_PER_IP, 100 per
// 15 minutes by default) refuses each address's excess, not the whole burst at once.
import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hash, Algorithm } from '@node-rs/argon2';
import pg from 'pg';
import { connectAll, percentile as pct, round, seedRooms, startChild as startIn, stopChild as stop, withDb } from './lib.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const startChild = (args, env, ready) => startIn(ROOT, args, env, ready);
const ROOMS = Number(process.env.BENCH_ROOMS ?? 10);
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 5);
// each room sends one message every INTERVAL ms (open loop: the next does not wait)
const INTERVAL_MS = Number(process.env.BENCH_INTERVAL_MS ?? 1000);
const PHASE_S = Number(process.env.BENCH_PHASE_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
// after each burst, a pause not counted in either phase: the queues it left drain
const SETTLE_S = Number(process.env.BENCH_SETTLE_SECONDS ?? 4);
// concurrent burst clients, and the loopback addresses they come from
const BURST_CLIENTS = Number(process.env.BENCH_BURST_CLIENTS ?? 48);
const BURST_IPS = Number(process.env.BENCH_BURST_IPS ?? 48);
const ACCOUNTS = 200;
const PASSWORD = 'bench login passphrase, long enough';
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Rooms, members and their sessions straight into the database (as bench/live.bench.mjs),
// and ACCOUNTS users with a real argon2id hash (the server's parameters) to sign in as.
async function seed(db) {
  await db.query('BEGIN');
  const rooms = await seedRooms(db, { rooms: ROOMS, members: MEMBERS, parties: 2 });
  const passwordHash = await hash(PASSWORD, { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 });
  const accounts = [];
  for (let i = 0; i < ACCOUNTS; i++) {
    const email = `login-${i}-${randomBytes(3).toString('hex')}@bench.invalid`;
    await db.query(`INSERT INTO app_user (email, display_name, password_hash) VALUES ($1, 'Signs in', $2)`, [email, passwordHash]);
    accounts.push(email);
  }
  await db.query('COMMIT');
  return { rooms, accounts };
}

// Open loop: every INTERVAL_MS each room sends a message (its members in turn, rooms evenly
// staggered); each receipt by another member is one latency sample, filed under the phase
// the message was sent in.
function liveLoad(rooms, phaseOf) {
  const samples = new Map();
  // send → acknowledgement (the write committed), per phase
  const acks = new Map();
  const sentAt = new Map();
  let failures = 0;
  let lost = 0;
  let stopped = false;
  for (const room of rooms) {
    for (const s of room.sockets) {
      s.on('room:event', (e) => {
        const t = sentAt.get(JSON.parse(e.payload).body);
        if (!t || t.from === s) return;
        t.pending -= 1;
        if (!samples.has(t.phase)) samples.set(t.phase, []);
        samples.get(t.phase).push(performance.now() - t.t0);
      });
    }
  }
  const loops = rooms.map(async (room, r) => {
    await sleep((INTERVAL_MS * r) / rooms.length);
    let turn = 0;
    let next = performance.now();
    while (!stopped) {
      const sender = room.sockets[turn++ % room.sockets.length];
      const body = `${room.id}:${turn}`;
      sentAt.set(body, { t0: performance.now(), from: sender, phase: phaseOf(), pending: room.sockets.length - 1 });
      sender
        .timeout(10_000)
        .emitWithAck('message:send', { roomId: room.id, body, clientMsgId: randomUUID() })
        .then((ack) => {
          if (!ack?.ok) return (failures += 1);
          const t = sentAt.get(body);
          if (!acks.has(t.phase)) acks.set(t.phase, []);
          acks.get(t.phase).push(performance.now() - t.t0);
        })
        .catch(() => (failures += 1));
      next += INTERVAL_MS;
      await sleep(Math.max(0, next - performance.now()));
    }
  });
  return {
    samples,
    acks,
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
      await sleep(3_000);
      for (const t of sentAt.values()) lost += Math.max(0, t.pending);
      return { failures, lost };
    },
  };
}

// one GraphQL request from a given loopback address
function gql(port, localAddress, query, variables) {
  const body = JSON.stringify({ query, variables });
  return new Promise((res) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        localAddress,
        path: '/graphql',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        agent: false,
      },
      (r) => {
        let text = '';
        r.setEncoding('utf8');
        r.on('data', (c) => (text += c));
        r.on('end', () => {
          try {
            res(JSON.parse(text));
          } catch {
            res({ errors: [{ extensions: { code: `HTTP_${r.statusCode}` } }] });
          }
        });
      },
    );
    req.on('error', (e) => res({ errors: [{ extensions: { code: `NET_${e.code ?? 'ERROR'}` } }] }));
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.end(body);
  });
}

const LOGIN = `mutation($email: String!, $password: String!) { login(email: $email, password: $password) { expiresAt } }`;
const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { expiresAt } }`;

// BURST_CLIENTS loops, each from one of BURST_IPS addresses, alternating a login (right
// password, one of the seeded accounts) and a sign-up (a new address); a refused one waits
// 100 ms before its next try, as a client would
function burst(port, accounts) {
  let stopped = false;
  const tally = { login: { served: 0, refused: 0, other: {} }, signUp: { served: 0, refused: 0, other: {} } };
  const answerMs = [];
  const loops = Array.from({ length: BURST_CLIENTS }, async (_, i) => {
    const ip = `127.0.0.${2 + (i % BURST_IPS)}`;
    for (let n = 0; !stopped; n++) {
      const kind = (n + i) % 2 ? 'signUp' : 'login';
      const t0 = performance.now();
      const r =
        kind === 'login'
          ? await gql(port, ip, LOGIN, { email: accounts[(i * 7 + n) % accounts.length], password: PASSWORD })
          : await gql(port, ip, SIGN_UP, {
              input: { email: `new-${randomUUID()}@bench.invalid`, password: `${randomBytes(12).toString('hex')} sign-up`, displayName: 'New' },
            });
      const code = r.errors?.[0]?.extensions?.code;
      if (!code && r.data) {
        tally[kind].served += 1;
        answerMs.push(performance.now() - t0);
      } else if (code === 'RATE_LIMITED') {
        tally[kind].refused += 1;
        await sleep(100);
      } else {
        tally[kind].other[code ?? 'none'] = (tally[kind].other[code ?? 'none'] ?? 0) + 1;
        await sleep(100);
      }
    }
  });
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
      answerMs.sort((a, b) => a - b);
      return { ...tally, servedP50Ms: round(pct(answerMs, 50)), servedP99Ms: round(pct(answerMs, 99)) };
    },
  };
}

// The burst runs in a process of its own (`--burst`, driven over IPC): its HTTP work must not
// delay this process's event loop, which timestamps the live receipts.
if (process.argv[2] === '--burst') {
  const b = burst(Number(process.env.BURST_PORT), JSON.parse(process.env.BURST_ACCOUNTS));
  process.once('message', async () => {
    process.send(await b.stop(), () => process.exit(0));
  });
} else {
  await main();
}

function burstProcess(port, accounts) {
  const child = fork(fileURLToPath(import.meta.url), ['--burst'], {
    env: { ...process.env, BURST_PORT: String(port), BURST_ACCOUNTS: JSON.stringify(accounts) },
  });
  return {
    stop: () =>
      new Promise((res, rej) => {
        child.once('message', res);
        child.once('exit', (code) => rej(new Error(`the burst process exited with ${code}`)));
        child.send('stop');
      }),
  };
}

async function main() {
  const name = `parley_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const dbUrl = withDb(ADMIN_URL, name);
  let api;
  try {
    api = await startChild(
      [...(process.env.BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean), 'dist/apps/api/src/main.js'],
      { DATABASE_URL: dbUrl, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', REDIS_URL: '', PARLEY_OPEN_SIGNUP: 'true' },
      (out) => /"port":(\d+),"ms"/.exec(out)?.[1],
    );
    const db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    const { rooms, accounts } = await seed(db);
    await db.end();
    const url = `http://127.0.0.1:${api.port}`;
    await connectAll(url, rooms);
    let phase = 'warmup';
    const load = liveLoad(rooms, () => phase);
    console.error(
      `${ROOMS} rooms × ${MEMBERS} members, one message per room every ${INTERVAL_MS} ms; ${ROUNDS} rounds of ${PHASE_S} s quiet then ${PHASE_S} s of a burst (and ${SETTLE_S} s to settle) by ${BURST_CLIENTS} clients from ${BURST_IPS} addresses`,
    );
    await sleep(5_000);
    const bursts = [];
    for (let round = 0; round < ROUNDS; round++) {
      phase = 'quiet';
      await sleep(PHASE_S * 1000);
      phase = 'burst';
      const b = burstProcess(api.port, accounts);
      await sleep(PHASE_S * 1000);
      bursts.push(await b.stop());
      phase = 'settle';
      await sleep(SETTLE_S * 1000);
      console.error(`round ${round + 1}: ${JSON.stringify(bursts.at(-1))}`);
    }
    phase = 'after';
    await sleep(2_000);
    const { failures, lost } = await load.stop();
    for (const room of rooms) for (const s of room.sockets) s.disconnect();
    const stats = (p) => {
      const xs = (load.samples.get(p) ?? []).sort((a, b) => a - b);
      return { deliveries: xs.length, p50Ms: round(pct(xs, 50)), p99Ms: round(pct(xs, 99)) };
    };
    const quiet = stats('quiet');
    const during = stats('burst');
    const ackStats = (p) => {
      const xs = (load.acks.get(p) ?? []).sort((a, b) => a - b);
      return { acks: xs.length, p50Ms: round(pct(xs, 50)), p99Ms: round(pct(xs, 99)) };
    };
    const sum = (k, f) => bursts.reduce((n, b) => n + b[k][f], 0);
    const served = { login: sum('login', 'served'), signUp: sum('signUp', 'served') };
    const refused = { login: sum('login', 'refused'), signUp: sum('signUp', 'refused') };
    const other = {};
    for (const b of bursts)
      for (const k of ['login', 'signUp']) for (const [c, n] of Object.entries(b[k].other)) other[`${k} ${c}`] = (other[`${k} ${c}`] ?? 0) + n;
    const result = {
      scenario: 'burst',
      rooms: ROOMS,
      membersPerRoom: MEMBERS,
      liveMessagesPerSecond: round((ROOMS * 1000) / INTERVAL_MS),
      quietP50Ms: quiet.p50Ms,
      quietP99Ms: quiet.p99Ms,
      burstP50Ms: during.p50Ms,
      burstP99Ms: during.p99Ms,
      p99Ratio: round(during.p99Ms / quiet.p99Ms),
      burstServed: `${served.login} logins, ${served.signUp} sign-ups (${round((served.login + served.signUp) / (ROUNDS * PHASE_S))}/s)`,
      burstRefused: `${refused.login} logins, ${refused.signUp} sign-ups (RATE_LIMITED)`,
      ...(Object.keys(other).length ? { burstOther: JSON.stringify(other) } : {}),
      liveLostOrFailed: lost + failures,
    };
    console.log(JSON.stringify({ quiet, burst: during, quietAck: ackStats('quiet'), burstAck: ackStats('burst'), bursts, failures, lost }));
    console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
  } finally {
    if (api) await stop(api.child);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
