// One argon2 worker thread (see password.ts): hashes and verifies one at a time, at a low
// CPU priority, so that password work yields the CPU to the event loop, the database and the
// live feed.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { hashSync, verifySync, type Options } from '@node-rs/argon2';

export interface Argon2Request {
  id: number;
  op: 'hash' | 'verify';
  password: string;
  hash?: string;
  params?: Options;
}

try {
  // Linux: /proc/thread-self names this thread; setpriority on a thread id renices that
  // thread alone (nice 10: about a tenth of the CPU share of a normal thread when they compete)
  setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), 10);
} catch {
  // elsewhere the worker runs at normal priority; the bound on concurrency still holds
}

parentPort?.on('message', (r: Argon2Request) => {
  try {
    const result = r.op === 'hash' ? hashSync(r.password, r.params) : verifySync(r.hash!, r.password);
    parentPort!.postMessage({ id: r.id, result });
  } catch (e) {
    parentPort!.postMessage({ id: r.id, error: e instanceof Error ? e.message : String(e) });
  }
});
