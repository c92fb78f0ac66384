import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { startApp, type TestApp } from '../support/harness';
import { buildWorld, expectIntact, type HostileWorld } from './support/fixtures';
import { brief, HOSTILE_RUNS, HOSTILE_SEED, loadSchema, operations, pool, problemsOfErrors, variablesFor, type Operation } from './support/inputs';

// Every operation of the schema, with generated hostile variables, as every kind of caller.
// The share of the run's inputs this file tries (PARLEY_HOSTILE_RUNS in all, 5 000 by default).
const INPUTS = Math.ceil(HOSTILE_RUNS * 0.7);
const SESSION_ENDING = new Set(['logout']);

// a keep-alive connection the server closed as it went idle is retried once
async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (e) {
    if ((e as { cause?: { code?: string } }).cause?.code !== 'UND_ERR_SOCKET' || String(init.body).length > 256 * 1024) throw e;
    return fetch(url, init);
  }
}

describe('hostile GraphQL inputs', () => {
  let app: TestApp;
  let world: HostileWorld;
  const ops: Operation[] = operations(loadSchema());
  beforeAll(async () => {
    app = await startApp();
    world = await buildWorld(app);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it('has a generator for every argument of every operation', () => {
    expect(ops.length).toBeGreaterThan(30);
    const missing: string[] = [];
    for (const op of ops) {
      try {
        variablesFor(op, { ids: ['00000000-0000-0000-0000-000000000000'] });
      } catch (e) {
        missing.push((e as Error).message);
      }
    }
    expect(missing).toEqual([]);
  });

  it(
    `answers ${INPUTS} generated inputs with contract codes only, then is intact`,
    async () => {
      const started = Date.now();
      const perOp = Math.ceil(INPUTS / ops.length);
      const problems: string[] = [];
      let tried = 0;
      const statuses = new Map<string, number>();
      const spent = new Map<string, number>();
      for (const [k, op] of ops.entries()) {
        const inputs = fc.sample(fc.tuple(variablesFor(op, world.pool), fc.nat(world.callers.length - 1)), { numRuns: perOp, seed: HOSTILE_SEED + k });
        await pool(inputs, 8, async ([variables, who]) => {
          // logout would end the fixtures' sessions: it is tried without a real session
          const caller = SESSION_ENDING.has(op.name) ? world.callers[who % 2 === 0 ? 0 : world.callers.length - 1] : world.callers[who];
          const payload = JSON.stringify({ query: op.document, variables });
          let res: Response;
          const t0 = Date.now();
          try {
            res = await send(`${app.server.url}/graphql`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', ...(caller.client.token ? { authorization: `Bearer ${caller.client.token}` } : {}) },
              body: payload,
            });
          } catch (e) {
            tried += 1;
            // a body past the limit is refused (413) before it is read: the server may close
            // the connection while the client is still writing
            const cause = String((e as { cause?: { code?: string } }).cause?.code);
            if (payload.length > 256 * 1024 && ['EPIPE', 'ECONNRESET', 'UND_ERR_SOCKET'].includes(cause))
              return void statuses.set('refused', (statuses.get('refused') ?? 0) + 1);
            if (problems.length < 20) problems.push(`${op.name} as ${caller.name}: request failed (${cause}) with ${brief(variables)}`);
            return;
          }
          tried += 1;
          const text = await res.text();
          spent.set(op.name, (spent.get(op.name) ?? 0) + Date.now() - t0);
          let body: { data?: unknown; errors?: Array<{ message?: unknown; extensions?: { code?: unknown } }> } | null = null;
          try {
            body = JSON.parse(text);
          } catch {
            // reported below
          }
          const found = res.status >= 500 ? [`status ${res.status}`] : !body ? [`not JSON: ${text.slice(0, 100)}`] : problemsOfErrors(body.errors);
          if (body && !body.errors?.length && !body.data) found.push('neither data nor errors');
          const outcome = body?.errors?.length ? String(body.errors[0].extensions?.code) : 'ok';
          statuses.set(outcome, (statuses.get(outcome) ?? 0) + 1);
          if (found.length && problems.length < 20) problems.push(`${op.name} as ${caller.name} with ${brief(variables)}: ${found.join('; ')}`);
        });
      }
      const seconds = (Date.now() - started) / 1000;
      console.log(
        `hostile GraphQL: ${tried} inputs over ${ops.length} operations in ${seconds.toFixed(1)} s (seed ${HOSTILE_SEED}); answers ${JSON.stringify(Object.fromEntries(statuses))}`,
      );
      const costly = [...spent]
        .sort((x, y) => y[1] - x[1])
        .slice(0, 5)
        .map(([name, ms]) => `${name} ${(ms / perOp).toFixed(0)} ms`);
      console.log(`hostile GraphQL: the slowest operations (mean per input): ${costly.join(', ')}`);
      if (problems.length)
        console.log(
          app.server.logs
            .filter((l) => /"level":50/.test(l))
            .slice(0, 3)
            .join('\n')
            .slice(0, 3000),
        );
      expect(problems).toEqual([]);
      expect(tried).toBeGreaterThanOrEqual(INPUTS);
      await expectIntact(app, world);
    },
    Math.max(240_000, HOSTILE_RUNS * 40),
  );
});
