import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Namespace, Socket } from 'socket.io';
import type { Subscription } from 'rxjs';
import { badInput, Check, LOGGER, notFound, type Logger } from '@parley/common';
import { SessionEvents, type AuthUser } from '@parley/identity';
import { attributeAuthor, RoomAccessService, RoomEventBus, RoomEventsService, RoomsService, type RoomEventEntity, type RoomEventView } from '@parley/rooms';
import { DiscussionService, payloadObject } from './discussion.service';
import { parseThread } from './thread';

export interface LiveSocketData {
  user: AuthUser;
  // roomId → the membership this socket joined it as
  joined: Record<string, string>;
}
export type LiveSocket = Socket<Record<string, never>, Record<string, never>, Record<string, never>, LiveSocketData>;

export const REPLAY_MAX = 1000;

// socket.io rooms: every socket of a session, of a membership, of a room, of a caucus
const sessionRoom = (sessionId: string) => `s:${sessionId}`;
const userRoom = (userId: string) => `u:${userId}`;
const memberRoom = (membershipId: string) => `m:${membershipId}`;
const roomRoom = (roomId: string) => `r:${roomId}`;
const caucusRoom = (roomId: string, partyId: string) => `p:${roomId}:${partyId}`;

const wire = (v: RoomEventView) => ({ ...v, at: v.at.toISOString() });

// The live feed. Each instance delivers the events committed on it, per member (socket.io
// room m:<membershipId>) with that member's view; the Redis adapter carries each emit to
// the member's sockets on every other instance.
@Injectable()
export class LiveService implements OnModuleDestroy {
  private ns: Namespace | null = null;
  private readonly subscriptions: Subscription[] = [];
  // per room, events waiting for delivery; one drain per room keeps seq order
  private readonly queues = new Map<string, RoomEventEntity[]>();

  constructor(
    private readonly access: RoomAccessService,
    private readonly events: RoomEventsService,
    private readonly rooms: RoomsService,
    private readonly discussion: DiscussionService,
    private readonly bus: RoomEventBus,
    private readonly sessions: SessionEvents,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  attach(ns: Namespace): void {
    this.ns = ns;
    this.subscriptions.push(
      this.bus.committed.subscribe((event) => this.enqueue(event)),
      this.sessions.revoked.subscribe(({ sessionId }) => ns.in(sessionRoom(sessionId)).disconnectSockets(true)),
    );
  }

  onModuleDestroy(): void {
    for (const s of this.subscriptions) s.unsubscribe();
  }

  admit(socket: LiveSocket, user: AuthUser): void {
    socket.data = { user, joined: {} };
    void socket.join([sessionRoom(user.sessionId), userRoom(user.id)]);
  }

  async join(socket: LiveSocket, raw: unknown): Promise<{ lastSeq: number; events: ReturnType<typeof wire>[] }> {
    const input = payloadObject(raw);
    const c = new Check();
    const afterSeq = input.afterSeq == null ? null : c.int('afterSeq', input.afterSeq, { min: 0, max: 2 ** 31 - 1 });
    c.done();
    const roomId = this.roomIdOf(input);
    const { user } = socket.data;
    const ctx = await this.access.check(user, roomId, 'read');
    const { membership } = ctx;
    const rooms = [roomRoom(roomId), memberRoom(membership.id)];
    if (membership.partyId) rooms.push(caucusRoom(roomId, membership.partyId));
    await socket.join(rooms);
    socket.data.joined[roomId] = membership.id;
    // read again once joined: nothing committed in between is missed, and a removal that
    // raced the join still wins
    let fresh;
    try {
      fresh = await this.access.check(user, roomId, 'read');
    } catch (e) {
      this.leaveRooms(socket, roomId, rooms);
      throw e;
    }
    const viewer = { membershipId: membership.id, partyId: membership.partyId };
    const replay = afterSeq === null ? [] : await this.events.list(fresh.room, viewer, afterSeq, REPLAY_MAX);
    void this.presence(roomId);
    return { lastSeq: Math.max(fresh.room.lastSeq, replay.at(-1)?.seq ?? 0), events: replay.map(wire) };
  }

  async leave(socket: LiveSocket, raw: unknown): Promise<object> {
    const roomId = this.roomIdOf(payloadObject(raw));
    const membershipId = socket.data.joined[roomId];
    if (!membershipId) throw notFound();
    this.leaveRooms(socket, roomId, [...socket.rooms].filter((r) => r === roomRoom(roomId) || r === memberRoom(membershipId) || r.startsWith(`p:${roomId}:`)));
    void this.presence(roomId);
    return {};
  }

  disconnected(socket: LiveSocket): void {
    for (const roomId of Object.keys(socket.data?.joined ?? {})) void this.presence(roomId);
  }

  // typing is not persisted; a caucus's typing reaches only that party's sockets
  async typing(socket: LiveSocket, raw: unknown): Promise<object> {
    const input = payloadObject(raw);
    const roomId = this.roomIdOf(input);
    const ctx = await this.access.check(socket.data.user, roomId, 'message');
    const thread = this.discussion.threadFor(ctx, parseThread(input.thread));
    const { membership } = ctx;
    const dir = await this.events.directory(roomId, ctx.room.speakerAttribution);
    const who = attributeAuthor(dir, null, { membershipId: membership.id, displayName: membership.displayName, partyId: membership.partyId });
    const target = thread.audiencePartyId ? caucusRoom(roomId, thread.audiencePartyId) : roomRoom(roomId);
    this.namespace().to(target).except(memberRoom(membership.id)).emit('typing', { roomId, thread: thread.name, who });
    return {};
  }

  private roomIdOf(input: Record<string, unknown>): string {
    if (typeof input.roomId !== 'string') throw badInput({ roomId: 'must be an id' });
    return input.roomId.toLowerCase();
  }

  private leaveRooms(socket: LiveSocket, roomId: string, rooms: string[]) {
    for (const r of rooms) void socket.leave(r);
    delete socket.data.joined[roomId];
  }

  private namespace(): Namespace {
    if (!this.ns) throw new Error('the live gateway is not initialised');
    return this.ns;
  }

  // membership ids of the sockets in the room, on every instance
  private async presence(roomId: string): Promise<void> {
    try {
      const ns = this.namespace();
      const sockets = await ns.in(roomRoom(roomId)).fetchSockets();
      const online = [...new Set(sockets.map((s) => (s.data as LiveSocketData | undefined)?.joined?.[roomId]).filter((id): id is string => !!id))];
      ns.to(roomRoom(roomId)).emit('presence', { roomId, online });
    } catch (e) {
      this.logger.warn({ err: e, roomId }, 'presence update failed');
    }
  }

  private enqueue(event: RoomEventEntity): void {
    const pending = this.queues.get(event.roomId);
    if (pending) {
      pending.push(event);
      return;
    }
    this.queues.set(event.roomId, [event]);
    void this.drain(event.roomId);
  }

  private async drain(roomId: string): Promise<void> {
    for (;;) {
      const batch = this.queues.get(roomId) ?? [];
      if (!batch.length) {
        this.queues.delete(roomId);
        return;
      }
      this.queues.set(roomId, []);
      try {
        await this.deliver(roomId, batch);
      } catch (e) {
        this.logger.error({ err: e, roomId, seqs: batch.map((b) => b.seq) }, 'live delivery failed; clients catch up with afterSeq');
      }
    }
  }

  private async deliver(roomId: string, batch: RoomEventEntity[]): Promise<void> {
    const ns = this.namespace();
    for (const d of await this.events.deliveries(roomId, batch)) {
      ns.to(d.membershipIds.map(memberRoom)).emit('room:event', wire(d.view));
    }
    const removed = batch.filter((e) => e.type === 'member.removed').map((e) => e.payload.membershipId as string);
    if (!removed.length) return;
    const parties = await this.rooms.parties(roomId);
    for (const membershipId of removed) {
      ns.to(memberRoom(membershipId)).emit('room:removed', { roomId });
      ns.in(memberRoom(membershipId)).socketsLeave([roomRoom(roomId), ...parties.map((p) => caucusRoom(roomId, p.id)), memberRoom(membershipId)]);
      // removed from every room: nothing is left for this user's sockets to see
      const roomless = await this.rooms.userLeftWithoutRooms(membershipId);
      if (roomless) ns.in(userRoom(roomless)).disconnectSockets(true);
    }
    void this.presence(roomId);
  }
}
