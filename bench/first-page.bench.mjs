// Time from `npm start` to a usable room page, as a new user meets it: on a fresh embedded
// data folder, spawn the built server, fill it with `parley demo`, then open the room URL the
// demo prints in Chromium, sign in as the demo facilitator and wait until the room shows the
// negotiating text, the live connection is up and the message box takes typing.
//
// Figures:
// - firstRun*: the very first start on an empty folder (initdb, migrations), the demo
//   command run against the same folder while the server is up, then the room page. The
//   spawn-to-room figure of that run includes the demo (a person runs it once).
// - restart*: three later `npm start`s on the filled folder, the browser already open (as a
//   person's is): server spawn → /graphql answers → room URL → sign-in → usable room. Median.
// - firstVisit*: what the room page loads on a first visit with an empty cache (sign-in page
//   plus the room's lazy chunks): JS and CSS bytes as served and gzip-compressed (level 9,
//   what a static host with precompressed assets sends), counted from Chromium's responses.
// - nodeBaselineMs and loadAverage: a bare `node -e 0` in the same process tree and the
//   machine's 1-minute load average when the run began, to read the times against.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, chmod } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { exited, freePort, report, startNode, waitForGraphql } from './lib.mjs';

const run = promisify(execFile);
const CHROMIUM = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';
const FACILITATOR = { email: 'facilitator@demo.parley.example', password: 'parley-demo-password' };
const ACCORD = 'Incident-sharing accord';

async function startServer(dataDir) {
  const port = await freePort();
  const t0 = performance.now();
  const child = startNode(['dist/apps/api/src/main.js'], { PORT: String(port), HOST: '127.0.0.1', PARLEY_DATA_DIR: dataDir, DATABASE_URL: '' });
  const url = `http://127.0.0.1:${port}`;
  await waitForGraphql(url);
  return { t0, url, child, readyMs: Math.round(performance.now() - t0) };
}

async function stop(child) {
  child.kill('SIGTERM');
  await exited(child);
}

// Open the room URL in a fresh context (empty cache, no cookie), sign in, wait until usable.
// Returns the milliseconds spent in the browser and the JS/CSS responses seen.
async function openRoom(browser, url, roomId) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const assets = [];
  const pending = [];
  const page = await ctx.newPage();
  page.on('response', (res) => {
    const type = res.request().resourceType();
    if (type !== 'script' && type !== 'stylesheet') return;
    pending.push(
      res.body().then(
        (body) => assets.push({ path: new URL(res.url()).pathname, type, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length }),
        () => undefined,
      ),
    );
  });
  try {
    const t0 = performance.now();
    await page.goto(`${url}/rooms/${roomId}`);
    await page.getByLabel('Email').fill(FACILITATOR.email);
    await page.getByLabel('Password').fill(FACILITATOR.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const text = page.getByRole('region', { name: 'Negotiating text' });
    await text.getByRole('heading', { name: ACCORD }).waitFor({ timeout: 30_000 });
    await text
      .getByRole('listitem', { name: /^Clause 3( ·|$)/ })
      .first()
      .waitFor();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: 30_000 });
    const box = page.getByLabel(/^Message to /);
    await box.fill('Ready.');
    if ((await box.inputValue()) !== 'Ready.') throw new Error('the message box did not take the typed text');
    const ms = Math.round(performance.now() - t0);
    await Promise.all(pending);
    return { ms, assets };
  } finally {
    await ctx.close();
  }
}

const dir = await mkdtemp(join(tmpdir(), 'parley-bench-first-page-'));
await chmod(dir, 0o755);
const dataDir = join(dir, 'data');
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
  ],
});
try {
  const loadAverage = Number(loadavg()[0].toFixed(1));
  const b0 = performance.now();
  await exited(startNode(['-e', '0'], {}));
  const nodeBaselineMs = Math.round(performance.now() - b0);

  // first run: fresh folder, server, demo against the same folder, room page
  const first = await startServer(dataDir);
  const d0 = performance.now();
  const demo = await run(process.execPath, ['dist/apps/cli/src/main.js', 'demo'], {
    env: { ...process.env, PARLEY_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn' },
  });
  const demoMs = Math.round(performance.now() - d0);
  const roomId = /\/rooms\/([0-9a-f-]{36})/.exec(demo.stdout)?.[1];
  if (!roomId) throw new Error(`the demo printed no room URL:\n${demo.stdout}`);
  const firstVisit = await openRoom(browser, first.url, roomId);
  const firstRunSpawnToRoomMs = Math.round(performance.now() - first.t0);
  await stop(first.child);

  // later starts on the filled folder, each timed from spawn to a usable room
  const restarts = [];
  for (let i = 0; i < 3; i++) {
    const s = await startServer(dataDir);
    const visit = await openRoom(browser, s.url, roomId);
    restarts.push({ total: Math.round(performance.now() - s.t0), server: s.readyMs, browser: visit.ms });
    await stop(s.child);
  }
  restarts.sort((a, b) => a.total - b.total);
  const median = restarts[1];

  const sum = (list, key) => list.reduce((n, a) => n + a[key], 0);
  const kib = (n) => Number((n / 1024).toFixed(1));
  const js = firstVisit.assets.filter((a) => a.type === 'script');
  const css = firstVisit.assets.filter((a) => a.type === 'stylesheet');
  const figures = {
    restartSpawnToRoomMedianMs: median.total,
    restartSpawnToRoomMs: restarts.map((r) => r.total),
    restartServerReadyMs: median.server,
    restartBrowserSignInToRoomMs: median.browser,
    firstRunServerReadyMs: first.readyMs,
    firstRunDemoMs: demoMs,
    firstRunSpawnToRoomMs,
    firstVisitFiles: firstVisit.assets.length,
    firstVisitJsGzipKiB: kib(sum(js, 'gzip')),
    firstVisitCssGzipKiB: kib(sum(css, 'gzip')),
    firstVisitJsCssGzipKiB: kib(sum(firstVisit.assets, 'gzip')),
    firstVisitJsCssRawKiB: kib(sum(firstVisit.assets, 'bytes')),
    nodeBaselineMs,
    loadAverage,
  };
  for (const a of firstVisit.assets.sort((x, y) => y.gzip - x.gzip))
    console.log(`  ${a.path.padEnd(48)} ${String(a.bytes).padStart(8)} B  gzip ${String(a.gzip).padStart(7)} B`);
  console.log(figures);
  report('first-page', figures);
} finally {
  await browser.close();
  await rm(dir, { recursive: true, force: true });
}
