// Sign-in burst benchmark (not a test): does a burst of logins and sign-ups (argon2 is
// expensive on purpose) slow the live feed of other rooms? One API instance, machine
// PostgreSQL. A steady open-loop live load runs on several rooms throughout, well below
// saturation; quiet and burst phases alternate (so a machine shared with other work weighs on
// both alike), and p50/p99 from send to receipt are compared. The bar: the burst may
// raise the live p99 by at most half (ratio ≤ 1.5). The result gives the ratio of the p99s
// pooled over all rounds (8 by default; 4 before: a p99 of ~1 300 deliveries is its 13
// worst), each round's own ratio (~320 deliveries a phase: noisy) and their median, and the
// load average at the start and the end.
//   node bench/burst.bench.mjs          (after npm run build; DATABASE_URL = an admin URL)
// BENCH_SERVER_ARGS passes node flags to the server (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p");
// BENCH_SERVER_ROOT measures the built server of another checkout (A/B runs, this bench file);
// BENCH_ROOMS, BENCH_MEMBERS, BENCH_INTERVAL_MS, BENCH_PHASE_SECONDS, BENCH_ROUNDS,
// BENCH_SETTLE_SECONDS, BENCH_BURST_CLIENTS, BENCH_BURST_IPS change the shape;
// BENCH_OWN_SESSIONS=0 runs every process in this one session, BENCH_BURST_ELSEWHERE=1 is the
// control (the burst against a second server). Besides the latencies it prints the CPU each
// part used per phase and the server's event loop delay (docs/benchmarks.md).
//
// Burst clients come from several loopback addresses (127.0.0.2, 127.0.0.3, …: real source
// addresses, no X-Forwarded-For), so the per-address limit (PARLEY_AUTH_RATE_PER_IP, 100 per
// 15 minutes by default) refuses each address's excess, not the whole burst at once.
import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { hash, Algorithm } from '@node-rs/argon2';
import pg from 'pg';
import { connectAll, graphqlFrom as gql, percentile as pct, round, seedRooms, startChild as startIn, stopChild as stop, withDb } from './lib.mjs';

// BENCH_SERVER_ROOT: the built checkout whose server is measured (another build, for A/B runs)
const ROOT = resolve(process.env.BENCH_SERVER_ROOT ?? resolve(dirname(fileURLToPath(import.meta.url)), '..'));
const startChild = (args, env, ready, options) => startIn(ROOT, args, env, ready, options);
const ROOMS = Number(process.env.BENCH_ROOMS ?? 10);
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 5);
// each room sends one message every INTERVAL ms (open loop: the next does not wait)
const INTERVAL_MS = Number(process.env.BENCH_INTERVAL_MS ?? 1000);
const PHASE_S = Number(process.env.BENCH_PHASE_SECONDS ?? 8);
// more rounds, more samples: a p99 over a few hundred deliveries is its few worst, so one
// round's ratio is noise; the result gives every round's ratio and the p99s pooled over all
// 6 rounds keep `npm run bench` under its 10 minutes (8 took it to 9 min 49 s); more for an A/B
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
// after each burst, a pause not counted in either phase: the queues it left drain
const SETTLE_S = Number(process.env.BENCH_SETTLE_SECONDS ?? 4);
// concurrent burst clients, and the loopback addresses they come from
const BURST_CLIENTS = Number(process.env.BENCH_BURST_CLIENTS ?? 48);
const BURST_IPS = Number(process.env.BENCH_BURST_IPS ?? 48);
const ACCOUNTS = 200;
// the server, this process (the live load) and the burst each in a session of their own, as on
// separate machines as far as one machine allows (on Linux each session is a scheduler
// autogroup: the burst's CPU is not taken from the server's share); BENCH_OWN_SESSIONS=0 to
// run them all in this one
const OWN_SESSIONS = process.env.BENCH_OWN_SESSIONS !== '0';
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
function liveLoad(rooms, phaseOf, roundOf) {
  const samples = new Map();
  // the same, per phase and round (`quiet 3`)
  const byRound = new Map();
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
        const ms = performance.now() - t.t0;
        if (!samples.has(t.phase)) samples.set(t.phase, []);
        samples.get(t.phase).push(ms);
        const key = `${t.phase} ${t.round}`;
        if (!byRound.has(key)) byRound.set(key, []);
        byRound.get(key).push(ms);
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
      sentAt.set(body, { t0: performance.now(), from: sender, phase: phaseOf(), round: roundOf(), pending: room.sockets.length - 1 });
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
    byRound,
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

// Started once, before the first quiet phase (a Node start-up is a CPU spike of its own),
// then driven over IPC: `start` begins a burst, `stop` ends it and answers its tally and the
// CPU it used meanwhile.
function burstProcess(port, accounts) {
  const child = fork(fileURLToPath(import.meta.url), ['--burst'], {
    env: { ...process.env, BURST_PORT: String(port), BURST_ACCOUNTS: JSON.stringify(accounts) },
    detached: OWN_SESSIONS,
  });
  const ask = (m) =>
    new Promise((res, rej) => {
      const failed = (code) => rej(new Error(`the burst process exited with ${code}`));
      child.once('exit', failed);
      child.once('message', (r) => (child.off('exit', failed), res(r)));
      child.send(m);
    });
  return { ready: ask('ready'), start: () => child.send('start'), stop: () => ask('stop'), end: () => child.kill() };
}

// CPU time (ms) from /proc: per thread of the server (its event loop, argon2 — its child
// process, or threads at a nice value of their own in earlier builds — the rest: GC, libuv, compiler), the burst process, this process,
// the database's backends for the bench database, and the whole machine (its other users).
const TICK_MS = 10;
function statFields(path) {
  const s = readFileSync(path, 'utf8');
  // after "pid (comm) ": state is field 3; utime 14, stime 15, nice 19
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return { ticks: Number(f[11]) + Number(f[12]), nice: Number(f[16]) };
}
function serverThreads(pid) {
  const t = { eventLoop: 0, argon2: 0, other: 0, argon2Nice: null };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let f;
    try {
      f = statFields(`/proc/${pid}/task/${tid}/stat`);
    } catch {
      continue;
    }
    if (Number(tid) === pid) t.eventLoop += f.ticks * TICK_MS;
    else if (f.nice > 0) {
      t.argon2 += f.ticks * TICK_MS;
      t.argon2Nice = f.nice;
    } else t.other += f.ticks * TICK_MS;
  }
  // argon2 in a child process of the server (libs/identity/src/argon2-process.ts): all its threads
  let children = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    // no such file (a kernel without it): the child's CPU is not counted
  }
  for (const child of children) {
    try {
      const f = statFields(`/proc/${child}/stat`);
      t.argon2 += f.ticks * TICK_MS;
      t.argon2Nice = f.nice;
    } catch {
      // ended
    }
  }
  return t;
}
// the time the server's main thread (its event loop) waited for a CPU while runnable
// (/proc/<pid>/schedstat's second field, ns): the scheduler's share of its delays
function runQueueWaitMs(pid) {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
  } catch {
    return 0;
  }
}
function pidsTicks(pids) {
  const ms = new Map();
  for (const p of pids) {
    try {
      ms.set(p, statFields(`/proc/${p}/stat`).ticks * TICK_MS);
    } catch {
      // ended
    }
  }
  return ms;
}
// CPU used by processes since `before` (a process new since then counts from its start)
const sinceMs = (now, before) => [...now].reduce((n, [p, ms]) => n + ms - (before.get(p) ?? 0), 0);
function machineBusyMs() {
  const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal
  return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) * TICK_MS;
}
function cpuMeter(serverPid, dbPids) {
  const snap = async () => {
    const u = process.cpuUsage();
    const db = pidsTicks(await dbPids());
    return {
      at: performance.now(),
      server: serverThreads(serverPid),
      db,
      bench: (u.user + u.system) / 1000,
      machine: machineBusyMs(),
      loopWaitMs: runQueueWaitMs(serverPid),
    };
  };
  const totals = new Map();
  let last;
  return {
    start: async () => (last = await snap()),
    // the CPU used since the last mark is filed under `phase`; `extra` is CPU used elsewhere (the burst process)
    async mark(phase, extra = 0) {
      const now = await snap();
      const t = totals.get(phase) ?? {
        wallMs: 0,
        eventLoop: 0,
        loopWait: 0,
        argon2: 0,
        serverOther: 0,
        db: 0,
        bench: 0,
        burstProcess: 0,
        machine: 0,
        argon2Nice: null,
      };
      t.loopWait += now.loopWaitMs - last.loopWaitMs;
      t.wallMs += now.at - last.at;
      t.eventLoop += now.server.eventLoop - last.server.eventLoop;
      t.argon2 += now.server.argon2 - last.server.argon2;
      t.serverOther += now.server.other - last.server.other;
      t.db += sinceMs(now.db, last.db);
      t.bench += now.bench - last.bench;
      t.burstProcess += extra;
      t.machine += now.machine - last.machine;
      t.argon2Nice = now.server.argon2Nice ?? t.argon2Nice;
      totals.set(phase, t);
      last = now;
    },
    // per phase, the share of one core each used (100 = one core busy throughout)
    report() {
      const out = {};
      for (const [phase, t] of totals) {
        const pc = (ms) => Math.round((100 * ms) / t.wallMs);
        const ours = t.eventLoop + t.argon2 + t.serverOther + t.db + t.bench + t.burstProcess;
        out[phase] = {
          eventLoop: pc(t.eventLoop),
          eventLoopWaiting: pc(t.loopWait),
          argon2: pc(t.argon2),
          serverOther: pc(t.serverOther),
          db: pc(t.db),
          bench: pc(t.bench),
          burstProcess: pc(t.burstProcess),
          neighbours: pc(Math.max(0, t.machine - ours)),
          argon2Nice: t.argon2Nice,
        };
      }
      return out;
    },
  };
}

async function main() {
  const name = `parley_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const dbUrl = withDb(ADMIN_URL, name);
  let api;
  let elsewhere;
  try {
    api = await startChild(
      [
        '--import',
        pathToFileURL(resolve(dirname(fileURLToPath(import.meta.url)), 'probe.mjs')).href,
        ...(process.env.BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean),
        'dist/apps/api/src/main.js',
      ],
      { DATABASE_URL: dbUrl, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', REDIS_URL: '', PARLEY_OPEN_SIGNUP: 'true' },
      (out) => /"port":(\d+),"ms"/.exec(out)?.[1],
      { detached: OWN_SESSIONS },
    );
    const db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    const { rooms, accounts } = await seed(db);
    await db.end();
    const url = `http://127.0.0.1:${api.port}`;
    await connectAll(url, rooms);
    let phase = 'warmup';
    let roundNo = -1;
    const load = liveLoad(
      rooms,
      () => phase,
      () => roundNo,
    );
    console.error(
      `${ROOMS} rooms × ${MEMBERS} members, one message per room every ${INTERVAL_MS} ms; ${ROUNDS} rounds of ${PHASE_S} s quiet then ${PHASE_S} s of a burst (and ${SETTLE_S} s to settle) by ${BURST_CLIENTS} clients from ${BURST_IPS} addresses`,
    );
    // the server's event loop delay per phase (bench/probe.mjs answers SIGUSR2)
    const loopDelay = new Map();
    const probeLines = [];
    api.child.stdout.on('data', (c) => {
      for (const m of String(c).matchAll(/^PROBE (.*)$/gm)) probeLines.push(JSON.parse(m[1]));
    });
    const probe = async (p) => {
      api.child.kill('SIGUSR2');
      const n = probeLines.length;
      while (probeLines.length === n) await sleep(5);
      if (!loopDelay.has(p)) loopDelay.set(p, []);
      loopDelay.get(p).push(probeLines.at(-1));
    };
    const dbPids = async () => (await admin.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [name])).rows.map((r) => r.pid);
    const cpu = cpuMeter(api.child.pid, dbPids);
    // BENCH_BURST_ELSEWHERE=1, a control: the burst goes to a second server on the same database,
    // so it shares only the machine (CPU, database) with the live server, not its event loop
    if (process.env.BENCH_BURST_ELSEWHERE === '1') {
      elsewhere = await startChild(
        ['dist/apps/api/src/main.js'],
        { DATABASE_URL: dbUrl, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', REDIS_URL: '', PARLEY_OPEN_SIGNUP: 'true' },
        (out) => /"port":(\d+),"ms"/.exec(out)?.[1],
        { detached: OWN_SESSIONS },
      );
    }
    const burster = burstProcess((elsewhere ?? api).port, accounts);
    await burster.ready;
    // one sign-up and one login before the rounds: what a server does once (the argon2 worker's
    // start, the common-passwords list) is not a burst's cost
    for (const port of new Set([api.port, (elsewhere ?? api).port])) {
      await gql(port, '127.0.0.1', SIGN_UP, {
        input: { email: `warm-${randomUUID()}@bench.invalid`, password: `${randomBytes(12).toString('hex')} sign-up`, displayName: 'Warm' },
      });
      await gql(port, '127.0.0.1', LOGIN, { email: accounts[0], password: PASSWORD });
    }
    await sleep(5_000);
    await probe('warmup');
    await cpu.start();
    const loadAtStart = loadavg()
      .map((x) => round(x))
      .join(' ');
    const bursts = [];
    for (roundNo = 0; roundNo < ROUNDS; roundNo++) {
      phase = 'quiet';
      await sleep(PHASE_S * 1000);
      await Promise.all([cpu.mark('quiet'), probe('quiet')]);
      phase = 'burst';
      burster.start();
      await sleep(PHASE_S * 1000);
      const { cpuMs, ...tally } = await burster.stop();
      bursts.push(tally);
      await Promise.all([cpu.mark('burst', cpuMs), probe('burst')]);
      phase = 'settle';
      await sleep(SETTLE_S * 1000);
      await Promise.all([cpu.mark('settle'), probe('settle')]);
      console.error(`round ${roundNo + 1} (load ${round(loadavg()[0])}): ${JSON.stringify(bursts.at(-1))}`);
    }
    const cpuShares = cpu.report();
    console.error(`CPU, % of one core per phase: ${JSON.stringify(cpuShares)}`);
    const worst = (p) => {
      const xs = loopDelay.get(p) ?? [];
      return {
        p99Ms: Math.max(...xs.map((x) => x.p99Ms)),
        maxMs: Math.max(...xs.map((x) => x.maxMs)),
        meanMs: round(xs.reduce((n, x) => n + x.meanMs, 0) / xs.length),
        gcMaxMs: Math.max(...xs.map((x) => x.gcMaxMs ?? 0)),
        gcMaxKinds: [...new Set(xs.map((x) => x.gcMaxKind))].join(' '),
        gcTotalMs: round(xs.reduce((n, x) => n + (x.gcTotalMs ?? 0), 0)),
        // timer stalls over 100 ms, all rounds, and the three longest with what the thread did in them
        stallCount: xs.reduce((n, x) => n + (x.stallCount ?? 0), 0),
        stalls: xs
          .flatMap((x) => x.stalls ?? [])
          .sort((a, b) => b.ms - a.ms)
          .slice(0, 3),
      };
    };
    console.error(`server event loop delay (worst round): quiet ${JSON.stringify(worst('quiet'))}, burst ${JSON.stringify(worst('burst'))}`);
    burster.end();
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
    // each round's own p99 ratio (burst ÷ quiet of the same round), in round order
    const roundP99 = (p, r) =>
      pct(
        (load.byRound.get(`${p} ${r}`) ?? []).sort((a, b) => a - b),
        99,
      );
    const roundRatios = Array.from({ length: ROUNDS }, (_, r) => round(roundP99('burst', r) / roundP99('quiet', r)));
    const sortedRatios = [...roundRatios].sort((a, b) => a - b);
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
      // pooled: the p99 of all rounds' quiet deliveries against that of all burst ones
      p99Ratio: round(during.p99Ms / quiet.p99Ms),
      roundP99Ratios: roundRatios.join(' '),
      roundP99RatioMedian: round((sortedRatios[(ROUNDS - 1) >> 1] + sortedRatios[ROUNDS >> 1]) / 2),
      roundsOver1_5: `${roundRatios.filter((x) => x > 1.5).length} of ${ROUNDS}`,
      p50Ratio: round(during.p50Ms / quiet.p50Ms),
      // % of one core, quiet → burst; the generator's own, and the machine's other users'
      serverCpu: `event loop ${cpuShares.quiet.eventLoop} → ${cpuShares.burst.eventLoop} (waiting for a CPU ${cpuShares.quiet.eventLoopWaiting} → ${cpuShares.burst.eventLoopWaiting}), argon2 ${cpuShares.burst.argon2}, database ${cpuShares.quiet.db} → ${cpuShares.burst.db}`,
      generatorCpu: cpuShares.burst.burstProcess,
      neighboursCpu: `${cpuShares.quiet.neighbours} → ${cpuShares.burst.neighbours}`,
      loadAverage: `${loadAtStart} → ${loadavg()
        .map((x) => round(x))
        .join(' ')}`,
      burstServed: `${served.login} logins, ${served.signUp} sign-ups (${round((served.login + served.signUp) / (ROUNDS * PHASE_S))}/s)`,
      burstRefused: `${refused.login} logins, ${refused.signUp} sign-ups (RATE_LIMITED)`,
      ...(Object.keys(other).length ? { burstOther: JSON.stringify(other) } : {}),
      liveLostOrFailed: lost + failures,
    };
    console.log(JSON.stringify({ quiet, burst: during, quietAck: ackStats('quiet'), burstAck: ackStats('burst'), bursts, failures, lost }));
    console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
  } finally {
    if (api) await stop(api.child);
    if (elsewhere) await stop(elsewhere.child);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

// The burst runs in a process of its own (`--burst`, driven over IPC): its HTTP work must not
// delay this process's event loop, which timestamps the live receipts.
if (process.argv[2] === '--burst') {
  let b;
  let cpuAtStart;
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  process.on('message', async (m) => {
    if (m === 'ready') process.send('ready');
    if (m === 'start') {
      cpuAtStart = cpuMs();
      b = burst(Number(process.env.BURST_PORT), JSON.parse(process.env.BURST_ACCOUNTS));
    }
    if (m === 'stop') {
      const result = await b.stop();
      process.send({ ...result, cpuMs: cpuMs() - cpuAtStart });
    }
  });
} else {
  await main();
}
