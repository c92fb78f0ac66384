// Compiles apps/*/src and libs/*/src to CommonJS under dist/ with SWC, rewriting
// @parley/* aliases to relative paths. Type checking is `npm run typecheck`.
import { transformFile } from '@swc/core';
import { readdir, mkdir, writeFile, stat, readFile } from 'node:fs/promises';
import { join, relative, dirname, resolve } from 'node:path';
import { buildWeb } from './build-web.mjs';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const out = join(root, 'dist');
const tsconfig = JSON.parse(await readFile(join(root, 'tsconfig.json'), 'utf8'));
const paths = tsconfig.compilerOptions.paths;

async function walk(dir) {
  const found = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) found.push(...(await walk(p)));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !/\.(spec|e2e-spec)\.ts$/.test(e.name)) found.push(p);
  }
  return found;
}

const sources = [];
for (const group of ['apps', 'libs']) {
  // apps/web is the browser app: vite builds it (scripts/build-web.mjs)
  for (const name of await readdir(join(root, group))) if (!(group === 'apps' && name === 'web')) sources.push(...(await walk(join(root, group, name, 'src'))));
}

async function newest(files) {
  let t = 0;
  for (const f of files) t = Math.max(t, (await stat(f)).mtimeMs);
  return t;
}

const serverOnly = process.argv.includes('--server-only');
if (process.argv.includes('--if-stale')) {
  const stamp = await stat(join(out, '.stamp')).catch(() => null);
  if (stamp && stamp.mtimeMs >= (await newest(sources))) {
    if (!serverOnly) await buildWeb({ quiet: true });
    process.exit(0);
  }
}

const started = Date.now();
await Promise.all(
  sources.map(async (file) => {
    const { code } = await transformFile(file, {
      sourceMaps: 'inline',
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
        target: 'es2022',
        baseUrl: root,
        paths,
        keepClassNames: true,
      },
      module: { type: 'commonjs', strictMode: true },
    });
    const target = join(out, relative(root, file)).replace(/\.ts$/, '.js');
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, code);
  }),
);
await writeFile(join(out, '.stamp'), String(Date.now()));
if (!process.argv.includes('--quiet')) console.log(`built ${sources.length} files in ${Date.now() - started} ms`);
if (!serverOnly) await buildWeb({ quiet: process.argv.includes('--quiet') });
