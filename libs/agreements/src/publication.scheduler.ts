import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, LOGGER, type AppConfig, type Logger } from '@parley/common';
import { AgreementsService } from './agreements.service';

// Embargoes live in the database, so a restart loses none: this checks on start and then
// every few seconds for agreements whose last embargo has passed.
@Injectable()
export class PublicationScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly agreements: AgreementsService,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap() {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.config.schedulerIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown() {
    if (this.timer) clearInterval(this.timer);
  }

  private async tick() {
    if (this.running) return;
    this.running = true;
    try {
      const n = await this.agreements.publishDue();
      if (n) this.logger.info({ published: n }, 'published agreements whose embargo has passed');
    } catch (e) {
      this.logger.error({ err: e }, 'publication check failed');
    } finally {
      this.running = false;
    }
  }
}
