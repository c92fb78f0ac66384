import { Injectable } from '@nestjs/common';
import { IsNull, LessThan, type EntityManager } from 'typeorm';
import { badInput, Check, invalidState, isUuid, notFound } from '@parley/common';
import { TransactionRunner } from '@parley/database';
import type { AuthUser } from '@parley/identity';
import { RoomAccessService, RoomEventsService, type ObjectKind, type RoomAccessContext } from '@parley/rooms';
import { MessageEntity } from './message.entity';
import { parseThread, threadAudience, type Thread } from './thread';
import { MessageWriter } from './message-writer';
import type { SendOutcome } from './message-batch';
import { toMessage } from './message-view';
import type { MessageType } from './discussion.types';

export const BODY_MAX = 10_000;

const CLIENT_MSG_ID_MAX = 100;
const PAGE_MAX = 200;

// a caucus message exists only for its party's members; its author decides who may edit it
const MESSAGE: ObjectKind = { sql: `SELECT room_id, audience_party_id, user_id AS subject_user_id FROM message WHERE id = $1` };

// socket payloads arrive as anything; every field check starts from an object
export function payloadObject(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badInput({ payload: 'must be an object' });
  return value as Record<string, unknown>;
}

@Injectable()
export class DiscussionService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly access: RoomAccessService,
    private readonly events: RoomEventsService,
    private readonly writer: MessageWriter,
  ) {}

  // A caucus is its party's alone: anyone else learns nothing of it, not even that it exists.
  threadFor(ctx: RoomAccessContext, thread: Thread): { name: string | null; audiencePartyId: string | null } {
    return threadAudience(this.access, ctx, thread);
  }

  // Posts once per (user, room, clientMsgId): a resend returns the first message, decided
  // under the room lock (or, for a resend racing on another instance, by the unique
  // constraint). Written by the group commit (MessageWriter); the ack comes after the commit.
  async send(user: AuthUser, raw: unknown): Promise<MessageType> {
    const input = payloadObject(raw);
    const check = new Check();
    const body = check.text('body', input.body, { min: 1, max: BODY_MAX });
    const clientMsgId = check.text('clientMsgId', input.clientMsgId, { min: 1, max: CLIENT_MSG_ID_MAX });
    if (typeof input.roomId !== 'string') throw badInput({ roomId: 'must be an id' });
    if (!isUuid(input.roomId)) throw notFound();
    const roomId = input.roomId.toLowerCase();
    const outcome = await this.writer
      .write({ user, roomId, body, clientMsgId, thread: input.thread, check })
      .catch((e: unknown) => this.raceWinner(e, user, roomId, clientMsgId));
    if ('error' in outcome) throw outcome.error;
    if ('message' in outcome) return outcome.message;
    return (await this.toMessages(outcome.scope, [outcome.first]))[0];
  }

  // a concurrent resend lost the race on the unique constraint: answer with the winner
  private async raceWinner(e: unknown, user: AuthUser, roomId: string, clientMsgId: string): Promise<SendOutcome> {
    if ((e as { code?: string }).code !== '23505') throw e;
    const first = await this.tx.manager.findOne(MessageEntity, { where: { userId: user.id, roomId, clientMsgId } });
    if (!first) throw e;
    return { first, scope: await this.access.check(user, roomId, 'message') };
  }

  async edit(user: AuthUser, raw: unknown): Promise<MessageType> {
    const input = payloadObject(raw);
    const c = new Check();
    const body = c.text('body', input.body, { min: 1, max: BODY_MAX });
    const { ctx, message } = await this.tx.run(async (tx) => {
      const ctx = await this.access.lock(tx, user, MESSAGE, input.messageId, 'editMessage');
      const message = await this.messageIn(tx.em, ctx, input.messageId as string);
      if (message.redactedAt) throw invalidState('This message was redacted.');
      c.done();
      message.body = body;
      message.editedAt = new Date();
      await tx.em.update(MessageEntity, { id: message.id }, { body, editedAt: message.editedAt });
      await this.events.append(tx, {
        roomId: message.roomId,
        type: 'message.edited',
        actor: ctx.membership,
        audiencePartyId: message.audiencePartyId,
        payload: { messageId: message.id, thread: message.thread, body },
      });
      return { ctx, message };
    });
    return (await this.toMessages(ctx, [message]))[0];
  }

  // Empties the body for good; the event records that it happened and views of the earlier
  // events serve the body empty (RoomEventsService.view).
  async redact(user: AuthUser, raw: unknown): Promise<MessageType> {
    const input = payloadObject(raw);
    const { ctx, message } = await this.tx.run(async (tx) => {
      const ctx = await this.access.lock(tx, user, MESSAGE, input.messageId, 'redactMessage');
      const message = await this.messageIn(tx.em, ctx, input.messageId as string);
      if (message.redactedAt) return { ctx, message };
      message.body = '';
      message.redactedAt = new Date();
      await tx.em.update(MessageEntity, { id: message.id }, { body: '', redactedAt: message.redactedAt });
      await this.events.append(tx, {
        roomId: message.roomId,
        type: 'message.redacted',
        actor: ctx.membership,
        audiencePartyId: message.audiencePartyId,
        payload: { messageId: message.id, thread: message.thread },
      });
      return { ctx, message };
    });
    return (await this.toMessages(ctx, [message]))[0];
  }

  // One thread of a room, newest first: the `limit` messages with seq below `beforeSeq`
  // (all when absent); the next page asks with the last message's seq.
  async list(user: AuthUser, args: { roomId: string; thread?: string | null; beforeSeq?: number | null; limit?: number | null }): Promise<MessageType[]> {
    const c = new Check();
    const beforeSeq = args.beforeSeq == null ? null : c.int('beforeSeq', args.beforeSeq, { min: 1, max: 2 ** 31 - 1 });
    const limit = args.limit == null ? 50 : c.int('limit', args.limit, { min: 1, max: PAGE_MAX });
    const ctx = await this.access.check(user, args.roomId, 'read');
    c.done();
    const thread = this.threadFor(ctx, parseThread(args.thread));
    const rows = await this.tx.manager.find(MessageEntity, {
      where: {
        roomId: ctx.room.id,
        thread: thread.name === null ? IsNull() : thread.name,
        ...(beforeSeq !== null ? { seq: LessThan(beforeSeq) } : {}),
      },
      order: { seq: 'DESC' },
      take: limit,
    });
    return this.toMessages(ctx, rows);
  }

  // after the room lock: the message, if this member may see it
  private async messageIn(em: EntityManager, ctx: RoomAccessContext, id: string): Promise<MessageEntity> {
    const message = await em.findOne(MessageEntity, { where: { id: id.toLowerCase(), roomId: ctx.room.id } });
    if (!message) throw notFound();
    if (message.audiencePartyId !== null) this.access.assertCaucusMember(ctx, message.audiencePartyId);
    return message;
  }

  private async toMessages(ctx: RoomAccessContext, rows: MessageEntity[]): Promise<MessageType[]> {
    if (!rows.length) return [];
    const dir = await this.events.directory(ctx.room.id, ctx.room.speakerAttribution);
    return rows.map((m) => toMessage(dir, ctx.membership.id, m));
  }
}
