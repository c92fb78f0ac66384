// Cold start of the server on the embedded PostgreSQL: a first run on an empty data folder,
// a later run on the same folder, and a start after the server was killed with SIGKILL.
// Each figure is the time from spawning the process until /graphql answers. The baseline,
// in the same process tree, is a bare `node -e` start: the ratio is the server's cost over
// Node's own start.
import { mkdtemp, rm, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, freePort, report, startNode, waitForGraphql } from './lib.mjs';

async function timedStart(dataDir) {
  const port = await freePort();
  const t0 = performance.now();
  const child = startNode(['dist/apps/api/src/main.js'], { PORT: String(port), HOST: '127.0.0.1', PARLEY_DATA_DIR: dataDir, DATABASE_URL: '' });
  await waitForGraphql(`http://127.0.0.1:${port}`);
  return { ms: Math.round(performance.now() - t0), child };
}

const dir = await mkdtemp(join(tmpdir(), 'parley-bench-cold-'));
await chmod(dir, 0o755);
const dataDir = join(dir, 'data');
try {
  const t0 = performance.now();
  await exited(startNode(['-e', '0'], {}));
  const nodeBaseline = Math.round(performance.now() - t0);

  const first = await timedStart(dataDir);
  first.child.kill('SIGTERM');
  await exited(first.child);

  const later = [];
  for (let i = 0; i < 3; i++) {
    const run = await timedStart(dataDir);
    later.push(run.ms);
    run.child.kill('SIGTERM');
    await exited(run.child);
  }

  const victim = await timedStart(dataDir);
  victim.child.kill('SIGKILL');
  await exited(victim.child);
  const afterKill = await timedStart(dataDir);
  afterKill.child.kill('SIGTERM');
  await exited(afterKill.child);

  later.sort((a, b) => a - b);
  const figures = {
    firstRunMs: first.ms,
    laterRunMedianMs: later[1],
    laterRunsMs: later,
    afterKill9Ms: afterKill.ms,
    nodeBaselineMs: nodeBaseline,
    laterRunOverNode: Number((later[1] / nodeBaseline).toFixed(1)),
  };
  console.log(figures);
  report('cold-start', figures);
} finally {
  await rm(dir, { recursive: true, force: true });
}
