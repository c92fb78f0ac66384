import { execFileSync } from 'node:child_process';

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
