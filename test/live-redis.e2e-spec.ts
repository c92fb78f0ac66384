import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createClient } from 'redis';
import { connectLive, Client, waitFor, type LiveClient, type ServerHandle, type TestApp } from './support/harness';
import { newRoom } from './support/factories';
import { joinRoom, postedBy, REMOVE_MEMBER, send } from './support/live';
import { redisAnswers, startTwoInstances, TEST_REDIS_URL } from './support/redis';

const REDIS_URL = TEST_REDIS_URL;

const redisUp = redisAnswers(REDIS_URL);
if (!redisUp) console.warn(`SKIPPED cross-instance tests: no Redis answers at ${REDIS_URL} (set PARLEY_TEST_REDIS_URL)`);
const itRedis = redisUp ? it : it.skip;

// e2e steps talk to real servers; the project-level testTimeout does not reach hooks
jest.setTimeout(60_000);

describe('live across two API instances (Redis adapter)', () => {
  let app: TestApp;
  let second: ServerHandle;
  let prefix: string;
  const open: LiveClient[] = [];

  beforeAll(async () => {
    if (!redisUp) return;
    ({ app, second, prefix } = await startTwoInstances());
  }, 90_000);
  afterAll(async () => {
    for (const c of open) c.close();
    await second?.stop();
    await app?.close();
  }, 90_000);

  itRedis(
    'delivers messages, removal and presence between sockets on different instances',
    async () => {
      const room = await newRoom(app.anon);
      const on = async (url: string, token: string | null) => {
        const c = await connectLive(url, token);
        open.push(c);
        await joinRoom(c, room.id);
        return c;
      };
      const a = await on(app.server.url, room.negotiators[0].client.token);
      const b = await on(second.url, room.negotiators[1].client.token);
      const c = await on(second.url, room.negotiators[2].client.token);
      const fromFirst = await send(a, room.id, 'sent on instance one');
      await b.waitFor('room:event', postedBy(fromFirst.id));
      const fromSecond = await send(b, room.id, 'sent on instance two');
      await a.waitFor('room:event', postedBy(fromSecond.id));
      // presence counts sockets on both instances
      const [ma, mb] = [room.membershipIds.get(room.negotiators[0].id), room.membershipIds.get(room.negotiators[1].id)];
      await a.waitFor('presence', (p) => p.online.includes(ma) && p.online.includes(mb));
      // a GraphQL mutation on instance one removes a member whose socket is on instance two
      await room.facilitator.client.ok(REMOVE_MEMBER, { id: room.membershipIds.get(room.negotiators[2].id) });
      expect(await c.waitFor('room:removed')).toEqual({ roomId: room.id });
      const after = await send(a, room.id, 'after removal');
      await b.waitFor('room:event', postedBy(after.id));
      expect(c.events.some(postedBy(after.id))).toBe(false);
      // the same session token works against either instance
      expect((await new Client(second.url, room.facilitator.client.token).ok('{ me { id } }')).me.id).toBe(room.facilitator.id);
    },
    60_000,
  );

  itRedis(
    'gives every socket every event once and in seq order while both instances write to one room',
    async () => {
      const room = await newRoom(app.anon);
      const on = async (url: string, token: string | null) => {
        const c = await connectLive(url, token);
        open.push(c);
        return { c, joined: await joinRoom(c, room.id) };
      };
      const a = await on(app.server.url, room.negotiators[0].client.token);
      const b = await on(second.url, room.negotiators[1].client.token);
      const watchers = [await on(app.server.url, room.observer.client.token), await on(second.url, room.facilitator.client.token)];
      // the notices the instances send each other (the adapter's request channel for /live)
      const notices: Array<Array<{ roomId: string; seq: number }>> = [];
      const listener = createClient({ url: REDIS_URL });
      await listener.connect();
      await listener.subscribe(`${prefix}-request#/live#`, (raw) => {
        const { data } = JSON.parse(raw) as { data?: unknown[] };
        if (data?.[0] === 'room:committed') notices.push(data[1] as Array<{ roomId: string; seq: number }>);
      });
      // 40 messages, sent concurrently from sockets on both instances
      const sent = await Promise.all(Array.from({ length: 40 }, (_, i) => send(i % 2 ? a.c : b.c, room.id, `m${i}`)));
      const last = Math.max(...sent.map((m) => m.seq));
      for (const w of [...watchers, a, b]) {
        await w.c.waitFor('room:event', (e) => e.seq === last, 20_000);
        const seqs = w.c.events
          .filter((e) => e.type)
          .map((e) => e.seq as number)
          .filter((n) => n > w.joined.lastSeq);
        // strictly increasing and gapless from the join onwards
        expect(seqs).toEqual(Array.from({ length: last - w.joined.lastSeq }, (_, i) => w.joined.lastSeq + 1 + i));
      }
      // each committed message crosses once, and a group commit's events cross together (20
      // messages sent at once to each instance cannot all have been committed one by one)
      const crossed = () => notices.flat().filter((e) => e.roomId === room.id);
      await waitFor(crossed, (c) => sent.every((m) => c.some((e) => e.seq === m.seq)), 5000, 50);
      await listener.quit();
      for (const m of sent) expect(crossed().filter((e) => e.seq === m.seq)).toHaveLength(1);
      expect(Math.max(...notices.map((n) => n.length))).toBeGreaterThan(1);
    },
    60_000,
  );
});
