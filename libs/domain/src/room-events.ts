import type { AmendmentKind } from './amendments';
import type { SpeakerAttribution } from './attribution';
import type { BallotTerms } from './ballot-rules';
import type { BallotOutcome, Tally, VoteChoice } from './decision-rules';

// A speaker named in a payload; views replace it with what the room's attribution shows.
export interface EventAuthor {
  membershipId: string;
  displayName: string;
  partyId: string | null;
}

export interface BoundCommitment {
  id: string;
  partyId: string;
  statement: string;
  minParties: number | null;
  requiredPartyIds: string[] | null;
}

// Every room event: its type and the payload it carries (hash-chained, never changed once
// written). The one list of event types; the sets below and every consumer derive from it.
export interface RoomEventPayloads {
  'room.created': {
    title: string;
    purpose: string;
    speakerAttribution: SpeakerAttribution;
    parties: Array<{ id: string; name: string }>;
    facilitator: { membershipId: string };
  };
  'room.archived': Record<string, never>;
  'party.added': { party: { id: string; name: string } };
  'invite.created': { inviteId: string; role: string; partyId: string | null };
  'invite.revoked': { inviteId: string };
  'member.joined': { role: string; inviteId: string; author: EventAuthor };
  'member.removed': { membershipId: string };
  'message.posted': { messageId: string; thread: string | null; body: string; author: EventAuthor };
  'message.edited': { messageId: string; thread: string | null; body: string };
  'message.redacted': { messageId: string; thread: string | null };
  'proposal.created': { proposalId: string; title: string; version: number; textHash: string; clauses: number; author: EventAuthor };
  'proposal.revised': { proposalId: string; version: number; textHash: string; summary: string | null; author: EventAuthor };
  'proposal.withdrawn': { proposalId: string; version: number };
  'proposal.adopted': { proposalId: string; ballotId: string; version: number; textHash: string; agreementId: string };
  'bracket.opened': { proposalId: string; clauseKey: string; alternativeId: string; version: number; textHash: string; author: EventAuthor };
  'bracket.option_added': { proposalId: string; clauseKey: string; alternativeId: string; version: number; textHash: string; author: EventAuthor };
  'bracket.resolved': { proposalId: string; clauseKey: string; alternativeId: string; version: number; textHash: string };
  'amendment.proposed': {
    amendmentId: string;
    proposalId: string;
    baseVersion: number;
    clauseKey: string | null;
    kind: AmendmentKind;
    text: string | null;
    rationale: string | null;
    author: EventAuthor;
  };
  'amendment.withdrawn': { amendmentId: string; proposalId: string };
  'amendment.rejected': { amendmentId: string; proposalId: string; ballotId?: string };
  'amendment.accepted': { amendmentId: string; proposalId: string; version: number; textHash: string; ballotId: string | null };
  'amendment.conflict': { amendmentId: string; proposalId: string; ballotId: string; clauseKey: string | null; baseVersion: number; currentVersion: number };
  'ballot.opened': BallotTerms & { ballotId: string; proposalId: string; amendmentId: string | null; closesAt: string | null };
  // a sealed ballot's event says only who voted; choices appear in ballot.closed
  'vote.cast': { ballotId: string; partyId: string } | { ballotId: string; partyId: string; choice: VoteChoice; reason: string | null; author: EventAuthor };
  'ballot.closed': {
    ballotId: string;
    proposalId: string;
    amendmentId: string | null;
    version: number;
    cause: 'FACILITATOR' | 'ALL_VOTED' | 'DEADLINE';
    outcome: BallotOutcome;
    tally: Tally;
    votes: Array<{ partyId: string; choice: VoteChoice; reason: string | null }>;
  };
  'ballot.reminder': { ballotId: string; proposalId: string; parties: Array<{ id: string; name: string }> };
  'agreement.signed': { agreementId: string; partyId: string; textHash: string; partyMade: boolean };
  'agreement.fully_signed': { agreementId: string; textHash: string };
  'party_key.registered': { partyId: string; keyId: string; retiredKeyIds: string[]; publicKey: string };
  'commitment.made': { agreementId: string; commitmentId: string };
  'commitment.withdrawn': { agreementId: string; commitmentId: string };
  'commitments.resolved': { agreementId: string; binding: BoundCommitment[] };
  'publication.consented': { agreementId: string; partyId: string; embargoUntil: string | null };
  'agreement.published': { agreementId: string; publicSlug: string | null };
}

export type RoomEventType = keyof RoomEventPayloads;

// One event narrowed by its type: `if (e.type === 'member.removed') e.payload.membershipId`.
export type TypedRoomEvent<Base = unknown> = { [T in RoomEventType]: Base & { type: T; payload: RoomEventPayloads[T] } }[RoomEventType];

// What each type means for those who read the log, declared for every type (the compiler
// refuses a type left out): `roster` changes who is in the room and how they are named;
// `messageBody` carries a message body that a later message.redacted withdraws;
// `negotiation` can move a proposal's text, brackets, amendments or ballots.
interface EventTraits {
  roster?: true;
  messageBody?: true;
  negotiation?: true;
}

export const ROOM_EVENT_TRAITS = {
  'room.created': { roster: true },
  'room.archived': {},
  'party.added': { roster: true },
  'invite.created': {},
  'invite.revoked': {},
  'member.joined': { roster: true },
  'member.removed': { roster: true },
  'message.posted': { messageBody: true },
  'message.edited': { messageBody: true },
  'message.redacted': {},
  'proposal.created': { negotiation: true },
  'proposal.revised': { negotiation: true },
  'proposal.withdrawn': { negotiation: true },
  'proposal.adopted': { negotiation: true },
  'bracket.opened': { negotiation: true },
  'bracket.option_added': { negotiation: true },
  'bracket.resolved': { negotiation: true },
  'amendment.proposed': { negotiation: true },
  'amendment.withdrawn': { negotiation: true },
  'amendment.rejected': { negotiation: true },
  'amendment.accepted': { negotiation: true },
  'amendment.conflict': {},
  'ballot.opened': { negotiation: true },
  'vote.cast': { negotiation: true },
  'ballot.closed': { negotiation: true },
  'ballot.reminder': {},
  'agreement.signed': {},
  'agreement.fully_signed': {},
  'party_key.registered': {},
  'commitment.made': {},
  'commitment.withdrawn': {},
  'commitments.resolved': {},
  'publication.consented': {},
  'agreement.published': {},
} as const satisfies { [T in RoomEventType]: EventTraits };

export const ROOM_EVENT_TYPES = Object.keys(ROOM_EVENT_TRAITS) as RoomEventType[];

// the event types with one trait
type TypesWith<K extends keyof EventTraits> = { [T in RoomEventType]: (typeof ROOM_EVENT_TRAITS)[T] extends Record<K, true> ? T : never }[RoomEventType];

function typesWith<K extends keyof EventTraits>(trait: K): ReadonlySet<TypesWith<K>> {
  return new Set(ROOM_EVENT_TYPES.filter((t) => (ROOM_EVENT_TRAITS[t] as EventTraits)[trait] === true) as TypesWith<K>[]);
}

export type RosterEventType = TypesWith<'roster'>;
export type MessageBodyEventType = TypesWith<'messageBody'>;
export type NegotiationEventType = TypesWith<'negotiation'>;

// after these a room's roster (members, parties, names) must be read again
export const ROSTER_EVENTS = typesWith('roster');
export const MESSAGE_BODY_EVENTS = typesWith('messageBody');
export const NEGOTIATION_EVENTS = typesWith('negotiation');

export function isRoomEventType(type: string): type is RoomEventType {
  return Object.hasOwn(ROOM_EVENT_TRAITS, type);
}

// narrows an event to a set's types (`has` on a ReadonlySet<T> does not narrow by itself)
export function isOneOf<T extends RoomEventType, E extends { type: string }>(set: ReadonlySet<T>, event: E): event is Extract<E, { type: T }> {
  return (set as ReadonlySet<string>).has(event.type);
}
