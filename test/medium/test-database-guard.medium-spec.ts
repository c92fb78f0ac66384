// The harness's guard: no test server or test pool ever reaches a database that is not a
// parley_test_* one, whatever DATABASE_URL the run itself was given.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminUrl, assertTestDatabaseUrl, createTestDatabase, serverEnv, startServer, withDatabase } from '../support/harness';

describe('the test-database guard', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('lets a server onto a database the harness created', () => {
    expect(serverEnv({ DATABASE_URL: db.url }).DATABASE_URL).toBe(db.url);
    expect(() => assertTestDatabaseUrl(db.url)).not.toThrow();
  });

  it("refuses the run's own server database, and any name that is not a test database's", async () => {
    for (const name of ['postgres', 'parley', 'parley_test', 'parley_test_x;drop', 'my_parley_test_1']) {
      expect(() => serverEnv({ DATABASE_URL: withDatabase(adminUrl(), name) })).toThrow(`refusing to use database ${name}`);
    }
    await expect(startServer({ DATABASE_URL: withDatabase(adminUrl(), 'postgres') })).rejects.toThrow('refusing to use database postgres');
  });

  it('refuses a server that would inherit the run’s DATABASE_URL', () => {
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = withDatabase(adminUrl(), 'postgres');
    try {
      expect(() => serverEnv({ PARLEY_OPEN_SIGNUP: 'true' })).toThrow('refusing to use database postgres');
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
  });

  it("refuses the embedded PostgreSQL in this checkout's own data folder", () => {
    expect(() => serverEnv({ DATABASE_URL: '', PARLEY_DATA_DIR: '' })).toThrow(/own data folder/);
    expect(serverEnv({ DATABASE_URL: '', PARLEY_DATA_DIR: '/tmp/parley-guard-test' }).PARLEY_DATA_DIR).toBe('/tmp/parley-guard-test');
  });
});
