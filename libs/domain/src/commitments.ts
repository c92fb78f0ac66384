export interface SealedCommitment {
  id: string;
  partyId: string;
  minParties: number | null; // at least this many parties commit, self included; null = no such condition
  requiredPartyIds: string[]; // and each of these parties commits
}

export interface CommitmentResolution {
  binding: string[]; // commitment ids, in input order
  lapsed: string[];
}

export const MAX_COMMITMENT_STATEMENT = 2000;
export const MAX_REQUIRED_PARTIES = 50;

// Whether c's condition holds when exactly `parties` have a commitment in the set.
// Parties are counted, not commitments: a party with three commitments counts once.
export function commitmentHolds(c: SealedCommitment, parties: ReadonlySet<string>): boolean {
  if (c.minParties !== null && parties.size < c.minParties) return false;
  return c.requiredPartyIds.every((p) => parties.has(p));
}

// PRODUCT.md: keep the largest set whose conditions all hold among the parties in it, by
// removing failing commitments until none fails. Each condition is monotone (more parties
// never makes it fail), so removal never makes a kept commitment hold again, every set
// whose conditions all hold survives the removal, and the result is the unique greatest
// such set, whatever the order of the input.
export function resolveCommitments(commitments: readonly SealedCommitment[]): CommitmentResolution {
  let kept = [...commitments];
  for (;;) {
    const parties = new Set(kept.map((c) => c.partyId));
    const next = kept.filter((c) => commitmentHolds(c, parties));
    if (next.length === kept.length) break;
    kept = next;
  }
  const binding = new Set(kept.map((c) => c.id));
  return {
    binding: commitments.filter((c) => binding.has(c.id)).map((c) => c.id),
    lapsed: commitments.filter((c) => !binding.has(c.id)).map((c) => c.id),
  };
}

export interface CommitmentInput {
  statement: unknown;
  minParties: unknown;
  requiredPartyIds: unknown;
  partyCount: number;
  selfPartyId: string;
  knownPartyIds: readonly string[];
}

// Bad fields of a new commitment (empty = valid). Requiring one's own party is allowed:
// the condition is then trivially met.
export function validateCommitment(input: CommitmentInput): Record<string, string> {
  const bad: Record<string, string> = {};
  const { statement, minParties, partyCount } = input;
  if (typeof statement !== 'string' || statement.trim().length === 0) bad.statement = 'must not be empty';
  else if (statement.length > MAX_COMMITMENT_STATEMENT) bad.statement = `must be at most ${MAX_COMMITMENT_STATEMENT} characters`;
  else if (statement.includes('\u0000')) bad.statement = 'must not contain NUL characters';

  if (minParties !== null && minParties !== undefined) {
    if (typeof minParties !== 'number' || !Number.isInteger(minParties) || minParties < 1 || minParties > partyCount) {
      bad.minParties = `must be a whole number from 1 to ${partyCount}, the number of parties`;
    }
  }

  const required = input.requiredPartyIds ?? [];
  if (!Array.isArray(required) || required.some((p) => typeof p !== 'string')) {
    bad.requiredPartyIds = 'must be a list of party ids';
  } else if (required.length > MAX_REQUIRED_PARTIES) {
    bad.requiredPartyIds = `must name at most ${MAX_REQUIRED_PARTIES} parties`;
  } else if (new Set(required).size !== required.length) {
    bad.requiredPartyIds = 'must not name a party twice';
  } else {
    const known = new Set(input.knownPartyIds);
    if (!required.every((p: string) => known.has(p))) bad.requiredPartyIds = 'must name parties of this room';
  }
  return bad;
}
