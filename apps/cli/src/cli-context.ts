import 'reflect-metadata';
import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { APP_CONFIG, createLogger, loadConfig, LOGGER, type AppConfig, type Logger } from '@parley/common';
import { DatabaseModule, runMigrations, startEmbeddedPostgres, type EmbeddedDatabase } from '@parley/database';
import { FEATURE_MODULES } from '../../api/src/feature-modules';

@Module({})
class CliModule {
  static forRoot(config: AppConfig, logger: Logger, url: string): DynamicModule {
    return {
      module: CliModule,
      global: true,
      imports: [DatabaseModule.forRoot({ url, poolSize: 4, statementTimeoutMs: config.statementTimeoutMs }), ...FEATURE_MODULES],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
      ],
      exports: [APP_CONFIG, LOGGER],
    };
  }
}

export interface CliContext {
  app: INestApplicationContext;
  config: AppConfig;
  databaseUrl: string;
  close(): Promise<void>;
}

// The database the server would use: DATABASE_URL, or the embedded one in PARLEY_DATA_DIR
// (shared with a running server, started for the command otherwise).
export async function openDatabase(
  opts: { migrate?: boolean } = {},
): Promise<{ url: string; config: AppConfig; logger: Logger; embedded: EmbeddedDatabase | null }> {
  const config = loadConfig();
  const logger = createLogger(process.env.LOG_LEVEL ? config.logLevel : 'warn');
  let embedded: EmbeddedDatabase | null = null;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres(config.dataDir, logger, { attach: true, statementTimeoutMs: config.statementTimeoutMs });
    url = embedded.url;
  }
  if (opts.migrate !== false) await runMigrations(url);
  return { url, config, logger, embedded };
}

export async function openContext(): Promise<CliContext> {
  const { url, config, logger, embedded } = await openDatabase();
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config, logger, url), { logger: false });
  return {
    app,
    config,
    databaseUrl: url,
    async close() {
      await app.close();
      await embedded?.stop();
    },
  };
}
