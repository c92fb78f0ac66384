import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, LOGGER, type AppConfig, type Logger } from '@parley/common';
import { PublicationService } from './publication.service';

// Embargoes live in the database, so a restart loses none: this checks on start and then
// every few seconds for agreements whose last embargo has passed.
@Injectable()
export class PublicationScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly publication: PublicationService,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap() {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.config.schedulerIntervalMs);
    this.timer.unref();
  }

  // runs before the database pool closes: stop the timer and let a check in flight finish
  async onModuleDestroy() {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.current;
  }

  private tick() {
    if (this.current || this.stopped) return;
    this.current = this.check().finally(() => (this.current = null));
  }

  private async check() {
    try {
      const n = await this.publication.publishDue();
      if (n) this.logger.info({ published: n }, 'published agreements whose embargo has passed');
    } catch (e) {
      this.logger.error({ err: e }, 'publication check failed');
    }
  }
}
