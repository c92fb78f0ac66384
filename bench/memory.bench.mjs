// Memory per connected, joined socket (not a test): the built server on one database, then
// 500 and 1,000 members' sockets (50 rooms × 20 members, seeded with SQL) connected to /live
// and joined to their room. After each stage the server runs full collections and reports
// process.memoryUsage() (bench/memory-probe.mjs, preloaded with --expose-gc); several samples
// a stage, the median kept. Per socket: the growth from no socket to 1,000, and from 500 to
// 1,000 (which leaves out what the first sockets cost once: code compiled, caches, pools).
//   node bench/memory.bench.mjs     (after npm run build; DATABASE_URL = an admin URL)
//   BENCH_HEAP_SNAPSHOTS=<dir>      also writes the server's heap at 500 and 1,000 sockets there
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { connectAll, percentile, report, round, seedRooms, stopChild, withDb } from './lib.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ROOMS = Number(process.env.BENCH_ROOMS ?? 50);
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 20);
const SAMPLES = 5;
const GOAL_KB = 30;
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SNAPSHOTS = process.env.BENCH_HEAP_SNAPSHOTS ? resolve(process.env.BENCH_HEAP_SNAPSHOTS) : null;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function startServer(dbUrl) {
  const child = spawn(process.execPath, ['--expose-gc', '--import', './bench/memory-probe.mjs', 'dist/apps/api/src/main.js'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: dbUrl, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', REDIS_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start:\n${out}`)), 60_000);
    child.stderr.on('data', (c) => (out += c));
    child.stdout.on('data', (c) => {
      out += c;
      const port = /"port":(\d+),"ms"/.exec(out)?.[1];
      if (port) {
        clearTimeout(timer);
        res({ child, port });
      }
    });
    child.on('exit', (code) => rej(new Error(`server exited with ${code}:\n${out}`)));
  });
}

const ask = (child) => new Promise((res) => (child.once('message', (m) => res(m.memory)), child.send('memory?')));
const snapshot = (child) =>
  SNAPSHOTS && new Promise((res) => (child.once('message', (m) => (console.error(`heap snapshot: ${m.file}`), res())), child.send({ snapshot: SNAPSHOTS })));

// the median of a few samples, a second apart (timers and sockets settle meanwhile)
async function sample(child) {
  const got = [];
  for (let i = 0; i < SAMPLES; i++) {
    await sleep(1000);
    got.push(await ask(child));
  }
  const median = (key) =>
    percentile(
      got.map((m) => m[key]).sort((a, b) => a - b),
      50,
    );
  return { rss: median('rss'), heapUsed: median('heapUsed'), external: median('external') + median('arrayBuffers') };
}

const kbPer = (a, b, n) => ({
  rssKB: round((b.rss - a.rss) / n / 1024),
  heapKB: round((b.heapUsed - a.heapUsed) / n / 1024),
  externalKB: round((b.external - a.external) / n / 1024),
});

const name = `parley_bench_${randomBytes(5).toString('hex')}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const dbUrl = withDb(ADMIN_URL, name);
let server;
const sockets = [];
try {
  server = await startServer(dbUrl);
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  await db.query('BEGIN');
  const rooms = await seedRooms(db, { rooms: ROOMS, members: MEMBERS, parties: 4 });
  await db.query('COMMIT');
  await db.end();
  const url = `http://127.0.0.1:${server.port}`;
  // one room joined first, so code paths are compiled and pools open before the baseline
  sockets.push(...(await connectAll(url, rooms.slice(0, 1))));
  const base = await sample(server.child);
  const half = Math.floor(ROOMS / 2);
  sockets.push(...(await connectAll(url, rooms.slice(1, half))));
  const mid = await sample(server.child);
  await snapshot(server.child);
  sockets.push(...(await connectAll(url, rooms.slice(half))));
  const full = await sample(server.child);
  await snapshot(server.child);
  const n = sockets.length - MEMBERS;
  const whole = kbPer(base, full, n);
  const marginal = kbPer(mid, full, (ROOMS - half) * MEMBERS);
  console.error(`${sockets.length} sockets: ${JSON.stringify({ base, mid, full, whole, marginal })}`);
  report('memory', {
    sockets: sockets.length,
    loadAverage: round(loadavg()[0]),
    rssKBPerSocket: whole.rssKB,
    heapKBPerSocket: whole.heapKB,
    externalKBPerSocket: whole.externalKB,
    marginalRssKBPerSocket: marginal.rssKB,
    marginalHeapKBPerSocket: marginal.heapKB,
    serverRssMiB: round(full.rss / 2 ** 20),
    serverHeapMiB: round(full.heapUsed / 2 ** 20),
    goalKB: GOAL_KB,
  });
} finally {
  for (const s of sockets) s.disconnect();
  if (server) await stopChild(server.child);
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
