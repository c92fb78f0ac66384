import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, connectLive, sleep, startServer, type LiveClient, type ServerHandle } from './support/harness';
import { newRoom, type TestUser } from './support/factories';
import { createProposal, openBallot, ballots, CAST_VOTE } from './support/negotiation';
import { joinRoom } from './support/live';
import { embeddedSql, flood, killHard } from './support/crash';

jest.setTimeout(120_000);

const VERIFY = `query($r: ID!) { verifyAuditChain(roomId: $r) { valid } }`;
const SIGN = `mutation($a: ID!, $h: String!) { signAgreement(agreementId: $a, textHash: $h) { textHash } }`;
const CONSENT = `mutation($a: ID!, $e: DateTime) { consentToPublish(agreementId: $a, embargoUntil: $e) { id status } }`;
const AGREEMENT = `query($id: ID!) { agreement(id: $id) { status publishedAt } }`;

async function waitFor<T>(read: () => Promise<T>, ok: (x: T) => boolean, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const x = await read();
    if (ok(x) || Date.now() > until) return x;
    await sleep(200);
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
    const env = { DATABASE_URL: '', PARLEY_DATA_DIR: dataDir, PARLEY_OPEN_SIGNUP: 'true', PARLEY_SCHEDULER_INTERVAL_MS: '300' };
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
      const f = flood(sockets, room.id, voters.map((v) => ({ key: v.id, client: () => as(v) })), ballot.id, `round ${round}`);
      // kill mid-flood, once a few writes of each kind went through
      await waitFor(async () => f.result, (r) => r.acked.length >= 6 && [...r.votes.values()].every((v) => v.acked.length >= 1), 15_000);
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

      // unanswered writes sent again (same clientMsgId, same vote) are stored once
      const again = await connectLive(server.url, voters[0].client.token);
      await joinRoom(again, room.id);
      for (const m of result.unanswered) {
        const ack = await again.call('message:send', { roomId: room.id, body: m.body, clientMsgId: m.clientMsgId });
        // another socket sent it; resent from this one it is a new message of this user
        expect(ack.ok).toBe(true);
      }
      again.close();
      for (const v of voters) {
        const rec = result.votes.get(v.id)!;
        for (const choice of rec.unanswered) await as(v).ok(CAST_VOTE, { input: { ballotId: ballot.id, choice } });
      }

      const sql = await embeddedSql(dataDir);
      try {
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
          const events = await sql.query(`SELECT count(*)::int AS n FROM room_event WHERE room_id = $1 AND type = 'vote.cast' AND payload->>'ballotId' = $2 AND payload->>'partyId' = $3`, [room.id, ballot.id, partyId]);
          expect(events.rows[0].n).toBeGreaterThanOrEqual(rec.acked.length + rec.unanswered.length);
          expect(events.rows[0].n).toBeLessThanOrEqual(rec.acked.length + 2 * rec.unanswered.length);
        }
      } finally {
        await sql.end();
      }
      allAcked.push(...result.acked.map((m) => m.id!));

      mark('checked writes');
      // the deadline that passed while the server was down closed the ballot, once
      const closed = await waitFor(() => ballots(as(room.observer), d.id), (x) => x.ballots[0].status === 'CLOSED', 20_000);
      expect(closed.ballots[0].id).toBe(deadline.id);
      expect(closed.ballots[0].status).toBe('CLOSED');
      const sql2 = await embeddedSql(dataDir);
      try {
        const n = await sql2.query(`SELECT count(*)::int AS n FROM room_event WHERE room_id = $1 AND type = 'ballot.closed' AND payload->>'ballotId' = $2`, [room.id, deadline.id]);
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
    const published = await waitFor(() => as(other.observer).ok(AGREEMENT, { id: agreement.id }), (x) => x.agreement.status === 'PUBLISHED', 20_000);
    expect(published.agreement.status).toBe('PUBLISHED');
    expect(new Date(published.agreement.publishedAt).getTime()).toBeGreaterThanOrEqual(embargo.getTime());
    expect((await as(other.observer).ok(VERIFY, { r: other.id })).verifyAuditChain.valid).toBe(true);
    expect(await server.stop('SIGTERM')).toBe(0);
    server = null;
  });
});
