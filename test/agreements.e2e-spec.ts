import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, sleep, startApp, startServer, Client, type TestApp } from './support/harness';
import { adoptedAgreement, CONSENT_TO_PUBLISH as CONSENT, newRoom, newUser, roomEvents, SIGN_AGREEMENT as SIGN } from './support/factories';

const cli = runCli;

const AGREEMENT = `query($id: ID!) { agreement(id: $id) { id proposalId version textHash status signatures { party { id name } textHash partyMade } publishConsents { id } commitments { id party { id } statement minParties requiredParties { id } status } commitmentsResolvedAt embargoUntil publishedAt publicSlug clauses { key text } } }`;
const COMMIT = `mutation($i: MakeCommitmentInput!) { makeCommitment(input: $i) { id status party { id } } }`;

// A room whose proposal was adopted by a unanimous open ballot: the agreement exists.
const TEXTS = ['Each party reports training runs above the threshold.', 'Reports are shared within 30 days.'];
const adopted = async (app: TestApp, parties = ['Lab A', 'Lab B', 'Lab C']) => adoptedAgreement(await newRoom(app.anon, { parties }), { texts: TEXTS });

describe('agreements', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ PARLEY_SCHEDULER_INTERVAL_MS: '300' });
  });
  afterAll(async () => {
    await app?.close();
  });

  describe('signAgreement', () => {
    it('takes exactly the adopted hash, once per party, and marks the agreement SIGNED', async () => {
      const { room, agreementId, textHash } = await adopted(app);
      const [a, b, c] = room.negotiators;
      const wrong = await a.client.gql(SIGN, { a: agreementId, h: 'f'.repeat(64) });
      expect(wrong.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: { textHash: expect.any(String) } });
      expect(await a.client.code(SIGN, { a: agreementId, h: 'not-hex' })).toBe('BAD_USER_INPUT');
      expect(await room.observer.client.code(SIGN, { a: agreementId, h: textHash })).toBe('FORBIDDEN');
      expect(await room.facilitator.client.code(SIGN, { a: agreementId, h: textHash })).toBe('FORBIDDEN');
      expect((await a.client.ok(SIGN, { a: agreementId, h: textHash })).signAgreement).toMatchObject({ textHash, partyMade: false });
      expect(await a.client.code(SIGN, { a: agreementId, h: textHash })).toBe('INVALID_STATE');
      expect((await a.client.ok(AGREEMENT, { id: agreementId })).agreement.status).toBe('AWAITING_SIGNATURES');
      await b.client.ok(SIGN, { a: agreementId, h: textHash });
      await c.client.ok(SIGN, { a: agreementId, h: textHash });
      const after = (await room.observer.client.ok(AGREEMENT, { id: agreementId })).agreement;
      expect(after.status).toBe('SIGNED');
      expect(after.signatures).toHaveLength(3);
      const outsider = await newUser(app.anon);
      expect(await outsider.client.code(AGREEMENT, { id: agreementId })).toBe('NOT_FOUND');
      expect(await outsider.client.code(SIGN, { a: agreementId, h: textHash })).toBe('NOT_FOUND');
    });

    it('accepts a party-key signature made with the CLI and refuses one made with another key', async () => {
      const { room, agreementId, textHash } = await adopted(app);
      const dir = await mkdtemp(join(tmpdir(), 'parley-keys-'));
      expect((await cli(['keygen', '--out', join(dir, 'a.pem')])).code).toBe(0);
      expect((await cli(['keygen', '--out', join(dir, 'other.pem')])).code).toBe(0);
      const pub = await readFile(join(dir, 'a.pem.pub'), 'utf8');
      const [a, b] = room.negotiators;
      expect(await a.client.code(`mutation($r: ID!, $k: String!) { registerPartyKey(roomId: $r, publicKey: $k) { id } }`, { r: room.id, k: 'not a key' })).toBe(
        'BAD_USER_INPUT',
      );
      await a.client.ok(`mutation($r: ID!, $k: String!) { registerPartyKey(roomId: $r, publicKey: $k) { id party { id } } }`, { r: room.id, k: pub });
      const good = (await cli(['sign', '--key', join(dir, 'a.pem'), '--hash', textHash])).out.trim();
      const bad = (await cli(['sign', '--key', join(dir, 'other.pem'), '--hash', textHash])).out.trim();
      const refused = await a.client.gql(SIGN, { a: agreementId, h: textHash, s: bad });
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: { signature: expect.any(String) } });
      expect((await a.client.ok(SIGN, { a: agreementId, h: textHash, s: good })).signAgreement.partyMade).toBe(true);
      // a party without a key cannot claim a party-made signature
      expect(await b.client.code(SIGN, { a: agreementId, h: textHash, s: good })).toBe('BAD_USER_INPUT');
      // rotation keeps the old key listed as retired
      const pub2 = await readFile(join(dir, 'other.pem.pub'), 'utf8');
      await a.client.ok(`mutation($r: ID!, $k: String!) { registerPartyKey(roomId: $r, publicKey: $k) { id } }`, { r: room.id, k: pub2 });
      const keys = (await a.client.ok(`query($id: ID!) { room(id: $id) { partyKeys { publicKey retiredAt } } }`, { id: room.id })).room.partyKeys;
      expect(keys).toHaveLength(2);
      expect(keys.filter((k: { retiredAt: string | null }) => k.retiredAt === null)).toHaveLength(1);
    });
  });

  describe('sealed conditional commitments', () => {
    it('stay sealed until resolution, then only the binding ones are revealed', async () => {
      const { room, agreementId } = await adopted(app, ['Lab A', 'Lab B', 'Lab C', 'Lab D']);
      const [a, b, c] = room.negotiators;
      const [pa, , , pd] = room.parties;
      const ca = (await a.client.ok(COMMIT, { i: { agreementId, statement: 'We publish our eval results', minParties: 2 } })).makeCommitment;
      const cb = (await b.client.ok(COMMIT, { i: { agreementId, statement: 'We share incident reports', requiredPartyIds: [pa.id] } })).makeCommitment;
      // Lab D never commits, so this one cannot hold
      await c.client.ok(COMMIT, { i: { agreementId, statement: 'We pause the run', requiredPartyIds: [pd.id] } });
      const cc = (await c.client.ok(COMMIT, { i: { agreementId, statement: 'Impossible', minParties: 3 } })).makeCommitment;
      await c.client.ok(`mutation($id: ID!) { withdrawCommitment(id: $id) { id } }`, { id: cc.id });
      expect(await c.client.code(COMMIT, { i: { agreementId, statement: '', minParties: 2 } })).toBe('BAD_USER_INPUT');
      expect(await c.client.code(COMMIT, { i: { agreementId, statement: 'x', minParties: 9 } })).toBe('BAD_USER_INPUT');
      expect(await c.client.code(COMMIT, { i: { agreementId, statement: 'x', requiredPartyIds: ['00000000-0000-4000-8000-000000000000'] } })).toBe(
        'BAD_USER_INPUT',
      );
      expect(await room.observer.client.code(COMMIT, { i: { agreementId, statement: 'x' } })).toBe('FORBIDDEN');

      // nobody learns of another party's commitment, facilitators included, by any route: the
      // agreement, the room's events and the viewer's own party stream (where A's own is logged)
      const ownStream = (await roomEvents(a.client, room.id, { stream: `party:${pa.id}` })).filter((e) => e.type === 'commitment.made');
      expect(ownStream.map((e) => e.data.commitmentId)).toEqual([ca.id]);
      for (const [viewer, own] of [
        [a, 1],
        [room.facilitator, 0],
        [room.observer, 0],
      ] as const) {
        const seen = (await viewer.client.ok(AGREEMENT, { id: agreementId })).agreement.commitments;
        expect(seen).toHaveLength(own);
        const events = JSON.stringify([await roomEvents(viewer.client, room.id), viewer === a ? ownStream : []]);
        for (const hidden of [cb.id, cc.id, 'incident reports', 'pause the run']) expect(events).not.toContain(hidden);
      }
      expect(await b.client.code(`mutation($id: ID!) { withdrawCommitment(id: $id) { id } }`, { id: ca.id })).toBe('NOT_FOUND');
      expect(await a.client.code(`mutation($a: ID!) { resolveCommitments(agreementId: $a) { id } }`, { a: agreementId })).toBe('FORBIDDEN');

      const resolved = await room.facilitator.client.ok(
        `mutation($a: ID!) { resolveCommitments(agreementId: $a) { commitmentsResolvedAt commitments { statement status } } }`,
        { a: agreementId },
      );
      expect(resolved.resolveCommitments.commitmentsResolvedAt).not.toBeNull();
      const statements = resolved.resolveCommitments.commitments.map((x: { statement: string }) => x.statement).sort();
      // A (2 parties) and B (requires A) hold together; C requires D, who never committed
      expect(statements).toEqual(['We publish our eval results', 'We share incident reports']);
      const cSees = (await c.client.ok(AGREEMENT, { id: agreementId })).agreement.commitments
        .map((x: { statement: string; status: string }) => `${x.statement}:${x.status}`)
        .sort();
      expect(cSees).toEqual(['We pause the run:LAPSED', 'We publish our eval results:BINDING', 'We share incident reports:BINDING']);
      const aSees = JSON.stringify(await a.client.ok(AGREEMENT, { id: agreementId }));
      expect(aSees).not.toContain('pause the run');
      expect(await a.client.code(COMMIT, { i: { agreementId, statement: 'late', minParties: 2 } })).toBe('INVALID_STATE');
      expect(await room.facilitator.client.code(`mutation($a: ID!) { resolveCommitments(agreementId: $a) { id } }`, { a: agreementId })).toBe('INVALID_STATE');
    });
  });

  describe('publication and exports', () => {
    it('publishes exactly once when every party signed and consented, even under concurrent consents', async () => {
      const { room, agreementId, textHash } = await adopted(app);
      for (const n of room.negotiators) await n.client.ok(SIGN, { a: agreementId, h: textHash });
      const before = await fetch(`${app.server.url}/api/agreements/${agreementId}/export.json`, {
        headers: { authorization: `Bearer ${room.observer.client.token}` },
      });
      expect(before.status).toBe(200);
      const draft = (await before.json()) as { agreement: { status: string } };
      expect(draft.agreement.status).not.toBe('PUBLISHED');
      const results = await Promise.all(room.negotiators.map((n) => n.client.gql(CONSENT, { a: agreementId })));
      expect(results.every((r) => !r.errors)).toBe(true);
      const a = (await room.observer.client.ok(AGREEMENT, { id: agreementId })).agreement;
      expect(a.status).toBe('PUBLISHED');
      expect(a.publicSlug).toMatch(/^[A-Za-z0-9_-]+$/);
      const published = await app.sql(`SELECT count(*)::int AS n FROM room_event WHERE room_id = $1 AND type = 'agreement.published'`, [room.id]);
      expect(published[0].n).toBe(1);

      const pub = await app.anon.ok(
        `query($s: String!) { publishedAgreement(slug: $s) { title textHash parties { name } signatures { party { name } } clauses { key text } } }`,
        { s: a.publicSlug },
      );
      expect(pub.publishedAgreement).toMatchObject({ title: 'Compute reporting', textHash });
      expect(pub.publishedAgreement.signatures).toHaveLength(3);
      expect(await app.anon.code(`query($s: String!) { publishedAgreement(slug: $s) { title } }`, { s: 'doesnotexist1' })).toBe('NOT_FOUND');

      for (const ext of ['md', 'pdf', 'json']) {
        const res = await fetch(`${app.server.url}/public/agreements/${a.publicSlug}.${ext}`);
        expect(res.status).toBe(200);
        const body = Buffer.from(await res.arrayBuffer());
        if (ext === 'pdf') expect(body.subarray(0, 4).toString()).toBe('%PDF');
        if (ext === 'md') expect(body.toString()).toContain('Each party reports training runs');
        if (ext === 'json') {
          const dir = await mkdtemp(join(tmpdir(), 'parley-bundle-'));
          await writeFile(join(dir, 'b.json'), body);
          const ok = await cli(['verify', join(dir, 'b.json')]);
          expect(ok.code).toBe(0);
          const tampered = body.toString().replace('Each party reports', 'Each party hides');
          await writeFile(join(dir, 't.json'), tampered);
          expect((await cli(['verify', join(dir, 't.json')])).code).not.toBe(0);
        }
      }
      const keyRes = await fetch(`${app.server.url}/.well-known/parley-signing-key`);
      expect(keyRes.status).toBe(200);
      expect(await keyRes.text()).toContain('BEGIN PUBLIC KEY');
    });

    it('exports from the command line, marked as not yet published', async () => {
      const { agreementId } = await adopted(app, ['A', 'B']);
      const dir = await mkdtemp(join(tmpdir(), 'parley-export-'));
      for (const format of ['pdf', 'md', 'json']) {
        const out = join(dir, `a.${format}`);
        const r = await cli(['export', '--agreement', agreementId, '--format', format, '--out', out], { DATABASE_URL: app.db.url });
        expect(r.code).toBe(0);
        expect(r.out).toMatch(/not yet published/);
        const body = await readFile(out);
        if (format === 'pdf') expect(body.subarray(0, 5).toString()).toBe('%PDF-');
        if (format === 'md') expect(body.toString()).toContain('NOT YET PUBLISHED');
        if (format === 'json') expect((await cli(['verify', out])).code).toBe(0);
      }
      expect((await cli(['export', '--agreement', agreementId, '--format', 'docx', '--out', join(dir, 'x')], { DATABASE_URL: app.db.url })).code).toBe(2);
    });

    it('answers non-members 404 on member exports, as for an unknown agreement', async () => {
      const { agreementId } = await adopted(app, ['A', 'B']);
      const outsider = await newUser(app.anon);
      const res = await fetch(`${app.server.url}/api/agreements/${agreementId}/export.md`, { headers: { authorization: `Bearer ${outsider.client.token}` } });
      const missing = await fetch(`${app.server.url}/api/agreements/00000000-0000-4000-8000-000000000000/export.md`, {
        headers: { authorization: `Bearer ${outsider.client.token}` },
      });
      expect(res.status).toBe(404);
      expect(await res.text()).toBe(await missing.text());
      expect((await fetch(`${app.server.url}/api/agreements/${agreementId}/export.md`)).status).toBe(401);
    });

    it('waits for the latest embargo, across a restart', async () => {
      const { room, agreementId, textHash } = await adopted(app, ['A', 'B']);
      for (const n of room.negotiators) await n.client.ok(SIGN, { a: agreementId, h: textHash });
      const embargo = new Date(Date.now() + 4000).toISOString();
      await room.negotiators[0].client.ok(CONSENT, { a: agreementId, e: embargo });
      expect(await room.negotiators[0].client.code(CONSENT, { a: agreementId, e: new Date(Date.now() - 1000).toISOString() })).toBe('BAD_USER_INPUT');
      const r = await room.negotiators[1].client.ok(CONSENT, { a: agreementId });
      expect(r.consentToPublish.status).not.toBe('PUBLISHED');
      // a second server on the same database publishes it once the embargo passed
      const other = await startServer({ DATABASE_URL: app.db.url, PARLEY_SCHEDULER_INTERVAL_MS: '300' });
      try {
        // the second server's scheduler publishes it on its first tick past the embargo
        const seen = () => new Client(other.url, room.observer.client.token).ok(AGREEMENT, { id: agreementId }).then((d) => d.agreement);
        const deadline = Date.now() + 15_000;
        let a = await seen();
        while (a.status !== 'PUBLISHED' && Date.now() < deadline) a = await sleep(100).then(seen);
        expect(a.status).toBe('PUBLISHED');
        expect(new Date(a.publishedAt).getTime()).toBeGreaterThanOrEqual(new Date(embargo).getTime());
        const n = await app.sql(`SELECT count(*)::int AS n FROM room_event WHERE room_id = $1 AND type = 'agreement.published'`, [room.id]);
        expect(n[0].n).toBe(1);
      } finally {
        await other.stop();
      }
    }, 60_000);
  });
});
