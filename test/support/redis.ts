import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startApp, startServer, type ServerHandle, type TestApp } from './harness';

export const TEST_REDIS_URL = process.env.PARLEY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

// probed synchronously at load, so the tests can be declared skipped with a reason
export function redisAnswers(url: string = TEST_REDIS_URL): boolean {
  const probe = `const u = new URL(process.argv[1]); const s = require('node:net').connect(Number(u.port || 6379), u.hostname);
    s.setTimeout(1000); s.once('connect', () => s.write('PING\\r\\n'));
    s.once('data', (d) => process.exit(String(d).startsWith('+PONG') ? 0 : 1));
    s.once('error', () => process.exit(1)); s.once('timeout', () => process.exit(1));`;
  try {
    execFileSync(process.execPath, ['-e', probe, url], { timeout: 5000, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// The app and a second API instance on its database, joined by Redis under a channel prefix
// of their own (parallel runs sharing the Redis server never mix).
export async function startTwoInstances(): Promise<{ app: TestApp; second: ServerHandle; prefix: string }> {
  const prefix = `parley-test-${randomBytes(4).toString('hex')}`;
  const env = { REDIS_URL: TEST_REDIS_URL, PARLEY_REDIS_PREFIX: prefix };
  const app = await startApp(env);
  try {
    return { app, second: await startServer({ ...env, DATABASE_URL: app.db.url, PARLEY_OPEN_SIGNUP: 'true' }), prefix };
  } catch (e) {
    await app.close();
    throw e;
  }
}
