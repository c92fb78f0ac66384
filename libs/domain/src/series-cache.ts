// Append-only series kept in memory between reads: a proposal's convergence series only ever
// grows at its end (its points are written under the room's lock, in seq order, and never
// changed), so a reader that holds the series up to seq n needs from the database only the
// points after n.
//
// `tail(key)` gives what is held (possibly nothing) and the seq to read after; `join` puts
// what was held and what was read together and offers the whole to the cache. A series is
// only ever kept whole: whatever happened to the cache in between (another reader extended
// the series, or it was evicted), the answer of `join` is exactly `held + read`, and the cache
// keeps the longer of its own series and that answer. Series handed out are frozen: readers
// share them.
//
// Bounded by the number of points held, least recently used series dropped first; a series
// longer than the bound is not kept.
export interface SeriesPoint {
  readonly seq: number;
}

export class SeriesCache<P extends SeriesPoint> {
  private readonly entries = new Map<string, readonly P[]>();
  private held = 0;

  constructor(readonly maxPoints: number) {
    if (!Number.isInteger(maxPoints) || maxPoints < 0) throw new RangeError('maxPoints must be a whole number ≥ 0');
  }

  get points(): number {
    return this.held;
  }

  // what is held of the series and the seq after which the rest is to be read
  tail(key: string): { held: readonly P[]; after: number } {
    const held = this.entries.get(key);
    if (!held) return { held: EMPTY as readonly P[], after: 0 };
    // most recently used last
    this.entries.delete(key);
    this.entries.set(key, held);
    return { held, after: held.length ? held[held.length - 1].seq : 0 };
  }

  // `read`: the points after `held`'s last seq, in seq order (as read from the database)
  join(key: string, held: readonly P[], read: readonly P[]): readonly P[] {
    const last = held.length ? held[held.length - 1].seq : 0;
    for (let i = 0; i < read.length; i++) {
      if (read[i].seq <= (i ? read[i - 1].seq : last)) throw new RangeError(`series ${key}: points out of seq order`);
    }
    const whole: readonly P[] = read.length ? Object.freeze([...held, ...read.map((p) => Object.freeze(p))]) : held;
    this.offer(key, whole);
    return whole;
  }

  private offer(key: string, whole: readonly P[]): void {
    const current = this.entries.get(key);
    const currentLast = current?.length ? current[current.length - 1].seq : 0;
    const wholeLast = whole.length ? whole[whole.length - 1].seq : 0;
    if (current && currentLast >= wholeLast) return;
    if (current) {
      this.entries.delete(key);
      this.held -= current.length;
    }
    if (whole.length > this.maxPoints || !whole.length) return;
    this.entries.set(key, whole);
    this.held += whole.length;
    for (const [k, v] of this.entries) {
      if (this.held <= this.maxPoints) break;
      this.entries.delete(k);
      this.held -= v.length;
    }
  }
}

const EMPTY: readonly SeriesPoint[] = Object.freeze([]);
