import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { BoundedSemaphore, RateLimiter } from './rate-limiter';
import { DomainError } from './errors';

const tick = () => new Promise((r) => setImmediate(r));

describe(BoundedSemaphore.name, () => {
  it('never runs more than its slots at once, runs every admitted task, and refuses only past the queue', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 20 }), async (slots, queue, tasks) => {
        const gate = new BoundedSemaphore(slots, queue);
        let running = 0;
        let most = 0;
        const release: Array<() => void> = [];
        const results = Array.from({ length: tasks }, () =>
          gate
            .run(async () => {
              running += 1;
              most = Math.max(most, running);
              await new Promise<void>((r) => release.push(r));
              running -= 1;
              return 'done';
            })
            .catch((e: unknown) => (e instanceof DomainError ? e.code : 'other')),
        );
        // let everything admitted start or queue, then release tasks one by one
        await tick();
        while (release.length || gate.load.active) {
          release.shift()?.();
          await tick();
        }
        const outcomes = await Promise.all(results);
        expect(most).toBeLessThanOrEqual(slots);
        expect(outcomes.filter((o) => o === 'done').length).toBe(Math.min(tasks, slots + queue));
        expect(outcomes.filter((o) => o === 'RATE_LIMITED').length).toBe(Math.max(0, tasks - slots - queue));
        expect(gate.load).toEqual({ active: 0, waiting: 0 });
      }),
      { numRuns: 60 },
    );
  });

  it('frees the slot when a task fails', async () => {
    const gate = new BoundedSemaphore(1, 0);
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(gate.run(async () => 1)).resolves.toBe(1);
  });
});

describe(RateLimiter.name, () => {
  it('allows exactly the limit per key in a window, then again after it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 50 }), (limit, tries) => {
        const r = new RateLimiter(limit, 1000);
        const allowed = Array.from({ length: tries }, () => r.take('k', 0)).filter(Boolean).length;
        expect(allowed).toBe(Math.min(limit, tries));
        expect(r.take('other', 0)).toBe(true);
        expect(r.take('k', 1000)).toBe(true);
      }),
    );
  });

  it('says how long a used-up key waits, without counting', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 59_999 }), (limit, at) => {
        const r = new RateLimiter(limit, 60_000);
        for (let i = 0; i < limit - 1; i++) r.take('k', 0);
        // peeking never uses up the last call
        expect(r.refusedForSeconds('k', at)).toBe(0);
        expect(r.refusedForSeconds('k', at)).toBe(0);
        r.take('k', 0);
        expect(r.refusedForSeconds('k', at)).toBe(Math.ceil((60_000 - at) / 1000));
        expect(r.refusedForSeconds('k', 60_000)).toBe(0);
        expect(r.refusedForSeconds('other', at)).toBe(0);
      }),
    );
  });
});
