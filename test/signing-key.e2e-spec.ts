import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { parsePublicKeyPem } from '@parley/domain';
import { createTestDatabase, startServer, type ServerHandle } from './support/harness';

const run = promisify(execFile);
// several server starts per test; the e2e project's testTimeout is not applied when projects run together
jest.setTimeout(120_000);

async function servedKey(server: ServerHandle): Promise<string> {
  const res = await fetch(`${server.url}/.well-known/parley-signing-key`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
}

async function storedKeys(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query('SELECT count(*)::int AS n FROM server_signing_key')).rows[0].n;
  } finally {
    await c.end();
  }
}

describe('server signing key', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const servers: ServerHandle[] = [];
  const start = async () => {
    const s = await startServer({ DATABASE_URL: db.url });
    servers.push(s);
    return s;
  };
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await db?.drop();
  });

  it('is served without a session as an Ed25519 public key in PEM, and kept across a restart', async () => {
    const first = await start();
    const key = await servedKey(first);
    expect(parsePublicKeyPem(key)).toBe(true);
    expect(key).not.toMatch(/PRIVATE/);
    await first.stop();

    const second = await start();
    expect(await servedKey(second)).toBe(key);
    expect(await storedKeys(db.url)).toBe(1);
    await second.stop();
  });

  it('is one key for servers that start together on a fresh database', async () => {
    const fresh = await createTestDatabase();
    try {
      const [a, b] = await Promise.all([startServer({ DATABASE_URL: fresh.url }), startServer({ DATABASE_URL: fresh.url })]);
      servers.push(a, b);
      expect(await servedKey(a)).toBe(await servedKey(b));
      expect(await storedKeys(fresh.url)).toBe(1);
      await Promise.all([a.stop(), b.stop()]);
    } finally {
      await fresh.drop();
    }
  });

  it('goes with its table when the migrations are reverted, and a new one is made on the next start', async () => {
    const before = await start();
    const key = await servedKey(before);
    await before.stop();
    // every migration's down runs, latest first
    const reverted = await run(process.execPath, ['dist/apps/cli/src/main.js', 'migrate:revert', '--all'], { env: { ...process.env, DATABASE_URL: db.url } });
    expect(reverted.stdout).toMatch(/reverted Identity1764000000000/);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const table = await c.query(`SELECT to_regclass('server_signing_key') AS t`);
    await c.end();
    expect(table.rows[0].t).toBeNull();

    const after = await start();
    const next = await servedKey(after);
    expect(parsePublicKeyPem(next)).toBe(true);
    expect(next).not.toBe(key);
  });
});
