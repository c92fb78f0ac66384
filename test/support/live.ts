import { randomUUID } from 'node:crypto';
import type { LiveClient } from './harness';

export const MESSAGES = `query($roomId: ID!, $thread: String, $beforeSeq: Int, $limit: Int) {
  messages(roomId: $roomId, thread: $thread, beforeSeq: $beforeSeq, limit: $limit) { id roomId seq thread body author party { id name } createdAt editedAt redacted }
}`;
export const REMOVE_MEMBER = `mutation($id: ID!) { removeMember(membershipId: $id) }`;
export const LOGOUT = `mutation { logout }`;

export async function send(c: LiveClient, roomId: string, body: string, thread?: string, clientMsgId: string = randomUUID()) {
  const ack = await c.call('message:send', { roomId, body, thread, clientMsgId });
  if (!ack.ok) throw new Error(`message:send failed: ${JSON.stringify(ack.error)}`);
  return ack.message as { id: string; seq: number; body: string; thread: string | null; author: string | null; party: { id: string } | null };
}

export async function joinRoom(c: LiveClient, roomId: string, afterSeq?: number, afterPartySeq?: number) {
  const ack = await c.call('room:join', { roomId, afterSeq, afterPartySeq });
  if (!ack.ok) throw new Error(`room:join failed: ${JSON.stringify(ack.error)}`);
  return ack as { ok: true; lastSeq: number; events: Array<{ seq: number; type: string; actor: string | null; payload: string }> };
}

export const postedBy = (messageId: string) => (e: { type: string; payload: string }) =>
  e.type === 'message.posted' && JSON.parse(e.payload).messageId === messageId;
