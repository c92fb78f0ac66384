import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { hash, verify, Algorithm } from '@node-rs/argon2';
import { BoundedSemaphore } from '@parley/common';
import type { Argon2Request } from './argon2-worker';

export { PASSWORD_MAX, PASSWORD_MIN } from './password-policy';

// OWASP password storage guidance: argon2id, m = 19 MiB, t = 2, p = 1.
const PARAMS = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

// argon2 is expensive on purpose. A burst of sign-ins or sign-ups must not take the CPU from
// everyone else's requests and other rooms' live feed (measured: bench/burst.bench.mjs and
// docs/benchmarks.md):
// - at most half the cores hash at once (1 on a 2-core machine, at most 4), at most 32
//   waiting; past that the caller gets RATE_LIMITED at once;
// - the hashing runs in worker threads of its own at a low CPU priority (nice 10, on
//   Linux), never on the event loop nor in libuv's shared pool: it yields the CPU to the
//   event loop, PostgreSQL and the live feed.
export const ARGON2_SLOTS = Math.min(4, Math.max(1, Math.floor(availableParallelism() / 2)));
export const ARGON2_QUEUE = 32;
const gate = new BoundedSemaphore(ARGON2_SLOTS, ARGON2_QUEUE);

interface Slot {
  worker: Worker;
  pending: { resolve(v: unknown): void; reject(e: Error): void } | null;
}
const slots: Slot[] = [];
let nextId = 0;

function startSlot(): Slot {
  const slot: Slot = { worker: new Worker(WORKER_FILE!), pending: null };
  const fail = (e: Error) => {
    slot.pending?.reject(e);
    slot.pending = null;
    // a worker that died is replaced by the next call
    const i = slots.indexOf(slot);
    if (i >= 0) slots.splice(i, 1);
  };
  slot.worker.on('message', (m: { result?: unknown; error?: string }) => {
    const p = slot.pending;
    slot.pending = null;
    slot.worker.unref();
    if (m.error !== undefined) p?.reject(new Error(m.error));
    else p?.resolve(m.result);
  });
  slot.worker.on('error', fail);
  slot.worker.on('exit', (code) => fail(new Error(`argon2 worker exited with ${code}`)));
  slot.worker.unref();
  slots.push(slot);
  return slot;
}

// The worker is the built file beside this one (dist, CommonJS). Where there is none (the
// TypeScript sources run as ES modules by the medium test tier, which has no __dirname), the
// same work runs on libuv's pool instead, still behind the gate.
const WORKER_FILE = typeof __dirname === 'string' ? join(__dirname, 'argon2-worker.js') : null;

// runs in an idle worker (the gate lets at most ARGON2_SLOTS through at once)
function inWorker<T>(r: Omit<Argon2Request, 'id'>): Promise<T> {
  if (!WORKER_FILE) return (r.op === 'hash' ? hash(r.password, r.params) : verify(r.hash!, r.password)) as Promise<T>;
  const slot = slots.find((s) => !s.pending) ?? startSlot();
  return new Promise<T>((resolve, reject) => {
    slot.pending = { resolve: resolve as (v: unknown) => void, reject };
    // held while it works, so a command waiting for a hash does not exit meanwhile
    slot.worker.ref();
    slot.worker.postMessage({ ...r, id: nextId++ });
  });
}

// true when one more argon2 job would be refused: callers refuse before any other work (a
// refused sign-in costs no database round trip)
export function argon2Busy(): boolean {
  const { active, waiting } = gate.load;
  return active >= ARGON2_SLOTS && waiting >= ARGON2_QUEUE;
}

export function hashPassword(password: string): Promise<string> {
  return gate.run(() => inWorker<string>({ op: 'hash', password, params: PARAMS }));
}

const verifyIn = (stored: string, password: string) => inWorker<boolean>({ op: 'verify', password, hash: stored }).catch(() => false);

// A real hash of a random password, verified against when the email is unknown so that
// unknown emails and wrong passwords take about the same time.
let dummy: Promise<string> | null = null;

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (stored === null) {
    dummy ??= hash(`dummy-${Math.random()}-${Date.now()}`, PARAMS);
    const d = await dummy;
    await gate.run(() => verifyIn(d, password));
    return false;
  }
  return gate.run(() => verifyIn(stored, password));
}
