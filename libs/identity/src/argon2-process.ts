import { spawn, type ChildProcess } from 'node:child_process';
import type { Options } from '@node-rs/argon2';

export interface Argon2Job {
  id: number;
  op: 'hash' | 'verify';
  password: string;
  hash?: string;
  params?: Options;
}

export type Argon2Reply =
  | { id: number; result: string | boolean; error?: undefined }
  | { id: number; error: string; result?: undefined }
  // sent once, when the process is ready to take jobs
  | { ready: true };

// the argon2 process ended (crashed, was killed) while a job was in it or before it could
// take one: the job did not run; the next job starts a new process
export class Argon2Unavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Argon2Unavailable';
  }
}

type Job = Omit<Argon2Job, 'id'>;

interface Running {
  child: ChildProcess;
  // it said it is ready: an end after that is a crash, before it a failure to start
  ready: boolean;
  pending: Map<number, { job: Job; resolve(v: unknown): void; reject(e: Error): void }>;
}

export interface Argon2ProcessOptions {
  // where jobs run while the process cannot start (degraded mode): in the server's own
  // process; without one, such jobs are refused like those of a crashed process
  fallback?: (job: Job) => Promise<unknown>;
  // how long jobs go to the fallback before the process is tried again
  retryMs?: number;
  // told once when the process cannot start (jobs go to the fallback), and once when it has
  // started again after that (the server logs both)
  onDegraded?: (why: string) => void;
  onRecovered?: () => void;
}

// The server's side of argon2-child.ts: one child process, started at the first job (a
// command that hashes nothing starts none), that runs up to `threads` jobs at once; callers
// bound how many they hand it (password.ts). Why a process and not a thread of the server: on
// Linux every session is a scheduling group with an equal share of the CPU (autogroups), and
// threads share their process's group, so argon2 threads, even reniced, take their CPU from
// the server's own share, i.e. from its event loop; a child in a session of its own (detached)
// competes as a group of its own, reniced as a whole (docs/benchmarks.md, "Sign-in burst").
// - A job whose process ends before answering is rejected with Argon2Unavailable; the next job
//   starts a new process.
// - A process that ends before it said it was ready could not start (no such file, a module
//   it cannot load, no process to be had): its jobs, and every job for the next `retryMs`, run
//   in `fallback` instead (degraded mode, reported once); then the process is tried again.
// - The child is unreferenced while idle (it never keeps the server or a command alive), killed
//   when the server exits, and exits by itself when the server is gone, even after a SIGKILL.
export class Argon2Process {
  private running: Running | null = null;
  private nextId = 0;
  private exitHook = false;
  // degraded mode: jobs go to the fallback until then (ms since the epoch)
  private degradedUntil: number | null = null;
  // told when the process ends other than by stop() after it started (the server logs it)
  onUnexpectedEnd: ((why: string) => void) | null = null;

  constructor(
    private readonly file: string,
    private readonly threads: number,
    private readonly options: Argon2ProcessOptions = {},
  ) {}

  // the process's id while one runs (tests)
  get pid(): number | null {
    return this.running?.child.pid ?? null;
  }

  // true while jobs run in the fallback because the process could not start
  get degraded(): boolean {
    return this.degradedUntil !== null;
  }

  run<T>(job: Job): Promise<T> {
    const { fallback } = this.options;
    if (fallback && this.degradedUntil !== null && Date.now() < this.degradedUntil) return fallback(job) as Promise<T>;
    const running = this.running ?? this.start();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      running.pending.set(id, { job, resolve: resolve as (v: unknown) => void, reject });
      // held while it works, so a command waiting for a hash does not exit meanwhile
      if (running.pending.size === 1) setRef(running.child, true);
      running.child.send({ ...job, id } satisfies Argon2Job, (e) => {
        if (e) this.fail(running, new Argon2Unavailable(`the argon2 process did not take the job: ${e.message}`));
      });
    });
  }

  // ends the process (its jobs are rejected); the next job starts a new one
  stop(signal: NodeJS.Signals = 'SIGTERM'): void {
    const running = this.running;
    if (!running) return;
    this.fail(running, new Argon2Unavailable('the argon2 process was stopped'), signal, true);
  }

  private start(): Running {
    const child = spawn(process.execPath, [this.file], {
      // setsid(): a session, so a scheduling group, of its own; its own process group too, so a
      // terminal's Ctrl-C reaches the server, which then ends it
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // (not fork(): none of the server's node flags, such as --inspect, --cpu-prof or preloads)
      env: { ...process.env, UV_THREADPOOL_SIZE: String(this.threads) },
    });
    const running: Running = { child, ready: false, pending: new Map() };
    child.on('message', (m: Argon2Reply) => {
      if ('ready' in m) {
        running.ready = true;
        if (this.degradedUntil !== null) {
          this.degradedUntil = null;
          this.options.onRecovered?.();
        }
        return;
      }
      const p = running.pending.get(m.id);
      if (!p) return;
      running.pending.delete(m.id);
      if (running.pending.size === 0) setRef(child, false);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.result);
    });
    child.on('error', (e) => this.fail(running, new Argon2Unavailable(`the argon2 process failed: ${e.message}`)));
    child.on('exit', (code, signal) => this.fail(running, new Argon2Unavailable(`the argon2 process exited (${signal ?? `code ${code}`})`)));
    setRef(child, false);
    if (!this.exitHook) {
      this.exitHook = true;
      process.once('exit', () => this.running?.child.kill('SIGKILL'));
    }
    this.running = running;
    return running;
  }

  // rejects the process's jobs (or, when it never started, hands them to the fallback) and
  // ends it if it still runs
  private fail(running: Running, e: Argon2Unavailable, signal: NodeJS.Signals = 'SIGKILL', deliberate = false) {
    const { fallback } = this.options;
    const couldNotStart = !deliberate && !running.ready && fallback !== undefined;
    if (this.running === running) {
      this.running = null;
      if (couldNotStart) {
        const first = this.degradedUntil === null;
        this.degradedUntil = Date.now() + (this.options.retryMs ?? 60_000);
        if (first)
          this.options.onDegraded?.(
            `${e.message} before it was ready; argon2 runs in the server's own process, one job at a time, and the process is tried again later`,
          );
      } else if (!deliberate) this.onUnexpectedEnd?.(`${e.message}; ${running.pending.size} job(s) refused, the next job starts a new process`);
    }
    if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill(signal);
    const jobs = [...running.pending.values()];
    running.pending.clear();
    setRef(running.child, false);
    for (const p of jobs) {
      if (couldNotStart) fallback(p.job).then(p.resolve, p.reject);
      else p.reject(e);
    }
  }
}

function setRef(child: ChildProcess, on: boolean) {
  if (on) {
    child.ref();
    child.channel?.ref();
  } else {
    child.unref();
    child.channel?.unref();
  }
}
