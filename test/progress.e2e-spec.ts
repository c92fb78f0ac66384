import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { parseCsv } from '@parley/domain';
import { Client, connectLive, startApp, startServer, type TestApp } from './support/harness';
import { newRoom, newUser, roomEvents as events, vote, type TestRoom } from './support/factories';
import { joinRoom, REMOVE_MEMBER } from './support/live';
import { CLOSE_BALLOT, createProposal, openBallot } from './support/negotiation';

const PROGRESS = `query($id: ID!) { room(id: $id) { progress {
  partyCount
  proposals {
    proposal { id title status }
    openBrackets openAmendments
    latestBallot { id status secrecy tally { support } votes { party { id } choice } votedParties { id } }
    positions { party { id name } choice }
    awaitingVote { id name } awaitingSignature { id } awaitingPublishConsent { id }
    convergence { seq at openBrackets openAmendments supportingParties }
  }
} } }`;
const REMIND = `mutation($b: ID!) { remindParties(ballotId: $b) }`;
const SIGN = `mutation($a: ID!, $h: String!) { signAgreement(agreementId: $a, textHash: $h) { textHash } }`;
const CONSENT = `mutation($a: ID!) { consentToPublish(agreementId: $a) { id } }`;
const ARCHIVE = `mutation($id: ID!) { archiveRoom(roomId: $id) { id archived } }`;

type Point = { seq: number; openBrackets: number; openAmendments: number; supportingParties: number };

async function progressOf(client: Client, roomId: string, proposalId: string) {
  const d = await client.ok(PROGRESS, { id: roomId });
  const row = d.room.progress.proposals.find((p: any) => p.proposal.id === proposalId);
  return { partyCount: d.room.progress.partyCount as number, ...row } as Record<string, any> & { convergence: Point[] };
}

describe('progress', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  describe('room.progress', () => {
    // the figures themselves (brackets, amendments, supporters, convergence) are the medium
    // tier's: test/medium/progress.medium-spec.ts
    it('keeps an open secret ballot secret: no positions, no supporters, no convergence point until it closes', async () => {
      const room = await newRoom(app.anon);
      const fac = room.facilitator.client;
      const [a, b] = room.negotiators;
      const p = await createProposal(fac, room.id);
      const ballot = await openBallot(fac, p.id, { secrecy: 'SECRET_UNTIL_CLOSE', rule: 'MAJORITY', quorum: 0.5 });
      const before = (await progressOf(fac, room.id, p.id)).convergence;
      await vote(a.client, ballot.id, 'SUPPORT');
      await vote(b.client, ballot.id, 'SUPPORT');
      for (const viewer of [fac, a.client, b.client, room.observer.client]) {
        const pr = await progressOf(viewer, room.id, p.id);
        expect(pr.positions.map((x: any) => x.choice)).toEqual([null, null, null]);
        expect(pr.latestBallot.tally).toBeNull();
        expect(pr.awaitingVote.map((x: any) => x.name)).toEqual(['Lab C']);
        expect(pr.convergence).toEqual(before);
      }
      await fac.ok(CLOSE_BALLOT, { id: ballot.id });
      const pr = await progressOf(room.observer.client, room.id, p.id);
      expect(pr.positions.map((x: any) => x.choice)).toEqual(['SUPPORT', 'SUPPORT', null]);
      expect(pr.convergence).toHaveLength(before.length + 1);
      const closed = (await events(fac, room.id)).find((e: any) => e.type === 'ballot.closed')!;
      expect(pr.convergence.at(-1)).toMatchObject({ seq: (closed as any).seq, supportingParties: 2 });
    });

    // each instance keeps the series it has read and asks only for the points after them
    // (SeriesCache): points written through another instance, or by this one, must all reach it
    it('answers the whole series as it grows, written through this instance or another one', async () => {
      const room = await newRoom(app.anon);
      const fac = room.facilitator.client;
      const [a, b] = room.negotiators;
      const p = await createProposal(fac, room.id);
      const first = (await progressOf(fac, room.id, p.id)).convergence;
      expect(first.length).toBeGreaterThan(0);
      const other = await startServer({ DATABASE_URL: app.db.url });
      try {
        const onOther = (c: Client) => new Client(other.url, c.token);
        const ballot = await openBallot(onOther(fac), p.id);
        await vote(onOther(a.client), ballot.id, 'SUPPORT');
        await vote(a.client, ballot.id, 'OPPOSE');
        await vote(onOther(b.client), ballot.id, 'SUPPORT');
        const here = (await progressOf(fac, room.id, p.id)).convergence;
        const there = (await progressOf(onOther(fac), room.id, p.id)).convergence;
        expect(here).toEqual(there);
        expect(here.slice(0, first.length)).toEqual(first);
        expect(here.map((x) => x.supportingParties).slice(first.length)).toEqual([1, 0, 1]);
        const seqs = here.map((x) => x.seq);
        expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
        expect(new Set(seqs).size).toBe(seqs.length);
        // the same again, nothing new: the same answer
        expect((await progressOf(fac, room.id, p.id)).convergence).toEqual(here);
      } finally {
        await other.stop();
      }
    });

    it('lists who has not signed and not consented once an agreement exists', async () => {
      const room = await newRoom(app.anon);
      const fac = room.facilitator.client;
      const p = await createProposal(fac, room.id);
      const ballot = await openBallot(fac, p.id, { rule: 'UNANIMITY', quorum: 1 });
      for (const n of room.negotiators) await vote(n.client, ballot.id, 'SUPPORT');
      const q = await fac.ok(`query($id: ID!) { proposal(id: $id) { status agreement { id textHash } } }`, { id: p.id });
      expect(q.proposal.status).toBe('ADOPTED');
      let pr = await progressOf(fac, room.id, p.id);
      expect(pr.awaitingSignature.map((x: any) => x.id)).toEqual(room.parties.map((x) => x.id));
      expect(pr.convergence.at(-1)!.supportingParties).toBe(3);
      await room.negotiators[0].client.ok(SIGN, { a: q.proposal.agreement.id, h: q.proposal.agreement.textHash });
      await room.negotiators[1].client.ok(CONSENT, { a: q.proposal.agreement.id });
      pr = await progressOf(room.observer.client, room.id, p.id);
      expect(pr.awaitingSignature.map((x: any) => x.id)).toEqual([room.parties[1].id, room.parties[2].id]);
      expect(pr.awaitingPublishConsent.map((x: any) => x.id)).toEqual([room.parties[0].id, room.parties[2].id]);
    });

    it('keeps a party whose member was removed, and shuts the removed member out', async () => {
      const room = await newRoom(app.anon);
      const fac = room.facilitator.client;
      const p = await createProposal(fac, room.id);
      const ballot = await openBallot(fac, p.id);
      await vote(room.negotiators[1].client, ballot.id, 'OPPOSE');
      await fac.ok(REMOVE_MEMBER, { id: room.membershipIds.get(room.negotiators[1].id) });
      const pr = await progressOf(fac, room.id, p.id);
      expect(pr.partyCount).toBe(3);
      expect(pr.positions.map((x: any) => x.choice)).toEqual([null, 'OPPOSE', null]);
      expect(pr.awaitingVote.map((x: any) => x.name)).toEqual(['Lab A', 'Lab C']);
      expect(await room.negotiators[1].client.code(PROGRESS, { id: room.id })).toBe('NOT_FOUND');
    });

    it('reads an archived room', async () => {
      const room = await newRoom(app.anon);
      const fac = room.facilitator.client;
      const p = await createProposal(fac, room.id);
      const ballot = await openBallot(fac, p.id);
      await vote(room.negotiators[0].client, ballot.id, 'SUPPORT');
      await fac.ok(ARCHIVE, { id: room.id });
      const pr = await progressOf(room.observer.client, room.id, p.id);
      expect(pr.positions.map((x: any) => x.choice)).toEqual(['SUPPORT', null, null]);
      expect(pr.convergence.at(-1)!.supportingParties).toBe(1);
      expect(await fac.code(REMIND, { b: ballot.id })).toBe('INVALID_STATE');
      const csv = await fetch(`${app.server.url}/api/rooms/${room.id}/progress.csv`, { headers: { authorization: `Bearer ${room.observer.client.token}` } });
      expect(csv.status).toBe(200);
    });

    it('answers NOT_FOUND to a non-member', async () => {
      const room = await newRoom(app.anon);
      const outsider = await newUser(app.anon);
      expect(await outsider.client.code(PROGRESS, { id: room.id })).toBe('NOT_FOUND');
    });
  });

  describe('remindParties', () => {
    it('names the parties that have not voted, live and in the log, at most once an hour', async () => {
      const room = await newRoom(app.anon);
      const fac = room.facilitator.client;
      const p = await createProposal(fac, room.id);
      const ballot = await openBallot(fac, p.id);
      await vote(room.negotiators[0].client, ballot.id, 'SUPPORT');
      const live = await connectLive(app.server.url, room.observer.client.token);
      try {
        await joinRoom(live, room.id);
        expect((await fac.ok(REMIND, { b: ballot.id })).remindParties).toBe(true);
        const pushed = await live.waitFor('room:event', (e) => e.type === 'ballot.reminder');
        expect(JSON.parse(pushed.payload)).toEqual({
          ballotId: ballot.id,
          proposalId: p.id,
          parties: room.parties.slice(1).map((x) => ({ id: x.id, name: x.name })),
        });
      } finally {
        live.close();
      }
      const logged = (await events(room.negotiators[2].client, room.id)).filter((e: any) => e.type === 'ballot.reminder');
      expect(logged).toHaveLength(1);
      expect(await fac.code(REMIND, { b: ballot.id })).toBe('RATE_LIMITED');
      expect(await room.negotiators[0].client.code(REMIND, { b: ballot.id })).toBe('FORBIDDEN');
      expect(await room.observer.client.code(REMIND, { b: ballot.id })).toBe('FORBIDDEN');
      expect(await (await newUser(app.anon)).client.code(REMIND, { b: ballot.id })).toBe('NOT_FOUND');
      expect(await fac.code(REMIND, { b: randomUUID() })).toBe('NOT_FOUND');
      await fac.ok(CLOSE_BALLOT, { id: ballot.id });
      await app.sql(`UPDATE ballot_reminder SET last_reminded_at = now() - interval '2 hours'`);
      expect(await fac.code(REMIND, { b: ballot.id })).toBe('BALLOT_CLOSED');
    });

    it('gives exactly one reminder to two concurrent calls', async () => {
      const room = await newRoom(app.anon);
      const fac = room.facilitator.client;
      const ballot = await openBallot(fac, (await createProposal(fac, room.id)).id);
      const results = await Promise.all([fac.gql(REMIND, { b: ballot.id }), fac.gql(REMIND, { b: ballot.id })]);
      expect(results.filter((r) => r.data?.remindParties === true)).toHaveLength(1);
      expect(results.filter((r) => r.errors?.[0].extensions?.code === 'RATE_LIMITED')).toHaveLength(1);
      expect((await events(fac, room.id)).filter((e: any) => e.type === 'ballot.reminder')).toHaveLength(1);
    });

    it('allows another reminder after an hour', async () => {
      const room = await newRoom(app.anon);
      const fac = room.facilitator.client;
      const ballot = await openBallot(fac, (await createProposal(fac, room.id)).id);
      await fac.ok(REMIND, { b: ballot.id });
      await app.sql(`UPDATE ballot_reminder SET last_reminded_at = now() - interval '61 minutes' WHERE ballot_id = $1`, [ballot.id]);
      expect((await fac.ok(REMIND, { b: ballot.id })).remindParties).toBe(true);
    });
  });

  describe('GET /api/rooms/:id/progress.csv', () => {
    const get = (roomId: string, token: string | null) =>
      fetch(`${app.server.url}/api/rooms/${roomId}/progress.csv`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

    it('has one row per proposal and party, RFC 4180 quoting and no formulas', async () => {
      const tricky = 'Lab "A", Inc.\nEast';
      const room: TestRoom = await newRoom(app.anon, { parties: [tricky, '=HYPERLINK("http://x")', 'Plain'] });
      const fac = room.facilitator.client;
      const p = (
        await fac.ok(`mutation($i: CreateProposalInput!) { createProposal(input: $i) { id } }`, {
          i: { roomId: room.id, title: '@title, with "quotes"', clauses: [{ key: '1', text: 'One.' }] },
        })
      ).createProposal;
      const ballot = await openBallot(fac, p.id);
      await vote(room.negotiators[room.parties.findIndex((x) => x.name === tricky)].client, ballot.id, 'SUPPORT');
      const res = await get(room.id, room.negotiators[2].client.token);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const text = await res.text();
      expect(text).toContain('"Lab ""A"", Inc.\nEast"');
      expect(text.endsWith('\r\n')).toBe(true);
      const [header, ...rows] = parseCsv(text);
      expect(header).toEqual(['proposal id', 'proposal title', 'party', 'position', 'voted', 'signed', 'consented']);
      const byParty = (x: string[], y: string[]) => (x[2] < y[2] ? -1 : 1);
      expect(rows.sort(byParty)).toEqual(
        [
          [p.id, `'@title, with "quotes"`, tricky, 'SUPPORT', 'yes', '', ''],
          [p.id, `'@title, with "quotes"`, `'=HYPERLINK("http://x")`, '', 'no', '', ''],
          [p.id, `'@title, with "quotes"`, 'Plain', '', 'no', '', ''],
        ].sort(byParty),
      );
    });

    it('answers a non-member exactly as a room that does not exist', async () => {
      const room = await newRoom(app.anon);
      const outsider = await newUser(app.anon);
      const hidden = await get(room.id, outsider.client.token);
      const missing = await get(randomUUID(), outsider.client.token);
      expect(hidden.status).toBe(404);
      expect(missing.status).toBe(404);
      expect(await hidden.text()).toBe(await missing.text());
      expect((await get(room.id, null)).status).toBe(401);
    });
  });
});
