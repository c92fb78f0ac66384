import { describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { verifyViewedStream, type EventProof } from '@parley/domain';
import { connectError, sleep } from './support/harness';
import { invite, join, newRoom, newUser, ROOM_EVENTS, vote, type TestRoom } from './support/factories';
import { createProposal, openBallot } from './support/negotiation';
import { joinRoom, LOGOUT, MESSAGES, postedBy, REMOVE_MEMBER, send, serverWithSockets } from './support/live';

// e2e steps talk to real servers; the project-level testTimeout does not reach hooks
jest.setTimeout(60_000);

describe('live gateway', () => {
  const file = serverWithSockets();
  const live = file.live;
  // every member of the room, connected and joined
  const everyone = async (room: TestRoom) => {
    const users = [room.facilitator, ...room.negotiators, room.observer];
    const clients = await Promise.all(users.map((u) => live(u.client.token)));
    await Promise.all(clients.map((c) => joinRoom(c, room.id)));
    return clients;
  };

  describe('handshake', () => {
    it('fails a missing, malformed or revoked token with UNAUTHENTICATED', async () => {
      expect(await connectError(file.app.server.url, {})).toBe('UNAUTHENTICATED');
      expect(await connectError(file.app.server.url, { token: 'x'.repeat(43) })).toBe('UNAUTHENTICATED');
      expect(await connectError(file.app.server.url, { token: { $ne: null } })).toBe('UNAUTHENTICATED');
      const u = await newUser(file.app.anon);
      await u.client.ok(LOGOUT);
      expect(await connectError(file.app.server.url, { token: u.client.token })).toBe('UNAUTHENTICATED');
    });
  });

  describe('message:send', () => {
    it('fans a message out to every member, acked only once it is committed', async () => {
      const room = await newRoom(file.app.anon);
      const [fac, a, b, c, obs] = await everyone(room);
      const message = await send(a, room.id, '  Shall we start with clause 1?  ');
      expect(message.body).toBe('Shall we start with clause 1?');
      // acked means committed: GraphQL serves it at once
      const listed = await room.observer.client.ok(MESSAGES, { roomId: room.id });
      expect(listed.messages[0]).toMatchObject({ id: message.id, seq: message.seq, body: 'Shall we start with clause 1?', redacted: false });
      for (const other of [fac, b, c, obs, a]) {
        const event = await other.waitFor('room:event', postedBy(message.id));
        expect(event.seq).toBe(message.seq);
        expect(JSON.parse(event.payload).body).toBe('Shall we start with clause 1?');
      }
    });

    it('returns the first message for a resent clientMsgId and stores one row', async () => {
      const room = await newRoom(file.app.anon);
      const [a] = await Promise.all([live(room.negotiators[0].client.token)]);
      await joinRoom(a, room.id);
      const clientMsgId = randomUUID();
      const acks = await Promise.all(Array.from({ length: 5 }, (_, i) => a.call('message:send', { roomId: room.id, body: `copy ${i}`, clientMsgId })));
      const ids = new Set(acks.map((x) => x.ok && x.message.id));
      expect(ids.size).toBe(1);
      const again = await send(a, room.id, 'different body', undefined, clientMsgId);
      expect(acks.map((x) => x.message.id)).toContain(again.id);
      const rows = await file.app.sql('SELECT count(*)::int AS n FROM message WHERE client_msg_id = $1', [clientMsgId]);
      expect(rows[0].n).toBe(1);
      const events = await file.app.sql(`SELECT count(*)::int AS n FROM room_event WHERE room_id = $1 AND type = 'message.posted'`, [room.id]);
      expect(events[0].n).toBe(1);
    });

    it('answers a non-member with NOT_FOUND, for a real room and a made-up one alike', async () => {
      const room = await newRoom(file.app.anon);
      const stranger = await live((await newUser(file.app.anon)).client.token);
      for (const roomId of [room.id, randomUUID()]) {
        expect((await stranger.call('room:join', { roomId })).error.code).toBe('NOT_FOUND');
        expect((await stranger.call('message:send', { roomId, body: 'hi', clientMsgId: 'x' })).error.code).toBe('NOT_FOUND');
        expect((await stranger.call('typing', { roomId })).error.code).toBe('NOT_FOUND');
      }
    });
  });

  describe('room:join with afterSeq', () => {
    it('replays exactly the events missed while disconnected', async () => {
      const room = await newRoom(file.app.anon);
      const b = await live(room.negotiators[1].client.token);
      const first = await joinRoom(b, room.id);
      const a = await live(room.negotiators[0].client.token);
      await joinRoom(a, room.id);
      const m1 = await send(a, room.id, 'one');
      await b.waitFor('room:event', postedBy(m1.id));
      const lastSeen = b.events.at(-1)!.seq;
      b.close();
      const missed = [await send(a, room.id, 'two'), await send(a, room.id, 'three')];
      const b2 = await live(room.negotiators[1].client.token);
      const replay = await joinRoom(b2, room.id, lastSeen);
      expect(replay.events.map((e) => e.seq)).toEqual(missed.map((m) => m.seq));
      expect(replay.events.map((e) => JSON.parse(e.payload).body)).toEqual(['two', 'three']);
      expect(replay.lastSeq).toBe(missed[1].seq);
      expect(first.lastSeq).toBeLessThan(replay.lastSeq);
    });
  });

  // live.md's RoomEvent has no proof; a client that verifies as events arrive asks for it
  describe('room:join with proofs', () => {
    type Wire = { seq: number; type: string; at: string; actor: string | null; payload: string; hash: string; prevHash: string; proof?: string | null };
    const viewed = (events: Wire[]) => events.map((e) => ({ ...e, proof: e.proof ? (JSON.parse(e.proof) as EventProof) : null }));
    const joinWithProofs = async (c: Awaited<ReturnType<typeof live>>, roomId: string, proofs: unknown, afterSeq?: number) => {
      const ack = await c.call('room:join', { roomId, afterSeq, proofs });
      if (!ack.ok) throw new Error(JSON.stringify(ack.error));
      return ack as { lastSeq: number; events: Wire[] };
    };

    it("sends each event's proof only to the sockets that ask for it, and their copy verifies", async () => {
      const room = await newRoom(file.app.anon);
      const [a, b, c] = await Promise.all(room.negotiators.map((n) => live(n.client.token)));
      await joinRoom(a, room.id);
      const plain = await joinWithProofs(b, room.id, false, 0);
      const proven = await joinWithProofs(c, room.id, true, 0);
      expect(plain.events.length).toBeGreaterThan(0);
      expect(plain.events.every((e) => !('proof' in e))).toBe(true);
      expect(proven.events.every((e) => typeof e.proof === 'string')).toBe(true);
      const m = await send(a, room.id, 'proved');
      const [atB, atC] = (await Promise.all([b.waitFor('room:event', postedBy(m.id)), c.waitFor('room:event', postedBy(m.id))])) as Wire[];
      expect('proof' in atB).toBe(false);
      expect(typeof atC.proof).toBe('string');
      // the same view otherwise (two negotiators of other parties)
      const { proof: _proof, ...rest } = atC;
      expect(rest).toEqual(atB);
      const copy = [...proven.events, atC];
      expect(verifyViewedStream(room.id, 'room', viewed(copy))).toMatchObject({ valid: true, length: copy.length, head: atC.hash });
      // a join again without proofs stops them
      await joinWithProofs(c, room.id, false);
      const next = await send(a, room.id, 'no proof now');
      expect('proof' in ((await c.waitFor('room:event', postedBy(next.id))) as Wire)).toBe(false);
    });

    it('keeps an ANONYMOUS room anonymous in the proofs, to the author and to the others', async () => {
      const room = await newRoom(file.app.anon, { speakerAttribution: 'ANONYMOUS' });
      const [a, b] = await Promise.all(room.negotiators.slice(0, 2).map((n) => live(n.client.token)));
      const ownBefore = await joinWithProofs(a, room.id, true, 0);
      const otherBefore = await joinWithProofs(b, room.id, true, 0);
      const m = await send(a, room.id, 'who said this?');
      const [own, other] = (await Promise.all([a.waitFor('room:event', postedBy(m.id)), b.waitFor('room:event', postedBy(m.id))])) as Wire[];
      const text = JSON.stringify(other);
      expect(text).toContain('who said this?');
      for (const secret of [room.negotiators[0].displayName, room.parties[0].id, room.membershipIds.get(room.negotiators[0].id)!]) {
        expect(text).not.toContain(secret);
      }
      expect(own.proof).not.toEqual(other.proof); // the author is shown to themselves
      for (const copy of [
        [...ownBefore.events, own],
        [...otherBefore.events, other],
      ]) {
        expect(verifyViewedStream(room.id, 'room', viewed(copy))).toMatchObject({ valid: true, head: own.hash });
      }
    });

    it('refuses a proofs flag that is not true or false', async () => {
      const room = await newRoom(file.app.anon);
      const a = await live(room.negotiators[0].client.token);
      const ack = await a.call('room:join', { roomId: room.id, proofs: 'yes' });
      expect(ack).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT' } });
      expect(JSON.stringify(ack.error)).toContain('proofs');
    });
  });

  describe('edit and redact', () => {
    it('edits own messages only and a redaction empties the body by every route', async () => {
      const room = await newRoom(file.app.anon);
      const [fac, a, b] = await everyone(room);
      const m = await send(a, room.id, 'a secret number: 42');
      expect((await b.call('message:edit', { messageId: m.id, body: 'hijacked' })).error.code).toBe('FORBIDDEN');
      const edited = await a.call('message:edit', { messageId: m.id, body: 'a secret number: 43' });
      expect(edited).toMatchObject({ ok: true, message: { id: m.id, body: 'a secret number: 43' } });
      expect(edited.message.editedAt).toBeTruthy();
      expect((await b.call('message:redact', { messageId: m.id })).error.code).toBe('FORBIDDEN');
      expect(await fac.call('message:redact', { messageId: m.id })).toEqual({ ok: true });
      await b.waitFor('room:event', (e) => e.type === 'message.redacted' && JSON.parse(e.payload).messageId === m.id);
      const listed = await room.negotiators[1].client.ok(MESSAGES, { roomId: room.id });
      expect(listed.messages.find((x: { id: string }) => x.id === m.id)).toMatchObject({ body: '', redacted: true });
      const events = await room.negotiators[1].client.ok(ROOM_EVENTS, { roomId: room.id });
      expect(JSON.stringify(events)).not.toContain('secret number');
      const replay = await joinRoom(await live(room.observer.client.token), room.id, 0);
      expect(JSON.stringify(replay.events)).not.toContain('secret number');
      expect((await a.call('message:edit', { messageId: m.id, body: 'back' })).error.code).toBe('INVALID_STATE');
      // the stored log is untouched and still verifies
      const audit = await room.facilitator.client.ok(`query($id: ID!) { verifyAuditChain(roomId: $id) { valid } }`, { id: room.id });
      expect(audit.verifyAuditChain.valid).toBe(true);
    });
  });

  describe('removal and logout', () => {
    it('sends room:removed to a removed member and nothing after it', async () => {
      const room = await newRoom(file.app.anon);
      const [fac, a, b] = await everyone(room);
      const bMembership = room.membershipIds.get(room.negotiators[1].id)!;
      await room.facilitator.client.ok(REMOVE_MEMBER, { id: bMembership });
      expect(await b.waitFor('room:removed')).toEqual({ roomId: room.id });
      await fac.waitFor('room:event', (e) => e.type === 'member.removed');
      const m = await send(a, room.id, 'after the removal');
      await fac.waitFor('room:event', postedBy(m.id));
      await sleep(200);
      expect(b.events.some(postedBy(m.id))).toBe(false);
      // b was in no other room: its sockets are ended too
      expect(b.socket.connected).toBe(false);
    });

    it('keeps the sockets of a removed member who is still in another room, outside the old room', async () => {
      const room = await newRoom(file.app.anon);
      const other = await newRoom(file.app.anon, { facilitator: room.facilitator });
      const neg = room.negotiators[1];
      const t = await invite(room.facilitator.client, other.id, 'OBSERVER');
      await neg.client.ok(`mutation($t: String!) { acceptInvite(token: $t) { id } }`, { t });
      const b = await live(neg.client.token);
      expect((await b.call('room:join', { roomId: room.id })).ok).toBe(true);
      await room.facilitator.client.ok(REMOVE_MEMBER, { id: room.membershipIds.get(neg.id)! });
      expect(await b.waitFor('room:removed')).toEqual({ roomId: room.id });
      await sleep(200);
      expect(b.socket.connected).toBe(true);
      expect((await b.call('room:join', { roomId: room.id })).error.code).toBe('NOT_FOUND');
      expect((await b.call('room:join', { roomId: other.id })).ok).toBe(true);
    });

    it('disconnects the sockets of a session that logs out, and only those', async () => {
      const u = await newUser(file.app.anon);
      const other = await live((await newUser(file.app.anon)).client.token);
      const c = await live(u.client.token);
      const gone = new Promise((resolve) => c.socket.once('disconnect', resolve));
      await u.client.ok(LOGOUT);
      await expect(gone).resolves.toBe('io server disconnect');
      expect(other.socket.connected).toBe(true);
    });
  });

  describe('ballot secrecy', () => {
    it('sends no choice of an open secret ballot to anyone, and reveals them all at close', async () => {
      const room = await newRoom(file.app.anon);
      const clients = await everyone(room);
      const [fac, a, b] = clients;
      const p = await createProposal(room.facilitator.client, room.id);
      const ballot = await openBallot(room.facilitator.client, p.id, { rule: 'CONSENSUS', secrecy: 'SECRET_UNTIL_CLOSE' });
      await vote(room.negotiators[0].client, ballot.id, 'OPPOSE', 'too vague');
      await vote(room.negotiators[1].client, ballot.id);
      for (const c of clients) await c.waitFor('room:event', (e) => e.type === 'vote.cast' && JSON.parse(e.payload).partyId === room.parties[1].id);
      // nobody, the facilitator and the voting parties included, gets a choice, a reason or a tally
      for (const c of [fac, a, b, ...clients.slice(3)]) {
        const cast = c.events
          .filter((e) => e.type === 'vote.cast')
          .map((e) => e.payload)
          .join('\n');
        expect(cast).not.toMatch(/OPPOSE|SUPPORT|too vague|tally/);
      }
      const replay = await joinRoom(await live(room.observer.client.token), room.id, 0);
      expect(JSON.stringify(replay.events.filter((e) => e.type === 'vote.cast'))).not.toMatch(/OPPOSE|SUPPORT|too vague/);
      await room.facilitator.client.ok(`mutation($id: ID!) { closeBallot(ballotId: $id) { outcome } }`, { id: ballot.id });
      const closed = await fac.waitFor('room:event', (e) => e.type === 'ballot.closed');
      expect(closed.payload).toMatch(/OPPOSE/);
      expect(closed.payload).toMatch(/SUPPORT/);
    });
  });

  describe('attribution', () => {
    it('shows no other member name or party in an ANONYMOUS room, by socket or query', async () => {
      const room = await newRoom(file.app.anon, { speakerAttribution: 'ANONYMOUS' });
      const [, a, b] = await everyone(room);
      const m = await send(a, room.id, 'who said this?');
      expect(m.author).toBe(room.negotiators[0].displayName); // one always sees oneself
      const event = await b.waitFor('room:event', postedBy(m.id));
      const listed = await room.negotiators[1].client.ok(MESSAGES, { roomId: room.id });
      const events = await room.negotiators[1].client.ok(ROOM_EVENTS, { roomId: room.id, afterSeq: event.seq - 1 });
      const partyA = room.parties[0];
      for (const seen of [JSON.stringify(event), JSON.stringify(listed), JSON.stringify(events)]) {
        expect(seen).toContain('who said this?');
        expect(seen).not.toContain(room.negotiators[0].displayName);
        expect(seen).not.toContain(partyA.id);
        expect(seen).not.toContain(room.membershipIds.get(room.negotiators[0].id)!);
      }
      expect(listed.messages[0]).toMatchObject({ author: null, party: null });
    });

    it('attributes typing per the room setting and keeps caucus typing in the party', async () => {
      const room = await newRoom(file.app.anon, { speakerAttribution: 'PARTY_ONLY' });
      const [fac, a, b] = await everyone(room);
      expect(await a.call('typing', { roomId: room.id })).toEqual({ ok: true });
      const t = await b.waitFor('typing');
      expect(t.who).toMatchObject({ displayName: null, partyId: room.parties[0].id });
      expect(JSON.stringify(t)).not.toContain(room.negotiators[0].displayName);
      expect(await a.call('typing', { roomId: room.id, thread: `party:${room.parties[0].id}` })).toEqual({ ok: true });
      await sleep(300);
      expect(b.received.filter((r) => r.event === 'typing' && r.data.thread)).toEqual([]);
      expect(fac.received.filter((r) => r.event === 'typing' && r.data.thread)).toEqual([]);
    });

    it('tells the room who is online', async () => {
      const room = await newRoom(file.app.anon);
      const a = await live(room.negotiators[0].client.token);
      await joinRoom(a, room.id);
      const b = await live(room.negotiators[1].client.token);
      await joinRoom(b, room.id);
      const [ma, mb] = [room.membershipIds.get(room.negotiators[0].id), room.membershipIds.get(room.negotiators[1].id)];
      await a.waitFor('presence', (p) => p.online.includes(ma) && p.online.includes(mb));
      b.close();
      await a.waitFor('presence', (p) => p.online.includes(ma) && !p.online.includes(mb));
    });
  });

  describe('caucus privacy', () => {
    it('keeps a caucus within its party by every route', async () => {
      const room = await newRoom(file.app.anon);
      const partyA = room.parties[0];
      const second = await join(file.app.anon, room.facilitator.client, room.id, 'NEGOTIATOR', partyA.id);
      const [fac, a, b, , obs] = await everyone(room);
      const a2 = await live(second.user.client.token);
      await joinRoom(a2, room.id);
      const thread = `party:${partyA.id}`;
      const m = await send(a, room.id, 'our real bottom line is 7', thread);
      expect(m.thread).toBe(thread);
      await a2.waitFor('room:event', postedBy(m.id));
      expect((await second.user.client.ok(MESSAGES, { roomId: room.id, thread })).messages.map((x: { id: string }) => x.id)).toEqual([m.id]);
      // the party reads its caucus in its own stream by every route below: each check on the
      // outsiders looks where the message would be if audience filtering broke
      expect(JSON.stringify(await second.user.client.ok(ROOM_EVENTS, { roomId: room.id, stream: thread }))).toContain(m.id);
      expect(JSON.stringify((await joinRoom(await live(second.user.client.token), room.id, 0, 0)).events)).toContain(m.id);
      // a later room-wide message arrives everywhere, the caucus one never did
      const marker = await send(a, room.id, 'room-wide marker');
      for (const outsider of [fac, b, obs]) await outsider.waitFor('room:event', postedBy(marker.id));
      const outsiders = [
        { c: fac, u: room.facilitator },
        { c: b, u: room.negotiators[1] },
        { c: obs, u: room.observer },
      ];
      for (const { c, u } of outsiders) {
        expect(JSON.stringify(c.received)).not.toContain('bottom line');
        expect(JSON.stringify(c.received)).not.toContain(m.id);
        expect(await u.client.code(MESSAGES, { roomId: room.id, thread })).toBe('NOT_FOUND');
        expect(JSON.stringify(await u.client.ok(MESSAGES, { roomId: room.id }))).not.toContain('bottom line');
        expect(JSON.stringify(await u.client.ok(ROOM_EVENTS, { roomId: room.id }))).not.toContain(m.id);
        expect(await u.client.code(ROOM_EVENTS, { roomId: room.id, stream: thread })).toBe('NOT_FOUND');
        // a replay of the room stream and of the outsider's own party stream, if any
        const replay = await joinRoom(await live(u.client.token), room.id, 0, 0);
        expect(replay.events.length).toBeGreaterThan(0);
        expect(JSON.stringify(replay)).not.toContain(m.id);
        expect((await c.call('message:send', { roomId: room.id, body: 'let me in', thread, clientMsgId: randomUUID() })).error.code).toBe('NOT_FOUND');
        expect((await c.call('message:edit', { messageId: m.id, body: 'x' })).error.code).toBe('NOT_FOUND');
        expect((await c.call('message:redact', { messageId: m.id })).error.code).toBe('NOT_FOUND');
        expect((await c.call('typing', { roomId: room.id, thread })).error.code).toBe('NOT_FOUND');
      }
    });
  });

  // the live feed emits one view per audience class to socket.io rooms (the room's, a
  // party's caucus) minus the sockets outside the class: these look where a wrong except
  // list or a stale socket.io room would leak
  describe('audience broadcast', () => {
    it('sends facilitator-only parts to facilitators only, when they are the widest class too', async () => {
      const room = await newRoom(file.app.anon);
      const second = await join(file.app.anon, room.facilitator.client, room.id, 'FACILITATOR');
      const facs = [await live(room.facilitator.client.token), await live(room.facilitator.client.token), await live(second.user.client.token)];
      const a = await live(room.negotiators[0].client.token);
      for (const c of [...facs, a]) await joinRoom(c, room.id);
      // two facilitators here against one negotiator: theirs is the broadcast, a is kept out of it
      const joined = await join(file.app.anon, room.facilitator.client, room.id, 'NEGOTIATOR', room.parties[1].id);
      const isJoin = (e: { type: string; payload: string }) => e.type === 'member.joined' && JSON.parse(e.payload).author?.membershipId === joined.membershipId;
      for (const f of facs) expect(JSON.parse((await f.waitFor('room:event', isJoin)).payload).inviteId).toEqual(expect.any(String));
      const seen = await a.waitFor('room:event', isJoin);
      expect(JSON.parse(seen.payload).inviteId).toBeUndefined();
      await sleep(200);
      expect(a.events.filter(isJoin)).toHaveLength(1);
    });

    it('never sends a caucus to another party, and stops a member who left or was removed', async () => {
      const room = await newRoom(file.app.anon);
      const [partyA, partyB] = room.parties;
      const a2 = await join(file.app.anon, room.facilitator.client, room.id, 'NEGOTIATOR', partyA.id);
      const b2 = await join(file.app.anon, room.facilitator.client, room.id, 'NEGOTIATOR', partyB.id);
      const [fac, a, b, , obs] = await everyone(room);
      const [a2c, b2c, b3c] = [await live(a2.user.client.token), await live(b2.user.client.token), await live(b2.user.client.token)];
      for (const c of [a2c, b2c, b3c]) await joinRoom(c, room.id);
      // party B outnumbers party A here; A's caucus still reaches A alone
      const secret = await send(a, room.id, 'caucus of A only', `party:${partyA.id}`);
      await a2c.waitFor('room:event', postedBy(secret.id));
      const bSecret = await send(b, room.id, 'caucus of B only', `party:${partyB.id}`);
      for (const c of [b2c, b3c]) await c.waitFor('room:event', postedBy(bSecret.id));
      // a2 leaves the room on its socket; b2 is removed
      expect(await a2c.call('room:leave', { roomId: room.id })).toEqual({ ok: true });
      await room.facilitator.client.ok(REMOVE_MEMBER, { id: b2.membershipId });
      for (const c of [b2c, b3c]) await c.waitFor('room:removed');
      const after = [await send(a, room.id, 'room-wide, after'), await send(a, room.id, 'caucus, after', `party:${partyA.id}`)];
      const bAfter = await send(b, room.id, 'caucus of B, after', `party:${partyB.id}`);
      await fac.waitFor('room:event', postedBy(after[0].id));
      await obs.waitFor('room:event', postedBy(after[0].id));
      await b.waitFor('room:event', postedBy(after[0].id));
      await sleep(300);
      for (const c of [fac, b, obs, b2c, b3c]) {
        expect(JSON.stringify(c.received)).not.toContain('of A only');
        expect(c.events.some(postedBy(secret.id))).toBe(false);
        expect(c.events.some(postedBy(after[1].id))).toBe(false);
      }
      for (const c of [fac, a, a2c, obs]) expect(c.events.some(postedBy(bSecret.id))).toBe(false);
      for (const m of [...after, bAfter]) for (const c of [a2c, b2c, b3c]) expect(c.events.some(postedBy(m.id))).toBe(false);
    });
  });

  describe('malformed payloads', () => {
    it('answers each with an error ack and keeps serving', async () => {
      const room = await newRoom(file.app.anon);
      const a = await live(room.negotiators[0].client.token);
      await joinRoom(a, room.id);
      const bad: Array<[string, unknown, string]> = [
        ['room:join', null, 'BAD_USER_INPUT'],
        ['room:join', 'a string', 'BAD_USER_INPUT'],
        ['room:join', [room.id], 'BAD_USER_INPUT'],
        ['room:join', { roomId: 42 }, 'BAD_USER_INPUT'],
        ['room:join', { roomId: room.id, afterSeq: -1 }, 'BAD_USER_INPUT'],
        ['room:join', { roomId: room.id, afterSeq: 'zero' }, 'BAD_USER_INPUT'],
        ['room:join', { roomId: 'not-a-uuid' }, 'NOT_FOUND'],
        ['room:leave', { roomId: randomUUID() }, 'NOT_FOUND'],
        ['message:send', { roomId: room.id, body: '', clientMsgId: 'x' }, 'BAD_USER_INPUT'],
        ['message:send', { roomId: room.id, body: '   ', clientMsgId: 'x' }, 'BAD_USER_INPUT'],
        ['message:send', { roomId: room.id, body: 'b'.repeat(10_001), clientMsgId: 'x' }, 'BAD_USER_INPUT'],
        ['message:send', { roomId: room.id, body: { $gt: '' }, clientMsgId: 'x' }, 'BAD_USER_INPUT'],
        ['message:send', { roomId: room.id, body: 'hi' }, 'BAD_USER_INPUT'],
        ['message:send', { roomId: room.id, body: 'hi', clientMsgId: 'c'.repeat(101) }, 'BAD_USER_INPUT'],
        ['message:send', { roomId: room.id, body: 'hi', clientMsgId: 'x', thread: 'elsewhere' }, 'BAD_USER_INPUT'],
        ['message:send', { roomId: room.id, body: 'hi', clientMsgId: 'x', thread: `proposal:${randomUUID()}:clause:${'k'.repeat(21)}` }, 'BAD_USER_INPUT'],
        ['message:send', { roomId: room.id, body: 'hi', clientMsgId: 'x', thread: `party:${randomUUID()}` }, 'NOT_FOUND'],
        ['message:send', { roomId: randomUUID(), body: 'hi', clientMsgId: 'x' }, 'NOT_FOUND'],
        ['message:edit', { messageId: 'nope', body: 'x' }, 'NOT_FOUND'],
        ['message:edit', { messageId: randomUUID(), body: 'x' }, 'NOT_FOUND'],
        ['message:redact', 7, 'BAD_USER_INPUT'],
        ['message:redact', { messageId: null }, 'NOT_FOUND'],
        ['typing', { roomId: room.id, thread: 12 }, 'BAD_USER_INPUT'],
      ];
      for (const [event, payload, code] of bad) {
        const ack = await a.call(event, payload);
        expect({ event, payload, code: ack.error?.code, ok: ack.ok }).toEqual({ event, payload, code, ok: false });
      }
      // no ack callback, no payload, unknown events, extra arguments: nothing breaks
      a.socket.emit('message:send', { roomId: room.id, body: 'fire and forget', clientMsgId: randomUUID() });
      a.socket.emit('room:join');
      a.socket.emit('no:such:event', { x: 1 });
      a.socket.emit('typing', { roomId: room.id }, 'extra', 3);
      expect((await a.call('room:join')).error.code).toBe('BAD_USER_INPUT');
      // a frame beyond the frame limit (1 MB) ends that connection only
      const big = await live(room.negotiators[1].client.token);
      const closed = new Promise((r) => big.socket.once('disconnect', r));
      big.socket.emit('message:send', { roomId: room.id, body: 'x'.repeat(2_000_000), clientMsgId: 'big' });
      await closed;
      const ok = await send(a, room.id, 'still here');
      expect(ok.body).toBe('still here');
      expect(a.socket.connected).toBe(true);
      const health = await fetch(`${file.app.server.url}/healthz`);
      expect(health.status).toBe(200);
    });

    it('rate-limits a socket that floods events', async () => {
      const room = await newRoom(file.app.anon);
      const a = await live(room.negotiators[0].client.token);
      const acks = await Promise.all(Array.from({ length: 80 }, () => a.call('typing', { roomId: room.id })));
      expect(acks.filter((x) => x.ok).length).toBeLessThanOrEqual(60);
      expect(acks.some((x) => x.error?.code === 'RATE_LIMITED')).toBe(true);
    });
  });
});
