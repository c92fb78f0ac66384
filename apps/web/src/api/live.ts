import { io, type Socket } from 'socket.io-client';

// The live connection (/live). One socket per tab, websocket only (a browser always sends
// Origin there, which the server checks before it honours the session cookie).
// - each joined room remembers the last seq it saw; a reconnect joins with afterSeq, so the
//   replay fills what was missed and events already seen are dropped (nothing doubled);
// - writes sent while offline wait in a queue and go out once, in order, on reconnect; a
//   message keeps its clientMsgId across retries, so the server never stores it twice.

export interface RoomEvent {
  seq: number;
  type: string;
  at: string;
  actor: string | null;
  payload: string;
  hash: string;
  prevHash: string;
  // 'room', or 'party:<id>' for the caller's party stream
  stream?: string;
}
export type LiveStatus = 'connecting' | 'online' | 'offline' | 'ended';
export interface Ack<T = Record<string, unknown>> {
  ok: boolean;
  error?: { code: string; message: string };
  [k: string]: unknown;
  data?: T;
}

interface RoomWatch {
  // the last seq seen of the room's stream, and of the caller's party stream (its caucus and
  // sealed commitments: its own seq, which no one outside the party can count); null until the
  // first join tells where the party stream stands
  lastSeq: number;
  partySeq: number | null;
  // while a join is in flight, live events wait here: they may be newer than the replay
  // still on its way, and delivering them first would make the replay look already seen
  held: RoomEvent[] | null;
  onEvent: Set<(e: RoomEvent) => void>;
  onPresence: Set<(online: string[]) => void>;
  onTyping: Set<(t: { thread: string | null; who: string }) => void>;
  onRemoved: Set<() => void>;
}

interface Pending {
  event: string;
  payload: unknown;
  resolve: (a: Ack) => void;
}

const ACK_TIMEOUT_MS = 10_000;

// who is typing, as the server attributes it (name, party, or neither)
interface TypingWho {
  displayName: string | null;
  partyName: string | null;
}
const whoWords = (w: TypingWho | null): string => w?.displayName ?? (w?.partyName ? `A delegate of ${w.partyName}` : 'Someone');

// the window's events, typed loosely: this file is also type-checked without the DOM library
const page = globalThis as { addEventListener?: (type: string, f: () => void) => void; removeEventListener?: (type: string, f: () => void) => void };

export class LiveConnection {
  private socket: Socket;
  private rooms = new Map<string, RoomWatch>();
  private queue: Pending[] = [];
  private flushing = false;
  private statusListeners = new Set<(s: LiveStatus) => void>();
  status: LiveStatus = 'connecting';

  constructor(url = '/live') {
    this.socket = io(url, { transports: ['websocket'], withCredentials: true, reconnectionDelayMax: 5000 });
    this.socket.on('connect', () => {
      this.setStatus('online');
      for (const roomId of this.rooms.keys()) void this.rejoin(roomId);
      void this.flush();
    });
    this.socket.on('disconnect', (reason) => this.setStatus(reason === 'io server disconnect' ? 'ended' : 'offline'));
    this.socket.on('connect_error', (e) => this.setStatus(e.message === 'UNAUTHENTICATED' || e.message === 'FORBIDDEN' ? 'ended' : 'offline'));
    this.socket.on('room:event', (e: RoomEvent & { roomId?: string }) => this.deliver(e));
    this.socket.on('presence', (p: { roomId: string; online: string[] }) => this.rooms.get(p.roomId)?.onPresence.forEach((f) => f(p.online)));
    this.socket.on('typing', (t: { roomId: string; thread: string | null; who: TypingWho | null }) =>
      this.rooms.get(t.roomId)?.onTyping.forEach((f) => f({ thread: t.thread, who: whoWords(t.who) })),
    );
    this.socket.on('room:removed', (r: { roomId: string }) => this.rooms.get(r.roomId)?.onRemoved.forEach((f) => f()));
    // A lost network does not always close an open WebSocket at once (nor does a test's
    // emulated offline): follow the browser's own online/offline signal so writes queue
    // instead of vanishing into a dead connection, and the replay runs on return.
    page.addEventListener?.('offline', this.wentOffline);
    page.addEventListener?.('online', this.cameOnline);
  }

  private wentOffline = () => {
    this.socket.disconnect();
    this.setStatus('offline');
  };

  private cameOnline = () => {
    if (this.status !== 'ended' && !this.socket.connected) this.socket.connect();
  };

  onStatus(f: (s: LiveStatus) => void): () => void {
    this.statusListeners.add(f);
    f(this.status);
    return () => this.statusListeners.delete(f);
  }

  private setStatus(s: LiveStatus) {
    this.status = s;
    this.statusListeners.forEach((f) => f(s));
  }

  // Watch a room: events after `afterSeq` (the seq the page's data reflects) arrive in order.
  watch(
    roomId: string,
    afterSeq: number,
    handlers: Partial<{
      event: (e: RoomEvent) => void;
      presence: (o: string[]) => void;
      typing: (t: { thread: string | null; who: string }) => void;
      removed: () => void;
    }>,
  ): () => void {
    let w = this.rooms.get(roomId);
    const fresh = !w;
    if (!w) {
      w = { lastSeq: afterSeq, partySeq: null, held: null, onEvent: new Set(), onPresence: new Set(), onTyping: new Set(), onRemoved: new Set() };
      this.rooms.set(roomId, w);
    }
    if (handlers.event) w.onEvent.add(handlers.event);
    if (handlers.presence) w.onPresence.add(handlers.presence);
    if (handlers.typing) w.onTyping.add(handlers.typing);
    if (handlers.removed) w.onRemoved.add(handlers.removed);
    if (fresh && this.socket.connected) void this.rejoin(roomId);
    return () => {
      const cur = this.rooms.get(roomId);
      if (!cur) return;
      if (handlers.event) cur.onEvent.delete(handlers.event);
      if (handlers.presence) cur.onPresence.delete(handlers.presence);
      if (handlers.typing) cur.onTyping.delete(handlers.typing);
      if (handlers.removed) cur.onRemoved.delete(handlers.removed);
      if (!cur.onEvent.size && !cur.onPresence.size && !cur.onTyping.size && !cur.onRemoved.size) {
        this.rooms.delete(roomId);
        if (this.socket.connected) this.socket.emit('room:leave', { roomId }, () => undefined);
      }
    };
  }

  lastSeq(roomId: string): number {
    return this.rooms.get(roomId)?.lastSeq ?? 0;
  }

  private async rejoin(roomId: string) {
    const w = this.rooms.get(roomId);
    if (!w) return;
    let ack: Ack & { lastSeq?: number; partyLastSeq?: number; events?: RoomEvent[] };
    w.held = [];
    try {
      const cursor = w.partySeq === null ? { afterSeq: w.lastSeq } : { afterSeq: w.lastSeq, afterPartySeq: w.partySeq };
      ack = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck('room:join', { roomId, ...cursor });
    } catch {
      ack = { ok: false }; // the next connect joins again
    }
    const held = w.held;
    w.held = null;
    if (!ack.ok && ack.error?.code === 'NOT_FOUND') w.onRemoved.forEach((f) => f());
    // the first join starts the party stream where it stands (the page's queries hold the rest)
    if (ack.ok && w.partySeq === null && typeof ack.partyLastSeq === 'number') w.partySeq = ack.partyLastSeq;
    const replay = ack.ok ? (ack.events ?? []) : [];
    for (const e of [...replay, ...held].sort((a, b) => a.seq - b.seq)) this.deliver({ ...e, roomId });
  }

  private deliver(e: RoomEvent & { roomId?: string }) {
    const roomId = e.roomId ?? this.roomOfPayload(e);
    const w = roomId ? this.rooms.get(roomId) : undefined;
    if (!w) return;
    if (w.held) {
      w.held.push(e);
      return;
    }
    if (!e.stream || e.stream === 'room') {
      if (e.seq <= w.lastSeq) return;
      w.lastSeq = e.seq;
    } else {
      if (w.partySeq !== null && e.seq <= w.partySeq) return;
      w.partySeq = e.seq;
    }
    w.onEvent.forEach((f) => f(e));
  }

  private roomOfPayload(e: RoomEvent): string | undefined {
    // room:event carries roomId on the event; older servers only in the payload
    try {
      return (JSON.parse(e.payload) as { roomId?: string }).roomId;
    } catch {
      return undefined;
    }
  }

  // A write over the socket. While offline it waits in the queue; it resolves with the
  // server's ack (never twice, never lost while the tab is open).
  send<T = Ack>(event: string, payload: unknown): Promise<T> {
    return new Promise((resolve) => {
      this.queue.push({ event, payload, resolve: resolve as (a: Ack) => void });
      void this.flush();
    });
  }

  // A signal worth nothing once stale (typing): sent now if connected, never queued.
  volatile(event: string, payload: unknown): void {
    if (this.socket.connected) this.socket.volatile.emit(event, payload, () => undefined);
  }

  get queued(): number {
    return this.queue.length;
  }

  private async flush() {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length && this.socket.connected) {
        const item = this.queue[0];
        let ack: Ack;
        try {
          ack = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(item.event, item.payload);
        } catch {
          break; // no ack: keep it queued; the same payload (same clientMsgId) is sent again
        }
        this.queue.shift();
        item.resolve(ack);
      }
    } finally {
      this.flushing = false;
    }
  }

  close() {
    page.removeEventListener?.('offline', this.wentOffline);
    page.removeEventListener?.('online', this.cameOnline);
    this.socket.close();
    this.setStatus('ended');
  }
}

let current: LiveConnection | null = null;
export function live(): LiveConnection {
  if (!current || current.status === 'ended') current = new LiveConnection();
  return current;
}
export function closeLive() {
  current?.close();
  current = null;
}
