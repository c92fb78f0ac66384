import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { runCli, startApp, type TestApp } from './support/harness';
import { ACCEPT_INVITE, CREATE_INVITE, CREATE_ROOM, fresh, invite, newRoom, newUser, ROOM_EVENTS as EVENTS } from './support/factories';

const ROOM = `query($id: ID!) { room(id: $id) { id title archived lastSeq speakerAttribution myMembership { id role party { name } displayName } parties { id name } members { id role displayName party { id name } } } }`;
const PREVIEW = `query($token: String!) { invitePreview(token: $token) { roomTitle role partyName expiresAt } }`;
const VERIFY = `query($roomId: ID!) { verifyAuditChain(roomId: $roomId) { valid length head firstBrokenSeq } }`;

describe('rooms', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  describe('createRoom', () => {
    it('makes the caller its facilitator, with the named parties and a first event', async () => {
      const u = await newUser(app.anon);
      const d = await u.client.ok(CREATE_ROOM, { input: { title: ' Compute caps ', purpose: 'p', speakerAttribution: 'ATTRIBUTED', parties: ['A', 'B'] } });
      expect(d.createRoom.title).toBe('Compute caps');
      expect(d.createRoom.myMembership.role).toBe('FACILITATOR');
      expect(d.createRoom.parties.map((p: { name: string }) => p.name)).toEqual(['A', 'B']);
      const events = await u.client.ok(EVENTS, { roomId: d.createRoom.id });
      expect(events.roomEvents.map((e: { type: string }) => e.type)).toEqual(['room.created']);
      expect((await u.client.ok(`{ rooms { id } }`)).rooms.map((r: { id: string }) => r.id)).toContain(d.createRoom.id);
    });

    it.each([
      [{ title: '', purpose: 'p', speakerAttribution: 'ATTRIBUTED', parties: [] }, 'title'],
      [{ title: 't'.repeat(201), purpose: 'p', speakerAttribution: 'ATTRIBUTED', parties: [] }, 'title'],
      [{ title: 't', purpose: 'p', speakerAttribution: 'ATTRIBUTED', parties: ['A', 'a'] }, 'parties'],
      [{ title: 't', purpose: 'p', speakerAttribution: 'ATTRIBUTED', parties: [''] }, 'parties[0]'],
      [{ title: 't', purpose: 'p', speakerAttribution: 'ATTRIBUTED', parties: Array.from({ length: 101 }, (_, i) => `P${i}`) }, 'parties'],
    ])('refuses bad input %#', async (input, field) => {
      const u = await newUser(app.anon);
      const r = await u.client.gql(CREATE_ROOM, { input });
      expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0].extensions?.fields).toHaveProperty([field]);
    });

    it('refuses an unknown attribution setting', async () => {
      const u = await newUser(app.anon);
      expect(await u.client.code(CREATE_ROOM, { input: { title: 't', purpose: 'p', speakerAttribution: 'LOUD', parties: [] } })).toBe('BAD_USER_INPUT');
    });
  });

  describe('who may see a room', () => {
    it('answers a non-member exactly as for a room that does not exist', async () => {
      const room = await newRoom(app.anon);
      const outsider = await newUser(app.anon);
      const hidden = await outsider.client.gql(ROOM, { id: room.id });
      const missing = await outsider.client.gql(ROOM, { id: '00000000-0000-4000-8000-000000000000' });
      const garbage = await outsider.client.gql(ROOM, { id: 'not-a-uuid' });
      expect(hidden.errors).toEqual(missing.errors);
      expect(garbage.errors).toEqual(missing.errors);
      expect(hidden.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      expect(JSON.stringify(hidden)).not.toContain(room.id);
      expect(await outsider.client.code(EVENTS, { roomId: room.id })).toBe('NOT_FOUND');
      expect(await outsider.client.code(VERIFY, { roomId: room.id })).toBe('NOT_FOUND');
    });

    it('shows invites to facilitators only', async () => {
      const room = await newRoom(app.anon);
      const q = `query($id: ID!) { room(id: $id) { invites { id role usedAt party { name } } } }`;
      const fac = await room.facilitator.client.ok(q, { id: room.id });
      expect(fac.room.invites.length).toBe(4);
      expect(await room.negotiators[0].client.code(q, { id: room.id })).toBe('FORBIDDEN');
      expect(await room.observer.client.code(q, { id: room.id })).toBe('FORBIDDEN');
    });
  });

  describe('invites', () => {
    it('preview and accept one, which joins the room with its role and party', async () => {
      const room = await newRoom(app.anon);
      const token = await invite(room.facilitator.client, room.id, 'NEGOTIATOR', room.parties[1].id);
      const preview = await app.anon.ok(PREVIEW, { token });
      expect(preview.invitePreview).toMatchObject({ role: 'NEGOTIATOR', partyName: room.parties[1].name });
      const u = await newUser(app.anon);
      const m = await u.client.ok(ACCEPT_INVITE, { token });
      expect(m.acceptInvite).toMatchObject({ role: 'NEGOTIATOR', party: { id: room.parties[1].id }, displayName: u.displayName });
      const seen = await u.client.ok(ROOM, { id: room.id });
      expect(seen.room.myMembership.role).toBe('NEGOTIATOR');
    });

    it('gives one INVITE_INVALID for unknown, used, revoked, expired and wrong-email tokens', async () => {
      const room = await newRoom(app.anon);
      const fac = room.facilitator.client;
      const used = await invite(fac, room.id, 'OBSERVER');
      await (await newUser(app.anon)).client.ok(ACCEPT_INVITE, { token: used });
      const revokedD = await fac.ok(CREATE_INVITE, { input: { roomId: room.id, role: 'OBSERVER' } });
      await fac.ok(`mutation($id: ID!) { revokeInvite(id: $id) { revokedAt } }`, { id: revokedD.createInvite.invite.id });
      const expired = await invite(fac, room.id, 'OBSERVER');
      await app.sql(`UPDATE invite SET expires_at = now() - interval '1 second' WHERE room_id = $1 AND used_at IS NULL AND revoked_at IS NULL`, [room.id]);
      const bound = await invite(fac, room.id, 'OBSERVER', undefined, 'someone@example.org');
      const tokens = [fresh('unknown').padEnd(43, 'x'), used, revokedD.createInvite.token, expired, bound];
      const u = await newUser(app.anon);
      const answers = await Promise.all(tokens.map((token) => u.client.gql(ACCEPT_INVITE, { token })));
      for (const a of answers) expect(a.errors?.[0]).toEqual(answers[0].errors?.[0]);
      expect(answers[0].errors?.[0].extensions?.code).toBe('INVITE_INVALID');
      for (const token of tokens.slice(0, 4)) expect(await app.anon.code(PREVIEW, { token })).toBe('INVITE_INVALID');
    });

    // redemption rules (single use under concurrency, binding to an address, sign-up through
    // an invitation as one write) are the medium tier's: test/medium/invites.medium-spec.ts

    it('validates createInvite input', async () => {
      const room = await newRoom(app.anon);
      const fac = room.facilitator.client;
      const codeOf = async (input: Record<string, unknown>) => (await fac.gql(CREATE_INVITE, { input: { roomId: room.id, ...input } })).errors?.[0].extensions;
      expect(await codeOf({ role: 'NEGOTIATOR' })).toMatchObject({ code: 'BAD_USER_INPUT', fields: { partyId: expect.any(String) } });
      expect(await codeOf({ role: 'OBSERVER', partyId: room.parties[0].id })).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(await codeOf({ role: 'OBSERVER', expiresInHours: 24 * 31 })).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: { expiresInHours: expect.any(String) },
      });
      expect(await codeOf({ role: 'OBSERVER', email: 'nope' })).toMatchObject({ code: 'BAD_USER_INPUT', fields: { email: expect.any(String) } });
      const other = await newRoom(app.anon);
      expect(await codeOf({ role: 'NEGOTIATOR', partyId: other.parties[0].id })).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: { partyId: expect.any(String) },
      });
      const d = await fac.ok(CREATE_INVITE, { input: { roomId: room.id, role: 'OBSERVER' } });
      const hours = (new Date(d.createInvite.invite.expiresAt).getTime() - Date.now()) / 3600_000;
      expect(hours).toBeGreaterThan(71.9);
      expect(hours).toBeLessThanOrEqual(72);
      expect(d.createInvite.token.length).toBeGreaterThanOrEqual(43);
      const stored = await app.sql(`SELECT token_hash FROM invite WHERE id = $1`, [d.createInvite.invite.id]);
      expect(stored[0].token_hash).not.toBe(d.createInvite.token);
    });
  });

  describe('members', () => {
    it('removes a member at once, and keeps the last facilitator', async () => {
      const room = await newRoom(app.anon);
      const neg = room.negotiators[0];
      const mId = room.membershipIds.get(neg.id)!;
      expect((await neg.client.ok(ROOM, { id: room.id })).room.id).toBe(room.id);
      expect((await room.facilitator.client.ok(`mutation($id: ID!) { removeMember(membershipId: $id) }`, { id: mId })).removeMember).toBe(true);
      expect(await neg.client.code(ROOM, { id: room.id })).toBe('NOT_FOUND');
      expect(await room.facilitator.client.code(`mutation($id: ID!) { removeMember(membershipId: $id) }`, { id: mId })).toBe('NOT_FOUND');
      const facId = room.membershipIds.get(room.facilitator.id)!;
      expect(await room.facilitator.client.code(`mutation($id: ID!) { removeMember(membershipId: $id) }`, { id: facId })).toBe('INVALID_STATE');
    });

    it('applies the attribution setting to the member list, except for oneself', async () => {
      for (const setting of ['ATTRIBUTED', 'PARTY_ONLY', 'ANONYMOUS']) {
        const room = await newRoom(app.anon, { speakerAttribution: setting });
        const viewer = room.negotiators[0];
        const d = await viewer.client.ok(ROOM, { id: room.id });
        const other = d.room.members.find((m: { id: string }) => m.id === room.membershipIds.get(room.negotiators[1].id));
        const self = d.room.members.find((m: { id: string }) => m.id === room.membershipIds.get(viewer.id));
        expect(self.displayName).toBe(viewer.displayName);
        expect(self.party.name).toBe(room.parties[0].name);
        const text = JSON.stringify(d);
        if (setting === 'ATTRIBUTED') {
          expect(other.displayName).toBe(room.negotiators[1].displayName);
          expect(other.party.name).toBe(room.parties[1].name);
        } else {
          expect(text).not.toContain(room.negotiators[1].displayName);
          expect(text).not.toContain(room.facilitator.displayName);
        }
        if (setting === 'PARTY_ONLY') expect(other.party.name).toBe(room.parties[1].name);
        if (setting === 'ANONYMOUS') expect(other.party).toBeNull();
        const events = JSON.stringify(await viewer.client.ok(EVENTS, { roomId: room.id }));
        if (setting !== 'ATTRIBUTED') expect(events).not.toContain(room.negotiators[1].displayName);
        if (setting === 'ANONYMOUS') expect(events).not.toContain(room.membershipIds.get(room.negotiators[1].id));
      }
    });
  });

  describe('archiveRoom', () => {
    it('makes the room read-only', async () => {
      const room = await newRoom(app.anon);
      const fac = room.facilitator.client;
      expect((await fac.ok(`mutation($id: ID!) { archiveRoom(roomId: $id) { archived } }`, { id: room.id })).archiveRoom.archived).toBe(true);
      expect(await fac.code(`mutation($id: ID!) { addParty(roomId: $id, name: "Late") { id } }`, { id: room.id })).toBe('INVALID_STATE');
      expect(await fac.code(CREATE_INVITE, { input: { roomId: room.id, role: 'OBSERVER' } })).toBe('INVALID_STATE');
      expect(await fac.code(`mutation($id: ID!) { archiveRoom(roomId: $id) { archived } }`, { id: room.id })).toBe('INVALID_STATE');
      expect((await room.observer.client.ok(ROOM, { id: room.id })).room.archived).toBe(true);
      // every capability's writes go through the same policy
      const propose = `mutation($r: ID!) { createProposal(input: { roomId: $r, title: "T", clauses: [{ key: "1", text: "x" }] }) { id } }`;
      expect(await room.negotiators[0].client.code(propose, { r: room.id })).toBe('INVALID_STATE');
      const key = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
      expect(
        await room.negotiators[0].client.code(`mutation($r: ID!, $k: String!) { registerPartyKey(roomId: $r, publicKey: $k) { id } }`, { r: room.id, k: key }),
      ).toBe('INVALID_STATE');
      expect((await room.observer.client.ok(`query($r: ID!) { messages(roomId: $r) { id } }`, { r: room.id })).messages).toEqual([]);
    });
  });

  describe('the event log', () => {
    it('pages events by seq and validates its arguments', async () => {
      const room = await newRoom(app.anon);
      const all = (await room.observer.client.ok(EVENTS, { roomId: room.id })).roomEvents;
      expect(all.map((e: { seq: number }) => e.seq)).toEqual(all.map((_: unknown, i: number) => i + 1));
      for (let i = 1; i < all.length; i++) expect(all[i].prevHash).toBe(all[i - 1].hash);
      const page = (await room.observer.client.ok(EVENTS, { roomId: room.id, afterSeq: 2, limit: 2 })).roomEvents;
      expect(page.map((e: { seq: number }) => e.seq)).toEqual([3, 4]);
      expect(await room.observer.client.code(EVENTS, { roomId: room.id, limit: 0 })).toBe('BAD_USER_INPUT');
      expect(await room.observer.client.code(EVENTS, { roomId: room.id, limit: 1001 })).toBe('BAD_USER_INPUT');
      expect(await room.observer.client.code(EVENTS, { roomId: room.id, afterSeq: -1 })).toBe('BAD_USER_INPUT');
      const invites = all.filter((e: { type: string }) => e.type === 'invite.created');
      expect(invites.length).toBe(4);
      expect(invites.map((e: { payload: string }) => e.payload).join()).not.toMatch(/token/i);
    });

    it('stays a valid chain after a thousand concurrent writes to one room', async () => {
      const room = await newRoom(app.anon, { parties: ['A'] });
      const fac = room.facilitator.client;
      const results = await Promise.all(
        Array.from({ length: 1000 }, () =>
          fac.gql(`mutation($input: CreateInviteInput!) { createInvite(input: $input) { token } }`, { input: { roomId: room.id, role: 'OBSERVER' } }),
        ),
      );
      expect(results.filter((r) => r.errors).length).toBe(0);
      const v = (await fac.ok(VERIFY, { roomId: room.id })).verifyAuditChain;
      expect(v).toMatchObject({ valid: true, firstBrokenSeq: null });
      expect(v.length).toBe(1000 + 5);
      const seqs = await app.sql(`SELECT count(DISTINCT seq)::int AS n, max(seq) AS max FROM room_event WHERE room_id = $1`, [room.id]);
      expect(seqs[0]).toEqual({ n: 1005, max: 1005 });
    }, 120_000);

    it('names the first broken seq after a stored event is changed, over GraphQL and the CLI', async () => {
      const room = await newRoom(app.anon);
      const fac = room.facilitator.client;
      const cli = (args: string[]) => runCli(args, { DATABASE_URL: app.db.url });
      const ok = await cli(['audit:verify', '--room', room.id]);
      expect(ok.code).toBe(0);
      expect(ok.out).toMatch(/valid: 9 events/);
      await app.sql(`UPDATE room_event SET payload = jsonb_set(payload, '{role}', '"FACILITATOR"') WHERE room_id = $1 AND seq = 3`, [room.id]);
      const v = (await fac.ok(VERIFY, { roomId: room.id })).verifyAuditChain;
      expect(v).toMatchObject({ valid: false, firstBrokenSeq: 3 });
      const broken = await cli(['audit:verify', '--room', room.id]);
      expect(broken.code).toBe(1);
      expect(broken.out).toMatch(/BROKEN at seq 3/);
    }, 60_000);
  });
});
