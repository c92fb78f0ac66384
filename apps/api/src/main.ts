import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  AppExceptionFilter,
  ConfigError,
  errorAnswer,
  httpStatusCode,
  restErrorBody,
  createLogger,
  loadConfig,
  PinoNestLogger,
  type AppConfig,
  type Logger,
} from '@parley/common';
import { countSqlPerRequest, loadEmbeddedPostgres, runMigrations, startEmbeddedPostgres, type EmbeddedDatabase } from '@parley/database';
import { IdentityService } from '@parley/identity';
import { AppModule } from './app.module';
import { securityHeaders } from './security-headers';
import { LiveIoAdapter } from './live-io.adapter';
import { serveWebApp } from './web-app';
import { signInGate, signInPace } from './sign-in-gate';
import { graphqlNestingGuard } from './graphql-nesting';
import { settledWithin } from './settled-within';

interface Running {
  app: NestExpressApplication | null;
  embedded: EmbeddedDatabase | null;
}

function configOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
}

async function bootstrap(config: AppConfig, logger: Logger, running: Running): Promise<void> {
  const started = Date.now();
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    running.embedded = await startEmbeddedPostgres(config.dataDir, logger, { statementTimeoutMs: config.statementTimeoutMs });
    databaseUrl = running.embedded.url;
  }
  const applied = await runMigrations(databaseUrl);
  if (applied.length) logger.info({ migrations: applied }, 'migrations applied');

  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ config, logger, databaseUrl }), {
    logger: new PinoNestLogger(logger),
    bodyParser: false,
  });
  running.app = app;
  // No ETag on answers sent with res.send (every GraphQL answer, the REST JSON): each is
  // `no-store`, so no client ever revalidates one, and the hash cost a SHA-1 of every answer
  // (233 KiB for a room's progress). The static assets keep theirs (serve-static's own
  // option); index.html, sent with sendFile, is revalidated by its Last-Modified.
  app.set('etag', false);
  securityHeaders(app, config);
  if (config.countSql) app.use(countSqlPerRequest);
  app.useBodyParser('json', { limit: '256kb' });
  app.use(graphqlNestingGuard());
  app.use(signInGate(app.get(IdentityService), signInPace(config.signInsPerSecond)));
  app.useGlobalFilters(new AppExceptionFilter(logger));
  const ioAdapter = new LiveIoAdapter(app, config, logger);
  await ioAdapter.connectRedis();
  app.useWebSocketAdapter(ioAdapter);
  // body-parser failures (too large, malformed JSON) never reach Nest's filters
  // (GraphQL clients get GraphQL's error shape, any other route the REST one)
  app.use(
    (err: { status?: number; type?: string }, req: { path?: string }, res: { status(n: number): { json(b: unknown): void } }, next: (e?: unknown) => void) => {
      if (!err) return next();
      const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
      const answer =
        status < 500
          ? { status, code: httpStatusCode(status), message: status === 413 ? 'The request body is too large.' : 'The request body is not valid JSON.' }
          : errorAnswer(logger, err, { transport: 'HTTP request', stage: 'before routing' });
      res
        .status(answer.status)
        .json(req.path === '/graphql' ? { errors: [{ message: answer.message, extensions: { code: answer.code } }] } : restErrorBody(answer));
    },
  );
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  serveWebApp(app);

  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ port, ms: Date.now() - started, embedded: running.embedded !== null }, `Parley listening on http://localhost:${port}/graphql`);
  const users = await app.get(IdentityService).countUsers();
  if (users === 0) {
    logger.info('no users yet: create the first facilitator with `npm run parley -- user:create --email you@example.org --name "Your Name"`');
  }
}

// Signals are handled here, not by Nest's shutdown hooks, so the order is always: let a start
// in progress finish, close the app (sockets, pool, schedulers), then stop the embedded
// database. A signal during start-up is an orderly stop, not a failed start.
async function main() {
  const config = configOrExit();
  const logger = createLogger(config.logLevel);
  const running: Running = { app: null, embedded: null };
  let stopping = false;
  if (!config.databaseUrl) await loadEmbeddedPostgres();
  let booting: Promise<void> = Promise.resolve();
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await settledWithin(booting, 30_000);
    // A stop always ends: a close that never settles (a connection that never answers) would
    // keep the process, and whatever supervises it, waiting for ever. Past the deadline
    // (PARLEY_STOP_DEADLINE_MS) it ends anyway, with exit code 1.
    const closing = running.app?.close().catch((e: unknown) => logger.error({ err: e }, 'error while closing'));
    const closed = await settledWithin(closing ?? Promise.resolve(), config.stopDeadlineMs);
    if (!closed) logger.error({ ms: config.stopDeadlineMs }, 'the app did not close in time; stopping anyway');
    await running.embedded?.stop().catch((e) => logger.error({ err: e }, 'error while stopping the embedded database'));
    process.exit(closed ? 0 : 1);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  booting = bootstrap(config, logger, running);
  try {
    await booting;
  } catch (e) {
    if (stopping) return;
    console.error('Parley failed to start:', e instanceof Error ? e.message : e);
    if (config.logLevel === 'debug' || config.logLevel === 'trace') console.error(e);
    await running.app?.close().catch(() => undefined);
    await running.embedded?.stop().catch(() => undefined);
    process.exit(1);
  }
}

void main();
