import { Inject } from '@nestjs/common';
import { WebSocketGateway, WebSocketServer, type OnGatewayConnection, type OnGatewayDisconnect, type OnGatewayInit } from '@nestjs/websockets';
import type { Namespace } from 'socket.io';
import {
  APP_CONFIG,
  badInput,
  findBadText,
  LOGGER,
  rateLimited,
  RateLimiter,
  SOCKET_EVENT_MAX_BYTES,
  SOCKET_TOKEN_MAX_CHARS,
  socketError,
  unauthenticated,
  type AppConfig,
  type Logger,
  type SocketAck,
} from '@parley/common';
import { IdentityService, originAllowed, readCookie } from '@parley/identity';
import { DiscussionService } from '@parley/discussion';
import { LiveService, type LiveSocket } from './live.service';
import { SocketSessions } from './socket-sessions';

// per session (all its sockets, across reconnects): a burst of 60 events in any 10 seconds
const WINDOW_MS = 10_000;
type Route = (socket: LiveSocket, data: unknown) => Promise<SocketAck<object>>;

@WebSocketGateway({ namespace: '/live' })
export class LiveGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  @WebSocketServer() server: Namespace;
  private readonly limiter: RateLimiter;
  // The client's events and what answers each. Bound to every socket as plain listeners in
  // handleConnection: Nest's @SubscribeMessage binds an RxJS pipeline per event per socket,
  // which was about 16 KB of every connected socket's memory (bench/memory.bench.mjs).
  private readonly routes = new Map<string, Route>([
    ['room:join', (socket, data) => this.answer(socket, 'room:join', () => this.live.join(socket, data))],
    ['room:leave', (socket, data) => this.answer(socket, 'room:leave', () => this.live.leave(socket, data))],
    ['message:send', (socket, data) => this.answer(socket, 'message:send', async () => ({ message: await this.discussion.send(socket.data.user, data) }))],
    ['message:edit', (socket, data) => this.answer(socket, 'message:edit', async () => ({ message: await this.discussion.edit(socket.data.user, data) }))],
    ['message:redact', (socket, data) => this.answer(socket, 'message:redact', async () => (await this.discussion.redact(socket.data.user, data), {}))],
    ['typing', (socket, data) => this.answer(socket, 'typing', () => this.live.typing(socket, data))],
  ]);

  constructor(
    private readonly identity: IdentityService,
    private readonly live: LiveService,
    private readonly discussion: DiscussionService,
    private readonly sessions: SocketSessions,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.limiter = new RateLimiter(config.socketEventsPer10s, WINDOW_MS);
  }

  afterInit(ns: Namespace): void {
    // a namespace middleware, so the handshake error's message is exactly UNAUTHENTICATED
    ns.use((socket, next) => {
      const token = this.handshakeToken(socket.handshake);
      if (token === false) return next(new Error('FORBIDDEN'));
      // bounded before any work
      if (typeof token !== 'string' || token.length > SOCKET_TOKEN_MAX_CHARS) return next(new Error('UNAUTHENTICATED'));
      this.identity
        .authenticate(token)
        .then((user) => {
          if (!user) return next(new Error('UNAUTHENTICATED'));
          // counted and admitted in one synchronous step, so parallel handshakes cannot overshoot
          if (this.live.socketsOfSession(user.sessionId) >= this.config.socketsPerSession) return next(new Error('RATE_LIMITED'));
          this.live.admit(socket as LiveSocket, user);
          this.sessions.admit(socket as LiveSocket);
          next();
        })
        .catch((e: unknown) => {
          this.logger.error({ err: e }, 'socket authentication failed');
          next(new Error('UNAUTHENTICATED'));
        });
    });
    this.live.attach(ns);
  }

  // A browser's handshake must come from an allowed origin; the web app's cookie counts only
  // then. API clients send the token in `auth` and need no Origin.
  private handshakeToken(h: { auth?: unknown; headers: Record<string, string | string[] | undefined> }): string | null | false {
    const origin = typeof h.headers.origin === 'string' ? h.headers.origin : undefined;
    const host = typeof h.headers.host === 'string' ? h.headers.host : undefined;
    if (origin !== undefined && !originAllowed(origin, host, this.config.origins)) return false;
    const token = (h.auth as { token?: unknown } | undefined)?.token;
    if (typeof token === 'string' && token) return token;
    return origin !== undefined ? readCookie(h.headers) : null;
  }

  // before any handler: unknown events, oversized payloads and text that cannot be stored get
  // an error answer (the ack, or an 'error' event when the client asked for none); then each
  // event's route, its answer going to the ack when there is one
  handleConnection(socket: LiveSocket): void {
    for (const [event, route] of this.routes) this.listen(socket, event, route);
    socket.use((packet, next) => {
      const [event, ...args] = packet as unknown[];
      const ack = typeof args.at(-1) === 'function' ? (args.pop() as (reply: unknown) => void) : null;
      const problem = this.inputProblem(event, args);
      if (!problem) return next();
      // refused events count toward the socket's rate limit too
      const reply = socketError(
        this.logger,
        this.limiter.take(socket.data.user?.sessionId ?? socket.id) ? problem : rateLimited(),
        typeof event === 'string' ? event.slice(0, 100) : 'unknown',
      );
      if (ack) ack(reply);
      else if (!reply.ok)
        (socket as unknown as { emit(e: string, d: unknown): void }).emit('error', {
          ...reply.error,
          event: typeof event === 'string' ? event.slice(0, 100) : null,
        });
    });
  }

  // the data is the event's one argument (all of them, when a client sent several)
  private listen(socket: LiveSocket, event: string, route: Route): void {
    (socket as unknown as { on(e: string, fn: (...args: unknown[]) => void): void }).on(event, (...args: unknown[]) => {
      const ack = typeof args.at(-1) === 'function' ? (args.pop() as (reply: unknown) => void) : null;
      route(socket, args.length > 1 ? args : args[0])
        .then((reply) => ack?.(reply))
        .catch((e: unknown) => this.logger.error({ err: e, event }, 'answering a socket event failed'));
    });
  }

  private inputProblem(event: unknown, args: unknown[]) {
    if (typeof event !== 'string' || !this.routes.has(event)) return badInput({ event: 'is not a known event' }, 'Unknown event.');
    let size: number;
    try {
      size = Buffer.byteLength(JSON.stringify(args) ?? '');
    } catch {
      return badInput({ payload: 'is not valid JSON' });
    }
    if (size > SOCKET_EVENT_MAX_BYTES)
      return badInput({ payload: `must be at most ${SOCKET_EVENT_MAX_BYTES / 1024} KB` }, `The event is larger than ${SOCKET_EVENT_MAX_BYTES / 1024} KB.`);
    const bad = findBadText(args, 'payload');
    if (bad) return badInput({ [bad]: 'must be valid Unicode text without NUL characters' });
    return null;
  }

  handleDisconnect(socket: LiveSocket): void {
    this.sessions.forget(socket);
    this.live.disconnected(socket);
  }

  // every event: session still valid, rate limit, then one call; never throws, always acks
  // (when asked to)
  private async answer<T extends object>(socket: LiveSocket, event: string, work: () => Promise<T>): Promise<SocketAck<T>> {
    if (!this.limiter.take(socket.data.user.sessionId)) return socketError(this.logger, rateLimited(), event);
    try {
      if (!(await this.sessions.stillValid(socket))) return socketError(this.logger, unauthenticated(), event);
      return { ok: true, ...(await work()) };
    } catch (e) {
      return socketError(this.logger, e, event);
    }
  }
}
