import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Namespace, Socket } from 'socket.io';
import type { Subscription } from 'rxjs';
import { APP_CONFIG, badInput, Check, LOGGER, notFound, type AppConfig, type Logger } from '@parley/common';
import { SessionEvents, type AuthUser } from '@parley/identity';
import { eventMentions, isOneOf, partyStream, ROOM_STREAM, ROSTER_EVENTS, viewClass } from '@parley/domain';
import {
  attributeAuthor,
  eventAuthor,
  RoomAccessService,
  RoomEventBus,
  RoomEventsService,
  RoomsService,
  viewerOf,
  type RoomEvent,
  type RoomEventView,
  type Roster,
  type Viewer,
} from '@parley/rooms';
import { DiscussionService, parseThread, payloadObject } from '@parley/discussion';
import { fromPeer, NOTICE_MAX, noticeEntries, toPeer, type PeerEvent } from './peer-events';

export interface LiveSocketData {
  user: AuthUser;
  // roomId → the membership this socket joined it as
  joined: Record<string, string>;
  // when the session ends unless used again (ms), and when this socket last recorded a use
  deadline: number;
  usedAt: number;
}
export type LiveSocket = Socket<Record<string, never>, Record<string, never>, Record<string, never>, LiveSocketData>;

export const REPLAY_MAX = 1000;

// the part of an engine.io connection that LiveService.inOneFlush holds and releases
interface EngineConn {
  transport: { writable: boolean };
  flush(): void;
}

// socket.io rooms: every socket of a session, of a membership, of a room, of a caucus
const sessionRoom = (sessionId: string) => `s:${sessionId}`;
const userRoom = (userId: string) => `u:${userId}`;
const memberRoom = (membershipId: string) => `m:${membershipId}`;
const roomRoom = (roomId: string) => `r:${roomId}`;
const caucusRoom = (roomId: string, partyId: string) => `p:${roomId}:${partyId}`;
// the sockets of a room that asked for each event's proof (room:join with `proofs: true`)
const proofRoom = (roomId: string) => `q:${roomId}`;

const wire = (v: RoomEventView) => ({ ...v, at: v.at.toISOString() });
// A live frame without the event's `proof`: the RoomEvent of live.md, which is all the web app
// reads. A socket that joined a room with `proofs: true` (a client that verifies the chain as
// events arrive) gets `wire` instead; `roomEvents` in GraphQL always carries the proof. The
// proof repeats every disclosed value with its salt and path, so it was over half of a
// message's frame (~650 of ~1,150 bytes), parsed by every member's client.
const lean = ({ proof: _proof, ...v }: RoomEventView) => ({ ...v, at: v.at.toISOString() });
type WireEvent = ReturnType<typeof wire> | ReturnType<typeof lean>;
const partition = <T>(items: T[], test: (item: T) => boolean): [T[], T[]] => {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (test(item) ? yes : no).push(item);
  return [yes, no];
};
// A message's redaction is an event of the message's own stream, after the message's events.
// For a batch that ends the stream as far as this instance knows (its events held in memory,
// committed here or sent along a peer's notice; no later seq notified), the redactions that
// apply are those in the batch: reading the log for later ones would find only what committed
// in the instant since, which a delivery a moment earlier would not have seen either; the
// redaction event itself follows in the stream.
function redactionsIn(batch: RoomEvent[]): Set<string> {
  return new Set(batch.flatMap((e) => (e.type === 'message.redacted' ? [e.payload.messageId] : [])));
}

// a roster's active membership ids, as a set (asked on every delivery)
const activeIdSets = new WeakMap<Roster, Set<string>>();
function activeIds(roster: Roster): Set<string> {
  let ids = activeIdSets.get(roster);
  if (!ids) activeIdSets.set(roster, (ids = new Set(roster.active.map((a) => a.id))));
  return ids;
}

// a cursor per stream of a room: the room's, and each party's private one
const streamKey = (roomId: string, stream: string) => `${roomId} ${stream}`;

// The live feed. Every instance delivers to its own sockets, reading each stream of a room's
// log in seq order from a per-stream cursor, so each client gets every event once, in order,
// wherever it was committed. A commit here, or a 'room:committed' notice from another
// instance (through the Redis adapter), only says "stream s of room r has grown to seq n".
@Injectable()
export class LiveService implements OnModuleDestroy {
  private ns: Namespace | null = null;
  private readonly subscriptions: Subscription[] = [];
  // per stream (streamKey) of a room with local sockets: the last seq delivered to them, and
  // the highest seq known to be committed; one drain per stream at a time keeps seq order
  private readonly cursors = new Map<string, number>();
  private readonly known = new Map<string, number>();
  private readonly draining = new Set<string>();
  // streams to read again from their cursor whatever `known` says (after Redis came back)
  private readonly recheck = new Set<string>();
  // events committed on this instance, held so the drain need not read them back
  private readonly buffered = new Map<string, Map<number, RoomEvent>>();
  // each room's roster, kept while this instance reads every event of the room in order
  private readonly rosters = new Map<string, Roster>();
  // events committed here in this turn, for the other instances' notice (see notify)
  private outbox: PeerEvent[] = [];

  constructor(
    private readonly access: RoomAccessService,
    private readonly events: RoomEventsService,
    private readonly rooms: RoomsService,
    private readonly discussion: DiscussionService,
    private readonly bus: RoomEventBus,
    private readonly sessions: SessionEvents,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  attach(ns: Namespace): void {
    this.ns = ns;
    ns.on('room:committed', (...args: unknown[]) => {
      for (const [roomId, seq, stream, row] of noticeEntries(args)) this.remoteCommit(roomId, seq, stream, row);
    });
    this.subscriptions.push(
      this.bus.committed.subscribe((event) => this.committedHere(event)),
      this.sessions.revoked.subscribe(({ sessionId }) => ns.in(sessionRoom(sessionId)).disconnectSockets(true)),
    );
    // Redis pub/sub keeps nothing for a subscriber that is away: notices published while this
    // instance's subscriber was cut off (or before it had subscribed again) are lost, and
    // without a later commit in the same stream its sockets would never get those events.
    // The client emits 'ready' once it is connected and subscribed again: read every stream
    // with local sockets from its cursor then.
    const sub = (ns.adapter as { subClient?: { on?(event: string, fn: () => void): unknown } }).subClient;
    if (typeof sub?.on === 'function') sub.on('ready', () => this.catchUp());
  }

  // every stream this instance delivers, read again from its cursor
  catchUp(): void {
    for (const key of this.cursors.keys()) {
      this.recheck.add(key);
      if (!this.draining.has(key)) {
        const at = key.indexOf(' ');
        void this.drain(key.slice(0, at), key.slice(at + 1));
      }
    }
  }

  private committedHere(event: RoomEvent): void {
    this.hold(event);
    this.committed(event.roomId, event.stream, event.seq);
    // other instances learn of it, and get the row, through the adapter; the in-memory
    // adapter has no peers
    if (this.config.redisUrl) this.notify(toPeer(event));
  }

  // A commit's events reach the bus in one turn (RoomEventsService emits them in a loop after
  // the COMMIT): they leave for the other instances as one notice once that turn is over, one
  // Redis message (parsed by every instance, this one included) where each event was one.
  private notify(peer: PeerEvent): void {
    if (this.outbox.push(peer) > 1) return;
    queueMicrotask(() => {
      const out = this.outbox;
      this.outbox = [];
      for (let i = 0; i < out.length; i += NOTICE_MAX) this.namespace().serverSideEmit('room:committed', out.slice(i, i + NOTICE_MAX));
    });
  }

  // kept for the drain of a stream with local sockets, so it need not read the event back
  private hold(event: RoomEvent): void {
    const key = streamKey(event.roomId, event.stream);
    if (!this.cursors.has(key)) return;
    const held = this.buffered.get(key) ?? new Map<number, RoomEvent>();
    held.set(event.seq, event);
    this.buffered.set(key, held);
  }

  // from another instance (one without a stream is the room's; one without a well-formed row
  // is read from the log)
  remoteCommit(roomId: unknown, seq: unknown, stream: unknown = ROOM_STREAM, row?: unknown): void {
    if (typeof roomId !== 'string' || !Number.isInteger(seq) || typeof stream !== 'string') return;
    const event = fromPeer(row, roomId, seq as number, stream);
    if (event) this.hold(event);
    this.committed(roomId, stream, seq as number);
  }

  onModuleDestroy(): void {
    for (const s of this.subscriptions) s.unsubscribe();
  }

  // this instance's sockets of one session (their handshakes included)
  socketsOfSession(sessionId: string): number {
    return this.namespace().adapter.rooms.get(sessionRoom(sessionId))?.size ?? 0;
  }

  admit(socket: LiveSocket, user: AuthUser): void {
    socket.data = { user, joined: {}, deadline: user.sessionDeadline.getTime(), usedAt: Date.now() };
    void socket.join([sessionRoom(user.sessionId), userRoom(user.id)]);
  }

  // Joins the room's stream and, for a member of a party, that party's private stream:
  // `afterSeq` replays the room's, `afterPartySeq` the party's (each event names its stream).
  // `proofs: true`: this socket's events of the room (the replay and live) carry their proof.
  async join(socket: LiveSocket, raw: unknown): Promise<{ lastSeq: number; partyLastSeq?: number; events: WireEvent[] }> {
    const input = payloadObject(raw);
    const c = new Check();
    const afterSeq = input.afterSeq == null ? null : c.int('afterSeq', input.afterSeq, { min: 0, max: 2 ** 31 - 1 });
    const afterPartySeq = input.afterPartySeq == null ? null : c.int('afterPartySeq', input.afterPartySeq, { min: 0, max: 2 ** 31 - 1 });
    c.that('proofs', input.proofs == null || typeof input.proofs === 'boolean', 'must be true or false');
    const proofs = input.proofs === true;
    const shape = proofs ? wire : lean;
    c.done();
    const roomId = this.roomIdOf(input);
    const { user } = socket.data;
    const ctx = await this.access.check(user, roomId, 'read');
    const { membership } = ctx;
    const party = membership.partyId ? partyStream(membership.partyId) : null;
    // live delivery to this instance's sockets starts after what each stream holds now; the
    // replay below covers the rest (a client may see an event twice, never miss one)
    if (!this.cursors.has(streamKey(roomId, ROOM_STREAM))) this.cursors.set(streamKey(roomId, ROOM_STREAM), ctx.room.lastSeq);
    if (party && !this.cursors.has(streamKey(roomId, party))) this.cursors.set(streamKey(roomId, party), await this.events.lastSeq(ctx.room, party));
    const rooms = [roomRoom(roomId), memberRoom(membership.id)];
    if (membership.partyId) rooms.push(caucusRoom(roomId, membership.partyId));
    // a join again (a reconnect, a second join) decides anew whether proofs come
    if (proofs) rooms.push(proofRoom(roomId));
    else void socket.leave(proofRoom(roomId));
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
    const viewer = viewerOf(membership);
    const replay = afterSeq === null ? [] : await this.events.list(fresh.room, viewer, afterSeq, REPLAY_MAX);
    const lastSeq = Math.max(fresh.room.lastSeq, replay.at(-1)?.seq ?? 0);
    void this.presence(roomId);
    if (!party) return { lastSeq, events: replay.map(shape) };
    const partyReplay = afterPartySeq === null ? [] : await this.events.list(fresh.room, viewer, afterPartySeq, REPLAY_MAX, party);
    const partyLastSeq = Math.max(await this.events.lastSeq(fresh.room, party), partyReplay.at(-1)?.seq ?? 0);
    return { lastSeq, partyLastSeq, events: [...replay, ...partyReplay].map(shape) };
  }

  async leave(socket: LiveSocket, raw: unknown): Promise<object> {
    const roomId = this.roomIdOf(payloadObject(raw));
    const membershipId = socket.data.joined[roomId];
    if (!membershipId) throw notFound();
    this.leaveRooms(socket, roomId, this.roomsOf(socket, roomId, membershipId));
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
    const who = attributeAuthor(dir, null, eventAuthor(membership));
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

  // membership ids of the sockets in the room, on every instance; a room that does not
  // attribute speakers learns only how many are online, never who
  private async presence(roomId: string): Promise<void> {
    try {
      const ns = this.namespace();
      const sockets = await ns.in(roomRoom(roomId)).fetchSockets();
      const online = [...new Set(sockets.map((s) => (s.data as LiveSocketData | undefined)?.joined?.[roomId]).filter((id): id is string => !!id))];
      const attribution = (this.rosters.get(roomId) ?? (await this.events.roster(roomId)))?.dir.attribution;
      if (attribution === 'ATTRIBUTED') ns.to(roomRoom(roomId)).emit('presence', { roomId, online, count: online.length });
      else ns.to(roomRoom(roomId)).emit('presence', { roomId, online: [], count: online.length });
    } catch (e) {
      this.logger.warn({ err: e, roomId }, 'presence update failed');
    }
  }

  private committed(roomId: string, stream: string, seq: number): void {
    const key = streamKey(roomId, stream);
    if (!this.cursors.has(key)) return; // no socket here has joined this stream
    this.known.set(key, Math.max(seq, this.known.get(key) ?? 0));
    if (this.draining.has(key)) return;
    // started once the current turn's commits are all held: a group commit's events of one
    // room go out as one delivery (one write per socket) rather than the first one alone.
    // And after the turn (setImmediate, not a microtask): the group commit has sent its next
    // batch by then (its promises run first), so PostgreSQL writes that batch while this
    // instance writes the frames of this one, where before it waited for them; at 400-1,200
    // msg/s p50 and p99 came down by a third to a half (docs/benchmarks.md, 2026-12-02 b).
    this.draining.add(key);
    setImmediate(() => void this.drain(roomId, stream));
  }

  // the run of held events right after the cursor (older ones are dropped)
  private takeBuffered(key: string, cursor: number): RoomEvent[] {
    const held = this.buffered.get(key);
    if (!held) return [];
    for (const seq of held.keys()) if (seq <= cursor) held.delete(seq);
    const run: RoomEvent[] = [];
    for (let next = cursor + 1; held.has(next); next++) {
      run.push(held.get(next)!);
      held.delete(next);
    }
    if (!held.size) this.buffered.delete(key);
    return run;
  }

  private localMembers(roomId: string): Set<string> {
    const members = new Set<string>();
    const sockets = this.namespace().adapter.rooms.get(roomRoom(roomId));
    for (const id of sockets ?? []) {
      const m = (this.namespace().sockets.get(id)?.data as LiveSocketData | undefined)?.joined?.[roomId];
      if (m) members.add(m);
    }
    return members;
  }

  private async drain(roomId: string, stream: string): Promise<void> {
    const key = streamKey(roomId, stream);
    this.draining.add(key);
    try {
      for (;;) {
        const cursor = this.cursors.get(key);
        const forced = this.recheck.delete(key);
        if (cursor === undefined || (!forced && cursor >= (this.known.get(key) ?? 0))) break;
        const local = this.localMembers(roomId);
        if (!local.size) {
          // nobody here is in the room any more: forget it until someone joins again
          this.cursors.delete(key);
          this.known.delete(key);
          this.buffered.delete(key);
          this.recheck.delete(key);
          if (stream === ROOM_STREAM) this.rosters.delete(roomId);
          break;
        }
        const batch = this.takeBuffered(key, cursor);
        const held = batch.length > 0;
        if (!held) batch.push(...(await this.events.committedAfter(roomId, stream, cursor, 500)));
        if (!batch.length) break;
        // held in memory and nothing later known in the stream: see redactionsIn
        const last = !forced && held && (this.known.get(key) ?? 0) <= batch.at(-1)!.seq;
        try {
          await this.deliver(roomId, batch, local, last);
        } catch (e) {
          // fail closed: whatever was cached may be stale, so the next event reads the roster again
          this.rosters.delete(roomId);
          this.logger.error({ err: e, roomId, stream, seqs: [batch[0].seq, batch.at(-1)!.seq] }, 'live delivery failed; clients catch up with afterSeq');
        }
        this.cursors.set(key, Math.max(this.cursors.get(key) ?? 0, batch.at(-1)!.seq));
        // a forced read goes on until the log has nothing more
        if (forced) this.recheck.add(key);
      }
    } catch (e) {
      this.logger.error({ err: e, roomId, stream }, 'reading the room log for live delivery failed');
    } finally {
      this.draining.delete(key);
    }
  }

  private async deliver(roomId: string, batch: RoomEvent[], local: Set<string>, last: boolean): Promise<void> {
    // removals first, from memory alone: a removed member's sockets leave the room even when
    // reading the roster or delivering the events below fails
    const removed = batch.flatMap((e) => (e.type === 'member.removed' ? [e.payload.membershipId] : []));
    for (const membershipId of removed) this.eject(roomId, membershipId);
    if (removed.length) await this.endRoomless(removed);
    let roster = this.rosters.get(roomId);
    // a party stream may be read before the room stream's member.joined: a member the roster
    // does not know yet means reading it again
    const stale = roster && [...local].some((m) => !activeIds(roster!).has(m));
    if (!roster || stale || batch.some((e) => isOneOf(ROSTER_EVENTS, e))) {
      roster = (await this.events.roster(roomId)) ?? undefined;
      if (roster) this.rosters.set(roomId, roster);
    }
    if (!roster) return;
    const redacted = last ? redactionsIn(batch) : await this.events.redactedMessages(roomId, batch);
    this.inOneFlush(roomId, batch.length > 1, () => {
      for (const event of batch) this.broadcast(roomId, event, roster, local, redacted);
    });
    if (removed.length) void this.presence(roomId);
  }

  // Every packet the room's sockets here get while `emit` runs waits in their engine.io
  // buffers and leaves in one flush per socket when it is done (one writev: see
  // apps/api/src/frame-batching.ts), instead of the first packet alone and the rest after it.
  // Synchronous: nothing else writes to these sockets meanwhile.
  private inOneFlush(roomId: string, several: boolean, emit: () => void): void {
    if (!several) return emit();
    const held: EngineConn[] = [];
    for (const socket of this.socketsOf(roomRoom(roomId))) {
      const conn = socket.conn as unknown as EngineConn;
      if (conn.transport?.writable !== true || typeof conn.flush !== 'function') continue;
      conn.transport.writable = false;
      held.push(conn);
    }
    try {
      emit();
    } finally {
      // each released on its own: one connection's failing flush leaves no other one held
      for (const conn of held) {
        conn.transport.writable = true;
        try {
          conn.flush();
        } catch (e) {
          this.logger.warn({ err: e, roomId }, 'flushing a live socket failed');
        }
      }
    }
  }

  // One event to this instance's sockets, one view per audience class (see viewClass): views
  // alike are merged; the widest goes to the audience's socket.io room (the room's, or the
  // party's caucus) except every socket not in it, so socket.io encodes the packet once for
  // all of them; the others (the member the event names, a role that sees more) go to their
  // members' rooms.
  private broadcast(roomId: string, event: RoomEvent, roster: Roster, local: Set<string>, redacted: ReadonlySet<string>): void {
    // the sockets here that asked for proofs (decided once: the views are built with proofs
    // only when there are any)
    const withProofs = this.namespace().adapter.rooms.get(proofRoom(roomId));
    const groups = this.viewGroups(event, roster, local, redacted, !!withProofs?.size);
    if (!groups.length) return;
    const ns = this.namespace().local;
    const [widest, ...rest] = groups.sort((a, b) => b.members.size - a.members.size);
    const audience = event.audiencePartyId ? caucusRoom(roomId, event.audiencePartyId) : roomRoom(roomId);
    // decided now, in the same tick as the emit: a socket that joined, left or changed since
    // the drain began is kept out unless its membership is one the widest view is for
    const [inside, outside] = partition(this.socketsOf(audience), (socket) => widest.members.has(socket.data?.joined?.[roomId] ?? ''));
    const send = (target: ReturnType<Namespace['to']>, sockets: () => LiveSocket[], view: RoomEventView) => {
      // without the proof to every socket but those that asked for it (one packet, encoded once)
      target.except(proofRoom(roomId)).emit('room:event', { ...lean(view), roomId });
      if (!withProofs?.size) return;
      const ids = sockets()
        .filter((socket) => withProofs.has(socket.id))
        .map((socket) => socket.id);
      if (ids.length) ns.to(ids).emit('room:event', { ...wire(view), roomId });
    };
    send(ns.to(audience).except(outside.map((socket) => socket.id)), () => inside, widest.view);
    for (const g of rest) {
      const members = [...g.members].map(memberRoom);
      send(ns.to(members), () => members.flatMap((m) => this.socketsOf(m)), g.view);
    }
  }

  // the members here who may see the event (roster ∩ local ∩ audience), grouped by their view
  private viewGroups(event: RoomEvent, roster: Roster, local: Set<string>, redacted: ReadonlySet<string>, proofs: boolean) {
    const mentions = eventMentions({ actor: event.actorMembershipId, payload: event.payload });
    const classes = new Map<string, { viewer: Viewer; members: string[] }>();
    for (const m of roster.active) {
      if (!local.has(m.id) || (event.audiencePartyId !== null && !this.events.visibleTo(event, viewerOf(m)))) continue;
      const key = viewClass(mentions, { membershipId: m.id, partyId: m.partyId, role: m.role });
      const c = classes.get(key);
      if (c) c.members.push(m.id);
      else classes.set(key, { viewer: viewerOf(m), members: [m.id] });
    }
    const classList = [...classes.values()];
    const views = this.events.viewsFor(
      event,
      classList.map((c) => c.viewer),
      roster.dir,
      redacted,
      { proofs },
    );
    // classes given the same view object (viewsFor renders once per viewer side) share a
    // group, and distinct views alike are merged too: one key per distinct view
    const keys = new Map<RoomEventView, string>();
    const groups = new Map<string, { view: RoomEventView; members: Set<string> }>();
    classList.forEach((c, i) => {
      const view = views[i];
      let key = keys.get(view);
      if (key === undefined) keys.set(view, (key = `${view.actor}\u0000${view.payload}\u0000${view.proof}`));
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { view, members: new Set() }));
      for (const m of c.members) group.members.add(m);
    });
    return [...groups.values()];
  }

  private socketsOf(room: string): LiveSocket[] {
    const ns = this.namespace();
    const out: LiveSocket[] = [];
    for (const id of ns.adapter.rooms.get(room) ?? []) {
      const socket = ns.sockets.get(id) as LiveSocket | undefined;
      if (socket) out.push(socket);
    }
    return out;
  }

  // removed from every room: nothing is left for this user's sockets to see
  private async endRoomless(membershipIds: string[]): Promise<void> {
    try {
      for (const membershipId of membershipIds) {
        const roomless = await this.rooms.userLeftWithoutRooms(membershipId);
        if (roomless) this.namespace().local.in(userRoom(roomless)).disconnectSockets(true);
      }
    } catch (e) {
      // the sockets have left the room already; this only tidies up connections
      this.logger.warn({ err: e }, 'could not check whether a removed member is left without rooms');
    }
  }

  // This instance's sockets of a removed membership leave every socket.io room of the room
  // (room, caucus, membership) and forget it; they are told with `room:removed`.
  private eject(roomId: string, membershipId: string): void {
    const ns = this.namespace();
    const ids = [...(ns.adapter.rooms.get(memberRoom(membershipId)) ?? [])];
    ns.local.to(memberRoom(membershipId)).emit('room:removed', { roomId });
    for (const id of ids) {
      const socket = ns.sockets.get(id) as LiveSocket | undefined;
      if (socket) this.leaveRooms(socket, roomId, this.roomsOf(socket, roomId, membershipId));
    }
  }

  // the socket.io rooms a socket holds for one room as one membership
  private roomsOf(socket: LiveSocket, roomId: string, membershipId: string): string[] {
    return [...socket.rooms].filter((r) => r === roomRoom(roomId) || r === memberRoom(membershipId) || r === proofRoom(roomId) || r.startsWith(`p:${roomId}:`));
  }
}
