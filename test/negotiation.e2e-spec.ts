import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { startApp, type TestApp } from './support/harness';
import { newRoom, newUser, roomEvents as events } from './support/factories';
import {
  ACCEPT_AMENDMENT,
  ADD_ALTERNATIVE,
  AMENDMENTS,
  clauses,
  CREATE_PROPOSAL,
  createProposal,
  DIFF,
  GET_PROPOSAL,
  openBallot,
  PROPOSE_AMENDMENT,
  REJECT_AMENDMENT,
  RESOLVE_BRACKET,
  REVISE_PROPOSAL,
  WITHDRAW_AMENDMENT,
  WITHDRAW_PROPOSAL,
} from './support/negotiation';

const MISSING = '00000000-0000-4000-8000-000000000000';

describe('negotiation', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  describe('createProposal', () => {
    it('creates version 1 with the hash of the canonical clauses and a proposal.created event', async () => {
      const room = await newRoom(app.anon);
      const p = await createProposal(room.negotiators[0].client, room.id, ['First.', 'Second.']);
      expect(p.version).toBe(1);
      const canonical = '[{"alternatives":[],"heading":null,"key":"1","text":"First."},{"alternatives":[],"heading":null,"key":"2","text":"Second."}]';
      expect(p.textHash).toBe(createHash('sha256').update(canonical).digest('hex'));
      const got = await room.observer.client.ok(GET_PROPOSAL, { id: p.id });
      expect(got.proposal.versions).toEqual([expect.objectContaining({ number: 1, textHash: p.textHash, summary: null })]);
      const listed = await room.observer.client.ok(`query($id: ID!) { room(id: $id) { proposals { id status } } }`, { id: room.id });
      expect(listed.room.proposals).toEqual([{ id: p.id, status: 'DRAFTING' }]);
      const created = (await events(room.facilitator.client, room.id)).find((e) => e.type === 'proposal.created');
      expect(created?.data).toMatchObject({ proposalId: p.id, version: 1, textHash: p.textHash });
    });

    it.each([
      [{ title: '', clauses: clauses('x') }, 'title'],
      [{ title: 't'.repeat(301), clauses: clauses('x') }, 'title'],
      [{ title: 't', clauses: [] }, 'clauses'],
      [
        {
          title: 't',
          clauses: [
            { key: '1', text: 'a' },
            { key: '1', text: 'b' },
          ],
        },
        'clauses[1].key',
      ],
      [{ title: 't', clauses: [{ key: 'bad key', text: 'a' }] }, 'clauses[0].key'],
      [{ title: 't', clauses: [{ key: '1', text: '  ' }] }, 'clauses[0].text'],
      [{ title: 't', clauses: [{ key: '1', text: 'x'.repeat(20001) }] }, 'clauses[0].text'],
      [{ title: 't', clauses: Array.from({ length: 501 }, (_, i) => ({ key: String(i), text: 'x' })) }, 'clauses'],
    ])('refuses bad input %#', async (input, field) => {
      const room = await newRoom(app.anon, { parties: ['A'] });
      const r = await room.facilitator.client.gql(CREATE_PROPOSAL, { input: { roomId: room.id, ...input } });
      expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0].extensions?.fields).toHaveProperty([field]);
    });

    it("answers NOT_FOUND for unknown, malformed and other rooms' proposal ids", async () => {
      const room = await newRoom(app.anon, { parties: ['A'] });
      const other = await newRoom(app.anon, { parties: ['B'] });
      const p = await createProposal(other.facilitator.client, other.id);
      for (const id of [MISSING, 'nope', p.id]) expect(await room.facilitator.client.code(GET_PROPOSAL, { id })).toBe('NOT_FOUND');
    });
  });

  describe('reviseProposal', () => {
    it('makes a new version and diffs any two versions clause by clause and word by word', async () => {
      const room = await newRoom(app.anon);
      const p = await createProposal(room.facilitator.client, room.id, ['Labs report large runs.', 'Reports are private.', 'Gone soon.']);
      const r = await room.negotiators[1].client.ok(REVISE_PROPOSAL, {
        input: {
          proposalId: p.id,
          expectedVersion: 1,
          summary: 'tighten',
          clauses: [
            { key: '1', text: 'Labs report all large runs.' },
            { key: '2', text: 'Reports are private.' },
            { key: '4', text: 'New clause.' },
          ],
        },
      });
      expect(r.reviseProposal.version).toBe(2);
      const d = await room.observer.client.ok(DIFF, { id: p.id, from: 1, to: 2 });
      expect(d.proposal.diff.map((c: { key: string; change: string }) => [c.key, c.change])).toEqual([
        ['1', 'CHANGED'],
        ['2', 'UNCHANGED'],
        ['3', 'REMOVED'],
        ['4', 'ADDED'],
      ]);
      expect(d.proposal.diff[0].hunks).toEqual([
        { op: 'EQUAL', text: 'Labs report ' },
        { op: 'INSERT', text: 'all ' },
        { op: 'EQUAL', text: 'large runs.' },
      ]);
      const back = await room.observer.client.ok(DIFF, { id: p.id, from: 2, to: 1 });
      expect(back.proposal.diff.find((c: { key: string }) => c.key === '4').change).toBe('REMOVED');
      const v = await room.observer.client.ok(GET_PROPOSAL, { id: p.id });
      expect(v.proposal.versions.map((x: { number: number; summary: string | null }) => [x.number, x.summary])).toEqual([
        [1, null],
        [2, 'tighten'],
      ]);
      const diffBad = await room.observer.client.gql(DIFF, { id: p.id, from: 0, to: 3 });
      expect(diffBad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(Object.keys(diffBad.errors?.[0].extensions?.fields ?? {}).sort()).toEqual(['from', 'to']);
    });

    it('answers VERSION_CONFLICT to a stale expectedVersion and overwrites nothing', async () => {
      const room = await newRoom(app.anon);
      const p = await createProposal(room.facilitator.client, room.id);
      await room.negotiators[0].client.ok(REVISE_PROPOSAL, { input: { proposalId: p.id, expectedVersion: 1, clauses: clauses('A.') } });
      expect(await room.negotiators[1].client.code(REVISE_PROPOSAL, { input: { proposalId: p.id, expectedVersion: 1, clauses: clauses('B.') } })).toBe(
        'VERSION_CONFLICT',
      );
      const got = await room.observer.client.ok(GET_PROPOSAL, { id: p.id });
      expect(got.proposal.version).toBe(2);
      expect(got.proposal.clauses.map((c: { text: string }) => c.text)).toEqual(['A.']);
    });

    it('of many concurrent revisions against one version, exactly one wins', async () => {
      const room = await newRoom(app.anon);
      const p = await createProposal(room.facilitator.client, room.id);
      const writers = [room.facilitator, ...room.negotiators];
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          writers[i % writers.length].client.gql(REVISE_PROPOSAL, { input: { proposalId: p.id, expectedVersion: 1, clauses: clauses(`Text ${i}.`) } }),
        ),
      );
      const ok = results.filter((r) => !r.errors);
      expect(ok).toHaveLength(1);
      expect(results.filter((r) => r.errors?.[0].extensions?.code === 'VERSION_CONFLICT')).toHaveLength(23);
      const got = await room.observer.client.ok(GET_PROPOSAL, { id: p.id });
      expect(got.proposal.versions.map((v: { number: number }) => v.number)).toEqual([1, 2]);
      expect(got.proposal.clauses[0].text).toBe(ok[0].data!.reviseProposal.clauses[0].text);
      expect((await events(room.observer.client, room.id)).filter((e) => e.type === 'proposal.revised')).toHaveLength(1);
    });

    it('refuses bad input with the bad fields named', async () => {
      const room = await newRoom(app.anon, { parties: ['A'] });
      const p = await createProposal(room.facilitator.client, room.id);
      const r = await room.facilitator.client.gql(REVISE_PROPOSAL, {
        input: { proposalId: p.id, expectedVersion: 1, summary: 's'.repeat(1001), clauses: [{ key: '', text: 'x' }] },
      });
      expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(Object.keys(r.errors?.[0].extensions?.fields ?? {}).sort()).toEqual(['clauses[0].key', 'summary']);
      expect(await room.facilitator.client.code(REVISE_PROPOSAL, { input: { proposalId: 'x', expectedVersion: 1, clauses: clauses('a') } })).toBe('NOT_FOUND');
    });

    it('is refused to observers and non-members', async () => {
      const room = await newRoom(app.anon, { parties: ['A'] });
      const p = await createProposal(room.facilitator.client, room.id);
      const input = { proposalId: p.id, expectedVersion: 1, clauses: clauses('x') };
      expect(await room.observer.client.code(REVISE_PROPOSAL, { input })).toBe('FORBIDDEN');
      expect(await (await newUser(app.anon)).client.code(REVISE_PROPOSAL, { input })).toBe('NOT_FOUND');
    });
  });

  describe('brackets', () => {
    it('a revision of a bracketed proposal keeps the options of a clause whose text stays, and its version check', async () => {
      const room = await newRoom(app.anon);
      const p = await createProposal(room.facilitator.client, room.id, ['Report within 30 days.', 'Second.']);
      await room.negotiators[0].client.ok(ADD_ALTERNATIVE, { p: p.id, k: '1', t: 'Report within 90 days.', v: 1 });
      const stale = { proposalId: p.id, expectedVersion: 1, clauses: clauses('Report within 30 days.', 'Second, revised.') };
      expect(await room.facilitator.client.code(REVISE_PROPOSAL, { input: stale })).toBe('VERSION_CONFLICT');
      const r = await room.facilitator.client.ok(REVISE_PROPOSAL, { input: { ...stale, expectedVersion: 2, summary: 'second clause' } });
      expect(r.reviseProposal.version).toBe(3);
      expect(r.reviseProposal.openBrackets).toBe(1);
      expect(r.reviseProposal.clauses.map((c: { text: string }) => c.text)).toEqual(['Report within 30 days.', 'Second, revised.']);
      expect(r.reviseProposal.clauses[0].alternatives.map((x: { text: string; party: { name: string } | null }) => [x.text, x.party?.name ?? null])).toEqual([
        ['Report within 30 days.', null],
        ['Report within 90 days.', 'Lab A'],
      ]);
      const got = await room.observer.client.ok(GET_PROPOSAL, { id: p.id });
      expect(got.proposal.versions.map((v: { number: number; summary: string | null }) => [v.number, v.summary])).toEqual([
        [1, null],
        [2, null],
        [3, 'second clause'],
      ]);
      const revised = (await events(room.observer.client, room.id)).filter((e) => e.type === 'proposal.revised');
      expect(revised.map((e) => e.data)).toEqual([expect.objectContaining({ proposalId: p.id, version: 3, summary: 'second clause' })]);
    });

    it('addAlternative brackets a clause with its old text as an option; resolveBracket settles it', async () => {
      const room = await newRoom(app.anon);
      const p = await createProposal(room.facilitator.client, room.id, ['Report within 30 days.', 'Second.']);
      const a = await room.negotiators[0].client.ok(ADD_ALTERNATIVE, { p: p.id, k: '1', t: 'Report within 90 days.', v: 1 });
      const bracketed = a.addAlternative.clauses[0];
      expect(a.addAlternative.openBrackets).toBe(1);
      expect(bracketed.text).toBe('Report within 30 days.');
      expect(bracketed.alternatives.map((x: { text: string; party: { name: string } | null }) => [x.text, x.party?.name ?? null])).toEqual([
        ['Report within 30 days.', null],
        ['Report within 90 days.', 'Lab A'],
      ]);
      const b = await room.negotiators[1].client.ok(ADD_ALTERNATIVE, { p: p.id, k: '1', t: 'Report within 60 days.', v: 2 });
      expect(b.addAlternative.clauses[0].alternatives).toHaveLength(3);
      expect(b.addAlternative.version).toBe(3);

      // editing a bracketed clause's text, a final ballot, and negotiators resolving are all refused
      expect(
        await room.facilitator.client.code(REVISE_PROPOSAL, { input: { proposalId: p.id, expectedVersion: 3, clauses: clauses('Changed.', 'Second.') } }),
      ).toBe('BAD_USER_INPUT');
      expect(
        (
          await room.facilitator.client.gql(`mutation($i: OpenBallotInput!) { openBallot(input: $i) { id } }`, {
            i: { proposalId: p.id, rule: 'MAJORITY', quorum: 0.5, secrecy: 'OPEN' },
          })
        ).errors?.[0].extensions?.code,
      ).toBe('OPEN_BRACKETS');
      const sixty = b.addAlternative.clauses[0].alternatives[2].id;
      expect(await room.negotiators[0].client.code(RESOLVE_BRACKET, { p: p.id, k: '1', a: sixty, v: 3 })).toBe('FORBIDDEN');
      expect(await room.facilitator.client.code(RESOLVE_BRACKET, { p: p.id, k: '1', a: sixty, v: 2 })).toBe('VERSION_CONFLICT');
      expect(await room.facilitator.client.code(RESOLVE_BRACKET, { p: p.id, k: '1', a: MISSING, v: 3 })).toBe('NOT_FOUND');
      expect(await room.facilitator.client.code(RESOLVE_BRACKET, { p: p.id, k: '2', a: sixty, v: 3 })).toBe('BAD_USER_INPUT');

      const r = await room.facilitator.client.ok(RESOLVE_BRACKET, { p: p.id, k: '1', a: sixty, v: 3 });
      expect(r.resolveBracket.clauses[0]).toMatchObject({ text: 'Report within 60 days.', alternatives: [] });
      expect(r.resolveBracket.openBrackets).toBe(0);
      const types = (await events(room.observer.client, room.id)).map((e) => e.type);
      expect(types).toEqual(expect.arrayContaining(['bracket.opened', 'bracket.option_added', 'bracket.resolved']));
    });

    it('refuses duplicate options, unknown clauses and empty text', async () => {
      const room = await newRoom(app.anon, { parties: ['A'] });
      const p = await createProposal(room.facilitator.client, room.id, ['Same.']);
      expect(await room.facilitator.client.code(ADD_ALTERNATIVE, { p: p.id, k: '1', t: 'Same.', v: 1 })).toBe('BAD_USER_INPUT');
      expect(await room.facilitator.client.code(ADD_ALTERNATIVE, { p: p.id, k: '9', t: 'Other.', v: 1 })).toBe('BAD_USER_INPUT');
      expect(await room.facilitator.client.code(ADD_ALTERNATIVE, { p: p.id, k: '1', t: ' ', v: 1 })).toBe('BAD_USER_INPUT');
      expect(await room.observer.client.code(ADD_ALTERNATIVE, { p: p.id, k: '1', t: 'Other.', v: 1 })).toBe('FORBIDDEN');
    });

    it('hides the party behind an option in an anonymous room, except from that party', async () => {
      const room = await newRoom(app.anon, { speakerAttribution: 'ANONYMOUS' });
      const p = await createProposal(room.facilitator.client, room.id, ['Base.']);
      await room.negotiators[0].client.ok(ADD_ALTERNATIVE, { p: p.id, k: '1', t: 'Other.', v: 1 });
      const seenByOther = await room.negotiators[1].client.ok(GET_PROPOSAL, { id: p.id });
      const seenByOwn = await room.negotiators[0].client.ok(GET_PROPOSAL, { id: p.id });
      expect(seenByOther.proposal.clauses[0].alternatives[1].party).toBeNull();
      expect(seenByOwn.proposal.clauses[0].alternatives[1].party.name).toBe('Lab A');
    });
  });

  describe('amendments', () => {
    it('proposes, lists and accepts an amendment as a new version', async () => {
      const room = await newRoom(app.anon);
      const p = await createProposal(room.facilitator.client, room.id, ['One.', 'Two.']);
      const a = await room.negotiators[0].client.ok(PROPOSE_AMENDMENT, {
        input: { proposalId: p.id, baseVersion: 1, clauseKey: '2', kind: 'REPLACE', text: 'Two, better.', rationale: 'clearer' },
      });
      expect(a.proposeAmendment).toMatchObject({ baseVersion: 1, clauseKey: '2', kind: 'REPLACE', status: 'OPEN', party: { name: 'Lab A' } });
      const ins = await room.negotiators[1].client.ok(PROPOSE_AMENDMENT, {
        input: { proposalId: p.id, baseVersion: 1, clauseKey: '', kind: 'INSERT', text: 'Preamble.' },
      });
      const open = await room.observer.client.ok(AMENDMENTS, { id: p.id, s: 'OPEN' });
      expect(open.proposal.amendments).toHaveLength(2);
      expect(await room.negotiators[0].client.code(ACCEPT_AMENDMENT, { id: a.proposeAmendment.id, v: 1 })).toBe('FORBIDDEN');
      const accepted = await room.facilitator.client.ok(ACCEPT_AMENDMENT, { id: a.proposeAmendment.id, v: 1 });
      expect(accepted.acceptAmendment.version).toBe(2);
      expect(accepted.acceptAmendment.clauses.map((c: { text: string }) => c.text)).toEqual(['One.', 'Two, better.']);
      // the insert's anchor is still there, so it applies on top
      const inserted = await room.facilitator.client.ok(ACCEPT_AMENDMENT, { id: ins.proposeAmendment.id, v: 2 });
      expect(inserted.acceptAmendment.clauses.map((c: { key: string; text: string }) => [c.key, c.text])).toEqual([
        ['0.1', 'Preamble.'],
        ['1', 'One.'],
        ['2', 'Two, better.'],
      ]);
      const acceptedList = await room.observer.client.ok(AMENDMENTS, { id: p.id, s: 'ACCEPTED' });
      expect(acceptedList.proposal.amendments).toHaveLength(2);
      expect(await room.facilitator.client.code(ACCEPT_AMENDMENT, { id: a.proposeAmendment.id, v: 3 })).toBe('INVALID_STATE');
      expect((await events(room.observer.client, room.id)).filter((e) => e.type === 'amendment.accepted')).toHaveLength(2);
    });

    it('refuses to accept when the clause changed since the base version, and keeps it open', async () => {
      const room = await newRoom(app.anon);
      const p = await createProposal(room.facilitator.client, room.id, ['One.', 'Two.']);
      const a = await room.negotiators[0].client.ok(PROPOSE_AMENDMENT, { input: { proposalId: p.id, baseVersion: 1, clauseKey: '2', kind: 'DELETE' } });
      await room.facilitator.client.ok(REVISE_PROPOSAL, { input: { proposalId: p.id, expectedVersion: 1, clauses: clauses('One.', 'Two changed.') } });
      expect(await room.facilitator.client.code(ACCEPT_AMENDMENT, { id: a.proposeAmendment.id, v: 1 })).toBe('VERSION_CONFLICT');
      expect(await room.facilitator.client.code(ACCEPT_AMENDMENT, { id: a.proposeAmendment.id, v: 2 })).toBe('VERSION_CONFLICT');
      const open = await room.observer.client.ok(AMENDMENTS, { id: p.id, s: 'OPEN' });
      expect(open.proposal.amendments.map((x: { id: string }) => x.id)).toEqual([a.proposeAmendment.id]);
    });

    it('lets the proposing party or a facilitator withdraw, and a facilitator reject', async () => {
      const room = await newRoom(app.anon);
      const p = await createProposal(room.facilitator.client, room.id, ['One.', 'Two.']);
      const propose = async () =>
        (await room.negotiators[0].client.ok(PROPOSE_AMENDMENT, { input: { proposalId: p.id, baseVersion: 1, clauseKey: '1', kind: 'REPLACE', text: 'Uno.' } }))
          .proposeAmendment.id as string;
      const a1 = await propose();
      expect(await room.negotiators[1].client.code(WITHDRAW_AMENDMENT, { id: a1 })).toBe('FORBIDDEN');
      expect(await room.observer.client.code(WITHDRAW_AMENDMENT, { id: a1 })).toBe('FORBIDDEN');
      expect((await room.negotiators[0].client.ok(WITHDRAW_AMENDMENT, { id: a1 })).withdrawAmendment.status).toBe('WITHDRAWN');
      expect(await room.negotiators[0].client.code(WITHDRAW_AMENDMENT, { id: a1 })).toBe('INVALID_STATE');
      const a2 = await propose();
      expect((await room.facilitator.client.ok(WITHDRAW_AMENDMENT, { id: a2 })).withdrawAmendment.status).toBe('WITHDRAWN');
      const a3 = await propose();
      expect(await room.negotiators[0].client.code(REJECT_AMENDMENT, { id: a3 })).toBe('FORBIDDEN');
      expect((await room.facilitator.client.ok(REJECT_AMENDMENT, { id: a3 })).rejectAmendment.status).toBe('REJECTED');
      expect(await room.facilitator.client.code(REJECT_AMENDMENT, { id: 'x' })).toBe('NOT_FOUND');
      const types = (await events(room.observer.client, room.id)).map((e) => e.type);
      expect(types.filter((t) => t === 'amendment.withdrawn')).toHaveLength(2);
      expect(types).toContain('amendment.rejected');
    });

    it.each([
      [{ baseVersion: 7, clauseKey: '1', kind: 'REPLACE', text: 'x' }, 'baseVersion'],
      [{ baseVersion: 1, clauseKey: '9', kind: 'REPLACE', text: 'x' }, 'clauseKey'],
      [{ baseVersion: 1, clauseKey: '1', kind: 'REPLACE' }, 'text'],
      [{ baseVersion: 1, clauseKey: '1', kind: 'INSERT', text: 'x', rationale: 'r'.repeat(2001) }, 'rationale'],
    ])('refuses a bad amendment %#', async (input, field) => {
      const room = await newRoom(app.anon, { parties: ['A'] });
      const p = await createProposal(room.facilitator.client, room.id, ['One.']);
      const r = await room.facilitator.client.gql(PROPOSE_AMENDMENT, { input: { proposalId: p.id, ...input } });
      expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0].extensions?.fields).toHaveProperty([field]);
    });
  });

  describe('withdrawProposal', () => {
    it('is for facilitators, and ends all editing', async () => {
      const room = await newRoom(app.anon, { parties: ['A'] });
      const p = await createProposal(room.facilitator.client, room.id);
      expect(await room.negotiators[0].client.code(WITHDRAW_PROPOSAL, { p: p.id })).toBe('FORBIDDEN');
      expect((await room.facilitator.client.ok(WITHDRAW_PROPOSAL, { p: p.id })).withdrawProposal.status).toBe('WITHDRAWN');
      expect(await room.facilitator.client.code(REVISE_PROPOSAL, { input: { proposalId: p.id, expectedVersion: 1, clauses: clauses('x') } })).toBe(
        'INVALID_STATE',
      );
      expect(await room.facilitator.client.code(WITHDRAW_PROPOSAL, { p: p.id })).toBe('INVALID_STATE');
    });

    it('refuses while the text is being voted on', async () => {
      const room = await newRoom(app.anon, { parties: ['A', 'B'] });
      const p = await createProposal(room.facilitator.client, room.id);
      await openBallot(room.facilitator.client, p.id);
      expect(await room.facilitator.client.code(WITHDRAW_PROPOSAL, { p: p.id })).toBe('INVALID_STATE');
    });
  });
});
