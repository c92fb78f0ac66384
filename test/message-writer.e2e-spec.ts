import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { connectLive, sleep, startApp, type LiveClient, type TestApp } from './support/harness';
import { newRoom, type TestRoom } from './support/factories';
import { joinRoom } from './support/live';

// e2e steps talk to real servers; the project-level testTimeout does not reach hooks
jest.setTimeout(90_000);

const VERIFY = `query($r: ID!) { verifyAuditChain(roomId: $r) { valid length firstBrokenSeq partyStream { stream valid length firstBrokenSeq } } }`;

interface Ack {
  ok: boolean;
  message?: { id: string; seq: number; body: string; author: string | null; party: { id: string; name: string } | null; mine: boolean; thread: string | null };
  error?: { code: string; message: string };
}

// The group commit of message:send (MessageWriter): sends that arrive while a batch commits
// go together in the next one; one bad message in a batch fails alone.
describe('message:send group commit', () => {
  let app: TestApp;
  const open: LiveClient[] = [];
  beforeAll(async () => {
    app = await startApp({ PARLEY_SOCKET_EVENTS_PER_10S: '100000' });
  }, 90_000);
  afterAll(async () => {
    for (const c of open) c.close();
    await app?.close();
  }, 90_000);

  // every negotiator of the room connected and joined
  async function negotiatorsOf(room: TestRoom): Promise<LiveClient[]> {
    const clients = await Promise.all(room.negotiators.map((n) => connectLive(app.server.url, n.client.token)));
    open.push(...clients);
    for (const c of clients) await joinRoom(c, room.id);
    return clients;
  }

  // Holds one room's row lock in a transaction of the test's own: the writer's batch that
  // needs it waits, and every send arriving meanwhile queues for the next batch.
  async function holdingRoom<T>(roomId: string, blocked: () => Promise<unknown>, meanwhile: () => Promise<T>): Promise<T> {
    const locker = new pg.Client({ connectionString: app.db.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM room WHERE id = $1 FOR UPDATE', [roomId]);
      const first = blocked();
      await waitForLockWait();
      const rest = meanwhile();
      // the queued sends reach the server and the writer while the first batch waits
      await sleep(700);
      await locker.query('COMMIT');
      await first;
      return await rest;
    } finally {
      await locker.end();
    }
  }

  async function waitForLockWait() {
    for (let i = 0; i < 200; i++) {
      const [{ n }] = await app.sql(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
      if (n > 0) return;
      await sleep(25);
    }
    throw new Error('the first batch never waited for the room lock');
  }

  const send = (c: LiveClient, roomId: string, body: string, thread?: string): Promise<Ack> =>
    c.call('message:send', { roomId, body, thread, clientMsgId: randomUUID() });

  it('commits concurrent sends to several rooms in shared transactions, each acked once, in the log order', async () => {
    const rooms = await Promise.all([newRoom(app.anon), newRoom(app.anon), newRoom(app.anon)]);
    const clients = await Promise.all(rooms.map(negotiatorsOf));
    const sendAll = () =>
      Promise.all(
        rooms.flatMap((room, r) =>
          clients[r].flatMap((c, i) =>
            Array.from({ length: 6 }, (_, k) => send(c, room.id, `r${r} c${i} #${k}`, k % 3 === 2 ? `party:${room.parties[i].id}` : undefined)),
          ),
        ),
      );
    const acks = await holdingRoom(rooms[0].id, () => send(clients[0][0], rooms[0].id, 'first, waits for the lock'), sendAll);
    expect(acks.every((a) => a.ok)).toBe(true);
    const ids = acks.map((a) => a.message!.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const a of acks)
      expect(a.message).toMatchObject({ mine: true, author: expect.any(String), party: { id: expect.any(String), name: expect.any(String) } });

    // one row per ack, with the seq its event has; sent while the lock was held, they shared transactions
    const rows = await app.sql<{ id: string; seq: number; room_id: string; tx: string; event_seq: number | null }>(
      `SELECT m.id, m.seq, m.room_id, m.xmin::text AS tx, e.seq AS event_seq
         FROM message m LEFT JOIN room_event e ON e.room_id = m.room_id AND e.payload->>'messageId' = m.id::text AND e.type = 'message.posted'
        WHERE m.id = ANY($1::uuid[])`,
      [ids],
    );
    expect(rows).toHaveLength(ids.length);
    for (const r of rows) expect(r.event_seq).toBe(r.seq);
    expect(new Set(rows.map((r) => r.tx)).size).toBeLessThan(ids.length / 4);

    for (const [r, room] of rooms.entries()) {
      // every stream gapless and chained
      const v = (await room.negotiators[0].client.ok(VERIFY, { r: room.id })).verifyAuditChain;
      expect(v).toMatchObject({ valid: true, firstBrokenSeq: null, partyStream: { valid: true, firstBrokenSeq: null } });
      // each member received the room's events once, in seq order, each with the seq of its ack
      for (const c of clients[r]) {
        const seqs = (c.events as Array<{ seq: number; stream?: string }>).filter((e) => e.stream === 'room').map((e) => e.seq);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        expect(new Set(seqs).size).toBe(seqs.length);
      }
      const acked = acks.filter((a) => rows.find((row) => row.id === a.message!.id)!.room_id === room.id);
      for (const a of acked.filter((x) => x.message!.thread === null)) {
        await clients[r][1].waitFor('room:event', (e) => e.stream === 'room' && e.seq === a.message!.seq && JSON.parse(e.payload).messageId === a.message!.id);
      }
    }
  });

  it('answers the resend of a clientMsgId within one batch with the first message', async () => {
    const room = await newRoom(app.anon);
    const [a, b] = await negotiatorsOf(room);
    const clientMsgId = randomUUID();
    const acks: Ack[] = await holdingRoom(
      room.id,
      () => send(b, room.id, 'first, waits for the lock'),
      () => Promise.all([1, 2, 3].map((i) => a.call('message:send', { roomId: room.id, body: `copy ${i}`, clientMsgId }))),
    );
    expect(new Set(acks.map((x) => x.ok && x.message!.id)).size).toBe(1);
    expect(acks[0].message!.body).toBe('copy 1');
    expect(await app.sql('SELECT count(*)::int AS n FROM message WHERE client_msg_id = $1', [clientMsgId])).toEqual([{ n: 1 }]);
  });

  it('writes a failed batch again one message at a time: one bad message fails alone', async () => {
    const rooms = await Promise.all([newRoom(app.anon), newRoom(app.anon)]);
    const clients = await Promise.all(rooms.map(negotiatorsOf));
    // a message the database refuses (a real statement failure, not a rule the writer checks)
    await app.sql(`CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
                   BEGIN RAISE EXCEPTION 'poisoned message'; END $$`);
    await app.sql(`CREATE TRIGGER refuse_poison BEFORE INSERT ON message FOR EACH ROW WHEN (NEW.body = 'poison') EXECUTE FUNCTION refuse_poison()`);
    try {
      const acks = await holdingRoom(
        rooms[0].id,
        () => send(clients[0][0], rooms[0].id, 'first, waits for the lock'),
        () => Promise.all([...rooms.flatMap((room, r) => clients[r].map((c, i) => send(c, room.id, `good ${i}`))), send(clients[1][2], rooms[1].id, 'poison')]),
      );
      const poison = acks.pop()!;
      expect(poison).toEqual({ ok: false, error: { code: 'INTERNAL_SERVER_ERROR', message: expect.any(String) } });
      expect(JSON.stringify(poison)).not.toMatch(/poisoned|INSERT|message_/);
      expect(acks.every((x) => x.ok)).toBe(true);
      const stored = await app.sql(`SELECT body FROM message WHERE id = ANY($1::uuid[])`, [acks.map((x) => x.message!.id)]);
      expect(stored).toHaveLength(acks.length);
      expect(await app.sql(`SELECT count(*)::int AS n FROM message WHERE body = 'poison'`)).toEqual([{ n: 0 }]);
      for (const room of rooms) {
        const v = (await room.negotiators[0].client.ok(VERIFY, { r: room.id })).verifyAuditChain;
        expect(v).toMatchObject({ valid: true, firstBrokenSeq: null });
      }
    } finally {
      await app.sql(`DROP TRIGGER refuse_poison ON message`);
    }
  });
});
