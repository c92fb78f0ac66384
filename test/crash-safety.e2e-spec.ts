import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../libs/database/src/embedded-postgres';
import { Client, connectLive, createTestDatabase, sleep, startServer, waitFor, type LiveClient, type ServerHandle } from './support/harness';
import { newRoom, type TestUser } from './support/factories';
import { createProposal, openBallot, ballots, CAST_VOTE } from './support/negotiation';
import { joinRoom } from './support/live';
import { embeddedSql, flood, killHard, killPostgres, type SentMessage } from './support/crash';

// the flood sends faster than a session's socket rate limit allows a person to; that limit
// has its own tests (test/sessions)
const FLOOD_RATE = '100000';

// three restarts of a server and its database: minutes on a loaded machine
jest.setTimeout(300_000);

const VERIFY = `query($r: ID!) { verifyAuditChain(roomId: $r) { valid } }`;
const SIGN = `mutation($a: ID!, $h: String!) { signAgreement(agreementId: $a, textHash: $h) { textHash } }`;
const CONSENT = `mutation($a: ID!, $e: DateTime) { consentToPublish(agreementId: $a, embargoUntil: $e) { id status } }`;
const AGREEMENT = `query($id: ID!) { agreement(id: $id) { status publishedAt } }`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

// Each unanswered message sent again by its sender with its clientMsgId: stored once, and if
// the first try was stored, the answer is that same message.
async function resend(url: string, roomId: string, senders: TestUser[], unanswered: SentMessage[]) {
  for (const m of unanswered) {
    const c = await connectLive(url, senders[m.from].client.token);
    try {
      await joinRoom(c, roomId);
      const ack = await c.call('message:send', { roomId, body: m.body, clientMsgId: m.clientMsgId });
      expect(ack.ok).toBe(true);
      m.id = ack.message.id;
    } finally {
      c.close();
    }
  }
}

// kill -9 of the server and of its embedded PostgreSQL (postmaster and backends) while
// clients flood a room; a restart on the same data folder must keep every acknowledged write
// exactly once, with the audit chain intact, missed events replayed and deadlines kept.
describe('crash safety on the embedded PostgreSQL', () => {
  const dirs: string[] = [];
  let server: ServerHandle | null = null;
  afterAll(async () => {
    await server?.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('keeps every acknowledged message and vote across three SIGKILLs of server and database', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parley-crash-'));
    dirs.push(dir);
    const dataDir = join(dir, 'data');
    const env = {
      PARLEY_SOCKET_EVENTS_PER_10S: FLOOD_RATE,
      DATABASE_URL: '',
      PARLEY_DATA_DIR: dataDir,
      PARLEY_OPEN_SIGNUP: 'true',
      PARLEY_SCHEDULER_INTERVAL_MS: '300',
    };
    const t0 = Date.now();
    const mark = (what: string) => process.stderr.write(`[crash-safety] ${((Date.now() - t0) / 1000).toFixed(1)} s ${what}\n`);
    server = await startServer(env);
    mark('started');
    const as = (u: TestUser) => new Client(server!.url, u.client.token);
    // four parties: the fourth never votes, so the flooded ballot stays open
    const room = await newRoom(new Client(server.url), { parties: ['A', 'B', 'C', 'D'] });
    const voters = room.negotiators.slice(0, 3);

    // an agreement whose embargo ends while the server is down
    const other = await newRoom(new Client(server.url), { parties: ['X', 'Y'] });
    const op = await createProposal(as(other.facilitator), other.id);
    const ob = await openBallot(as(other.facilitator), op.id, { rule: 'UNANIMITY', quorum: 1 });
    for (const n of other.negotiators) await as(n).ok(CAST_VOTE, { input: { ballotId: ob.id, choice: 'SUPPORT' } });
    const agreement = (await ballots(as(other.facilitator), op.id)).agreement!;
    for (const n of other.negotiators) await as(n).ok(SIGN, { a: agreement.id, h: agreement.textHash });
    const embargo = new Date(Date.now() + 8_000);
    await as(other.negotiators[0]).ok(CONSENT, { a: agreement.id, e: embargo.toISOString() });
    expect((await as(other.negotiators[1]).ok(CONSENT, { a: agreement.id })).consentToPublish.status).not.toBe('PUBLISHED');

    mark('agreement under embargo');
    const allAcked: string[] = [];
    for (let round = 1; round <= 3; round++) {
      const fac = as(room.facilitator);
      const p = await createProposal(fac, room.id);
      const ballot = await openBallot(fac, p.id, { rule: 'MAJORITY', quorum: 0.5 });
      // a deadline that passes while the server is down
      const d = await createProposal(fac, room.id);
      const deadline = await openBallot(fac, d.id, { rule: 'MAJORITY', quorum: 0.5, closesAt: new Date(Date.now() + 2_500).toISOString() });

      mark(`round ${round}: set up`);
      const sockets: LiveClient[] = [];
      for (const n of voters) sockets.push(await connectLive(server.url, n.client.token));
      const watcher = await connectLive(server.url, room.observer.client.token);
      for (const s of [...sockets, watcher]) await joinRoom(s, room.id);
      const f = flood(
        sockets,
        room.id,
        voters.map((v) => ({ key: v.id, client: () => as(v) })),
        ballot.id,
        `round ${round}`,
      );
      // kill mid-flood, once a few writes of each kind went through
      await waitFor(
        async () => f.result,
        (r) => r.acked.length >= 6 && [...r.votes.values()].every((v) => v.acked.length >= 1),
        15_000,
      );
      await sleep(300);
      await killHard(server, dataDir);
      const result = await f.stop();
      const votesAcked = [...result.votes.values()].reduce((n, v) => n + v.acked.length, 0);
      expect(result.acked.length).toBeGreaterThanOrEqual(6);
      expect(votesAcked).toBeGreaterThanOrEqual(3);
      const lastSeen = watcher.events.at(-1)?.seq ?? 0;
      for (const s of [...sockets, watcher]) s.close();

      mark(`round ${round}: killed after ${result.acked.length} messages and ${votesAcked} votes acknowledged`);
      server = await startServer(env);
      mark('restarted');
      // a client that reconnects gets exactly what it missed, in order
      const back = await connectLive(server.url, room.observer.client.token);
      const replay = await joinRoom(back, room.id, lastSeen);
      const replaySeqs = replay.events.map((e) => e.seq);
      expect(replaySeqs).toEqual([...replaySeqs].sort((a, b) => a - b));
      expect(new Set(replaySeqs).size).toBe(replaySeqs.length);
      expect(replaySeqs.every((s) => s > lastSeen)).toBe(true);
      const seen = new Set([...watcher.events, ...replay.events].filter((e) => e.type === 'message.posted').map((e) => JSON.parse(e.payload).messageId));
      for (const m of result.acked) expect(seen.has(m.id)).toBe(true);
      back.close();

      // unanswered writes sent again by their sender (same clientMsgId, same vote) are stored once
      await resend(server.url, room.id, voters, result.unanswered);
      for (const v of voters) {
        const rec = result.votes.get(v.id)!;
        for (const choice of rec.unanswered) await as(v).ok(CAST_VOTE, { input: { ballotId: ballot.id, choice } });
      }

      const sql = await embeddedSql(dataDir);
      try {
        // the embedded server caps statements too (PARLEY_STATEMENT_TIMEOUT_MS, 30 s by default)
        expect((await sql.query('SHOW statement_timeout')).rows[0].statement_timeout).toBe('30s');
        // every acknowledged message is stored exactly once
        const ids = result.acked.map((m) => m.id!);
        const stored = await sql.query('SELECT id, client_msg_id FROM message WHERE id = ANY($1::uuid[])', [ids]);
        expect(stored.rowCount).toBe(ids.length);
        const dup = await sql.query('SELECT user_id, client_msg_id FROM message WHERE room_id = $1 GROUP BY 1, 2 HAVING count(*) > 1', [room.id]);
        expect(dup.rows).toEqual([]);
        // one message.posted event per stored message, no more
        const counts = await sql.query(
          `SELECT (SELECT count(*)::int FROM message WHERE room_id = $1) AS messages,
                  (SELECT count(*)::int FROM room_event WHERE room_id = $1 AND type = 'message.posted') AS events`,
          [room.id],
        );
        expect(counts.rows[0].events).toBe(counts.rows[0].messages);
        // one vote per party, its last acknowledged (or resent) choice
        const votes = await sql.query('SELECT party_id, choice FROM vote WHERE ballot_id = $1', [ballot.id]);
        const partyOf = (u: TestUser) => room.membershipIds.get(u.id)!;
        const memberships = await sql.query('SELECT id, party_id FROM membership WHERE id = ANY($1::uuid[])', [voters.map(partyOf)]);
        for (const v of voters) {
          const rec = result.votes.get(v.id)!;
          const partyId = memberships.rows.find((r) => r.id === partyOf(v))!.party_id;
          const mine = votes.rows.filter((r) => r.party_id === partyId);
          expect(mine).toHaveLength(1);
          expect(mine[0].choice).toBe(rec.unanswered.at(-1) ?? rec.acked.at(-1));
          const events = await sql.query(
            `SELECT count(*)::int AS n FROM room_event WHERE room_id = $1 AND type = 'vote.cast' AND payload->>'ballotId' = $2 AND payload->>'partyId' = $3`,
            [room.id, ballot.id, partyId],
          );
          expect(events.rows[0].n).toBeGreaterThanOrEqual(rec.acked.length + rec.unanswered.length);
          expect(events.rows[0].n).toBeLessThanOrEqual(rec.acked.length + 2 * rec.unanswered.length);
        }
      } finally {
        await sql.end();
      }
      allAcked.push(...result.acked.map((m) => m.id!));

      mark('checked writes');
      // the deadline that passed while the server was down closed the ballot, once
      const closed = await waitFor(
        () => ballots(as(room.observer), d.id),
        (x) => x.ballots[0].status === 'CLOSED',
        20_000,
      );
      expect(closed.ballots[0].id).toBe(deadline.id);
      expect(closed.ballots[0].status).toBe('CLOSED');
      const sql2 = await embeddedSql(dataDir);
      try {
        const n = await sql2.query(`SELECT count(*)::int AS n FROM room_event WHERE room_id = $1 AND type = 'ballot.closed' AND payload->>'ballotId' = $2`, [
          room.id,
          deadline.id,
        ]);
        expect(n.rows[0].n).toBe(1);
      } finally {
        await sql2.end();
      }
      expect((await as(room.observer).ok(VERIFY, { r: room.id })).verifyAuditChain.valid).toBe(true);
    }

    // all three rounds' acknowledged messages are still there
    const sql = await embeddedSql(dataDir);
    try {
      expect((await sql.query('SELECT count(*)::int AS n FROM message WHERE id = ANY($1::uuid[])', [allAcked])).rows[0].n).toBe(allAcked.length);
    } finally {
      await sql.end();
    }
    // the embargo that ended while the server was down was kept: published once, after it
    const published = await waitFor(
      () => as(other.observer).ok(AGREEMENT, { id: agreement.id }),
      (x) => x.agreement.status === 'PUBLISHED',
      20_000,
    );
    expect(published.agreement.status).toBe('PUBLISHED');
    expect(new Date(published.agreement.publishedAt).getTime()).toBeGreaterThanOrEqual(embargo.getTime());
    expect((await as(other.observer).ok(VERIFY, { r: other.id })).verifyAuditChain.valid).toBe(true);
    expect(await server.stop('SIGTERM')).toBe(0);
    server = null;
  });
});

// An external PostgreSQL (DATABASE_URL) that crashes under load and comes back: /healthz says
// so meanwhile, the server reconnects by itself, and nothing acknowledged is lost. The
// cluster is this test's own (embedded-postgres binaries on a fixed free port), never the
// machine's shared server.
describe('crash safety on an external PostgreSQL', () => {
  const dirs: string[] = [];
  let db: EmbeddedDatabase | null = null;
  let server: ServerHandle | null = null;
  afterAll(async () => {
    await server?.stop();
    await db?.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('answers /healthz with 503 while the database is down and recovers by itself', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parley-extpg-'));
    dirs.push(dir);
    const logger = pino({ level: 'silent' });
    const port = await freePort();
    db = await startEmbeddedPostgres(dir, logger, { port });
    // a database with a test's name on the cluster, as the harness's guard wants of any server
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query('CREATE DATABASE parley_test_crash_external');
    await admin.end();
    const url = new URL(db.url);
    url.pathname = '/parley_test_crash_external';
    server = await startServer({ PARLEY_SOCKET_EVENTS_PER_10S: FLOOD_RATE, DATABASE_URL: url.toString(), PARLEY_OPEN_SIGNUP: 'true' });
    const health = async () => (await fetch(`${server!.url}/healthz`)).status;
    expect(await health()).toBe(200);
    const room = await newRoom(new Client(server.url));
    const senders = room.negotiators;
    const sockets: LiveClient[] = [];
    for (const n of senders) {
      const s = await connectLive(server.url, n.client.token);
      await joinRoom(s, room.id);
      sockets.push(s);
    }
    const f = flood(sockets, room.id, [], null, 'external');
    await waitFor(
      async () => f.result,
      (r) => r.acked.length >= 6,
      15_000,
    );
    // crash: postmaster and backends killed
    await killPostgres(dir);
    const downAt = f.result.acked.length;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push(await health());
      await sleep(200);
    }
    expect(statuses.every((s) => s === 503)).toBe(true);
    // writes meanwhile get a plain error, never a hang or a 500 page
    await waitFor(
      async () => f.result.errors.length,
      (n) => n > 0,
      15_000,
    );
    expect(f.result.errors.every((e) => !/SELECT|INSERT|ECONNREFUSED|at .*\.js/.test(e))).toBe(true);
    expect(f.result.errors.some((e) => e.includes('The database is unavailable right now'))).toBe(true);
    // back on the same port: the server needs no restart
    db = await startEmbeddedPostgres(dir, logger, { port });
    expect(await waitFor(health, (s) => s === 200, 30_000)).toBe(200);
    await waitFor(
      async () => f.result.acked.length,
      (n) => n >= downAt + 6,
      30_000,
    );
    const result = await f.stop();
    expect(result.acked.length).toBeGreaterThanOrEqual(downAt + 6);
    await resend(server.url, room.id, senders, result.unanswered);
    for (const s of sockets) s.close();

    const sql = new pg.Client({ connectionString: url.toString() });
    await sql.connect();
    try {
      const ids = result.acked.map((m) => m.id!);
      expect((await sql.query('SELECT count(*)::int AS n FROM message WHERE id = ANY($1::uuid[])', [ids])).rows[0].n).toBe(ids.length);
      const dup = await sql.query('SELECT user_id, client_msg_id FROM message WHERE room_id = $1 GROUP BY 1, 2 HAVING count(*) > 1', [room.id]);
      expect(dup.rows).toEqual([]);
      const total = await sql.query('SELECT count(*)::int AS n FROM message WHERE room_id = $1', [room.id]);
      expect(total.rows[0].n).toBe(result.acked.length + result.unanswered.length);
    } finally {
      await sql.end();
    }
    expect((await new Client(server.url, room.observer.client.token).ok(VERIFY, { r: room.id })).verifyAuditChain.valid).toBe(true);
  });
});

// Redis (the adapter between instances) stopped and started under load: messages are still
// stored and acknowledged, live delivery across instances resumes, and a client replays what
// it missed. The Redis server is this test's own, on a free port, never the machine's.
const redisBin = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p)) ?? null;
if (!redisBin) console.warn('SKIPPED Redis restart test: redis-server is not installed');
(redisBin ? describe : describe.skip)('crash safety when Redis restarts', () => {
  const servers: ServerHandle[] = [];
  let redis: ChildProcess | null = null;
  let dbHandle: { drop(): Promise<void> } | null = null;
  afterAll(async () => {
    for (const s of servers) await s.stop();
    redis?.kill('SIGKILL');
    await dbHandle?.drop();
  });

  const startRedis = async (port: number) => {
    const child = spawn(redisBin!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      const up = await new Promise<boolean>((res) => {
        const s = createConnection(port, '127.0.0.1');
        s.once('connect', () => (s.destroy(), res(true)));
        s.once('error', () => res(false));
      });
      if (up) return child;
      await sleep(50);
    }
    throw new Error('redis-server did not start');
  };

  // Redis pub/sub keeps nothing for an absent subscriber: a commit notice published by one
  // instance before the other's subscriber has reconnected and subscribed again is lost. When
  // it is the last commit (the probe below), the far instance used to learn of it only at the
  // room's next commit, so the probe was not seen (about one run in four, whatever the stream).
  // The far instance now reads every stream again from its cursor once its subscriber is back.
  it('resumes live delivery across instances and replays what was missed', async () => {
    const port = await freePort();
    redis = await startRedis(port);
    const db = await createTestDatabase();
    dbHandle = db;
    const env = {
      PARLEY_SOCKET_EVENTS_PER_10S: FLOOD_RATE,
      DATABASE_URL: db.url,
      PARLEY_OPEN_SIGNUP: 'true',
      REDIS_URL: `redis://127.0.0.1:${port}`,
      PARLEY_REDIS_PREFIX: `parley-crash-${randomUUID().slice(0, 8)}`,
    };
    const one = await startServer(env);
    servers.push(one);
    const two = await startServer(env);
    servers.push(two);
    const room = await newRoom(new Client(one.url));
    const senders = room.negotiators.slice(0, 2);
    const sockets: LiveClient[] = [];
    for (const n of senders) {
      const s = await connectLive(one.url, n.client.token);
      await joinRoom(s, room.id);
      sockets.push(s);
    }
    // the observer listens on the other instance
    const far = await connectLive(two.url, room.observer.client.token);
    await joinRoom(far, room.id);
    const f = flood(sockets, room.id, [], null, 'redis');
    await waitFor(
      async () => far.events.length,
      (n) => n >= 4,
      15_000,
    );
    expect(far.events.length).toBeGreaterThanOrEqual(4);
    const before = far.events.at(-1)!.seq;
    redis.kill('SIGKILL');
    redis = null;
    // the flood goes on against an instance without Redis for a while (acknowledgements may
    // stall meanwhile: what is asserted is that nothing acknowledged is lost and delivery resumes)
    await sleep(2_000);
    redis = await startRedis(port);
    const afterRestart = f.result.acked.length;
    await waitFor(
      async () => f.result.acked.length,
      (n) => n >= afterRestart + 4,
      15_000,
    );
    const result = await f.stop();
    expect(f.result.acked.length).toBeGreaterThanOrEqual(afterRestart + 4);
    await resend(one.url, room.id, senders, result.unanswered);
    // live delivery resumes: the far socket (or a fresh one, if it was cut off) sees the last message
    const last = result.acked.at(-1)!;
    const fresh = await connectLive(two.url, room.observer.client.token);
    const replay = await joinRoom(fresh, room.id, before);
    const got = new Set([...far.events, ...replay.events].filter((e) => e.type === 'message.posted').map((e) => JSON.parse(e.payload).messageId));
    for (const m of result.acked) expect(got.has(m.id)).toBe(true);
    // and a message sent now reaches the other instance live
    const probe = await sockets[0].call('message:send', { roomId: room.id, body: 'after the Redis restart', clientMsgId: randomUUID() });
    expect(probe.ok).toBe(true);
    await fresh.waitFor('room:event', (e) => e.type === 'message.posted' && JSON.parse(e.payload).messageId === probe.message.id, 15_000);
    // the far socket stayed connected to its instance throughout: it got every acknowledged
    // message live, those sent while Redis was down included, and the probe
    const live = await waitFor(
      async () => new Set(far.events.filter((e) => e.type === 'message.posted').map((e) => JSON.parse(e.payload).messageId)),
      (ids) => ids.has(probe.message.id) && result.acked.every((m) => ids.has(m.id)),
      15_000,
    );
    expect(live.has(probe.message.id)).toBe(true);
    for (const m of result.acked) expect(live.has(m.id)).toBe(true);
    expect(last.id).toBeTruthy();
    for (const s of [...sockets, far, fresh]) s.close();
    const audit = await new Client(one.url, room.observer.client.token).ok(VERIFY, { r: room.id });
    expect(audit.verifyAuditChain.valid).toBe(true);
  });
});
