import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { startApp, startServer, Client, type TestApp } from './support/harness';

function cli(args: string[], env: Record<string, string>, stdin = ''): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['dist/apps/cli/src/main.js', ...args], { env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('exit', (code) => resolve({ code, out, err }));
    child.stdin.end(stdin);
  });
}

describe('the parley command', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ PARLEY_OPEN_SIGNUP: 'false' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('creates the first facilitator with the password from stdin, who can then sign in', async () => {
    const r = await cli(
      ['user:create', '--email', 'First@Example.org', '--name', 'First Facilitator'],
      { DATABASE_URL: app.db.url },
      'a long enough password\n',
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/created user first@example.org/);
    const login = await app.anon.ok(`mutation { login(email: "first@example.org", password: "a long enough password") { user { displayName } } }`);
    expect(login.login.user.displayName).toBe('First Facilitator');
  });

  it('refuses a short password, a duplicate email and missing options with a clear message', async () => {
    const short = await cli(['user:create', '--email', 'short@example.org', '--name', 'S'], { DATABASE_URL: app.db.url }, 'short\n');
    expect(short.code).toBe(1);
    expect(short.err).toMatch(/BAD_USER_INPUT: .*password/);
    const dup = await cli(['user:create', '--email', 'first@example.org', '--name', 'Again'], { DATABASE_URL: app.db.url }, 'a long enough password\n');
    expect(dup.err).toMatch(/email/);
    const missing = await cli(['user:create'], { DATABASE_URL: app.db.url });
    expect(missing.code).toBe(2);
    const unknown = await cli(['frobnicate'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown command/);
  });

  it('keeps introspection off in production', async () => {
    const prod = await startServer({ DATABASE_URL: app.db.url, NODE_ENV: 'production' });
    try {
      const r = await new Client(prod.url).gql(`{ __schema { types { name } } }`);
      expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0].message).toMatch(/introspection/i);
    } finally {
      await prod.stop();
    }
    const dev = await app.anon.gql(`{ __schema { queryType { name } } }`);
    expect(dev.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});
