// Live fan-out on two API instances with the Redis adapter against one instance, the same
// total load (the members of every room spread over both): bench/live.bench.mjs with
// BENCH_INSTANCES=2 and no plain socket.io run. Needs Redis (REDIS_URL, default
// redis://127.0.0.1:6379).
process.env.BENCH_INSTANCES ??= '2';
process.env.BENCH_PLAIN ??= '0';
process.env.BENCH_SCENARIO ??= 'live-redis';
await import('./live.bench.mjs');
