import type { SpeakerAttribution } from './attribution';
import type { RoomEventType } from './room-events';

export interface EventViewer {
  membershipId: string | null;
  partyId: string | null;
  role: string | null;
}

export interface DisclosedEvent {
  type: string;
  actor: string | null;
  payload: Record<string, unknown>;
  // a later message.redacted withdrew this message's body from every view
  redacted: boolean;
}

// Parts of an event (see eventParts) a viewer gets only as a digest. Anything naming a
// member follows the room's attribution, whoever looks (the member themself excepted);
// invites are facilitators' business, and an invite id joins a member back to a party.
export function hiddenParts(attribution: SpeakerAttribution, viewer: EventViewer, event: DisclosedEvent): Set<string> {
  const hidden = new Set<string>();
  const attributed = attribution === 'ATTRIBUTED';
  const facilitator = viewer.role === 'FACILITATOR';
  const isSelf = (id: unknown) => viewer.membershipId !== null && id === viewer.membershipId;
  const { payload } = event;

  if (!attributed && !isSelf(event.actor)) hidden.add('actor');

  const author = payload.author;
  if (typeof author === 'object' && author !== null && !Array.isArray(author)) {
    const a = author as Record<string, unknown>;
    if (!isSelf(a.membershipId)) {
      if (!attributed) for (const key of Object.keys(a)) if (key !== 'partyId') hidden.add(`author.${key}`);
      if (attribution === 'ANONYMOUS' && 'partyId' in a) hidden.add('author.partyId');
    }
  }

  // an event of a type no longer written hides nothing beyond actor and author
  switch (event.type as RoomEventType) {
    case 'room.created':
      if (!attributed && !isSelf((payload.facilitator as { membershipId?: unknown } | undefined)?.membershipId)) hidden.add('facilitator');
      break;
    case 'invite.created':
      if (!facilitator) for (const key of ['inviteId', 'role', 'partyId']) hidden.add(key);
      break;
    case 'invite.revoked':
      if (!facilitator) hidden.add('inviteId');
      break;
    case 'member.joined':
      if (!facilitator) hidden.add('inviteId');
      break;
    case 'member.removed':
      if (!attributed && !facilitator && !isSelf(payload.membershipId)) hidden.add('membershipId');
      break;
    case 'message.posted':
    case 'message.edited':
      if (event.redacted) hidden.add('body');
      break;
  }
  for (const path of [...hidden]) if (path !== 'actor' && !path.startsWith('author.') && !(path in payload)) hidden.delete(path);
  return hidden;
}

// The payload a viewer reads: the disclosed fields only (author is shown separately, per
// attribution, by the caller).
export function disclosedPayload(payload: Record<string, unknown>, hidden: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (key === 'author' || hidden.has(key)) continue;
    out[key] = value;
  }
  return out;
}

// Every string an event holds (its actor and any value in its payload): the ids of the
// members it names, among others.
export function eventMentions(event: Pick<DisclosedEvent, 'actor' | 'payload'>): Set<string> {
  const found = new Set<string>();
  if (event.actor !== null) found.add(event.actor);
  const visit = (v: unknown): void => {
    if (typeof v === 'string') found.add(v);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach(visit);
  };
  visit(event.payload);
  return found;
}

// Viewers of one event in the same class see it the same way (hiddenParts, attribution): a
// member the event names is a class of their own; everyone else is classed by role. The
// live feed serialises one view per class instead of one per member.
export function viewClass(mentions: ReadonlySet<string>, viewer: EventViewer): string {
  if (viewer.membershipId !== null && mentions.has(viewer.membershipId)) return `self:${viewer.membershipId}`;
  return `role:${viewer.role ?? ''}`;
}
