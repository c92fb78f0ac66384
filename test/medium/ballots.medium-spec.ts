// Ballot rules through the services on a real database: what a ballot freezes, when it
// closes, which vote of a party counts, what adopts a text. (Error codes over GraphQL, and
// who may do what, are the e2e tier's: ballots.e2e-spec.ts, authorization-matrix.e2e-spec.ts.)
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AmendmentsService, BallotsService, ProposalsService } from '@parley/negotiation';
import { codeOf, startMedium, type Medium, type MediumRoom, type MediumUser } from './support/medium';

const TEXTS = ['Each lab reports training runs above the threshold.', 'Reports go to the facilitator within 30 days.'];
const clauses = (...texts: string[]) => texts.map((text, i) => ({ key: String(i + 1), heading: null, text }));

describe('ballots (medium)', () => {
  let m: Medium;
  let proposals: ProposalsService;
  let ballots: BallotsService;
  let amendments: AmendmentsService;
  beforeAll(async () => {
    m = await startMedium();
    [proposals, ballots, amendments] = [m.get(ProposalsService), m.get(BallotsService), m.get(AmendmentsService)];
  });
  afterAll(async () => {
    await m?.close();
  });

  const propose = (room: MediumRoom, texts = TEXTS) =>
    proposals.create(room.facilitator.auth, { roomId: room.id, title: 'Compute reporting', clauses: clauses(...texts) });
  const open = (room: MediumRoom, proposalId: string, over: Record<string, unknown> = {}) =>
    ballots.open(room.facilitator.auth, { proposalId, rule: 'MAJORITY', quorum: 0.5, secrecy: 'OPEN', ...over } as Parameters<BallotsService['open']>[1]);
  const vote = (who: MediumUser, ballotId: string, choice: string, reason?: string) =>
    ballots.castVote(who.auth, { ballotId, choice, reason } as Parameters<BallotsService['castVote']>[1]);
  const state = async (viewer: MediumUser, proposalId: string) => {
    const p = await proposals.proposal(viewer.auth, proposalId);
    return { status: p.status, ballots: await ballots.forProposal(p) };
  };
  const eventsOf = (roomId: string) =>
    m.sql<{ type: string; payload: Record<string, any> }>(`SELECT type, payload FROM room_event WHERE room_id = $1 ORDER BY stream, seq`, [roomId]);

  it('a whole-text ballot freezes the text, closes when every party has voted, and a pass adopts it with its agreement', async () => {
    const room = await m.room();
    const p = await propose(room);
    const b = await open(room, p.id, { rule: 'UNANIMITY', quorum: 1 });
    expect((await state(room.observer, p.id)).status).toBe('VOTING');
    const neg = room.negotiators[0].auth;
    expect(await codeOf(proposals.revise(neg, { proposalId: p.id, expectedVersion: 1, clauses: clauses('x') }))).toBe('INVALID_STATE');
    expect(await codeOf(proposals.addAlternative(neg, p.id, '1', 'Other.', 1))).toBe('INVALID_STATE');
    expect(
      await codeOf(
        amendments.propose(neg, { proposalId: p.id, baseVersion: 1, clauseKey: '1', kind: 'DELETE' } as Parameters<AmendmentsService['propose']>[1]),
      ),
    ).toBe('INVALID_STATE');
    expect(await codeOf(open(room, p.id))).toBe('INVALID_STATE');

    for (const n of room.negotiators) await vote(n, b.id, 'SUPPORT');
    const after = await state(room.observer, p.id);
    expect(after.status).toBe('ADOPTED');
    expect(after.ballots[0]).toMatchObject({ status: 'CLOSED', outcome: 'PASSED', tally: { support: 3, oppose: 0, abstain: 0, block: 0, notVoted: 0 } });
    const agreements = await m.sql(`SELECT id, version, text_hash, status, clauses FROM agreement WHERE proposal_id = $1`, [p.id]);
    expect(agreements).toEqual([expect.objectContaining({ version: 1, text_hash: p.textHash, status: 'AWAITING_SIGNATURES' })]);
    expect(JSON.stringify(agreements[0].clauses)).toContain(TEXTS[1]);
    const ev = await eventsOf(room.id);
    expect(ev.find((e) => e.type === 'ballot.closed')?.payload).toMatchObject({ ballotId: b.id, outcome: 'PASSED', cause: 'ALL_VOTED' });
    expect(ev.find((e) => e.type === 'proposal.adopted')?.payload).toMatchObject({
      proposalId: p.id,
      version: 1,
      textHash: p.textHash,
      agreementId: agreements[0].id,
    });
    expect(await codeOf(vote(room.negotiators[0], b.id, 'OPPOSE'))).toBe('BALLOT_CLOSED');
    expect(await codeOf(ballots.close(room.facilitator.auth, b.id))).toBe('INVALID_STATE');
  });

  it('returns a failed or inquorate text to drafting', async () => {
    const room = await m.room();
    const p = await propose(room);
    const b1 = await open(room, p.id, { rule: 'CONSENSUS', quorum: 0.5 });
    await vote(room.negotiators[0], b1.id, 'SUPPORT');
    await vote(room.negotiators[1], b1.id, 'BLOCK');
    expect(await ballots.close(room.facilitator.auth, b1.id)).toMatchObject({
      status: 'CLOSED',
      outcome: 'FAILED',
      tally: { support: 1, block: 1, notVoted: 1 },
    });
    expect((await state(room.observer, p.id)).status).toBe('DRAFTING');
    const b2 = await open(room, p.id, { rule: 'MAJORITY', quorum: 1 });
    await vote(room.negotiators[0], b2.id, 'SUPPORT');
    expect((await ballots.close(room.facilitator.auth, b2.id)).outcome).toBe('NO_QUORUM');
    expect((await state(room.observer, p.id)).status).toBe('DRAFTING');
    expect(await m.sql(`SELECT id FROM agreement WHERE proposal_id = $1`, [p.id])).toEqual([]);
    const revised = await proposals.revise(room.negotiators[0].auth, { proposalId: p.id, expectedVersion: 1, clauses: clauses('Editable again.') });
    expect(revised.version).toBe(2);
  });

  it("counts only a party's latest vote", async () => {
    const room = await m.room();
    const p = await propose(room);
    const b = await open(room, p.id);
    await vote(room.negotiators[0], b.id, 'SUPPORT');
    await vote(room.negotiators[0], b.id, 'OPPOSE', 'changed our mind');
    const [ballot] = (await state(room.observer, p.id)).ballots;
    expect(ballot.votes).toEqual([expect.objectContaining({ party: room.parties[0], choice: 'OPPOSE', reason: 'changed our mind' })]);
    expect(ballot.tally).toEqual({ support: 0, oppose: 1, abstain: 0, block: 0, notVoted: 2 });
    expect(ballot.status).toBe('OPEN');
  });

  it('refuses a text with open brackets', async () => {
    const room = await m.room(['A']);
    const p = await propose(room);
    await proposals.addAlternative(room.facilitator.auth, p.id, '1', 'Other.', 1);
    expect(await codeOf(open(room, p.id))).toBe('OPEN_BRACKETS');
    expect(await m.sql(`SELECT id FROM ballot WHERE proposal_id = $1`, [p.id])).toEqual([]);
  });

  describe('a ballot on an amendment', () => {
    const amend = (room: MediumRoom, proposalId: string, over: Record<string, unknown>) =>
      amendments.propose(room.negotiators[0].auth, { proposalId, baseVersion: 1, ...over } as Parameters<AmendmentsService['propose']>[1]);
    const amendmentIds = async (viewer: MediumUser, proposalId: string, status: string) =>
      (await amendments.list(await proposals.proposal(viewer.auth, proposalId), status as Parameters<AmendmentsService['list']>[1])).map((x) => x.id);

    it('applies the amendment when it passes', async () => {
      const room = await m.room();
      const p = await propose(room, ['One.', 'Two.']);
      const a = await amend(room, p.id, { clauseKey: '1', kind: 'REPLACE', text: 'Uno.' });
      const b = await open(room, p.id, { amendmentId: a.id, rule: 'MAJORITY' });
      expect((await state(room.observer, p.id)).status).toBe('DRAFTING');
      expect(await codeOf(amendments.accept(room.facilitator.auth, a.id, 1))).toBe('INVALID_STATE');
      await vote(room.negotiators[0], b.id, 'SUPPORT');
      await vote(room.negotiators[1], b.id, 'SUPPORT');
      expect(await ballots.close(room.facilitator.auth, b.id)).toMatchObject({ outcome: 'PASSED', amendmentId: a.id });
      const after = await proposals.proposal(room.observer.auth, p.id);
      expect(after.version).toBe(2);
      expect(after.clauses.map((c) => c.text)).toEqual(['Uno.', 'Two.']);
      expect(await amendmentIds(room.observer, p.id, 'ACCEPTED')).toEqual([a.id]);
      expect((await eventsOf(room.id)).find((e) => e.type === 'amendment.accepted')?.payload).toMatchObject({ amendmentId: a.id, ballotId: b.id, version: 2 });
    });

    it('keeps the amendment open and records a conflict when its clause changed meanwhile', async () => {
      const room = await m.room();
      const p = await propose(room, ['One.', 'Two.']);
      const a = await amend(room, p.id, { clauseKey: '1', kind: 'REPLACE', text: 'Uno.' });
      const b = await open(room, p.id, { amendmentId: a.id, rule: 'MAJORITY' });
      await proposals.revise(room.negotiators[1].auth, { proposalId: p.id, expectedVersion: 1, clauses: clauses('One, revised.', 'Two.') });
      for (const n of room.negotiators) await vote(n, b.id, 'SUPPORT');
      const after = await state(room.observer, p.id);
      expect(after.ballots[0]).toMatchObject({ status: 'CLOSED', outcome: 'PASSED' });
      expect((await proposals.proposal(room.observer.auth, p.id)).clauses.map((c) => c.text)).toEqual(['One, revised.', 'Two.']);
      expect(await amendmentIds(room.observer, p.id, 'OPEN')).toEqual([a.id]);
      expect((await eventsOf(room.id)).find((e) => e.type === 'amendment.conflict')?.payload).toMatchObject({
        amendmentId: a.id,
        ballotId: b.id,
        currentVersion: 2,
      });
    });

    it('rejects the amendment when it fails', async () => {
      const room = await m.room(['A', 'B']);
      const p = await propose(room, ['One.', 'Two.']);
      const a = await amend(room, p.id, { clauseKey: '2', kind: 'DELETE' });
      const b = await open(room, p.id, { amendmentId: a.id, rule: 'UNANIMITY', quorum: 1 });
      await vote(room.negotiators[0], b.id, 'SUPPORT');
      await vote(room.negotiators[1], b.id, 'OPPOSE');
      expect(await amendmentIds(room.observer, p.id, 'REJECTED')).toEqual([a.id]);
      expect((await proposals.proposal(room.observer.auth, p.id)).version).toBe(1);
    });
  });
});
