import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from '@jest/globals';
import { connectLive, startApp, type LiveClient, type TestApp } from './harness';

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

// A test file's server and the sockets its tests open: the server starts before the file's
// tests (in `describe`'s scope), and after them every socket is closed and the server stopped.
export function serverWithSockets(env: Record<string, string> = {}): { readonly app: TestApp; live(token: string | null): Promise<LiveClient> } {
  let app: TestApp | undefined;
  const open: LiveClient[] = [];
  beforeAll(async () => {
    app = await startApp(env);
  }, 90_000);
  afterAll(async () => {
    for (const c of open) c.close();
    await app?.close();
  }, 90_000);
  const started = () => {
    if (!app) throw new Error('the server of this file has not started');
    return app;
  };
  return {
    get app() {
      return started();
    },
    async live(token) {
      const c = await connectLive(started().server.url, token);
      open.push(c);
      return c;
    },
  };
}
