import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { BallotType, ProposalType } from '@parley/negotiation';
import type { PartyType } from '@parley/rooms';
import { figureBallots, progressCsvRows, proposalProgress } from './progress-figures';

const parties: PartyType[] = ['a', 'b', 'c', 'd'].map((id) => ({ id, name: `Party ${id}` }));
const proposal = { id: 'p', title: 'P', status: 'DRAFTING', openBrackets: 0 } as ProposalType;
const choice = fc.constantFrom('SUPPORT', 'OPPOSE', 'ABSTAIN', 'BLOCK') as fc.Arbitrary<BallotType['votes'][number]['choice']>;

// a ballot as the views give it: a sealed one shows who voted but no choice
const ballotArb = fc
  .record({
    amendment: fc.constantFrom(null, 'x', 'y'),
    status: fc.constantFrom('OPEN', 'CLOSED') as fc.Arbitrary<BallotType['status']>,
    secrecy: fc.constantFrom('OPEN', 'SECRET_UNTIL_CLOSE') as fc.Arbitrary<BallotType['secrecy']>,
    votes: fc
      .subarray(parties)
      .chain((voters) => fc.tuple(...voters.map((party) => choice.map((c) => ({ party, choice: c, reason: null, castAt: new Date(0) }))))),
  })
  .map(({ amendment, status, secrecy, votes }) => {
    const sealed = status === 'OPEN' && secrecy === 'SECRET_UNTIL_CLOSE';
    return { amendmentId: amendment, status, secrecy, votedParties: votes.map((v) => v.party), votes: sealed ? [] : votes } as unknown as BallotType;
  });
const ballotsArb = fc.array(ballotArb, { maxLength: 12 }).map((list) => list.map((b, i) => ({ ...b, id: `b${i}` })));
const signOffArb = fc.option(
  fc.record({ signed: fc.subarray(['a', 'b', 'c', 'd']).map((x) => new Set(x)), consented: fc.subarray(['a', 'b']).map((x) => new Set(x)) }),
  { nil: undefined },
);

describe('figureBallots', () => {
  it('keeps only the latest ballot, the latest on the whole text and the latest open one, in order', () => {
    fc.assert(
      fc.property(ballotsArb, (all) => {
        const kept = figureBallots(all);
        expect(kept.length).toBeLessThanOrEqual(3);
        expect(kept.map((b) => all.indexOf(b))).toEqual([...kept.map((b) => all.indexOf(b))].sort((x, y) => x - y));
        if (all.length) expect(kept.at(-1)).toBe(all.at(-1));
        expect(kept.filter((b) => b.amendmentId === null).at(-1)).toBe(all.filter((b) => b.amendmentId === null).at(-1));
        expect(kept.filter((b) => b.status === 'OPEN').at(-1)).toBe(all.filter((b) => b.status === 'OPEN').at(-1));
      }),
    );
  });

  it("gives the same progress row and CSV rows as all of a proposal's ballots", () => {
    fc.assert(
      fc.property(ballotsArb, signOffArb, (all, signOff) => {
        const kept = figureBallots(all);
        const fromAll = proposalProgress(proposal, parties, all, [], signOff);
        const fromKept = proposalProgress(proposal, parties, kept, [], signOff);
        expect(fromKept).toEqual(fromAll);
        expect(progressCsvRows([{ progress: fromKept, ballots: kept }])).toEqual(progressCsvRows([{ progress: fromAll, ballots: all }]));
      }),
    );
  });

  it('shows no position from a sealed whole-text ballot', () => {
    const sealed = {
      id: 's',
      amendmentId: null,
      status: 'OPEN',
      secrecy: 'SECRET_UNTIL_CLOSE',
      votedParties: parties,
      votes: parties.map((party) => ({ party, choice: 'SUPPORT' })),
    } as unknown as BallotType;
    const row = proposalProgress(proposal, parties, figureBallots([sealed]), [], undefined);
    expect(row.positions.map((p) => p.choice)).toEqual([null, null, null, null]);
    expect(row.awaitingVote).toEqual([]);
  });
});
