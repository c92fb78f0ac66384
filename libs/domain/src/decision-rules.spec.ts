import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  decide,
  latestVotes,
  reachesShare,
  tally,
  validateBallotRule,
  VOTE_CHOICES,
  type CastVote,
  type DecisionRule,
  type VoteChoice,
} from './decision-rules';
import { DomainError } from './domain-error';

const parties = (n: number) => Array.from({ length: n }, (_, i) => `p${i}`);
const vote = (partyId: string, choice: VoteChoice, castAt = 0, seq?: number): CastVote => ({ partyId, choice, castAt, seq });
const votesOf = (...choices: VoteChoice[]) => choices.map((c, i) => vote(`p${i}`, c));

const choice = fc.constantFrom(...VOTE_CHOICES);
const rule = fc.constantFrom<DecisionRule>('UNANIMITY', 'CONSENSUS', 'SUPERMAJORITY', 'MAJORITY');
const share = fc.integer({ min: 0, max: 100 }).map((x) => x / 100);
const threshold = fc.integer({ min: 51, max: 100 }).map((x) => x / 100);

// A room of 0..8 parties and up to 30 votes, some from parties no longer in the room,
// each with a distinct (castAt, seq) so "latest" is well defined whatever the array order.
const room = fc
  .record({
    n: fc.integer({ min: 0, max: 8 }),
    raw: fc.array(fc.record({ party: fc.integer({ min: 0, max: 10 }), choice, castAt: fc.integer({ min: 0, max: 5 }) }), {
      maxLength: 30,
    }),
  })
  .map(({ n, raw }) => ({
    partyIds: parties(n),
    votes: raw.map((r, i) => vote(`p${r.party}`, r.choice, r.castAt, i)),
  }));

// rooms where every party's last word is SUPPORT, after any earlier votes
const supportiveRoom = room.map(({ partyIds, votes }) => ({
  partyIds,
  votes: [...votes, ...partyIds.map((p, i) => vote(p, 'SUPPORT', 10, 100 + i))],
}));

// the same room with its votes in another order
const reordered = room.chain((r) => fc.tuple(fc.constant(r), fc.shuffledSubarray(r.votes, { minLength: r.votes.length, maxLength: r.votes.length })));

describe('latestVotes', () => {
  it('keeps the vote with the latest castAt', () => {
    const m = latestVotes([vote('a', 'OPPOSE', 20), vote('a', 'SUPPORT', 10), vote('b', 'BLOCK', 5)]);
    expect(m).toEqual(
      new Map([
        ['a', 'OPPOSE'],
        ['b', 'BLOCK'],
      ]),
    );
  });

  it('breaks a castAt tie by seq, then by array order', () => {
    expect(latestVotes([vote('a', 'OPPOSE', 10, 2), vote('a', 'SUPPORT', 10, 1)]).get('a')).toBe('OPPOSE');
    expect(latestVotes([vote('a', 'SUPPORT', 10, 5), vote('a', 'OPPOSE', 10)]).get('a')).toBe('SUPPORT');
    expect(latestVotes([vote('a', 'SUPPORT', 10), vote('a', 'OPPOSE', 10)]).get('a')).toBe('OPPOSE');
  });

  it('is the same for any order of the votes', () => {
    fc.assert(
      fc.property(reordered, ([{ votes }, shuffled]) => {
        expect(latestVotes(shuffled)).toEqual(latestVotes(votes));
      }),
    );
  });
});

describe('tally', () => {
  it('counts each party once, by its latest vote', () => {
    const t = tally(['a', 'b', 'c'], [vote('a', 'SUPPORT', 1), vote('a', 'OPPOSE', 2), vote('b', 'ABSTAIN', 1)]);
    expect(t).toEqual({ support: 0, oppose: 1, abstain: 1, block: 0, notVoted: 1 });
  });

  it('ignores the vote of a party no longer in the room', () => {
    expect(tally(['a'], [vote('a', 'SUPPORT'), vote('gone', 'BLOCK')])).toEqual({
      support: 1,
      oppose: 0,
      abstain: 0,
      block: 0,
      notVoted: 0,
    });
  });

  it('always sums to the number of parties', () => {
    fc.assert(
      fc.property(room, ({ partyIds, votes }) => {
        const t = tally(partyIds, votes);
        expect(t.support + t.oppose + t.abstain + t.block + t.notVoted).toBe(partyIds.length);
      }),
    );
  });
});

describe('reachesShare', () => {
  it('treats a typed two-thirds as exactly two of three', () => {
    expect(reachesShare(2, 3, 2 / 3)).toBe(true);
    expect(reachesShare(2, 3, 0.6666666667)).toBe(true);
    expect(reachesShare(2, 3, 0.667)).toBe(false);
    expect(reachesShare(3, 3, 0.667)).toBe(true);
  });

  it('absorbs floating-point noise in the product', () => {
    // 0.7 × 10 is 7.000000000000001 in binary floating point
    expect(reachesShare(7, 10, 0.7)).toBe(true);
    expect(reachesShare(29, 100, 0.29)).toBe(true);
  });

  it('agrees with exact arithmetic on shares given in hundredths', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 100 }), (part, whole, pct) => {
        expect(reachesShare(part, whole, pct / 100)).toBe(part * 100 >= pct * whole);
      }),
    );
  });
});

describe('decide', () => {
  const run = (r: DecisionRule, choices: VoteChoice[], opts: { n?: number; quorum?: number; threshold?: number | null } = {}) =>
    decide({
      rule: r,
      threshold: opts.threshold ?? (r === 'SUPERMAJORITY' ? 0.667 : null),
      quorum: opts.quorum ?? 0.5,
      partyIds: parties(opts.n ?? choices.length),
      votes: votesOf(...choices),
    }).outcome;

  it('has no quorum in a room without parties', () => {
    expect(run('MAJORITY', [], { n: 0, quorum: 0 })).toBe('NO_QUORUM');
  });

  it('has no quorum when too few parties voted, abstentions included', () => {
    expect(run('MAJORITY', ['SUPPORT'], { n: 3, quorum: 0.5 })).toBe('NO_QUORUM');
    expect(run('MAJORITY', ['SUPPORT', 'ABSTAIN'], { n: 3, quorum: 0.5 })).toBe('PASSED');
    expect(run('CONSENSUS', ['SUPPORT', 'SUPPORT'], { n: 3, quorum: 1 })).toBe('NO_QUORUM');
  });

  it('passes unanimity only if every party supports', () => {
    expect(run('UNANIMITY', ['SUPPORT', 'SUPPORT', 'SUPPORT'])).toBe('PASSED');
    expect(run('UNANIMITY', ['SUPPORT', 'SUPPORT', 'ABSTAIN'])).toBe('FAILED');
    expect(run('UNANIMITY', ['SUPPORT', 'SUPPORT'], { n: 3 })).toBe('FAILED');
  });

  it('passes consensus with one support and no opposition or block', () => {
    expect(run('CONSENSUS', ['SUPPORT', 'ABSTAIN', 'ABSTAIN'])).toBe('PASSED');
    expect(run('CONSENSUS', ['ABSTAIN', 'ABSTAIN'])).toBe('FAILED');
    expect(run('CONSENSUS', ['SUPPORT', 'SUPPORT', 'OPPOSE'])).toBe('FAILED');
    expect(run('CONSENSUS', ['SUPPORT', 'SUPPORT', 'BLOCK'])).toBe('FAILED');
  });

  it('passes a supermajority when support reaches the threshold of non-abstaining votes', () => {
    expect(run('SUPERMAJORITY', ['SUPPORT', 'SUPPORT', 'OPPOSE'], { threshold: 2 / 3 })).toBe('PASSED');
    expect(run('SUPERMAJORITY', ['SUPPORT', 'SUPPORT', 'OPPOSE'], { threshold: 0.667 })).toBe('FAILED');
    expect(run('SUPERMAJORITY', ['SUPPORT', 'SUPPORT', 'BLOCK', 'ABSTAIN'], { threshold: 0.6 })).toBe('PASSED');
    expect(run('SUPERMAJORITY', ['ABSTAIN', 'ABSTAIN'], { threshold: 0.6 })).toBe('FAILED');
  });

  it('passes a majority when support outnumbers opposition and blocks together', () => {
    expect(run('MAJORITY', ['SUPPORT', 'SUPPORT', 'OPPOSE'])).toBe('PASSED');
    expect(run('MAJORITY', ['SUPPORT', 'SUPPORT', 'OPPOSE', 'BLOCK'])).toBe('FAILED');
    expect(run('MAJORITY', ['SUPPORT', 'ABSTAIN', 'ABSTAIN'])).toBe('PASSED');
  });

  it('refuses a supermajority without a threshold', () => {
    expect(() => decide({ rule: 'SUPERMAJORITY', quorum: 0, partyIds: ['a'], votes: [vote('a', 'SUPPORT')] })).toThrow(DomainError);
  });

  it('does not depend on the order of the votes', () => {
    fc.assert(
      fc.property(reordered, rule, threshold, share, ([{ partyIds, votes }, shuffled], r, th, q) => {
        const input = { rule: r, threshold: th, quorum: q, partyIds };
        expect(decide({ ...input, votes: shuffled })).toEqual(decide({ ...input, votes }));
      }),
    );
  });

  it("counts only a party's latest vote", () => {
    fc.assert(
      fc.property(room, rule, threshold, share, ({ partyIds, votes }, r, th, q) => {
        const latest = latestVotes(votes);
        const onlyLatest = [...latest].map(([p, c]) => vote(p, c));
        const input = { rule: r, threshold: th, quorum: q, partyIds };
        expect(decide({ ...input, votes: onlyLatest })).toEqual(decide({ ...input, votes }));
      }),
    );
  });

  it('passes consensus whenever unanimity passes on the same votes and quorum', () => {
    fc.assert(
      fc.property(fc.oneof(room, supportiveRoom), share, ({ partyIds, votes }, q) => {
        const unanimity = decide({ rule: 'UNANIMITY', quorum: q, partyIds, votes });
        if (unanimity.outcome === 'PASSED') {
          expect(decide({ rule: 'CONSENSUS', quorum: q, partyIds, votes }).outcome).toBe('PASSED');
        }
      }),
    );
  });

  it('gives NO_QUORUM whenever the share of parties that voted is below the quorum', () => {
    fc.assert(
      fc.property(room, rule, threshold, ({ partyIds, votes }, r, th) => {
        const t = tally(partyIds, votes);
        const n = partyIds.length;
        const voted = n - t.notVoted;
        fc.pre(voted < n);
        // any quorum strictly above voted / n
        const quorum = Math.min(1, (voted + 0.01) / n);
        expect(decide({ rule: r, threshold: th, quorum, partyIds, votes }).outcome).toBe('NO_QUORUM');
      }),
    );
  });

  it('never turns PASSED into FAILED when a party that had not voted adds its support', () => {
    fc.assert(
      fc.property(
        room,
        fc.constantFrom<DecisionRule>('CONSENSUS', 'SUPERMAJORITY', 'MAJORITY'),
        threshold,
        share,
        fc.nat(),
        ({ partyIds, votes }, r, th, q, pick) => {
          const latest = latestVotes(votes);
          const silent = partyIds.filter((p) => !latest.has(p));
          fc.pre(silent.length > 0);
          const input = { rule: r, threshold: th, quorum: q, partyIds };
          const before = decide({ ...input, votes }).outcome;
          const after = decide({ ...input, votes: [...votes, vote(silent[pick % silent.length], 'SUPPORT', 99)] }).outcome;
          if (before === 'PASSED') expect(after).toBe('PASSED');
        },
      ),
    );
  });

  it('returns the tally with the outcome', () => {
    const d = decide({ rule: 'MAJORITY', quorum: 0, partyIds: ['a', 'b'], votes: [vote('a', 'SUPPORT')] });
    expect(d).toEqual({ outcome: 'PASSED', tally: { support: 1, oppose: 0, abstain: 0, block: 0, notVoted: 1 } });
  });
});

describe('validateBallotRule', () => {
  it('accepts each rule with fitting settings', () => {
    expect(validateBallotRule('UNANIMITY', null, 1)).toEqual({});
    expect(validateBallotRule('CONSENSUS', undefined, 0.5)).toEqual({});
    expect(validateBallotRule('MAJORITY', null, 0)).toEqual({});
    expect(validateBallotRule('SUPERMAJORITY', 0.667, 0.5)).toEqual({});
    expect(validateBallotRule('SUPERMAJORITY', 1, 0.5)).toEqual({});
  });

  it('refuses a quorum outside 0..1', () => {
    expect(Object.keys(validateBallotRule('MAJORITY', null, 1.01))).toEqual(['quorum']);
    expect(Object.keys(validateBallotRule('MAJORITY', null, -0.1))).toEqual(['quorum']);
    expect(Object.keys(validateBallotRule('MAJORITY', null, Number.NaN))).toEqual(['quorum']);
  });

  it('needs a supermajority threshold above one half and at most one', () => {
    expect(Object.keys(validateBallotRule('SUPERMAJORITY', null, 0.5))).toEqual(['threshold']);
    expect(Object.keys(validateBallotRule('SUPERMAJORITY', 0.5, 0.5))).toEqual(['threshold']);
    expect(Object.keys(validateBallotRule('SUPERMAJORITY', 1.5, 0.5))).toEqual(['threshold']);
  });

  it('refuses a threshold with any other rule', () => {
    expect(validateBallotRule('MAJORITY', 0.6, 0.5)).toEqual({ threshold: 'only SUPERMAJORITY takes a threshold' });
  });

  it('names every bad field at once', () => {
    expect(Object.keys(validateBallotRule('PLURALITY', 0.6, 2)).sort()).toEqual(['quorum', 'rule']);
  });
});
