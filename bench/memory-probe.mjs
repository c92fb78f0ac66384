// Preloaded into the server by bench/memory.bench.mjs (node --expose-gc --import …): answers
// a 'memory?' message on the IPC channel with process.memoryUsage() after full collections,
// and { snapshot: dir } with the path of a heap snapshot written there.
// Not part of the server; nothing else loads it.
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';

process.on('message', (m) => {
  for (let i = 0; i < 3; i++) globalThis.gc();
  if (m === 'memory?') process.send({ memory: process.memoryUsage() });
  else if (m && typeof m.snapshot === 'string') process.send({ file: writeHeapSnapshot(join(m.snapshot, `server-${Date.now()}.heapsnapshot`)) });
});
