import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { BoundedSemaphore, Pace, RateLimiter } from './rate-limiter';
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

describe(Pace.name, () => {
  it('lets `burst` start at once, then one per 1000/perSecond ms, in call order', () => {
    const pace = new Pace(25, 3);
    expect([0, 0, 0, 0, 0].map((at) => pace.reserve(1000 + at))).toEqual([0, 0, 0, 40, 80]);
    // later calls wait less, by as much as time has passed
    expect(pace.reserve(1100)).toBe(20);
    // after a quiet spell the burst is back, and no more than it
    expect([0, 0, 0, 0].map(() => pace.reserve(5000))).toEqual([0, 0, 0, 40]);
  });

  it('refuses a pace that means nothing', () => {
    for (const [perSecond, burst] of [
      [0, 1],
      [-1, 1],
      [Number.NaN, 1],
      [1, 0],
      [1, 1.5],
    ]) {
      expect(() => new Pace(perSecond, burst)).toThrow('Pace needs');
    }
  });

  it('never starts more than burst + perSecond × t in any t ms, never starts one before an earlier one, and makes no one wait who comes at the pace or slower', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 80 }),
        (perSecond, burst, gaps) => {
          const pace = new Pace(perSecond, burst);
          let now = 0;
          const starts: number[] = [];
          for (const gap of gaps) {
            now += gap;
            const wait = pace.reserve(now);
            expect(wait).toBeGreaterThanOrEqual(0);
            starts.push(now + wait);
          }
          for (let i = 1; i < starts.length; i++) expect(starts[i]).toBeGreaterThanOrEqual(starts[i - 1]);
          // any window [starts[i], starts[i] + t) holds at most burst + perSecond × t / 1000 starts
          const interval = 1000 / perSecond;
          for (let i = 0; i < starts.length; i++) {
            for (let j = i; j < starts.length; j++) {
              const t = starts[j] - starts[i];
              expect(j - i + 1).toBeLessThanOrEqual(burst + Math.floor(t / interval + 1e-9));
            }
          }
          // arrivals never closer than the interval: nobody waits
          const steady = new Pace(perSecond, burst);
          let at = 0;
          for (const gap of gaps) {
            at += interval + gap;
            expect(steady.reserve(at)).toBe(0);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
