import { Injectable } from '@nestjs/common';
import { randomFillSync } from 'node:crypto';
import { IsNull, MoreThan } from 'typeorm';
import {
  attribute,
  disclosedPayload,
  eventHashV2,
  eventParts,
  GENESIS_HASH,
  hiddenParts,
  isOneOf,
  MESSAGE_BODY_EVENTS,
  partyStream,
  proofFor,
  ROOM_STREAM,
  sealedDigests,
  StreamVerifier,
  type EventAuthor,
  type RoomEventPayloads,
  type RoomEventType,
  type SpeakerAttribution,
  type StreamVerification,
} from '@parley/domain';
import { badInput, notFound } from '@parley/common';
import { preparedQuery, preparedStatement, TransactionRunner, type Tx } from '@parley/database';
import { MembershipEntity, PartyEntity, RoomEntity, RoomEventEntity, type RoomEvent, type RoomRole } from './rooms.entities';
import { RoomEventBus } from './room-event-bus';
import { RoomAccessService } from './room-access.service';
import type { AuthUser } from '@parley/identity';

export interface AppendEvent<T extends RoomEventType = RoomEventType> {
  roomId: string;
  type: T;
  actor: MembershipEntity | null;
  payload: RoomEventPayloads[T];
  // set: only members of this party ever see the event (a caucus, a sealed commitment)
  audiencePartyId?: string | null;
}

export interface Viewer {
  membershipId: string;
  partyId: string | null;
  role?: string | null;
}

export interface RoomEventView {
  stream: string;
  seq: number;
  type: RoomEventType;
  at: Date;
  actor: string | null;
  payload: string;
  hash: string;
  prevHash: string;
  // JSON of the viewer's EventProof (disclosed parts with salts, digests of the rest); null in format 1
  proof: string | null;
}

// The streams a member verifies: the room's, and their party's when they have one.
export interface AuditResult extends StreamVerification {
  partyStream: StreamVerification | null;
}

// A read model derived from the log (the agreement record, the convergence series): runs
// inside the appending transaction, after the event row is written, so it commits or rolls
// back with the event. Every hook is listed in apps/api/src/room-event-hooks.ts; it runs only
// for the event types it derives from.
export interface RoomEventHook<T extends RoomEventType = RoomEventType> {
  readonly types: ReadonlySet<T>;
  record(tx: Tx, event: Extract<RoomEvent, { type: T }>): Promise<void>;
}

// message.posted / message.edited (MESSAGE_BODY_EVENTS) carry a body in their hash-chained
// payload, which never changes; once the message is redacted, every view serves it empty.
const NO_REDACTIONS: ReadonlySet<string> = new Set();

// a payload's speaker, when its type names one
const authorOf = (payload: RoomEventPayloads[RoomEventType]): EventAuthor | undefined => ('author' in payload ? payload.author : undefined);

export interface Roster {
  dir: SpeakerDirectory;
  active: Array<{ id: string; partyId: string | null; role: string }>;
}

export interface SpeakerDirectory {
  attribution: SpeakerAttribution;
  members: Map<string, { displayName: string; partyId: string | null; role?: string }>;
  partyNames: Map<string, string>;
}

// Payloads name a speaker only under `author: { membershipId, displayName, partyId }`;
// views replace it with what the room's attribution lets this viewer see.
export function attributeAuthor(dir: SpeakerDirectory, viewer: Viewer | null, author: EventAuthor) {
  const seen = attribute(dir.attribution, author, viewer?.membershipId ?? null);
  const showId = dir.attribution === 'ATTRIBUTED' || viewer?.membershipId === author.membershipId;
  const partyName = seen.partyId ? (dir.partyNames.get(seen.partyId) ?? null) : null;
  // two literals, not a spread: this runs for every view of every event
  return showId
    ? { membershipId: author.membershipId, displayName: seen.displayName, partyId: seen.partyId, partyName }
    : { displayName: seen.displayName, partyId: seen.partyId, partyName };
}

// how event payloads name a member as their speaker
export const eventAuthor = (m: { id: string; displayName: string; partyId: string | null }): EventAuthor => ({
  membershipId: m.id,
  displayName: m.displayName,
  partyId: m.partyId,
});

export function actorLabel(dir: SpeakerDirectory, viewer: Viewer | null, membershipId: string | null): string | null {
  if (!membershipId) return null;
  const m = dir.members.get(membershipId);
  if (!m) return null;
  const seen = attribute(dir.attribution, { membershipId, ...m }, viewer?.membershipId ?? null);
  const party = seen.partyId ? dir.partyNames.get(seen.partyId) : undefined;
  if (seen.displayName !== null) return party ? `${seen.displayName} (${party})` : seen.displayName;
  return party ?? null;
}

interface StreamHead {
  seq: number;
  hash: string;
}

// A room locked by RoomEventsService.lockRooms, with the active memberships it read after the
// lock (by user id), each with its party's name.
export interface LockedRoom {
  room: RoomEntity;
  members: Map<string, LockedMember>;
}

export type LockedMember = MembershipEntity & { partyName: string | null };

interface MemberRow {
  id: string;
  room_id: string;
  user_id: string;
  role: RoomRole;
  party_id: string | null;
  display_name: string;
  joined_at: Date;
  removed_at: Date | null;
  party_name: string | null;
}

const memberOf = (r: MemberRow): LockedMember => ({
  id: r.id,
  roomId: r.room_id,
  userId: r.user_id,
  role: r.role,
  partyId: r.party_id,
  displayName: r.display_name,
  joinedAt: r.joined_at,
  removedAt: r.removed_at,
  partyName: r.party_name,
});

// the rooms' rows locked in id order (raw: this runs once per message batch, and the query
// builder's work showed in the live path's profile). Prepared, as is LOCKED_MEMBERS: sent
// unnamed, PostgreSQL parsed and planned the two at every batch, 0.75 ms of its CPU per
// batch (0.3 + 0.45), more than it spent writing the batch (docs/benchmarks.md).
const LOCK_ROOMS = `SELECT id, title, purpose, speaker_attribution, created_by, created_at, archived_at, last_seq, head_hash, chain_v2_from
  FROM room WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`;

// the given (room, user) pairs' active memberships, each with its party's name (the columns
// named: a prepared statement's answer must not change shape with the table). One index probe
// per pair, whatever the plan: prepared, PostgreSQL soon plans it once for any pairs, and for
// `(room_id, user_id) IN (unnest …)` that generic plan read the whole membership table (it
// guesses ten pairs); LIMIT 1 keeps the lateral probe from being flattened into such a join.
const LOCKED_MEMBERS = `SELECT m.id, m.room_id, m.user_id, m.role, m.party_id, m.display_name, m.joined_at, m.removed_at,
       (SELECT p.name FROM party p WHERE p.id = m.party_id) AS party_name
  FROM unnest($1::uuid[], $2::uuid[]) w(room_id, user_id)
 CROSS JOIN LATERAL (SELECT * FROM membership m WHERE m.room_id = w.room_id AND m.user_id = w.user_id AND m.removed_at IS NULL LIMIT 1) m`;

interface RoomRow {
  id: string;
  title: string;
  purpose: string;
  speaker_attribution: SpeakerAttribution;
  created_by: string;
  created_at: Date;
  archived_at: Date | null;
  last_seq: number;
  head_hash: string;
  chain_v2_from: number;
}

const roomOf = (r: RoomRow): RoomEntity =>
  Object.assign(new RoomEntity(), {
    id: r.id,
    title: r.title,
    purpose: r.purpose,
    speakerAttribution: r.speaker_attribution,
    createdBy: r.created_by,
    createdAt: r.created_at,
    archivedAt: r.archived_at,
    lastSeq: r.last_seq,
    headHash: r.head_hash,
    chainV2From: r.chain_v2_from,
  });

// An INSERT written in the same statement as the events (its parameters numbered from `from`).
export type AlongsideInsert = (events: RoomEvent[], from: number) => { sql: string; params: unknown[] };

// writeEvents' own parameters, $1 … $15
const WRITE_EVENTS_PARAMS = 15;

// each room's head moved: the statement's last part, or a CTE before an insert alongside
function moveHeads(asCte: boolean): string {
  const update = `UPDATE room SET last_seq = h.seq, head_hash = h.hash FROM unnest($13::uuid[], $14::int[], $15::text[]) h(id, seq, hash) WHERE room.id = h.id`;
  return asCte ? `, moved AS (${update})` : update;
}

const streamKey = (roomId: string, stream: string) => `${roomId} ${stream}`;

// 128-bit salts from the CSPRNG, drawn a pool at a time: one randomFillSync per 256 salts
// instead of one randomBytes call per part of every event (7 for a message), which showed in
// the live path's profile
const SALT_BYTES = 16;
const saltPool = Buffer.alloc(SALT_BYTES * 256);
let saltAt = saltPool.length;
function newSalt(): string {
  if (saltAt === saltPool.length) {
    randomFillSync(saltPool);
    saltAt = 0;
  }
  const salt = saltPool.toString('hex', saltAt, saltAt + SALT_BYTES);
  saltAt += SALT_BYTES;
  return salt;
}

// The next event of a stream after `head`: salted commitments to its parts, chained by hash.
function chainEvent(head: StreamHead, stream: string, input: AppendEvent): RoomEvent {
  const seq = head.seq + 1;
  const at = new Date();
  const actor = input.actor?.id ?? null;
  const parts = eventParts(actor, input.payload);
  const salts = Object.fromEntries(parts.map((p) => [p.path, newSalt()]));
  const hash = eventHashV2(head.hash, { roomId: input.roomId, stream, seq, type: input.type, at: at.toISOString(), digests: sealedDigests(parts, salts) });
  return {
    roomId: input.roomId,
    stream,
    seq,
    type: input.type,
    actorMembershipId: actor,
    audiencePartyId: input.audiencePartyId ?? null,
    payload: input.payload,
    at,
    prevHash: head.hash,
    hash,
    format: 2,
    salts,
  } as RoomEvent;
}

@Injectable()
export class RoomEventsService {
  // set once at start-up; appending before that would skip the derived state, so it fails
  private hooks: readonly RoomEventHook[] | null = null;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly bus: RoomEventBus,
    private readonly access: RoomAccessService,
  ) {}

  async listFor(user: AuthUser, roomId: string, afterSeq: number, limit: number, stream: string = ROOM_STREAM): Promise<RoomEventView[]> {
    const ctx = await this.access.check(user, roomId, 'read');
    return this.list(ctx.room, viewerOf(ctx.membership), afterSeq, limit, stream);
  }

  async verifyFor(user: AuthUser, roomId: string): Promise<AuditResult> {
    const ctx = await this.access.check(user, roomId, 'read');
    const party = ctx.membership.partyId ? partyStream(ctx.membership.partyId) : null;
    const [room, ...rest] = await this.verifyStreams(ctx.room, party ? [ROOM_STREAM, party] : [ROOM_STREAM]);
    const partyResult = rest[0] ?? null;
    return { ...room, valid: room.valid && (partyResult?.valid ?? true), partyStream: partyResult };
  }

  // Appends one event in the caller's transaction: next gapless seq of its stream under the
  // room row lock, chained to the stream's previous event by salted commitments to its
  // parts; broadcast only after commit.
  async append<T extends RoomEventType>(tx: Tx, input: AppendEvent<T>): Promise<RoomEvent & { type: T }> {
    const hooks = this.registeredHooks();
    const room = await this.lockedHead(tx, input.roomId);
    const audiencePartyId = input.audiencePartyId ?? null;
    const stream = audiencePartyId ? partyStream(audiencePartyId) : ROOM_STREAM;
    const head = audiencePartyId ? await this.streamHead(tx, room, stream) : { seq: room.lastSeq, hash: room.headHash };
    // the id as stored: the hash commits to its text
    const event = chainEvent(head, stream, { ...input, roomId: room.id }) as RoomEvent & { type: T };
    await this.writeEvents(tx, [event]);
    await this.recorded(tx, [event], hooks);
    return event;
  }

  // Locks the rooms in id order (so two batches never wait on each other in a cycle), then
  // reads the given users' active memberships in them with a fresh snapshot: a removal that
  // committed while this waited for a lock is seen. A room missing from the answer is gone;
  // a user missing from a room's members is not (or no longer) a member.
  async lockRooms(tx: Tx, wanted: Array<{ roomId: string; userId: string }>): Promise<Map<string, LockedRoom>> {
    const roomIds = [...new Set(wanted.map((w) => w.roomId))].sort();
    const lock = preparedQuery<RoomRow>(tx.em, LOCK_ROOMS, [roomIds]);
    // pipelined, the memberships' read leaves with the lock and runs once it is granted (its
    // own statement, so its own snapshot, taken after the lock)
    const pairs = [...new Map(wanted.map((w) => [`${w.roomId} ${w.userId}`, w])).values()];
    const members = () => preparedQuery<MemberRow>(tx.em, LOCKED_MEMBERS, [pairs.map((w) => w.roomId), pairs.map((w) => w.userId)]);
    const [roomRows, memberRows] = tx.pipelined ? await Promise.all([lock, members()]) : [await lock, null];
    const rooms = roomRows.map(roomOf);
    const out = new Map(rooms.map((room): [string, LockedRoom] => [room.id, { room, members: new Map() }]));
    if (!rooms.length) return out;
    for (const r of memberRows ?? (await members())) out.get(r.room_id)?.members.set(r.user_id, memberOf(r));
    return out;
  }

  // Appends many events, in the given order, to rooms the caller locked with lockRooms in
  // this transaction: the chain is computed in memory from the locked rows (and one read of
  // the party streams' heads), then one statement writes every event and moves each room's
  // head. Hooks run per event, the broadcast after commit, as for append.
  // `alongside`, given the chained events, adds one more INSERT to the same statement (rows
  // derived from the events, e.g. the messages they post): one round trip less per batch.
  async appendMany(tx: Tx, locked: Map<string, LockedRoom>, inputs: AppendEvent[], alongside?: AlongsideInsert): Promise<RoomEvent[]> {
    const hooks = this.registeredHooks();
    const heads = await this.headsOf(tx, locked, inputs);
    const events = inputs.map((input) => {
      const stream = input.audiencePartyId ? partyStream(input.audiencePartyId) : ROOM_STREAM;
      const key = streamKey(input.roomId, stream);
      const event = chainEvent(heads.get(key)!, stream, input);
      heads.set(key, { seq: event.seq, hash: event.hash });
      return event;
    });
    await this.writeEvents(tx, events, alongside?.(events, WRITE_EVENTS_PARAMS + 1));
    for (const e of events) if (e.stream === ROOM_STREAM) Object.assign(locked.get(e.roomId)!.room, { lastSeq: e.seq, headHash: e.hash });
    await this.recorded(tx, events, hooks);
    return events;
  }

  private registeredHooks(): readonly RoomEventHook[] {
    if (!this.hooks) throw new Error('room event hooks are not registered (apps/api/src/room-event-hooks.ts)');
    return this.hooks;
  }

  // the room's row locked, for the head of its room stream
  private async lockedHead(tx: Tx, roomId: string): Promise<Pick<RoomEntity, 'id' | 'lastSeq' | 'headHash' | 'chainV2From'>> {
    const rows: Array<{ id: string; last_seq: number; head_hash: string; chain_v2_from: number }> = await tx.em.query(
      `SELECT id, last_seq, head_hash, chain_v2_from FROM room WHERE id = $1 FOR UPDATE`,
      [roomId],
    );
    if (!rows[0]) throw new Error(`room ${roomId} vanished during a write`);
    return { id: rows[0].id, lastSeq: rows[0].last_seq, headHash: rows[0].head_hash, chainV2From: rows[0].chain_v2_from };
  }

  // the head of every stream the inputs append to: a room's from its locked row, the party
  // streams' in one read (each an index probe at the end of the stream)
  private async headsOf(tx: Tx, locked: Map<string, LockedRoom>, inputs: AppendEvent[]): Promise<Map<string, StreamHead>> {
    const heads = new Map<string, StreamHead>();
    const party: Array<{ roomId: string; stream: string }> = [];
    for (const input of inputs) {
      const { room } = locked.get(input.roomId) ?? {};
      if (!room) throw new Error(`room ${input.roomId} is not locked by this transaction`);
      const stream = input.audiencePartyId ? partyStream(input.audiencePartyId) : ROOM_STREAM;
      const key = streamKey(room.id, stream);
      if (heads.has(key)) continue;
      if (stream === ROOM_STREAM) heads.set(key, { seq: room.lastSeq, hash: room.headHash });
      else {
        heads.set(key, { seq: room.chainV2From, hash: GENESIS_HASH });
        party.push({ roomId: room.id, stream });
      }
    }
    if (party.length) for (const h of await this.partyHeads(tx, party)) heads.set(streamKey(h.room_id, h.stream), { seq: h.seq, hash: h.hash });
    return heads;
  }

  private partyHeads(
    tx: Tx,
    streams: Array<{ roomId: string; stream: string }>,
  ): Promise<Array<{ room_id: string; stream: string; seq: number; hash: string }>> {
    return tx.em.query(
      `SELECT s.room_id, s.stream, e.seq, e.hash FROM unnest($1::uuid[], $2::text[]) s(room_id, stream)
         JOIN LATERAL (SELECT seq, hash FROM room_event WHERE room_id = s.room_id AND stream = s.stream ORDER BY seq DESC LIMIT 1) e ON true`,
      [streams.map((s) => s.roomId), streams.map((s) => s.stream)],
    );
  }

  // One statement: every event inserted, and each room's head moved to its last room-stream
  // event. Prepared (preparedStatement): its text is one of a few fixed in the code, with
  // `also` (each alongside insert's is fixed too).
  private async writeEvents(tx: Tx, events: RoomEvent[], also?: { sql: string; params: unknown[] }): Promise<void> {
    const heads = new Map<string, RoomEvent>();
    for (const e of events) if (e.stream === ROOM_STREAM) heads.set(e.roomId, e);
    const col = <K extends keyof RoomEvent>(k: K) => events.map((e) => e[k]);
    await tx.execute(
      preparedStatement(`WITH inserted AS (
         INSERT INTO room_event (room_id, stream, seq, type, actor_membership_id, audience_party_id, payload, at, prev_hash, hash, format, salts)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::uuid[], $6::uuid[], $7::jsonb[], $8::timestamptz[], $9::text[], $10::text[], $11::smallint[], $12::jsonb[]))
       ${moveHeads(!!also)}
       ${also?.sql ?? ''}`),
      [
        ...[col('roomId'), col('stream'), col('seq'), col('type'), col('actorMembershipId'), col('audiencePartyId')],
        events.map((e) => JSON.stringify(e.payload)),
        ...[col('at'), col('prevHash'), col('hash'), col('format')],
        events.map((e) => JSON.stringify(e.salts)),
        ...[[...heads.keys()], [...heads.values()].map((e) => e.seq), [...heads.values()].map((e) => e.hash)],
        ...(also?.params ?? []),
      ],
    );
  }

  // derived state in the same transaction, then the broadcast once it committed
  private async recorded(tx: Tx, events: RoomEvent[], hooks: readonly RoomEventHook[]): Promise<void> {
    for (const event of events) for (const hook of hooks) if (isOneOf(hook.types, event)) await hook.record(tx, event);
    tx.afterCommit(() => {
      for (const event of events) this.bus.committed.next(event);
    });
  }

  // A party stream's last event; one not yet written starts after the room's format-1 events.
  private async streamHead(tx: Tx, room: Pick<RoomEntity, 'id' | 'chainV2From'>, stream: string): Promise<StreamHead> {
    const last = await tx.em.findOne(RoomEventEntity, { where: { roomId: room.id, stream }, order: { seq: 'DESC' }, select: { seq: true, hash: true } });
    return last ? { seq: last.seq, hash: last.hash } : { seq: room.chainV2From, hash: GENESIS_HASH };
  }

  // the last seq of a stream as it stands (0 or the format-1 mark when it has no event yet)
  async lastSeq(room: RoomEntity, stream: string): Promise<number> {
    if (stream === ROOM_STREAM) return room.lastSeq;
    const last = await this.tx.manager.findOne(RoomEventEntity, { where: { roomId: room.id, stream }, order: { seq: 'DESC' }, select: { seq: true } });
    return last?.seq ?? room.chainV2From;
  }

  registerHooks(hooks: readonly RoomEventHook[]): void {
    if (this.hooks) throw new Error('room event hooks are registered once');
    this.hooks = [...hooks];
  }

  async directory(roomId: string, attribution: SpeakerAttribution): Promise<SpeakerDirectory> {
    const [members, parties] = await Promise.all([
      this.tx.manager.find(MembershipEntity, { where: { roomId } }),
      this.tx.manager.find(PartyEntity, { where: { roomId } }),
    ]);
    return {
      attribution,
      members: new Map(members.map((m) => [m.id, { displayName: m.displayName, partyId: m.partyId, role: m.role }])),
      partyNames: new Map(parties.map((p) => [p.id, p.name])),
    };
  }

  visibleTo(event: RoomEvent, viewer: Viewer): boolean {
    return event.audiencePartyId === null || event.audiencePartyId === viewer.partyId;
  }

  // What one viewer reads of an event: the payload fields they may see (a speaker as the
  // room's attribution shows them) and, in format 2, the proof that lets them recompute the
  // hash without the parts they may not see.
  view(event: RoomEvent, viewer: Viewer, dir: SpeakerDirectory, redacted: ReadonlySet<string> = NO_REDACTIONS): RoomEventView {
    const isRedacted = isOneOf(MESSAGE_BODY_EVENTS, event) && redacted.has(event.payload.messageId);
    return this.render(event, isRedacted, this.seenBy(event, viewer, dir, isRedacted));
  }

  // One event's views for many viewers, in their order. A view depends on its viewer only
  // through what `seenBy` answers (the parts hidden from them, how the author and the actor
  // are shown): viewers who get the same answer share one view object, serialised once.
  // `proofs: false` (live delivery to sockets that did not ask for proofs): views without
  // their proof (null), which is then neither built nor sent
  viewsFor(
    event: RoomEvent,
    viewers: Viewer[],
    dir: SpeakerDirectory,
    redacted: ReadonlySet<string> = NO_REDACTIONS,
    opts: { proofs: boolean } = { proofs: true },
  ): RoomEventView[] {
    const isRedacted = isOneOf(MESSAGE_BODY_EVENTS, event) && redacted.has(event.payload.messageId);
    const rendered = new Map<string, RoomEventView>();
    return viewers.map((viewer) => {
      const seen = this.seenBy(event, viewer, dir, isRedacted);
      const key = JSON.stringify([seen.actor, [...seen.hidden].sort(), seen.author ?? null]);
      let view = rendered.get(key);
      if (!view) rendered.set(key, (view = this.render(event, isRedacted, seen, opts.proofs)));
      return view;
    });
  }

  // the viewer's side of a view: the parts hidden from them, the author and actor as shown to them
  private seenBy(event: RoomEvent, viewer: Viewer, dir: SpeakerDirectory, isRedacted: boolean) {
    const hidden = hiddenParts(
      dir.attribution,
      { membershipId: viewer.membershipId, partyId: viewer.partyId, role: viewer.role ?? dir.members.get(viewer.membershipId)?.role ?? null },
      {
        type: event.type,
        actor: event.actorMembershipId,
        payload: event.payload,
        redacted: isRedacted,
      },
    );
    const author = authorOf(event.payload);
    return {
      hidden,
      author: author && typeof author === 'object' ? attributeAuthor(dir, viewer, author) : undefined,
      actor: actorLabel(dir, viewer, event.actorMembershipId),
    };
  }

  private render(event: RoomEvent, isRedacted: boolean, seen: ReturnType<RoomEventsService['seenBy']>, withProof = true): RoomEventView {
    const payload = disclosedPayload(event.payload, seen.hidden);
    if (seen.author) payload.author = seen.author;
    if (isRedacted) {
      payload.body = '';
      payload.redacted = true;
    }
    const proof =
      withProof && event.format === 2 && event.salts
        ? JSON.stringify(proofFor(event.stream, eventParts(event.actorMembershipId, event.payload), event.salts, seen.hidden))
        : null;
    return {
      stream: event.stream,
      seq: event.seq,
      type: event.type,
      at: event.at,
      actor: seen.actor,
      payload: JSON.stringify(payload),
      hash: event.hash,
      prevHash: event.prevHash,
      proof,
    };
  }

  // the streams a viewer may read: the room's, and their own party's
  assertStream(viewer: Viewer, stream: string): void {
    if (stream !== ROOM_STREAM && !(viewer.partyId && stream === partyStream(viewer.partyId))) throw notFound();
  }

  async list(room: RoomEntity, viewer: Viewer, afterSeq: number, limit: number, stream: string = ROOM_STREAM): Promise<RoomEventView[]> {
    if (!Number.isInteger(afterSeq) || afterSeq < 0) throw badInput({ afterSeq: 'must be a non-negative integer' });
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badInput({ limit: 'must be between 1 and 1000' });
    this.assertStream(viewer, stream);
    const qb = this.tx.manager
      .createQueryBuilder(RoomEventEntity, 'e')
      .where('e.room_id = :roomId AND e.stream = :stream AND e.seq > :afterSeq', { roomId: room.id, stream, afterSeq })
      .andWhere(viewer.partyId ? '(e.audience_party_id IS NULL OR e.audience_party_id = :partyId)' : 'e.audience_party_id IS NULL', {
        partyId: viewer.partyId,
      })
      .orderBy('e.seq', 'ASC')
      .limit(limit);
    const [events, dir] = await Promise.all([qb.getMany() as Promise<RoomEvent[]>, this.directory(room.id, room.speakerAttribution)]);
    const redacted = await this.redactedMessages(room.id, events);
    return events.map((e) => this.view(e, viewer, dir, redacted));
  }

  // The ids of messages among these events that a later message.redacted event withdrew.
  async redactedMessages(roomId: string, events: RoomEvent[]): Promise<Set<string>> {
    const ids = [
      ...new Set(
        events
          .filter((e) => isOneOf(MESSAGE_BODY_EVENTS, e))
          .map((e) => e.payload.messageId)
          .filter((id): id is string => typeof id === 'string'),
      ),
    ];
    if (!ids.length) return new Set();
    const rows: Array<{ id: string }> = await this.tx.manager.query(
      `SELECT DISTINCT payload->>'messageId' AS id FROM room_event WHERE room_id = $1 AND type = 'message.redacted' AND payload->>'messageId' = ANY($2::text[])`,
      [roomId, ids],
    );
    return new Set(rows.map((r) => r.id));
  }

  // committed events of a stream after a seq, in order (live delivery reads the log through this)
  committedAfter(roomId: string, stream: string, afterSeq: number, limit: number): Promise<RoomEvent[]> {
    return this.tx.manager.find(RoomEventEntity, { where: { roomId, stream, seq: MoreThan(afterSeq) }, order: { seq: 'ASC' }, take: limit }) as Promise<
      RoomEvent[]
    >;
  }

  // who is in the room now and how they are named; changes only with ROSTER_EVENTS
  async roster(roomId: string): Promise<Roster | null> {
    const room = await this.tx.manager.findOne(RoomEntity, { where: { id: roomId } });
    if (!room) return null;
    const [dir, active] = await Promise.all([
      this.directory(roomId, room.speakerAttribution),
      this.tx.manager.find(MembershipEntity, { where: { roomId, removedAt: IsNull() }, select: { id: true, partyId: true, role: true } }),
    ]);
    return { dir, active };
  }

  // Every stream of a room (`parley audit:verify`), each read page by page so memory stays
  // flat however long the log is. The room stream comes first.
  async verify(roomId: string): Promise<StreamVerification[] | null> {
    const room = await this.tx.manager.findOne(RoomEntity, { where: { id: roomId } });
    if (!room) return null;
    const rows: Array<{ stream: string }> = await this.tx.manager.query(
      `SELECT DISTINCT stream FROM room_event WHERE room_id = $1 AND stream <> $2 ORDER BY stream`,
      [roomId, ROOM_STREAM],
    );
    return this.verifyStreams(room, [ROOM_STREAM, ...rows.map((r) => r.stream)]);
  }

  private async verifyStreams(room: RoomEntity, streams: string[]): Promise<StreamVerification[]> {
    const out: StreamVerification[] = [];
    for (const stream of streams) {
      const verifier = new StreamVerifier(stream, stream === ROOM_STREAM ? {} : { firstSeq: room.chainV2From + 1 });
      let after = 0;
      for (;;) {
        const page = await this.tx.manager.find(RoomEventEntity, {
          where: { roomId: room.id, stream, seq: MoreThan(after) },
          order: { seq: 'ASC' },
          take: 2000,
        });
        for (const e of page) verifier.push({ ...e, actor: e.actorMembershipId, at: e.at.toISOString() });
        if (page.length < 2000) break;
        after = page[page.length - 1].seq;
      }
      out.push(verifier.result());
    }
    return out;
  }
}

export const viewerOf = (m: { id: string; partyId: string | null; role: string }): Viewer => ({ membershipId: m.id, partyId: m.partyId, role: m.role });
