import { spawn, type ChildProcess } from 'node:child_process';
import type { Options } from '@node-rs/argon2';

export interface Argon2Job {
  id: number;
  op: 'hash' | 'verify';
  password: string;
  hash?: string;
  params?: Options;
}

export type Argon2Reply = { id: number; result: string | boolean; error?: undefined } | { id: number; error: string; result?: undefined };

// the argon2 process ended (crashed, was killed, could not start) while a job was in it or
// before it could take one: the job did not run; the next job starts a new process
export class Argon2Unavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Argon2Unavailable';
  }
}

interface Running {
  child: ChildProcess;
  pending: Map<number, { resolve(v: unknown): void; reject(e: Error): void }>;
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
// - The child is unreferenced while idle (it never keeps the server or a command alive), killed
//   when the server exits, and exits by itself when the server is gone, even after a SIGKILL.
export class Argon2Process {
  private running: Running | null = null;
  private nextId = 0;
  private exitHook = false;
  // told when the process ends other than by stop() (the server logs it)
  onUnexpectedEnd: ((why: string) => void) | null = null;

  constructor(
    private readonly file: string,
    private readonly threads: number,
  ) {}

  // the process's id while one runs (tests)
  get pid(): number | null {
    return this.running?.child.pid ?? null;
  }

  run<T>(job: Omit<Argon2Job, 'id'>): Promise<T> {
    const running = this.running ?? this.start();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      running.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
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
    const running: Running = { child, pending: new Map() };
    child.on('message', (m: Argon2Reply) => {
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

  // rejects the process's jobs and ends it if it still runs
  private fail(running: Running, e: Argon2Unavailable, signal: NodeJS.Signals = 'SIGKILL', deliberate = false) {
    if (this.running === running) {
      this.running = null;
      if (!deliberate) this.onUnexpectedEnd?.(`${e.message}; ${running.pending.size} job(s) refused, the next job starts a new process`);
    }
    if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill(signal);
    const jobs = [...running.pending.values()];
    running.pending.clear();
    setRef(running.child, false);
    for (const p of jobs) p.reject(e);
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
