import { ballotSealed, tally } from '@parley/domain';
import type { PartyEntity, PartyType } from '@parley/rooms';
import type { BallotEntity, VoteEntity } from './negotiation.entities';
import type { BallotType, VoteType } from './negotiation.types';

// What a view needs of a ballot and of its votes: the rows of a caller that read them as raw
// SQL (progress) fit as well as entities.
export type BallotFields = Omit<BallotEntity, 'roomId' | 'openedBy' | 'createdAt' | 'closedAt'>;
export type VoteFields = Pick<VoteEntity, 'partyId' | 'choice' | 'reason' | 'castAt'>;
export type PartyFields = Pick<PartyEntity, 'id' | 'name'>;

// What a viewer sees of a ballot: while it is sealed (ballotSealed), who voted, its own
// party's vote, and nothing else (no choices, no tally).
export function ballotView(b: BallotFields, votes: VoteFields[], parties: PartyFields[], viewerPartyId: string | null): BallotType {
  const byId = new Map(parties.map((p) => [p.id, { id: p.id, name: p.name } as PartyType]));
  const counted = votes.filter((v) => byId.has(v.partyId));
  const sealed = ballotSealed(b);
  const shown = sealed ? counted.filter((v) => v.partyId === viewerPartyId) : counted;
  const order = new Map(parties.map((p, i) => [p.id, i]));
  const byParty = (x: VoteFields, y: VoteFields) => order.get(x.partyId)! - order.get(y.partyId)!;
  return {
    id: b.id,
    proposalId: b.proposalId,
    amendmentId: b.amendmentId,
    version: b.version,
    rule: b.rule,
    threshold: b.threshold,
    quorum: b.quorum,
    secrecy: b.secrecy,
    status: b.status,
    closesAt: b.closesAt,
    outcome: b.outcome,
    votedParties: [...counted].sort(byParty).map((v) => byId.get(v.partyId)!),
    votes: [...shown].sort(byParty).map((v) => voteView(v, byId.get(v.partyId)!)),
    tally: sealed
      ? null
      : (b.tally ??
        tally(
          parties.map((p) => p.id),
          counted.map((v) => ({ partyId: v.partyId, choice: v.choice, castAt: v.castAt.getTime() })),
        )),
  };
}

export const voteView = (v: VoteFields, party: PartyType): VoteType => ({ party, choice: v.choice, reason: v.reason, castAt: v.castAt });
