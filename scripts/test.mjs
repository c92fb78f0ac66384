// `npm test`: the unit, medium (services on a real database, no HTTP) and end-to-end suites in
// one jest run (ESM mode), then one plain summary line. Extra arguments go to jest (e.g. `npm test -- test/rooms`).
// `npm run test:ci-external` (`--external`): CI's second pass, on the machine's PostgreSQL and
// Redis, runs only what can differ there (EXTERNAL_DATABASE_FILES).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

mkdirSync('tmp', { recursive: true });
const out = 'tmp/jest-results.json';
rmSync(out, { force: true });

// Every test server of `npm test` already reaches its database through DATABASE_URL (a test
// database on the run's embedded server), so a file that runs again against the machine's
// PostgreSQL differs only by the server it talks to: its major version (15 there, 18 embedded)
// and its settings (no server-wide statement_timeout, max_connections 100). Run again, then:
// the medium tier (every capability's SQL through its services; the test-database guard, which
// faces a DATABASE_URL naming the real `postgres` database there), and the e2e files whose
// subject is the database or that reach all of the server's SQL: the SQL mirrors of the domain
// rules, the progress read model and the statement counts; the statement timeout (set on the
// pool's sessions, not by the server); migrations up and down (trust-chain, signing-key);
// the CLI and the demo on a DATABASE_URL; every operation of the schema (authorization
// matrix); two instances sharing live events through Redis. Not again: files whose server
// starts its own embedded PostgreSQL in both passes (crash-safety, embedded-lifecycle,
// root-anywhere), files that open no database (cli-crypto, schema), and the HTTP, socket,
// session and hostile-input files, whose SQL the files above and the medium tier also run.
const EXTERNAL_DATABASE_FILES = [
  'test/medium/',
  'test/ballot-rules-sql.e2e-spec.ts',
  'test/progress-figures.e2e-spec.ts',
  'test/query-batching.e2e-spec.ts',
  'test/statement-timeout.e2e-spec.ts',
  'test/trust-chain.e2e-spec.ts',
  'test/signing-key.e2e-spec.ts',
  'test/cli.e2e-spec.ts',
  'test/demo.e2e-spec.ts',
  'test/authorization-matrix.e2e-spec.ts',
  'test/live-redis.e2e-spec.ts',
];
const regexOf = (path) => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let extra = process.argv.slice(2);
if (extra.includes('--external')) {
  extra = extra.filter((a) => a !== '--external');
  extra.push('--selectProjects', 'medium', 'e2e', '--testPathPatterns', ...EXTERNAL_DATABASE_FILES.map(regexOf));
}
// Two test files at a time on the 2-core machines (jest's default is cores - 1, one file at a
// time): an e2e file spends much of its time waiting on its server, PostgreSQL, a scheduler tick
// or a socket, so a second file fills the idle core (six e2e files: 345 s one at a time, 253 s
// two at a time, on a loaded machine). Each file has its own database and server, so they do
// not meet. `npm test -- --maxWorkers=1` runs one at a time.
if (!extra.some((a) => a.startsWith('--maxWorkers') || a === '-w' || a === '-i' || a === '--runInBand')) extra.push('--maxWorkers=2');
// the browser suite needs Debian's Chromium; without it the run says so and leaves it out
const chromium = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromium) && !extra.some((a) => a.includes('browser'))) {
  console.log(`browser suite SKIPPED: no Chromium at ${chromium} (apt-get install -y chromium, or set PARLEY_CHROMIUM)`);
  if (!extra.includes('--selectProjects')) extra.push('--selectProjects', 'unit', 'medium', 'e2e');
}
const args = ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '--json', `--outputFile=${out}`, ...extra];
const started = Date.now();
const res = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, NODE_NO_WARNINGS: '1' } });
let summary = null;
try {
  summary = JSON.parse(readFileSync(out, 'utf8'));
} catch {
  // jest crashed before writing its results
}
if (summary) {
  const skipped = summary.numPendingTests + summary.numTodoTests;
  console.log(`\njest finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`tests: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed, ${skipped} skipped`);
  if (summary.numTotalTests === 0) {
    console.error('no test ran');
    process.exit(1);
  }
}
process.exit(res.status ?? 1);
