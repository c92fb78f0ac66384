import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { SeriesCache } from './series-cache';

interface Point {
  seq: number;
  value: number;
}

const points = (seqs: number[]): Point[] => seqs.map((seq) => ({ seq, value: seq * 10 }));

describe('SeriesCache', () => {
  it('reads only the points after what it holds, and answers the whole series', () => {
    const cache = new SeriesCache<Point>(100);
    const first = cache.tail('a');
    expect(first).toEqual({ held: [], after: 0 });
    expect(cache.join('a', first.held, points([1, 3, 4]))).toEqual(points([1, 3, 4]));
    const second = cache.tail('a');
    expect(second.after).toBe(4);
    expect(cache.join('a', second.held, points([7]))).toEqual(points([1, 3, 4, 7]));
    const third = cache.tail('a');
    expect(third.after).toBe(7);
    // nothing new: the same (frozen, shared) array
    expect(cache.join('a', third.held, [])).toBe(third.held);
    expect(Object.isFrozen(third.held)).toBe(true);
    expect(Object.isFrozen(third.held[0])).toBe(true);
    expect(cache.points).toBe(4);
  });

  it('refuses points that are not after what it holds, in seq order', () => {
    const cache = new SeriesCache<Point>(100);
    const { held } = cache.tail('a');
    cache.join('a', held, points([1, 2]));
    const next = cache.tail('a');
    expect(() => cache.join('a', next.held, points([2, 3]))).toThrow(RangeError);
    expect(() => cache.join('a', next.held, points([4, 3]))).toThrow(RangeError);
    expect(cache.tail('a').held).toEqual(points([1, 2]));
  });

  it('drops the least recently used series past its bound, and never keeps one longer than the bound', () => {
    const cache = new SeriesCache<Point>(5);
    cache.join('a', [], points([1, 2]));
    cache.join('b', [], points([1, 2]));
    cache.tail('a'); // a used more recently than b
    cache.join('c', [], points([1, 2]));
    expect(cache.points).toBe(4);
    expect(cache.tail('b').after).toBe(0);
    expect(cache.tail('a').after).toBe(2);
    expect(cache.tail('c').after).toBe(2);
    expect(cache.join('d', [], points([1, 2, 3, 4, 5, 6]))).toHaveLength(6);
    expect(cache.tail('d').after).toBe(0);
    expect(cache.points).toBeLessThanOrEqual(5);
  });

  it('whatever readers and writers interleave, every answer is the series as read and the cache holds only whole series', () => {
    const keys = ['a', 'b', 'c'];
    const op = fc.oneof(
      fc.record({ kind: fc.constant('write' as const), key: fc.constantFrom(...keys), n: fc.integer({ min: 1, max: 4 }), gap: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ kind: fc.constant('begin' as const), key: fc.constantFrom(...keys) }),
      fc.record({ kind: fc.constant('finish' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12 }), fc.array(op, { maxLength: 60 }), (max, ops) => {
        const cache = new SeriesCache<Point>(max);
        // the database: each key's series, only ever appended to
        const db = new Map<string, Point[]>(keys.map((k) => [k, []]));
        const pending: Array<{ key: string; held: readonly Point[]; read: Point[]; expected: Point[] }> = [];
        for (const o of ops) {
          if (o.kind === 'write') {
            const series = db.get(o.key)!;
            for (let i = 0; i < o.n; i++) series.push({ seq: (series.at(-1)?.seq ?? 0) + o.gap, value: Math.random() });
          } else if (o.kind === 'begin') {
            const { held, after } = cache.tail(o.key);
            const series = db.get(o.key)!;
            // what the database answers now: the points after `after`
            pending.push({ key: o.key, held, read: series.filter((p) => p.seq > after).map((p) => ({ ...p })), expected: series.map((p) => ({ ...p })) });
          } else if (pending.length) {
            const [r] = pending.splice(o.pick % pending.length, 1);
            expect(cache.join(r.key, r.held, r.read)).toEqual(r.expected);
          }
          expect(cache.points).toBeLessThanOrEqual(max);
        }
        // what the cache holds of each series is a whole prefix of it
        for (const key of keys) {
          const { held } = cache.tail(key);
          expect(held).toEqual(db.get(key)!.slice(0, held.length));
        }
      }),
    );
  });
});
