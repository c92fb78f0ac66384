import { Inject } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway, WebSocketServer, type OnGatewayDisconnect, type OnGatewayInit } from '@nestjs/websockets';
import type { Namespace } from 'socket.io';
import { LOGGER, rateLimited, RateLimiter, socketError, unauthenticated, type Logger, type SocketAck } from '@parley/common';
import { IdentityService } from '@parley/identity';
import { DiscussionService } from './discussion.service';
import { LiveService, type LiveSocket } from './live.service';
import { SocketSessions } from './socket-sessions';

// per session (all its sockets, across reconnects): a burst of 60 events in any 10 seconds
const EVENTS_PER_WINDOW = 60;
const WINDOW_MS = 10_000;

@WebSocketGateway({ namespace: '/live' })
export class LiveGateway implements OnGatewayInit, OnGatewayDisconnect {
  @WebSocketServer() server: Namespace;
  private readonly limiter = new RateLimiter(EVENTS_PER_WINDOW, WINDOW_MS);

  constructor(
    private readonly identity: IdentityService,
    private readonly live: LiveService,
    private readonly discussion: DiscussionService,
    private readonly sessions: SocketSessions,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  afterInit(ns: Namespace): void {
    // a namespace middleware, so the handshake error's message is exactly UNAUTHENTICATED
    ns.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      this.identity
        .authenticate(token as string)
        .then((user) => {
          if (!user) return next(new Error('UNAUTHENTICATED'));
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

  handleDisconnect(socket: LiveSocket): void {
    this.sessions.forget(socket);
    this.live.disconnected(socket);
  }

  @SubscribeMessage('room:join')
  join(@ConnectedSocket() socket: LiveSocket, @MessageBody() data: unknown) {
    return this.answer(socket, 'room:join', () => this.live.join(socket, data));
  }

  @SubscribeMessage('room:leave')
  leave(@ConnectedSocket() socket: LiveSocket, @MessageBody() data: unknown) {
    return this.answer(socket, 'room:leave', () => this.live.leave(socket, data));
  }

  @SubscribeMessage('message:send')
  send(@ConnectedSocket() socket: LiveSocket, @MessageBody() data: unknown) {
    return this.answer(socket, 'message:send', async () => ({ message: await this.discussion.send(socket.data.user, data) }));
  }

  @SubscribeMessage('message:edit')
  edit(@ConnectedSocket() socket: LiveSocket, @MessageBody() data: unknown) {
    return this.answer(socket, 'message:edit', async () => ({ message: await this.discussion.edit(socket.data.user, data) }));
  }

  @SubscribeMessage('message:redact')
  async redact(@ConnectedSocket() socket: LiveSocket, @MessageBody() data: unknown) {
    return this.answer(socket, 'message:redact', async () => (await this.discussion.redact(socket.data.user, data), {}));
  }

  @SubscribeMessage('typing')
  typing(@ConnectedSocket() socket: LiveSocket, @MessageBody() data: unknown) {
    return this.answer(socket, 'typing', () => this.live.typing(socket, data));
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
