// Builds the web app (codegen, then vite) into dist/web when its sources changed since the
// last build. `npm run build` and `npm start` call it.
import { readdir, stat, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const out = join(root, 'dist', 'web');
const stampFile = join(root, 'dist', '.web-stamp');

async function newest(dir) {
  let t = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name === 'gql' || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? await newest(p) : (await stat(p)).mtimeMs);
  }
  return t;
}

export async function buildWeb({ force = false, quiet = false } = {}) {
  const web = join(root, 'apps', 'web');
  const inputs = Math.max(await newest(web), (await stat(join(root, 'apps/api/schema.gql'))).mtimeMs);
  const stamp = await stat(stampFile).catch(() => null);
  const index = await stat(join(out, 'index.html')).catch(() => null);
  if (!force && stamp && index && stamp.mtimeMs >= inputs) return false;
  const started = Date.now();
  // codegen in its own process: it pulls in a large module graph we do not need afterwards
  const gen = spawnSync(process.execPath, [join(root, 'scripts/codegen.mjs')], { stdio: 'inherit', cwd: root });
  if (gen.status !== 0) throw new Error('GraphQL code generation failed');
  const { build } = await import('vite');
  await build({ root: web, configFile: join(web, 'vite.config.mts'), logLevel: 'warn' });
  await mkdir(dirname(stampFile), { recursive: true });
  await writeFile(stampFile, String(Date.now()));
  if (!quiet) console.log(`built the web app in ${Date.now() - started} ms`);
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) await buildWeb({ force: process.argv.includes('--force') });
