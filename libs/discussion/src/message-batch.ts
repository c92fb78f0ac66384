import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Check } from '@parley/common';
import { notFound } from '@parley/common';
import { TransactionRunner, type Tx } from '@parley/database';
import type { AuthUser } from '@parley/identity';
import { eventAuthor, RoomAccessService, RoomEventsService, type AppendEvent, type LockedMember, type LockedRoom, type RoomScope } from '@parley/rooms';
import { MessageEntity } from './message.entity';
import { authorDirectory, toMessage } from './message-view';
import { parseThread, threadAudience } from './thread';
import type { MessageType } from './discussion.types';

// One message:send as it reaches the writer: its fields read but not yet judged (`check`
// holds their problems, reported only after the lock, so a stranger learns only NOT_FOUND).
export interface SendRequest {
  user: AuthUser;
  roomId: string;
  body: string;
  clientMsgId: string;
  thread: unknown;
  check: Check;
}

// What became of one request in a committed batch: a new message (its ack, from memory), the
// first message of an earlier send with the same clientMsgId (its ack is read after commit),
// or the request's own refusal.
export type SendOutcome = { message: MessageType } | { first: MessageEntity; scope: RoomScope } | { error: unknown };

interface Accepted {
  request: SendRequest;
  scope: RoomScope;
  author: LockedMember;
  locked: LockedRoom;
  thread: { name: string | null; audiencePartyId: string | null };
}

const UNIQUE_VIOLATION = '23505';

const keyOf = (r: SendRequest) => `${r.user.id} ${r.roomId} ${r.clientMsgId}`;

// Many message:send requests in one transaction: rooms locked in id order and memberships
// read after the lock (one statement each), the chain computed in memory, every event (and
// each room's head) in one statement, every message row in one. A request refused by the rules is answered alone and
// does not touch the others; a statement that fails fails the whole batch (MessageWriter
// then writes its requests one by one).
@Injectable()
export class MessageBatch {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly access: RoomAccessService,
    private readonly events: RoomEventsService,
  ) {}

  // Most sends are new: the batch is written without looking for earlier sends first, and a
  // resend among them breaks the unique (user, room, clientMsgId) insert; the batch is then
  // written again, reading the earlier sends under the lock.
  async write(requests: SendRequest[]): Promise<SendOutcome[]> {
    try {
      return await this.attempt(requests, false);
    } catch (e) {
      if ((e as { code?: string }).code !== UNIQUE_VIOLATION) throw e;
      return this.attempt(requests, true);
    }
  }

  private attempt(requests: SendRequest[], resent: boolean): Promise<SendOutcome[]> {
    // pipelined: BEGIN, the lock and the memberships' read in one round trip; the events and
    // messages with the COMMIT in a second
    return this.tx.pipelined(async (tx) => {
      const locked = await this.events.lockRooms(
        tx,
        requests.map((r) => ({ roomId: r.roomId, userId: r.user.id })),
      );
      const judged = requests.map((r) => this.judge(locked, r));
      const accepted = judged.filter((j): j is Accepted => !('error' in j));
      const firsts = resent ? await this.firstsOf(tx, accepted) : new Map<string, MessageEntity>();
      const fresh = new Map<string, { accepted: Accepted; row?: MessageEntity }>();
      for (const a of accepted) if (!firsts.has(keyOf(a.request)) && !fresh.has(keyOf(a.request))) fresh.set(keyOf(a.request), { accepted: a });
      await this.post(tx, locked, [...fresh.values()]);
      return judged.map((j): SendOutcome => {
        if ('error' in j) return j;
        const first = firsts.get(keyOf(j.request));
        if (first) return { first, scope: j.scope };
        const row = fresh.get(keyOf(j.request))!.row!;
        return { message: toMessage(authorDirectory(j.locked.room, j.author), j.author.id, row) };
      });
    });
  }

  // the rules of posting, in the order a single send applies them: membership (NOT_FOUND),
  // the room not archived, the fields, the thread and its audience
  private judge(locked: Map<string, LockedRoom>, request: SendRequest): Accepted | { error: unknown } {
    try {
      const room = locked.get(request.roomId);
      const author = room?.members.get(request.user.id);
      if (!room || !author) throw notFound();
      const scope = this.access.authorize({ room: room.room, membership: author }, 'message');
      request.check.done();
      const thread = threadAudience(this.access, scope, parseThread(request.thread));
      return { request, scope, author, locked: room, thread };
    } catch (error) {
      return { error };
    }
  }

  // the messages already posted under these (user, room, clientMsgId)
  private async firstsOf(tx: Tx, accepted: Accepted[]): Promise<Map<string, MessageEntity>> {
    if (!accepted.length) return new Map();
    const rows: MessageRow[] = await tx.em.query(
      `SELECT * FROM message WHERE (user_id, room_id, client_msg_id) IN (SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[]))`,
      [accepted.map((a) => a.request.user.id), accepted.map((a) => a.request.roomId), accepted.map((a) => a.request.clientMsgId)],
    );
    return new Map(rows.map((r) => [`${r.user_id} ${r.room_id} ${r.client_msg_id}`, messageOf(r)]));
  }

  // the new messages: their events appended in request order, their rows inserted by the
  // same statement
  private async post(tx: Tx, locked: Map<string, LockedRoom>, fresh: Array<{ accepted: Accepted; row?: MessageEntity }>): Promise<void> {
    if (!fresh.length) return;
    const ids = fresh.map(() => randomUUID());
    const rowsOf = (events: Array<{ seq: number; at: Date }>) => fresh.map((f, i) => (f.row = messageRow(ids[i], f.accepted, events[i])));
    await this.events.appendMany(
      tx,
      locked,
      fresh.map(({ accepted }, i) => postedEvent(ids[i], accepted)),
      (events, from) => insertMessages(rowsOf(events), from),
    );
  }
}

function postedEvent(id: string, a: Accepted): AppendEvent<'message.posted'> {
  return {
    roomId: a.request.roomId,
    type: 'message.posted',
    actor: a.author,
    audiencePartyId: a.thread.audiencePartyId,
    payload: { messageId: id, thread: a.thread.name, body: a.request.body, author: eventAuthor(a.author) },
  };
}

function messageRow(id: string, a: Accepted, event: { seq: number; at: Date }): MessageEntity {
  return {
    id,
    roomId: a.request.roomId,
    seq: event.seq,
    thread: a.thread.name,
    audiencePartyId: a.thread.audiencePartyId,
    authorMembershipId: a.author.id,
    userId: a.request.user.id,
    clientMsgId: a.request.clientMsgId,
    body: a.request.body,
    createdAt: event.at,
    editedAt: null,
    redactedAt: null,
  };
}

// the messages' rows, as an INSERT its parameters numbered from `from`
function insertMessages(rows: MessageEntity[], from: number): { sql: string; params: unknown[] } {
  const col = <K extends keyof MessageEntity>(k: K) => rows.map((r) => r[k]);
  const types = ['uuid', 'uuid', 'int', 'text', 'uuid', 'uuid', 'uuid', 'text', 'text', 'timestamptz'];
  return {
    sql: `INSERT INTO message (id, room_id, seq, thread, audience_party_id, author_membership_id, user_id, client_msg_id, body, created_at)
     SELECT * FROM unnest(${types.map((t, i) => `$${from + i}::${t}[]`).join(', ')})`,
    params: [
      col('id'),
      col('roomId'),
      col('seq'),
      col('thread'),
      col('audiencePartyId'),
      col('authorMembershipId'),
      col('userId'),
      col('clientMsgId'),
      col('body'),
      col('createdAt'),
    ],
  };
}

interface MessageRow {
  id: string;
  room_id: string;
  seq: number;
  thread: string | null;
  audience_party_id: string | null;
  author_membership_id: string;
  user_id: string;
  client_msg_id: string;
  body: string;
  created_at: Date;
  edited_at: Date | null;
  redacted_at: Date | null;
}

const messageOf = (r: MessageRow): MessageEntity => ({
  id: r.id,
  roomId: r.room_id,
  seq: r.seq,
  thread: r.thread,
  audiencePartyId: r.audience_party_id,
  authorMembershipId: r.author_membership_id,
  userId: r.user_id,
  clientMsgId: r.client_msg_id,
  body: r.body,
  createdAt: r.created_at,
  editedAt: r.edited_at,
  redactedAt: r.redacted_at,
});
