import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppExceptionFilter, ConfigError, createLogger, loadConfig, PinoNestLogger } from '@parley/common';
import { countSqlPerRequest, runMigrations, startEmbeddedPostgres, type EmbeddedDatabase } from '@parley/database';
import { IdentityService } from '@parley/identity';
import { AppModule } from './app.module';
import { LiveIoAdapter } from './live-io.adapter';

async function bootstrap() {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const logger = createLogger(config.logLevel);
  const started = Date.now();
  let embedded: EmbeddedDatabase | null = null;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(config.dataDir, logger);
    databaseUrl = embedded.url;
  }
  const applied = await runMigrations(databaseUrl);
  if (applied.length) logger.info({ migrations: applied }, 'migrations applied');

  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ config, logger, databaseUrl }), {
    logger: new PinoNestLogger(logger),
    bodyParser: false,
  });
  if (config.countSql) app.use(countSqlPerRequest);
  app.useBodyParser('json', { limit: '256kb' });
  app.useGlobalFilters(new AppExceptionFilter(logger));
  const ioAdapter = new LiveIoAdapter(app, config, logger);
  await ioAdapter.connectRedis();
  app.useWebSocketAdapter(ioAdapter);
  // body-parser failures (too large, malformed JSON) never reach Nest's filters
  app.use((err: { status?: number; type?: string }, _req: unknown, res: { status(n: number): { json(b: unknown): void } }, next: (e?: unknown) => void) => {
    if (!err) return next();
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
    const code = status === 413 ? 'BAD_USER_INPUT' : status < 500 ? 'BAD_USER_INPUT' : 'INTERNAL_SERVER_ERROR';
    const message = status === 413 ? 'The request body is too large.' : status < 500 ? 'The request body is not valid JSON.' : 'Internal server error';
    if (status >= 500) logger.error({ err }, 'unexpected error before routing');
    res.status(status).json({ errors: [{ message, extensions: { code } }] });
  });
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  app.enableShutdownHooks();

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    await app.close().catch((e) => logger.error({ err: e }, 'error while closing'));
    await embedded?.stop().catch((e) => logger.error({ err: e }, 'error while stopping the embedded database'));
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ port, ms: Date.now() - started, embedded: embedded !== null }, `Parley listening on http://localhost:${port}/graphql`);
  const users = await app.get(IdentityService).countUsers();
  if (users === 0) {
    logger.info('no users yet: create the first facilitator with `npm run parley -- user:create --email you@example.org --name "Your Name"`');
  }
}

bootstrap().catch((e) => {
  console.error('Parley failed to start:', e instanceof Error ? e.message : e);
  if (process.env.LOG_LEVEL === 'debug') console.error(e);
  process.exit(1);
});
