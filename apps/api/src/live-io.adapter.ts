import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import { SOCKET_FRAME_MAX_BYTES, type AppConfig, type Logger } from '@parley/common';
import { batchFrames } from './frame-batching';
import { dropSlowReaders } from './slow-readers';
import { settledWithin } from './settled-within';

// commands waiting for Redis (sent or not yet sent) per client
const REDIS_QUEUE_MAX = 10_000;
// how long a Redis client may take to close before it is dropped
const REDIS_CLOSE_MS = 2_000;

interface RedisConnection {
  close(): Promise<void>;
  destroy(): void;
}

// node-redis's close() waits until every command in flight is answered; commands have no
// timeout here (see connectRedis), so one that Redis never answers would hold the close, and the
// server's stop, for ever. Past `ms` the client is dropped instead.
export async function closeWithin(client: RedisConnection, ms: number): Promise<'closed' | 'dropped'> {
  if (await settledWithin(client.close(), ms)) return 'closed';
  client.destroy();
  return 'dropped';
}

// socket.io on the API's HTTP server; with REDIS_URL, through the Redis adapter so every
// instance's emits reach the sockets of every other instance.
export class LiveIoAdapter extends IoAdapter {
  private redisAdapter: ReturnType<typeof createAdapter> | null = null;
  private readonly clients: Array<RedisConnection & { isOpen: boolean }> = [];

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
    private readonly log: Logger,
  ) {
    super(app);
  }

  async connectRedis(): Promise<void> {
    if (!this.config.redisUrl) return;
    // No per-command timeout (node-redis 6 gives every command a 5 s AbortSignal.timeout, whose
    // timer and TimeoutError outlive the command: a few % of the server's CPU at a few hundred
    // notices a second); a bounded queue instead: past it a publish is refused (and logged
    // below), and the other instances catch that stream up from its cursor on its next commit.
    const pub = createClient({ url: this.config.redisUrl, commandsQueueMaxLength: REDIS_QUEUE_MAX, commandOptions: { timeout: 0 } });
    const sub = pub.duplicate();
    pub.on('error', (e: unknown) => this.log.error({ err: e, client: 'pub' }, 'Redis client error'));
    sub.on('error', (e: unknown) => this.log.error({ err: e, client: 'sub' }, 'Redis client error'));
    this.clients.push(pub, sub);
    await Promise.all([pub.connect(), sub.connect()]);
    // the adapter never awaits its publishes: one in flight when Redis goes away would be an
    // unhandled rejection that ends the process; it is logged instead (the event stays in the
    // log, and other instances catch up from their cursor on the next commit)
    const publish = pub.publish.bind(pub);
    const guarded = new Proxy(pub, {
      get: (target, prop, receiver) =>
        prop === 'publish'
          ? (...args: Parameters<typeof publish>) => publish(...args).catch((e: unknown) => (this.log.warn({ err: e }, 'Redis publish failed'), 0))
          : Reflect.get(target, prop, receiver),
    });
    this.redisAdapter = createAdapter(guarded as never, sub as never, { key: this.config.redisPrefix });
    this.log.info('live events go through Redis');
  }

  // typed through IoAdapter: Nest brings its own copy of socket.io
  override createIOServer(port: number, options?: Parameters<IoAdapter['createIOServer']>[1]) {
    const server = super.createIOServer(port, { ...options, maxHttpBufferSize: SOCKET_FRAME_MAX_BYTES, serveClient: false } as typeof options);
    if (this.redisAdapter) server.adapter(this.redisAdapter as never);
    this.limitConnections(server);
    batchFrames(server.engine as Parameters<typeof batchFrames>[0]);
    return server;
  }

  // frames are bounded by maxHttpBufferSize above; what waits to be sent, here
  private limitConnections(server: { engine: unknown }): void {
    dropSlowReaders(server.engine as Parameters<typeof dropSlowReaders>[0], this.config.socketBufferMaxBytes, this.log);
  }

  override async dispose(): Promise<void> {
    await Promise.all(this.clients.filter((c) => c.isOpen).map((c) => closeWithin(c, REDIS_CLOSE_MS)));
  }
}
