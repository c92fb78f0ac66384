import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { LOGGER, type Logger } from '@parley/common';
import { BallotsService } from './ballots.service';

const TICK_MS = 1000;
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

// Closes ballots at their closesAt. Deadlines live in the database, so a restart loses none:
// every tick (and once at start) closes whatever is due; a timer for the nearest deadline
// known to this instance makes closing prompt. Several instances may run this at once.
@Injectable()
export class BallotScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private interval: NodeJS.Timeout | null = null;
  private timer: NodeJS.Timeout | null = null;
  private nextAt = Number.POSITIVE_INFINITY;
  private running = false;
  private again = false;
  private stopped = false;
  private subscription: Subscription | null = null;
  private current: Promise<void> | null = null;

  constructor(
    private readonly ballots: BallotsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.ballots.deadlines.subscribe((at) => this.schedule(at));
    this.interval = setInterval(() => void this.tick(), TICK_MS);
    void this.tick();
  }

  // runs before the database pool closes: stop the timers and let a tick in flight finish
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.subscription?.unsubscribe();
    if (this.interval) clearInterval(this.interval);
    if (this.timer) clearTimeout(this.timer);
    await this.current;
  }

  schedule(at: Date): void {
    const when = at.getTime();
    if (this.stopped || when >= this.nextAt) return;
    const delay = Math.max(0, when - Date.now());
    if (delay > MAX_TIMEOUT_MS) return;
    if (this.timer) clearTimeout(this.timer);
    this.nextAt = when;
    // a few ms late so the database's now() has passed the deadline too
    this.timer = setTimeout(() => {
      this.timer = null;
      this.nextAt = Number.POSITIVE_INFINITY;
      void this.tick();
    }, delay + 25);
  }

  tick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.current ?? Promise.resolve();
    }
    this.running = true;
    this.current = this.work();
    return this.current;
  }

  private async work(): Promise<void> {
    try {
      do {
        this.again = false;
        const closed = await this.ballots.closeDue();
        if (closed) this.logger.info({ closed }, 'ballots closed at their deadline');
      } while (this.again && !this.stopped);
    } catch (e) {
      if (!this.stopped) this.logger.error({ err: e }, 'closing due ballots failed');
    } finally {
      this.running = false;
      this.current = null;
    }
  }
}
