import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { cp, lstat, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client, startServer, type ServerHandle } from './support/harness';
import { SIGN_UP } from './support/factories';
import { killHard } from './support/crash';

const run = promisify(execFile);
const LOGIN = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { user { email } } }`;
const ROOT = resolve(process.cwd());

jest.setTimeout(240_000);

// As root, from a checkout in a folder only root may enter, the server must start on its
// embedded PostgreSQL (which runs as `postgres`), keep its data in ./.parley across restarts
// and a kill -9, and the test suite's global setup must work there too.
const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('SKIPPED root-only-folder test: it needs to run as root (the case it covers is root starting Parley)');
(isRoot ? describe : describe.skip)('started as root from a folder only root may enter', () => {
  let base = '';
  let server: ServerHandle | null = null;
  afterAll(async () => {
    await server?.stop();
    if (base) await rm(base, { recursive: true, force: true });
  });

  it('runs, keeps its data across a restart and a kill -9, and the test global setup works', async () => {
    base = await mkdtemp(join(tmpdir(), 'parley-rootonly-'));
    await run('chmod', ['0700', base]);
    const app = join(base, 'checkout');
    await mkdir(join(app, 'test', 'support'), { recursive: true });
    // the built project: hard links for node_modules (fast, same file system), else a copy
    await run('cp', ['-al', join(ROOT, 'node_modules'), join(app, 'node_modules')]).catch(() =>
      run('cp', ['-a', join(ROOT, 'node_modules'), join(app, 'node_modules')]),
    );
    await cp(join(ROOT, 'dist'), join(app, 'dist'), { recursive: true });
    await cp(join(ROOT, 'package.json'), join(app, 'package.json'));
    for (const f of ['global-setup.mjs', 'global-teardown.mjs']) await cp(join(ROOT, 'test', 'support', f), join(app, 'test', 'support', f));
    const env = { DATABASE_URL: '', PARLEY_DATA_DIR: '', PARLEY_OPEN_SIGNUP: 'true' };

    server = await startServer(env, { cwd: app });
    const email = 'root-only@example.org';
    const password = 'a long enough password';
    await new Client(server.url).ok(SIGN_UP, { input: { email, password, displayName: 'Root' } });
    expect(await server.stop('SIGTERM')).toBe(0);
    // the data is where PARLEY_DATA_DIR says (./.parley), its PostgreSQL folder owned by postgres
    const pgData = join(app, '.parley', 'pg');
    const st = await lstat(pgData);
    expect(st.isDirectory()).toBe(true);
    expect(st.uid).not.toBe(0);
    expect(st.mode & 0o777).toBe(0o700);
    // the user's folders were left as they were
    expect((await stat(base)).mode & 0o777).toBe(0o700);

    server = await startServer(env, { cwd: app });
    expect((await new Client(server.url).ok(LOGIN, { e: email, p: password })).login.user.email).toBe(email);
    await killHard(server, join(app, '.parley'));
    server = await startServer(env, { cwd: app });
    expect((await new Client(server.url).ok(LOGIN, { e: email, p: password })).login.user.email).toBe(email);
    expect(await server.stop('SIGTERM')).toBe(0);
    server = null;

    // the e2e suite's global setup (one embedded PostgreSQL per run) from that checkout
    const probe = join(app, 'probe.mjs');
    await writeFile(
      probe,
      `import setup from './test/support/global-setup.mjs';
import teardown from './test/support/global-teardown.mjs';
import pg from 'pg';
delete process.env.DATABASE_URL;
await setup();
const c = new pg.Client({ connectionString: process.env.PARLEY_TEST_ADMIN_URL });
await c.connect();
const r = await c.query('SELECT current_user AS u');
await c.end();
await teardown();
console.log('global setup ok as ' + r.rows[0].u);
`,
    );
    const out = await run(process.execPath, [probe], { cwd: app, env: { ...process.env, DATABASE_URL: '' } });
    expect(out.stdout).toContain('global setup ok as parley');
  });
});
