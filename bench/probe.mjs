// Preloaded into the server by bench/burst.bench.mjs (`--import`): on SIGUSR2 it prints the
// event loop's delay since the last signal (monitorEventLoopDelay, 10 ms resolution) as one
// `PROBE {...}` line on stdout and starts over, so the bench files it under a phase.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const h = monitorEventLoopDelay({ resolution: 10 });
h.enable();
const ms = (ns) => Math.round(ns / 1e4) / 100;
process.on('SIGUSR2', () => {
  const line = { p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max), meanMs: ms(h.mean) };
  h.reset();
  process.stdout.write(`PROBE ${JSON.stringify(line)}\n`);
});
