import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { hash, verify, Algorithm } from '@node-rs/argon2';
import { BoundedSemaphore, DomainError, rateLimited } from '@parley/common';
import { Argon2Process, Argon2Unavailable, type Argon2Job } from './argon2-process';

export { PASSWORD_MAX, PASSWORD_MIN } from './password-policy';

// OWASP password storage guidance: argon2id, m = 19 MiB, t = 2, p = 1.
const PARAMS = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

// argon2 is expensive on purpose. A burst of sign-ins or sign-ups must not take the CPU from
// everyone else's requests and other rooms' live feed (measured: bench/burst.bench.mjs and
// docs/benchmarks.md):
// - at most half the cores hash at once (1 on a 2-core machine, at most 4), at most 32
//   waiting; past that the caller gets RATE_LIMITED at once;
// - the hashing runs in a process of its own (argon2-process.ts), in a scheduling group of its
//   own at a low priority (nice 10, on Linux), never on the event loop nor in the server's
//   threads: it yields the CPU to the event loop, PostgreSQL and the live feed.
export const ARGON2_SLOTS = Math.min(4, Math.max(1, Math.floor(availableParallelism() / 2)));
export const ARGON2_QUEUE = 32;
const gate = new BoundedSemaphore(ARGON2_SLOTS, ARGON2_QUEUE);

// The same work in the server's own process, on libuv's pool (@node-rs/argon2's async
// functions), one job at a time whatever the gate lets through: where there is no argon2
// process (below) and while it cannot start (degraded mode).
// never full: the gate lets at most ARGON2_SLOTS through (and the one dummy hash besides)
const inProcessOne = new BoundedSemaphore(1, ARGON2_SLOTS + ARGON2_QUEUE);
function inProcess(r: Omit<Argon2Job, 'id'>): Promise<unknown> {
  return inProcessOne.run((): Promise<string | boolean> => (r.op === 'hash' ? hash(r.password, r.params) : verify(r.hash!, r.password)));
}

// The argon2 process is the built file beside this one (dist, CommonJS), or
// PARLEY_ARGON2_CHILD (tests: a path that cannot start, for the degraded mode). Where there is
// none (the TypeScript sources run as ES modules by the medium test tier, which has no
// __dirname), the same work runs on libuv's pool instead, still behind the gate.
const CHILD_FILE = process.env.PARLEY_ARGON2_CHILD || (typeof __dirname === 'string' ? join(__dirname, 'argon2-child.js') : null);
// while the process cannot start, jobs run in this process and it is tried again this often
const RETRY_MS = 60_000;
const degradedLog: { degraded(why: string): void; recovered(): void } = { degraded: () => undefined, recovered: () => undefined };
const argon2 = CHILD_FILE
  ? new Argon2Process(CHILD_FILE, ARGON2_SLOTS, {
      fallback: inProcess,
      retryMs: RETRY_MS,
      onDegraded: (why) => degradedLog.degraded(why),
      onRecovered: () => degradedLog.recovered(),
    })
  : null;

// A job whose process ended before it answered did not run: the caller is told to try again
// in a moment (RATE_LIMITED, as when the queue is full), not given a wrong answer or a 500.
const UNAVAILABLE = 'The server is busy signing people in; try again in a moment.';

// runs in the argon2 process (the gate lets at most ARGON2_SLOTS through at once)
function inChild<T>(r: Omit<Argon2Job, 'id'>): Promise<T> {
  if (!argon2) return inProcess(r) as Promise<T>;
  return argon2.run<T>(r).catch((e: unknown) => {
    throw e instanceof Argon2Unavailable ? rateLimited(UNAVAILABLE, 1) : e;
  });
}

// ends the argon2 process, if one runs (tests; the process also ends with the server)
export function stopArgon2Process(signal?: NodeJS.Signals): void {
  argon2?.stop(signal);
}

// `report` is told when the argon2 process ends unexpectedly (crashed, killed); `degraded`
// once when it cannot start (sign-ins are then hashed in this process, one at a time) and
// `recovered` when it has started again after that
export function reportArgon2Trouble(report: (why: string) => void, degraded?: (why: string) => void, recovered?: () => void): void {
  if (!argon2) return;
  argon2.onUnexpectedEnd = report;
  if (degraded) degradedLog.degraded = degraded;
  if (recovered) degradedLog.recovered = recovered;
}

// the argon2 process's id while one runs (tests)
export function argon2ProcessId(): number | null {
  return argon2?.pid ?? null;
}

// true when one more argon2 job would be refused: callers refuse before any other work (a
// refused sign-in costs no database round trip)
export function argon2Busy(): boolean {
  return gate.full;
}

export function hashPassword(password: string): Promise<string> {
  return gate.run(() => inChild<string>({ op: 'hash', password, params: PARAMS }));
}

// a stored hash argon2 cannot read verifies nothing; the process being gone is not a wrong password
const verifyIn = (stored: string, password: string) =>
  inChild<boolean>({ op: 'verify', password, hash: stored }).catch((e: unknown) => {
    if (e instanceof DomainError) throw e;
    return false;
  });

// A real hash of a random password, verified against when the email is unknown so that
// unknown emails and wrong passwords take about the same time.
let dummy: Promise<string> | null = null;

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (stored === null) {
    // made in the argon2 process too, once (again if that failed)
    dummy ??= inChild<string>({ op: 'hash', password: `dummy-${Math.random()}-${Date.now()}`, params: PARAMS }).catch((e: unknown) => {
      dummy = null;
      throw e;
    });
    const d = await dummy;
    await gate.run(() => verifyIn(d, password));
    return false;
  }
  return gate.run(() => verifyIn(stored, password));
}
