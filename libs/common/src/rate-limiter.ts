import { rateLimited } from './errors';

// Fixed-window counters kept in memory, per instance (several instances each count their own:
// the limits are per instance, documented in docs/asvs.md).
export class RateLimiter {
  private readonly hits = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  // true when the call is allowed (and counted)
  take(key: string, now = Date.now()): boolean {
    const entry = this.hits.get(key);
    if (!entry || entry.resetAt <= now) {
      if (this.hits.size > 100_000) this.sweep(now);
      this.hits.set(key, { count: 1, resetAt: now + this.windowMs });
      return true;
    }
    if (entry.count >= this.limit) return false;
    entry.count += 1;
    return true;
  }

  // seconds until `key` may be taken again: 0 when a take would be allowed now (nothing is counted)
  refusedForSeconds(key: string, now = Date.now()): number {
    const entry = this.hits.get(key);
    if (!entry || entry.resetAt <= now || entry.count < this.limit) return 0;
    return Math.ceil((entry.resetAt - now) / 1000);
  }

  reset(key: string): void {
    this.hits.delete(key);
  }

  private sweep(now: number) {
    for (const [k, v] of this.hits) if (v.resetAt <= now) this.hits.delete(k);
  }
}

// A counting semaphore with a bounded queue: at most `slots` hold it at once, at most `queue`
// wait, first come first served; past that `run` throws RATE_LIMITED at once instead of piling
// up work (argon2 hashing: a burst of sign-ins must not starve everyone else's requests), and
// `admit`'s callers check `full` first (the sign-in gate, which answers the refusal itself).
export class BoundedSemaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly slots: number,
    private readonly queue: number,
  ) {}

  get load(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }

  // true when one more would be refused
  get full(): boolean {
    return this.active >= this.slots && this.waiting.length >= this.queue;
  }

  // runs `enter` now or when a slot frees (never when full: check `full` first); `enter`
  // receives the slot's release, to call once when done (a second call does nothing)
  admit(enter: (release: () => void) => void): void {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      // hand the slot straight to the next waiter, or free it
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    };
    if (this.active < this.slots) {
      this.active += 1;
      enter(release);
    } else this.waiting.push(() => enter(release));
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.full) throw rateLimited('The server is busy signing people in; try again in a moment.', 1);
    const release = await new Promise<() => void>((resolve) => this.admit(resolve));
    try {
      return await task();
    } finally {
      release();
    }
  }
}

// Starts spread out in time (a token bucket, kept as the generic cell rate algorithm's one
// timestamp): on average at most `perSecond` a second, and up to `burst` at once after a quiet
// spell, so one person's sign-in never waits for it. `reserve` books the next start in call
// order and says how many ms to wait for it (0: start now); nothing is ever refused here.
export class Pace {
  private readonly interval: number;
  private readonly tolerance: number;
  // the time (ms) the next start would have on a steady pace; the bucket is full when it is past
  private theoretical = -Infinity;

  constructor(
    readonly perSecond: number,
    readonly burst: number,
  ) {
    if (!(perSecond > 0) || !Number.isInteger(burst) || burst < 1) throw new Error('Pace needs perSecond > 0 and an integer burst ≥ 1');
    this.interval = 1000 / perSecond;
    this.tolerance = (burst - 1) * this.interval;
  }

  reserve(now = Date.now()): number {
    const due = Math.max(this.theoretical, now);
    const start = Math.max(now, due - this.tolerance);
    this.theoretical = due + this.interval;
    return start - now;
  }
}
