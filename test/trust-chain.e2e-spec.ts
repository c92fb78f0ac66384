import { describe, expect, it, jest } from '@jest/globals';
import { eventHash, GENESIS_HASH, verifyBundle, verifyViewedStream, type EventProof } from '@parley/domain';
import pg from 'pg';
import { createTestDatabase, runCli, sleep, type Client } from './support/harness';
import { adoptedAgreement, newRoom, publishedAgreement, ROOM_EVENTS, type TestEvent } from './support/factories';
import { joinRoom, send, serverWithSockets } from './support/live';

// e2e steps talk to real servers; the project-level testTimeout does not reach hooks
jest.setTimeout(90_000);

const MEMBERS = `query($r: ID!) { room(id: $r) { lastSeq members { id } } }`;
const VERIFY = `query($r: ID!) { verifyAuditChain(roomId: $r) { valid length head firstBrokenSeq partyStream { stream valid length head firstBrokenSeq } } }`;

type Ev = Omit<TestEvent, 'data'>;

// the events as the API serves them (without the factories' parsed payload)
const eventsOf = async (c: Client, roomId: string, stream?: string, afterSeq = 0) =>
  (await c.ok<{ roomEvents: Ev[] }>(ROOM_EVENTS, { roomId, stream, afterSeq })).roomEvents;
const asViewed = (e: Ev) => ({ ...e, proof: e.proof === null ? null : (JSON.parse(e.proof) as EventProof) });

describe('trust of the event chain', () => {
  const file = serverWithSockets({ PARLEY_SCHEDULER_INTERVAL_MS: '300' });
  const live = file.live;

  describe('anonymity survives the audit chain', () => {
    it.each(['ANONYMOUS', 'PARTY_ONLY'])(
      'in a %s room, nobody can recompute a hash to find who acted, yet every member verifies the chain',
      async (speakerAttribution) => {
        const room = await newRoom(file.app.anon, { speakerAttribution });
        const [a, b] = room.negotiators;
        const sa = await live(a.client.token);
        await joinRoom(sa, room.id);
        const posted = await send(sa, room.id, 'ok');
        expect((await sa.call('message:edit', { messageId: posted.id, body: 'no' })).ok).toBe(true);
        await a.client.ok(`mutation($i: CreateProposalInput!) { createProposal(input: $i) { id } }`, {
          i: { roomId: room.id, title: 'T', clauses: [{ key: '1', text: 'One.' }] },
        });

        // what another party's delegate holds: every event, the member list, the hashes
        const seen = await eventsOf(b.client, room.id);
        const memberIds = (await b.client.ok(MEMBERS, { r: room.id })).room.members.map((m: { id: string }) => m.id);
        expect(memberIds.length).toBeGreaterThanOrEqual(5);
        const others = [...room.membershipIds.entries()].filter(([userId]) => userId !== b.id).map(([, m]) => m);
        const text = JSON.stringify(seen);
        for (const id of others) expect(text).not.toContain(id);
        // the delegate's own name never shows, nor (ANONYMOUS) their party
        expect(text).not.toContain(a.displayName);
        // (the party list of room.created names every party, which everyone knows)
        if (speakerAttribution === 'ANONYMOUS') expect(JSON.stringify(seen.filter((e) => e.type !== 'room.created'))).not.toContain(room.parties[0].id);

        // the attack of the issue: recompute each hash with each member as the actor
        let prev = GENESIS_HASH;
        for (const e of seen) {
          const payload = JSON.parse(e.payload);
          for (const actor of [...memberIds, null]) {
            const guess = eventHash(prev, { roomId: room.id, seq: e.seq, type: e.type, actor, payload, at: e.at });
            expect(guess).not.toBe(e.hash);
          }
          prev = e.hash;
        }
        // every member verifies the room stream from their own copy, digests included
        for (const u of [room.facilitator, ...room.negotiators, room.observer]) {
          const copy = await eventsOf(u.client, room.id);
          expect(verifyViewedStream(room.id, 'room', copy.map(asViewed))).toMatchObject({ valid: true, length: seen.length, head: seen.at(-1)!.hash });
        }
        // invites and joins name no party or invite to a non-facilitator
        for (const e of seen.filter((x) => x.type === 'invite.created' || x.type === 'member.joined')) {
          const p = JSON.parse(e.payload);
          expect(p.inviteId).toBeUndefined();
          if (e.type === 'invite.created') expect(p.partyId).toBeUndefined();
        }
        const facSees = await eventsOf(room.facilitator.client, room.id);
        expect(JSON.parse(facSees.find((x) => x.type === 'invite.created')!.payload).inviteId).toEqual(expect.any(String));
      },
    );
  });

  it('tells an ANONYMOUS room how many are online, never who', async () => {
    const room = await newRoom(file.app.anon, { speakerAttribution: 'ANONYMOUS' });
    const a = await live(room.negotiators[0].client.token);
    await joinRoom(a, room.id);
    const b = await live(room.negotiators[1].client.token);
    await joinRoom(b, room.id);
    const p = await a.waitFor('presence', (x) => x.count === 2);
    expect(p.online).toEqual([]);
    for (const m of room.membershipIds.values()) expect(JSON.stringify(a.received)).not.toContain(m);
  });

  describe('private activity leaves no trace', () => {
    it("a party's caucus moves nothing another party can count, and its own stream is gapless and verifiable", async () => {
      const room = await newRoom(file.app.anon);
      const [a, b] = room.negotiators;
      const caucus = `party:${room.parties[0].id}`;
      const sa = await live(a.client.token);
      const sb = await live(b.client.token);
      await joinRoom(sa, room.id);
      const before = {
        lastSeq: (await b.client.ok(MEMBERS, { r: room.id })).room.lastSeq,
        events: await eventsOf(b.client, room.id),
        verify: (await b.client.ok(VERIFY, { r: room.id })).verifyAuditChain,
      };
      const caucusMessages = [];
      for (const body of ['one', 'two', 'three']) caucusMessages.push(await send(sa, room.id, body, caucus));
      const edited = await sa.call('message:edit', { messageId: caucusMessages[0].id, body: 'uno' });
      expect(edited.ok).toBe(true);
      expect((await sa.call('message:redact', { messageId: caucusMessages[1].id })).ok).toBe(true);
      // the caucus has its own gapless seq from 1
      expect(caucusMessages.map((m) => m.seq)).toEqual([1, 2, 3]);

      const after = {
        lastSeq: (await b.client.ok(MEMBERS, { r: room.id })).room.lastSeq,
        events: await eventsOf(b.client, room.id),
        verify: (await b.client.ok(VERIFY, { r: room.id })).verifyAuditChain,
      };
      expect(after).toEqual(before);
      const ack = await sb.call('room:join', { roomId: room.id, afterSeq: 0 });
      expect(ack.lastSeq).toBe(before.lastSeq);
      expect(ack.partyLastSeq).toBe(0); // B's own party stream is empty
      expect(ack.events.map((e: Ev) => e.seq)).toEqual(before.events.map((e) => e.seq));
      // the next room-wide message follows without a gap
      const next = await send(sa, room.id, 'room-wide');
      expect(next.seq).toBe(before.lastSeq + 1);
      expect(await b.client.code(ROOM_EVENTS, { roomId: room.id, stream: caucus })).toBe('NOT_FOUND');

      // the party reads, replays and verifies its stream
      const own = await eventsOf(a.client, room.id, caucus);
      expect(own.map((e) => [e.seq, e.type])).toEqual([
        [1, 'message.posted'],
        [2, 'message.posted'],
        [3, 'message.posted'],
        [4, 'message.edited'],
        [5, 'message.redacted'],
      ]);
      expect(own.every((e) => e.stream === caucus)).toBe(true);
      expect(verifyViewedStream(room.id, caucus, own.map(asViewed))).toMatchObject({ valid: true, length: 5 });
      const v = (await a.client.ok(VERIFY, { r: room.id })).verifyAuditChain;
      expect(v).toMatchObject({ valid: true, length: before.verify.length + 1, partyStream: { stream: caucus, valid: true, length: 5, head: own[4].hash } });
      const a2 = await live(a.client.token);
      const replay = await a2.call('room:join', { roomId: room.id, afterSeq: before.lastSeq, afterPartySeq: 3 });
      expect(replay).toMatchObject({ ok: true, lastSeq: before.lastSeq + 1, partyLastSeq: 5 });
      expect(replay.events.map((e: Ev) => `${e.stream}#${e.seq}`)).toEqual(['room#' + (before.lastSeq + 1), `${caucus}#4`, `${caucus}#5`]);
    });

    it('delivers each stream live, in order, to the right sockets only', async () => {
      const room = await newRoom(file.app.anon);
      const [a, b] = room.negotiators;
      const caucus = `party:${room.parties[0].id}`;
      const [sa, sb, sf] = await Promise.all([live(a.client.token), live(b.client.token), live(room.facilitator.client.token)]);
      for (const s of [sa, sb, sf]) await joinRoom(s, room.id);
      const sent = [];
      for (let i = 0; i < 5; i++) sent.push(await send(sa, room.id, `c${i}`, caucus));
      const marker = await send(sa, room.id, 'room marker');
      for (const s of [sb, sf]) await s.waitFor('room:event', (e) => e.type === 'message.posted' && e.seq === marker.seq && e.stream === 'room');
      await sa.waitFor('room:event', (e) => e.stream === caucus && e.seq === 5);
      const caucusSeen = sa.events.filter((e) => (e as unknown as Ev).stream === caucus).map((e) => e.seq);
      expect(caucusSeen).toEqual([1, 2, 3, 4, 5]);
      await sleep(200);
      for (const s of [sb, sf]) expect(s.events.some((e) => (e as unknown as Ev).stream !== 'room')).toBe(false);
      expect(sent.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    });
  });

  describe('a published bundle is frozen', () => {
    it('serves the same bytes after later activity, names no room, and holds the head at adoption', async () => {
      const room = await newRoom(file.app.anon, { parties: ['Lab A', 'Lab B'] });
      const fac = room.facilitator.client;
      const ag = await adoptedAgreement(room, { texts: ['One.'] });
      const slug = await publishedAgreement(ag, room.negotiators);
      const fetchPublic = async () => {
        const res = await fetch(`${file.app.server.url}/public/agreements/${slug}.json`);
        expect(res.status).toBe(200);
        return res.text();
      };
      const first = await fetchPublic();
      const bundle = JSON.parse(first);
      expect(verifyBundle(bundle)).toMatchObject({ ok: true });
      expect(first).not.toContain(room.id);
      const adoptedEvent = (await eventsOf(fac, room.id)).find((e) => e.type === 'proposal.adopted')!;
      expect(bundle.eventLogHead).toEqual({ seq: adoptedEvent.seq, hash: adoptedEvent.hash });

      // later activity, private and room-wide, and the room's own export: nothing moves
      const sa = await live(room.negotiators[0].client.token);
      await joinRoom(sa, room.id);
      await send(sa, room.id, 'after publication', `party:${room.parties[0].id}`);
      await send(sa, room.id, 'after publication, room-wide');
      await sleep(1100); // a fresh attestation would carry another signedAt
      expect(await fetchPublic()).toBe(first);
      const member = await fetch(`${file.app.server.url}/api/agreements/${ag.agreementId}/export.json`, {
        headers: { authorization: `Bearer ${room.negotiators[1].client.token}` },
      });
      expect(JSON.parse(await member.text())).toEqual(bundle);
    });
  });

  describe('a room made before format 2', () => {
    it('keeps its format-1 events, continues in format 2, and verifies by GraphQL and the CLI', async () => {
      const room = await newRoom(file.app.anon);
      const caucusParty = room.parties[0].id;
      const aMembership = room.membershipIds.get(room.negotiators[0].id)!;
      // make the log what an old server wrote: one chain for every audience, a caucus
      // message included, with format-1 hashes
      const rows = await file.app.sql<{ seq: number; type: string; actor_membership_id: string | null; payload: Record<string, unknown>; at: Date }>(
        `SELECT seq, type, actor_membership_id, payload, at FROM room_event WHERE room_id = $1 ORDER BY seq`,
        [room.id],
      );
      const legacyCaucus = {
        seq: rows.length + 1,
        type: 'message.posted',
        actor_membership_id: aMembership,
        payload: {
          messageId: '00000000-0000-4000-8000-000000000099',
          thread: `party:${caucusParty}`,
          body: 'old caucus',
          author: { membershipId: aMembership, displayName: 'x', partyId: caucusParty },
        },
        at: new Date(),
      };
      await file.app.sql(
        `INSERT INTO room_event (room_id, stream, seq, type, actor_membership_id, audience_party_id, payload, at, prev_hash, hash, format) VALUES ($1, 'room', $2, $3, $4, $5, $6, $7, '', '', 1)`,
        [room.id, legacyCaucus.seq, legacyCaucus.type, aMembership, caucusParty, legacyCaucus.payload, legacyCaucus.at],
      );
      let prev = GENESIS_HASH;
      for (const r of [...rows, legacyCaucus]) {
        const hash = eventHash(prev, { roomId: room.id, seq: r.seq, type: r.type, actor: r.actor_membership_id, payload: r.payload, at: r.at.toISOString() });
        await file.app.sql(`UPDATE room_event SET format = 1, salts = NULL, prev_hash = $3, hash = $4 WHERE room_id = $1 AND stream = 'room' AND seq = $2`, [
          room.id,
          r.seq,
          prev,
          hash,
        ]);
        prev = hash;
      }
      const legacySeq = legacyCaucus.seq;
      await file.app.sql(`UPDATE room SET last_seq = $2, head_hash = $3, chain_v2_from = $2 WHERE id = $1`, [room.id, legacySeq, prev]);

      // new activity: the room stream continues from the old head, the caucus starts after it
      const sa = await live(room.negotiators[0].client.token);
      await joinRoom(sa, room.id);
      const roomWide = await send(sa, room.id, 'new room-wide');
      const caucus = await send(sa, room.id, 'new caucus', `party:${caucusParty}`);
      expect(roomWide.seq).toBe(legacySeq + 1);
      expect(caucus.seq).toBe(legacySeq + 1);
      const v = (await room.negotiators[0].client.ok(VERIFY, { r: room.id })).verifyAuditChain;
      expect(v).toMatchObject({ valid: true, length: legacySeq + 1, partyStream: { valid: true, length: 1 } });
      // a member of the party checks the new events from their own copy (format-1 events by their links)
      const own = await eventsOf(room.negotiators[0].client, room.id, `party:${caucusParty}`);
      expect(verifyViewedStream(room.id, `party:${caucusParty}`, own.map(asViewed), { firstSeq: legacySeq + 1 })).toMatchObject({ valid: true, length: 1 });
      const roomCopy = await eventsOf(room.negotiators[0].client, room.id);
      expect(roomCopy.at(-1)).toMatchObject({ seq: legacySeq + 1 });
      expect(roomCopy.at(-2)!.proof).toBeNull();

      const cli = (args: string[]) => runCli(args, { DATABASE_URL: file.app.db.url });
      const ok = await cli(['audit:verify', '--room', room.id]);
      expect(ok.code).toBe(0);
      expect(ok.out).toContain(`valid: ${legacySeq + 1} events, head`);
      expect(ok.out).toContain(`valid: 1 events in stream party:${caucusParty}`);
      // a changed format-1 event and a changed format-2 caucus event are both caught
      await file.app.sql(`UPDATE room_event SET payload = jsonb_set(payload, '{body}', '"changed"') WHERE room_id = $1 AND stream = 'room' AND seq = $2`, [
        room.id,
        legacySeq,
      ]);
      await file.app.sql(`UPDATE room_event SET payload = jsonb_set(payload, '{body}', '"changed"') WHERE room_id = $1 AND stream = $2`, [
        room.id,
        `party:${caucusParty}`,
      ]);
      const broken = await cli(['audit:verify', '--room', room.id]);
      expect(broken.code).toBe(1);
      expect(broken.out).toContain(`BROKEN at seq ${legacySeq} (`);
      expect(broken.out).toContain(`BROKEN at seq ${legacySeq + 1} in stream party:${caucusParty}`);
    });
  });

  describe('migration 1764000000008', () => {
    it('marks the events of a room an old server wrote as format 1, verifiable, and refuses to revert once format 2 exists', async () => {
      const db = await createTestDatabase();
      const cli = (args: string[]) => runCli(args, { DATABASE_URL: db.url }).then((r) => ({ code: r.code, out: r.out + r.err }));
      const c = new pg.Client({ connectionString: db.url });
      try {
        expect((await cli(['migrate'])).code).toBe(0);
        // back to before the stream change (migration 9 after it is reverted first)
        expect((await cli(['migrate:revert', '--steps', '2'])).out).toContain('reverted EventStreams1764000000008');
        await c.connect();
        // what an old server left: one chain over the room, a caucus event in it
        const [user] = (await c.query(`INSERT INTO app_user (email, display_name, password_hash) VALUES ('old@example.org', 'Old', 'x') RETURNING id`)).rows;
        const [room] = (
          await c.query(`INSERT INTO room (title, purpose, speaker_attribution, created_by) VALUES ('Old', 'Old', 'ANONYMOUS', $1) RETURNING id`, [user.id])
        ).rows;
        const [party] = (await c.query(`INSERT INTO party (room_id, name) VALUES ($1, 'Lab A') RETURNING id`, [room.id])).rows;
        const [m] = (
          await c.query(`INSERT INTO membership (room_id, user_id, role, party_id, display_name) VALUES ($1, $2, 'NEGOTIATOR', $3, 'Old') RETURNING id`, [
            room.id,
            user.id,
            party.id,
          ])
        ).rows;
        const old = [
          { type: 'room.created', actor: m.id, audience: null, payload: { title: 'Old' } },
          { type: 'message.posted', actor: m.id, audience: party.id, payload: { body: 'old caucus', thread: `party:${party.id}` } },
          { type: 'message.posted', actor: m.id, audience: null, payload: { body: 'old room' } },
        ];
        let prev = GENESIS_HASH;
        for (const [i, e] of old.entries()) {
          const at = new Date(Date.UTC(2026, 0, 1, 0, 0, i));
          const hash = eventHash(prev, { roomId: room.id, seq: i + 1, type: e.type, actor: e.actor, payload: e.payload, at: at.toISOString() });
          await c.query(
            `INSERT INTO room_event (room_id, seq, type, actor_membership_id, audience_party_id, payload, at, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
            [room.id, i + 1, e.type, e.actor, e.audience, e.payload, at, prev, hash],
          );
          prev = hash;
        }
        await c.query(`UPDATE room SET last_seq = 3, head_hash = $2 WHERE id = $1`, [room.id, prev]);

        expect((await cli(['migrate'])).code).toBe(0);
        const marked = (
          await c.query(
            `SELECT r.chain_v2_from, array_agg(DISTINCT e.format) AS formats, array_agg(DISTINCT e.stream) AS streams FROM room r JOIN room_event e ON e.room_id = r.id WHERE r.id = $1 GROUP BY r.chain_v2_from`,
            [room.id],
          )
        ).rows[0];
        expect(marked).toEqual({ chain_v2_from: 3, formats: [1], streams: ['room'] });
        const verified = await cli(['audit:verify', '--room', room.id]);
        expect(verified).toMatchObject({ code: 0 });
        expect(verified.out).toContain(`valid: 3 events, head ${prev}`);
        // once a format-2 event exists, reverting refuses (it reverted above while none did)
        await c.query(`UPDATE room_event SET format = 2 WHERE room_id = $1 AND seq = 3`, [room.id]);
        const refused = await cli(['migrate:revert', '--steps', '2']);
        expect(refused.code).not.toBe(0);
        expect(refused.out).toContain('cannot revert EventStreams1764000000008');
      } finally {
        await c.end().catch(() => undefined);
        await db.drop();
      }
    }, 240_000);
  });
});
