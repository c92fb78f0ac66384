import { describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { newRoom, newUser } from './support/factories';
import { joinRoom, MESSAGES, send, serverWithSockets } from './support/live';

// e2e steps talk to real servers; the project-level testTimeout does not reach hooks
jest.setTimeout(60_000);

describe('messages query', () => {
  const file = serverWithSockets();

  it('pages one thread newest first by seq', async () => {
    const room = await newRoom(file.app.anon, { speakerAttribution: 'PARTY_ONLY' });
    const a = await file.live(room.negotiators[0].client.token);
    await joinRoom(a, room.id);
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push(await send(a, room.id, `m${i}`));
    const proposalThread = `proposal:${randomUUID()}:clause:2.3`;
    const inThread = await send(a, room.id, 'on clause 2.3', proposalThread.toUpperCase().replace('PROPOSAL', 'proposal').replace('CLAUSE', 'clause'));
    expect(inThread.thread).toBe(proposalThread);
    const reader = room.negotiators[1].client;
    const page1 = (await reader.ok(MESSAGES, { roomId: room.id, limit: 2 })).messages;
    expect(page1.map((m: { body: string }) => m.body)).toEqual(['m4', 'm3']);
    expect(page1[0]).toMatchObject({
      author: null,
      party: { id: room.parties[0].id, name: room.parties[0].name },
      thread: null,
      redacted: false,
      editedAt: null,
    });
    const page2 = (await reader.ok(MESSAGES, { roomId: room.id, limit: 2, beforeSeq: page1[1].seq })).messages;
    expect(page2.map((m: { body: string }) => m.body)).toEqual(['m2', 'm1']);
    const thread = (await reader.ok(MESSAGES, { roomId: room.id, thread: proposalThread })).messages;
    expect(thread.map((m: { id: string }) => m.id)).toEqual([inThread.id]);
    const own = (await room.negotiators[0].client.ok(MESSAGES, { roomId: room.id, limit: 1 })).messages[0];
    expect(own.author).toBe(room.negotiators[0].displayName);
  });

  it.each([
    ['a zero limit', { limit: 0 }, 'BAD_USER_INPUT'],
    ['a huge limit', { limit: 100_000 }, 'BAD_USER_INPUT'],
    ['a negative beforeSeq', { beforeSeq: -3 }, 'BAD_USER_INPUT'],
    ['a malformed thread', { thread: 'proposal:nope' }, 'BAD_USER_INPUT'],
    ['a wrongly typed limit', { limit: 'ten' }, 'BAD_USER_INPUT'],
    ['another party caucus', { thread: 'OTHER' }, 'NOT_FOUND'],
  ])('refuses %s', async (_label, args, code) => {
    const room = await newRoom(file.app.anon);
    const vars: Record<string, unknown> = { roomId: room.id, ...args };
    if (vars.thread === 'OTHER') vars.thread = `party:${room.parties[1].id}`;
    expect(await room.negotiators[0].client.code(MESSAGES, vars)).toBe(code);
  });

  it('answers a non-member and an unknown room alike with NOT_FOUND', async () => {
    const room = await newRoom(file.app.anon);
    const stranger = await newUser(file.app.anon);
    expect(await stranger.client.code(MESSAGES, { roomId: room.id })).toBe('NOT_FOUND');
    expect(await stranger.client.code(MESSAGES, { roomId: randomUUID() })).toBe('NOT_FOUND');
    expect(await stranger.client.code(MESSAGES, { roomId: 'not-an-id' })).toBe('NOT_FOUND');
    expect(await file.app.anon.code(MESSAGES, { roomId: room.id })).toBe('UNAUTHENTICATED');
  });
});
