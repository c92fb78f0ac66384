// `npm test`: the unit, medium (services on a real database, no HTTP) and end-to-end suites in
// one jest run (ESM mode), then one plain summary line. Extra arguments go to jest (e.g. `npm test -- test/rooms`).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

mkdirSync('tmp', { recursive: true });
const out = 'tmp/jest-results.json';
rmSync(out, { force: true });
const extra = process.argv.slice(2);
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
