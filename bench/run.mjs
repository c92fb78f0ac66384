// Runs every bench/*.bench.mjs in turn (each prints one JSON line of results).
import { readdir } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));
for (const file of (await readdir(dir)).filter((f) => f.endsWith('.bench.mjs')).sort()) {
  const r = spawnSync(process.execPath, [`${dir}/${file}`], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = 1;
}
