import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ballotView } from './ballot-view';
import type { BallotEntity, VoteEntity } from './negotiation.entities';
import type { PartyEntity } from '@parley/rooms';

const parties = ['a', 'b', 'c'].map((id) => ({ id, name: id.toUpperCase(), roomId: 'r', createdAt: new Date(0) }) as PartyEntity);
const ballot = (over: Partial<BallotEntity>): BallotEntity =>
  ({
    id: 'x',
    proposalId: 'p',
    amendmentId: null,
    version: 1,
    rule: 'MAJORITY',
    threshold: null,
    quorum: 0.5,
    secrecy: 'SECRET_UNTIL_CLOSE',
    status: 'OPEN',
    outcome: null,
    tally: null,
    closesAt: null,
    ...over,
  }) as BallotEntity;
const choice = fc.constantFrom('SUPPORT', 'OPPOSE', 'ABSTAIN', 'BLOCK') as fc.Arbitrary<VoteEntity['choice']>;
const votesArb = fc
  .subarray(['a', 'b', 'c'])
  .chain((ids) =>
    fc.tuple(
      ...ids.map((partyId) => choice.map((c) => ({ ballotId: 'x', partyId, choice: c, reason: null, membershipId: 'm', castAt: new Date(1) }) as VoteEntity)),
    ),
  );

describe('ballotView', () => {
  it("shows a sealed open ballot's voters but only the viewer's own party's choice and no tally", () => {
    fc.assert(
      fc.property(votesArb, fc.constantFrom('a', 'b', 'c', null), (votes, viewer) => {
        const v = ballotView(ballot({}), votes, parties, viewer);
        expect(v.tally).toBeNull();
        expect(v.votedParties.map((p) => p.id).sort()).toEqual(votes.map((x) => x.partyId).sort());
        expect(v.votes.every((x) => x.party.id === viewer)).toBe(true);
      }),
    );
  });

  it('shows every vote and the tally of an open-secrecy or closed ballot', () => {
    fc.assert(
      fc.property(votesArb, fc.constantFrom<Partial<BallotEntity>>({ secrecy: 'OPEN' }, { status: 'CLOSED', outcome: 'FAILED' }), (votes, over) => {
        const v = ballotView(ballot(over), votes, parties, null);
        expect(v.votes).toHaveLength(votes.length);
        expect(v.tally!.notVoted).toBe(3 - votes.length);
      }),
    );
  });
});
