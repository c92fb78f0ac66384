import { afterAll, describe, expect, it } from '@jest/globals';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, startServer } from './support/harness';
import { SIGN_UP } from './support/factories';

const run = promisify(execFile);
const LOGIN = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { user { email } } }`;

describe('the server on its embedded PostgreSQL', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('keeps accounts across a clean restart and recovers after kill -9', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parley-life-'));
    await chmod(dir, 0o755);
    dirs.push(dir);
    const env = { DATABASE_URL: '', PARLEY_DATA_DIR: join(dir, 'data'), PARLEY_OPEN_SIGNUP: 'true' };
    const first = await startServer(env);
    const email = 'keeper@example.org';
    await new Client(first.url).ok(SIGN_UP, { input: { email, password: 'a long enough password', displayName: 'Keeper' } });
    expect(await first.stop('SIGTERM')).toBe(0);
    // the embedded PostgreSQL was stopped cleanly too: it removes its pid file on exit
    expect(existsSync(join(dir, 'data', 'pg', 'postmaster.pid'))).toBe(false);

    const second = await startServer(env);
    expect((await new Client(second.url).ok(LOGIN, { e: email, p: 'a long enough password' })).login.user.email).toBe(email);
    await second.stop('SIGKILL');

    const third = await startServer(env);
    try {
      expect((await new Client(third.url).ok(LOGIN, { e: email, p: 'a long enough password' })).login.user.email).toBe(email);
      // a second server on the same folder is refused rather than fighting over it
      await expect(startServer(env)).rejects.toThrow(/in use by another running Parley server/);
    } finally {
      await third.stop('SIGTERM');
    }
    expect(existsSync(join(dir, 'data', 'pg', 'postmaster.pid'))).toBe(false);
  }, 120_000);

  it('stops in order when a signal comes while it is still starting', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parley-early-'));
    await chmod(dir, 0o755);
    dirs.push(dir);
    const child = spawn(process.execPath, ['dist/apps/api/src/main.js'], {
      env: { ...process.env, DATABASE_URL: '', PORT: '0', HOST: '127.0.0.1', PARLEY_DATA_DIR: join(dir, 'data') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    // SIGTERM as soon as the embedded database is up, while migrations and Nest still start
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (out.includes('embedded PostgreSQL ready')) {
          clearInterval(timer);
          resolve();
        }
      }, 5);
    });
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(out).not.toMatch(/failed to start|Unhandled|at .*\.js:\d+/);
    expect(existsSync(join(dir, 'data', 'pg', 'postmaster.pid'))).toBe(false);
  }, 120_000);

  it('refuses bad configuration with one line per problem and no secret echoed', async () => {
    const result = await run(process.execPath, ['dist/apps/api/src/main.js'], {
      env: { ...process.env, PORT: 'abc', DATABASE_URL: 'mysql://user:s3cret@host/db', LOG_LEVEL: 'loud', PARLEY_OPEN_SIGNUP: 'maybe' },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/PORT must be/);
    expect(result.stderr).toMatch(/DATABASE_URL must be a postgres/);
    expect(result.stderr).toMatch(/LOG_LEVEL must be one of/);
    expect(result.stderr).toMatch(/PARLEY_OPEN_SIGNUP must be true or false/);
    expect(result.stderr).not.toContain('s3cret');
  });
});
