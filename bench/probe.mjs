// Preloaded into the server by bench/burst.bench.mjs (`--import`): on SIGUSR2 it prints the
// event loop's delay since the last signal (monitorEventLoopDelay, 10 ms resolution) and the
// garbage collector's pauses meanwhile (count, total, longest, and the longest's kind) as one
// `PROBE {...}` line on stdout and starts over, so the bench files it under a phase.
// Stalls: a 10 ms timer that fires over STALL_MS late is a stall; for each, what the event
// loop's thread did meanwhile (Linux /proc/<pid>/task/<pid>/schedstat: ran on a CPU, or waited
// for one while runnable; the rest it slept, e.g. blocked) and the GC pauses in it.
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver, constants } from 'node:perf_hooks';

const h = monitorEventLoopDelay({ resolution: 10 });
h.enable();
const KINDS = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};
let gc = { count: 0, totalMs: 0, maxMs: 0, maxKind: null };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gc.count += 1;
    gc.totalMs += e.duration;
    gcCumulativeMs += e.duration;
    if (e.duration > gc.maxMs) {
      gc.maxMs = e.duration;
      gc.maxKind = KINDS[e.detail?.kind] ?? String(e.detail?.kind);
    }
  }
}).observe({ entryTypes: ['gc'] });
let gcCumulativeMs = 0;
const STALL_MS = 100;
const sched = () => {
  try {
    const [run, wait] = readFileSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, 'utf8').split(' ').map(Number);
    return { run: run / 1e6, wait: wait / 1e6 };
  } catch {
    return { run: 0, wait: 0 };
  }
};
let stalls = [];
let tick = { at: performance.now(), ...sched(), gc: 0 };
setInterval(() => {
  const now = { at: performance.now(), ...sched(), gc: gcCumulativeMs };
  const gap = now.at - tick.at;
  if (gap > STALL_MS)
    stalls.push({ ms: Math.round(gap), ranMs: Math.round(now.run - tick.run), waitedMs: Math.round(now.wait - tick.wait), gcMs: Math.round(now.gc - tick.gc) });
  tick = now;
}, 10).unref();
const ms = (ns) => Math.round(ns / 1e4) / 100;
const r2 = (x) => Math.round(x * 100) / 100;
process.on('SIGUSR2', () => {
  const line = {
    p50Ms: ms(h.percentile(50)),
    p99Ms: ms(h.percentile(99)),
    maxMs: ms(h.max),
    meanMs: ms(h.mean),
    gcCount: gc.count,
    gcTotalMs: r2(gc.totalMs),
    gcMaxMs: r2(gc.maxMs),
    gcMaxKind: gc.maxKind,
    // the three longest stalls
    stalls: stalls.sort((a, b) => b.ms - a.ms).slice(0, 3),
    stallCount: stalls.length,
  };
  stalls = [];
  h.reset();
  gc = { count: 0, totalMs: 0, maxMs: 0, maxKind: null };
  process.stdout.write(`PROBE ${JSON.stringify(line)}\n`);
});
