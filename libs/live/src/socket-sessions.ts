import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { LOGGER, type Logger } from '@parley/common';
import { IdentityService } from '@parley/identity';
import type { LiveSocket } from './live.service';

// a socket event records the session's use (idle timeout) at most this often
const TOUCH_EVERY_MS = 30_000;
// a quiet socket's session is looked up again at least this often, so a session ended outside
// any instance (an operator's UPDATE) loses its sockets within minutes too
const RECHECK_MS = 5 * 60_000;

// A socket lives no longer than its session. The session's deadline (the earlier of its
// absolute and idle limits) is held on the socket: every event compares against it without a
// query, and a timer ends the socket when it passes unless the session was used meanwhile
// (over HTTP, or by this socket's events), and looks again every few minutes anyway. Revoked sessions (logout, endSession,
// changePassword) lose their sockets through the adapter, on every instance, at once.
@Injectable()
export class SocketSessions implements OnModuleDestroy {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly identity: IdentityService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  admit(socket: LiveSocket): void {
    socket.data.deadline = socket.data.user.sessionDeadline.getTime();
    socket.data.usedAt = Date.now();
    this.schedule(socket);
  }

  // before every event: false (and the socket is ended) when its session has ended
  async stillValid(socket: LiveSocket): Promise<boolean> {
    const now = Date.now();
    if (now >= socket.data.deadline) {
      const deadline = await this.identity.sessionDeadline(socket.data.user.sessionId, true).catch(() => null);
      if (!deadline) return this.end(socket);
      socket.data.deadline = deadline.getTime();
      socket.data.usedAt = now;
      this.schedule(socket);
    } else if (now - socket.data.usedAt >= TOUCH_EVERY_MS) {
      socket.data.usedAt = now;
      void this.identity
        .sessionDeadline(socket.data.user.sessionId, true)
        .then((deadline) => (deadline ? void (socket.data.deadline = deadline.getTime()) : void this.end(socket)))
        .catch((e: unknown) => this.logger.warn({ err: e }, 'recording a socket session use failed'));
    }
    return true;
  }

  forget(socket: LiveSocket): void {
    clearTimeout(this.timers.get(socket.id));
    this.timers.delete(socket.id);
  }

  onModuleDestroy(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private schedule(socket: LiveSocket): void {
    clearTimeout(this.timers.get(socket.id));
    const delay = Math.min(RECHECK_MS, Math.max(0, socket.data.deadline - Date.now()) + 50);
    const timer = setTimeout(() => void this.expire(socket), delay);
    timer.unref();
    this.timers.set(socket.id, timer);
  }

  private async expire(socket: LiveSocket): Promise<void> {
    if (!socket.connected) return this.forget(socket);
    const deadline = await this.identity.sessionDeadline(socket.data.user.sessionId, false).catch(() => null);
    if (!deadline || deadline.getTime() <= Date.now()) {
      this.end(socket);
      return;
    }
    socket.data.deadline = deadline.getTime();
    this.schedule(socket);
  }

  private end(socket: LiveSocket): false {
    this.forget(socket);
    socket.disconnect(true);
    return false;
  }
}
