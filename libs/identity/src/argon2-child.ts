// The argon2 process (see argon2-process.ts): started by the server as a process of its own,
// in a session of its own, it hashes and verifies passwords on libuv's pool (as many threads as
// the server lets jobs through at once, UV_THREADPOOL_SIZE) and answers over the IPC channel.
// It exits as soon as its parent is gone, however the parent ended (the channel closes, even on
// SIGKILL; as a fallback it notices being re-parented).
import { writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import type { Argon2Job, Argon2Reply } from './argon2-process';

if (!process.send) {
  console.error('argon2-child: this file is started by the server (argon2-process.ts), not by hand');
  process.exit(2);
}

const NICE = Number(process.env.PARLEY_ARGON2_NICE ?? 10);
try {
  // Linux with autogroups (every session is a scheduling group with an equal share): this
  // process leads a session of its own, so its group's nice value sets its share against the
  // server's event loop, PostgreSQL and the live feed (nice 10: about a tenth of a group at 0)
  writeFileSync('/proc/self/autogroup', String(NICE));
} catch {
  // no autogroups here: the process's own nice value below is what counts
}
try {
  // before the pool's threads start, which inherit it
  setPriority(0, NICE);
} catch {
  // not allowed: the bound on concurrency still holds
}

const parent = process.ppid;
process.on('disconnect', () => process.exit(0));
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 1000).unref();

const send = (reply: Argon2Reply) => {
  if (process.connected) process.send!(reply);
};

process.on('message', (job: Argon2Job) => {
  const work = job.op === 'hash' ? hash(job.password, job.params) : verify(job.hash!, job.password);
  work.then(
    (result) => send({ id: job.id, result }),
    (e: unknown) => send({ id: job.id, error: e instanceof Error ? e.message : String(e) }),
  );
});

// set up (argon2 loaded, reniced, listening): the server counts an end from now on as a crash,
// not as a process that cannot start (argon2-process.ts)
send({ ready: true });
