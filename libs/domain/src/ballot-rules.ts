import type { DecisionRule } from './decision-rules';

// The rules about one ballot's state, each in one place. Where SQL mirrors one for speed,
// it names the function here, and test/ballot-rules-sql.e2e-spec.ts checks both agree.

export type BallotStatus = 'OPEN' | 'CLOSED';
export type BallotSecrecy = 'OPEN' | 'SECRET_UNTIL_CLOSE';

// What a ballot asks and how it decides, fixed when it opens.
export type BallotTerms = {
  version: number;
  rule: DecisionRule;
  threshold: number | null;
  quorum: number;
  secrecy: BallotSecrecy;
};

// While sealed, a viewer sees who voted and its own party's vote, nothing else (no choices,
// no tally, no count of supporters).
export function ballotSealed(b: { status: BallotStatus; secrecy: BallotSecrecy }): boolean {
  return b.status === 'OPEN' && b.secrecy === 'SECRET_UNTIL_CLOSE';
}

// Whether the ballot takes a vote at `now`: open, and its deadline (if any) not reached.
// Past its deadline it counts as closed even before the scheduler has closed it. `now` is
// the database's clock of the transaction (Locked.now), the same `now()` the SQL mirrors use.
export function acceptsVotes(b: { status: BallotStatus; closesAt: Date | null }, now: Date): boolean {
  return b.status === 'OPEN' && (b.closesAt === null || b.closesAt.getTime() > now.getTime());
}

// Whether the scheduler must close it at `now`: still open but no longer taking votes.
export function ballotDue(b: { status: BallotStatus; closesAt: Date | null }, now: Date): boolean {
  return b.status === 'OPEN' && !acceptsVotes(b, now);
}

// The proposal's latest ballot on the whole text (not on an amendment): the last created,
// ties broken by id (lowercase uuids compare as PostgreSQL compares uuids); null when none.
export function latestWholeTextBallot<B extends { id: string; amendmentId: string | null; createdAt: Date }>(ballots: readonly B[]): B | null {
  let latest: B | null = null;
  for (const b of ballots) {
    if (b.amendmentId !== null) continue;
    if (!latest || b.createdAt.getTime() > latest.createdAt.getTime() || (b.createdAt.getTime() === latest.createdAt.getTime() && b.id > latest.id)) latest = b;
  }
  return latest;
}

// The room's parties that have not voted, in the room's order.
export function partiesAwaiting(partyIds: readonly string[], votedPartyIds: Iterable<string>): string[] {
  const voted = new Set(votedPartyIds);
  return partyIds.filter((id) => !voted.has(id));
}

// Whether every party of the room has voted (the ballot then closes by itself). A room
// without parties has nobody to wait for.
export function everyPartyVoted(partyIds: readonly string[], votedPartyIds: Iterable<string>): boolean {
  return partiesAwaiting(partyIds, votedPartyIds).length === 0;
}
