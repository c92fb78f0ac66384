// Progress figures through the services on a real database: brackets, amendments,
// supporters, who is awaited, and one convergence point per change. (What each viewer may
// see of a secret ballot, and the CSV over HTTP, are the e2e tier's: progress.e2e-spec.ts.)
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AmendmentsService, BallotsService, ProposalsService } from '@parley/negotiation';
import { ProgressService } from '@parley/progress';
import { RoomsService } from '@parley/rooms';
import { startMedium, type Medium, type MediumUser } from './support/medium';

describe('progress (medium)', () => {
  let m: Medium;
  beforeAll(async () => {
    m = await startMedium();
  });
  afterAll(async () => {
    await m?.close();
  });

  const progressOf = async (viewer: MediumUser, roomId: string, proposalId: string) => {
    const room = await m.get(RoomsService).room(viewer.auth, roomId);
    const progress = await m.get(ProgressService).progress(room.scope);
    const row = progress.proposals.find((p) => p.proposal.id === proposalId)!;
    return { partyCount: progress.partyCount, ...row };
  };
  const figures = (p: { openBrackets: number; openAmendments: number; supportingParties: number }) => [p.openBrackets, p.openAmendments, p.supportingParties];
  const names = (parties: Array<{ name: string }>) => parties.map((x) => x.name);

  it('counts brackets, amendments and supporters, one convergence point per change', async () => {
    const [proposals, amendments, ballots] = [m.get(ProposalsService), m.get(AmendmentsService), m.get(BallotsService)];
    const room = await m.room();
    const fac = room.facilitator.auth;
    const [a, b, c] = room.negotiators;
    const p = await proposals.create(fac, {
      roomId: room.id,
      title: 'Compute reporting',
      clauses: [
        { key: '1', text: 'Each lab reports training runs above the threshold.' },
        { key: '2', text: 'Reports go to the facilitator within 30 days.' },
      ],
    });
    let pr = await progressOf(room.observer, room.id, p.id);
    expect(pr).toMatchObject({
      partyCount: 3,
      openBrackets: 0,
      openAmendments: 0,
      latestBallot: null,
      awaitingVote: [],
      awaitingSignature: [],
      awaitingPublishConsent: [],
    });
    expect(pr.positions.map((x) => [x.party.name, x.choice])).toEqual([
      ['Lab A', null],
      ['Lab B', null],
      ['Lab C', null],
    ]);
    expect(pr.convergence.map(figures)).toEqual([[0, 0, 0]]);

    const bracketed = await proposals.addAlternative(a.auth, p.id, '1', 'Only labs above the threshold report.', 1);
    const amendment = await amendments.propose(b.auth, {
      proposalId: p.id,
      baseVersion: 2,
      clauseKey: '2',
      kind: 'REPLACE',
      text: 'Within 60 days.',
    } as Parameters<AmendmentsService['propose']>[1]);
    pr = await progressOf(c, room.id, p.id);
    expect([pr.openBrackets, pr.openAmendments]).toEqual([1, 1]);
    expect(pr.convergence.map(figures)).toEqual([
      [0, 0, 0],
      [1, 0, 0],
      [1, 1, 0],
    ]);

    await amendments.reject(fac, amendment.id);
    await proposals.resolveBracket(fac, p.id, '1', bracketed.clauses[0].alternatives[1].id, 2);
    const ballot = await ballots.open(fac, { proposalId: p.id, rule: 'UNANIMITY', quorum: 1, secrecy: 'OPEN' } as Parameters<BallotsService['open']>[1]);
    pr = await progressOf(room.facilitator, room.id, p.id);
    expect(pr.latestBallot).toMatchObject({ id: ballot.id, status: 'OPEN' });
    expect(names(pr.awaitingVote)).toEqual(['Lab A', 'Lab B', 'Lab C']);

    const vote = (who: MediumUser, choice: string) => ballots.castVote(who.auth, { ballotId: ballot.id, choice } as Parameters<BallotsService['castVote']>[1]);
    await vote(a, 'SUPPORT');
    pr = await progressOf(b, room.id, p.id);
    expect(pr.positions.map((x) => x.choice)).toEqual(['SUPPORT', null, null]);
    expect(names(pr.awaitingVote)).toEqual(['Lab B', 'Lab C']);
    await vote(b, 'OPPOSE');
    await vote(c, 'SUPPORT'); // the last vote closes it: FAILED under unanimity
    pr = await progressOf(room.observer, room.id, p.id);
    expect(pr.proposal.status).toBe('DRAFTING');
    expect(pr.latestBallot?.status).toBe('CLOSED');
    expect(pr.awaitingVote).toEqual([]);
    expect(pr.positions.map((x) => x.choice)).toEqual(['SUPPORT', 'OPPOSE', 'SUPPORT']);
    expect(pr.convergence.map(figures)).toEqual([
      [0, 0, 0],
      [1, 0, 0],
      [1, 1, 0],
      [1, 0, 0],
      [0, 0, 0],
      [0, 0, 1],
      [0, 0, 2],
    ]);
    const seqs = pr.convergence.map((x) => x.seq);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    const log = (await m.sql<{ seq: number }>(`SELECT seq FROM room_event WHERE room_id = $1 AND stream = 'room'`, [room.id])).map((e) => e.seq);
    for (const seq of seqs) expect(log).toContain(seq);
    // the supporters' points sit at the votes that moved them (the writer hands the figures with its vote.cast)
    const votes = (await m.sql<{ seq: number }>(`SELECT seq FROM room_event WHERE room_id = $1 AND type = 'vote.cast' ORDER BY seq`, [room.id])).map(
      (e) => e.seq,
    );
    expect(seqs.slice(-2)).toEqual([votes[0], votes[2]]);
  });
});
