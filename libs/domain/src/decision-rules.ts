import { badUserInput } from './domain-error';

export type VoteChoice = 'SUPPORT' | 'OPPOSE' | 'ABSTAIN' | 'BLOCK';
export type DecisionRule = 'UNANIMITY' | 'CONSENSUS' | 'SUPERMAJORITY' | 'MAJORITY';
export type BallotOutcome = 'PASSED' | 'FAILED' | 'NO_QUORUM';

export const VOTE_CHOICES: readonly VoteChoice[] = ['SUPPORT', 'OPPOSE', 'ABSTAIN', 'BLOCK'];
export const DECISION_RULES: readonly DecisionRule[] = ['UNANIMITY', 'CONSENSUS', 'SUPERMAJORITY', 'MAJORITY'];

export interface CastVote {
  partyId: string;
  choice: VoteChoice;
  castAt: number; // ms since the epoch
  seq?: number; // e.g. the room event seq; breaks ties between votes cast in the same ms
}

export interface Tally {
  support: number;
  oppose: number;
  abstain: number;
  block: number;
  notVoted: number;
}

export interface DecisionInput {
  rule: DecisionRule;
  threshold?: number | null;
  quorum: number;
  partyIds: string[];
  votes: CastVote[];
}

export interface Decision {
  outcome: BallotOutcome;
  tally: Tally;
}

// A vote without seq sorts before one with seq at the same castAt; equal keys fall back
// to array order (later wins).
function castBefore(a: CastVote, b: CastVote): boolean {
  if (a.castAt !== b.castAt) return a.castAt < b.castAt;
  const sa = a.seq ?? Number.NEGATIVE_INFINITY;
  const sb = b.seq ?? Number.NEGATIVE_INFINITY;
  return sa < sb;
}

// A party's vote is its latest one: by castAt, then seq, then array order.
export function latestVotes(votes: CastVote[]): Map<string, VoteChoice> {
  const latest = new Map<string, CastVote>();
  for (const v of votes) {
    const seen = latest.get(v.partyId);
    if (seen === undefined || !castBefore(v, seen)) latest.set(v.partyId, v);
  }
  return new Map([...latest].map(([party, v]) => [party, v.choice]));
}

// Counts each party in partyIds once (duplicates ignored); votes of other parties
// (e.g. one removed since) do not count. The five counts always sum to the party count.
export function tally(partyIds: string[], votes: CastVote[]): Tally {
  const latest = latestVotes(votes);
  const t: Tally = { support: 0, oppose: 0, abstain: 0, block: 0, notVoted: 0 };
  for (const party of new Set(partyIds)) {
    switch (latest.get(party)) {
      case 'SUPPORT':
        t.support += 1;
        break;
      case 'OPPOSE':
        t.oppose += 1;
        break;
      case 'ABSTAIN':
        t.abstain += 1;
        break;
      case 'BLOCK':
        t.block += 1;
        break;
      default:
        t.notVoted += 1;
    }
  }
  return t;
}

// Whether part ≥ share × whole. Shares (quorum, threshold) are user-typed decimals, so the
// product is rounded to 9 decimal places before comparing with the whole number `part`:
// 2/3 × 3 and 0.6666666667 × 3 both count as exactly 2 (2 of 3 reaches them), while
// 0.667 × 3 = 2.001 needs a third party. Binary floating-point noise never flips a result.
export function reachesShare(part: number, whole: number, share: number): boolean {
  return part * 1e9 >= Math.round(share * whole * 1e9);
}

// PRODUCT.md "Lifecycle rules", over the parties when the ballot closes.
export function decide(input: DecisionInput): Decision {
  const t = tally(input.partyIds, input.votes);
  const n = t.support + t.oppose + t.abstain + t.block + t.notVoted;
  const voted = n - t.notVoted;
  if (n === 0 || !reachesShare(voted, n, input.quorum)) return { outcome: 'NO_QUORUM', tally: t };
  return { outcome: passes(input, t, n) ? 'PASSED' : 'FAILED', tally: t };
}

function passes(input: DecisionInput, t: Tally, n: number): boolean {
  switch (input.rule) {
    case 'UNANIMITY':
      return t.support === n;
    case 'CONSENSUS':
      return t.support > 0 && t.oppose === 0 && t.block === 0;
    case 'SUPERMAJORITY': {
      const threshold = input.threshold;
      if (threshold === null || threshold === undefined) throw badUserInput({ threshold: 'SUPERMAJORITY needs a threshold' });
      return t.support > 0 && reachesShare(t.support, t.support + t.oppose + t.block, threshold);
    }
    case 'MAJORITY':
      return t.support > t.oppose + t.block;
  }
}

// Bad fields of a ballot's rule settings (empty = valid). Only SUPERMAJORITY takes a
// threshold; a threshold given with another rule is refused rather than silently ignored.
export function validateBallotRule(rule: unknown, threshold: unknown, quorum: unknown): Record<string, string> {
  const bad: Record<string, string> = {};
  if (typeof quorum !== 'number' || !Number.isFinite(quorum) || quorum < 0 || quorum > 1) {
    bad.quorum = 'must be a number between 0 and 1';
  }
  if (!DECISION_RULES.includes(rule as DecisionRule)) {
    bad.rule = `must be one of ${DECISION_RULES.join(', ')}`;
  } else if (rule === 'SUPERMAJORITY') {
    if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold <= 0.5 || threshold > 1) {
      bad.threshold = 'SUPERMAJORITY needs a threshold above 0.5 and at most 1';
    }
  } else if (threshold !== null && threshold !== undefined) {
    bad.threshold = 'only SUPERMAJORITY takes a threshold';
  }
  return bad;
}
