// One PostgreSQL server per test run: DATABASE_URL's when set, else an embedded one in a
// temporary folder. Each test file then creates its own fresh database on it. Jest calls this
// once for each project that has tests in the run (medium, e2e, browser): they share the one
// server (global-teardown.mjs stops it after the last).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';

export default async function globalSetup() {
  if (process.env.DATABASE_URL) {
    process.env.PARLEY_TEST_ADMIN_URL = process.env.DATABASE_URL;
    return;
  }
  const running = globalThis.__PARLEY_EMBEDDED__;
  if (running) {
    running.users += 1;
    process.env.PARLEY_TEST_ADMIN_URL = running.db.url;
    return;
  }
  // a CommonJS module: its exports are the default export when imported from ESM
  const compiled = await import('../../dist/libs/database/src/embedded-postgres.js');
  const { startEmbeddedPostgres } = compiled.default ?? compiled;
  const dir = await mkdtemp(join(tmpdir(), 'parley-test-pg-'));
  const db = await startEmbeddedPostgres(dir, pino({ level: 'warn' }));
  globalThis.__PARLEY_EMBEDDED__ = { db, dir, users: 1 };
  process.env.PARLEY_TEST_ADMIN_URL = db.url;
}
