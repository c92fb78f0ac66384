import { describe, expect, it } from '@jest/globals';
import { isOneOf, isRoomEventType, MESSAGE_BODY_EVENTS, NEGOTIATION_EVENTS, ROOM_EVENT_TYPES, ROSTER_EVENTS, type TypedRoomEvent } from './room-events';

describe('room event types', () => {
  it('derives each set from the traits of the one list of types', () => {
    expect([...ROSTER_EVENTS].sort()).toEqual(['member.joined', 'member.removed', 'party.added', 'room.created']);
    expect([...MESSAGE_BODY_EVENTS].sort()).toEqual(['message.edited', 'message.posted']);
    expect([...NEGOTIATION_EVENTS].sort()).toEqual([
      'amendment.accepted',
      'amendment.proposed',
      'amendment.rejected',
      'amendment.withdrawn',
      'ballot.closed',
      'ballot.opened',
      'bracket.opened',
      'bracket.option_added',
      'bracket.resolved',
      'proposal.adopted',
      'proposal.created',
      'proposal.revised',
      'proposal.withdrawn',
      'vote.cast',
    ]);
    for (const set of [ROSTER_EVENTS, MESSAGE_BODY_EVENTS, NEGOTIATION_EVENTS]) for (const t of set) expect(ROOM_EVENT_TYPES).toContain(t);
  });

  it('knows its types and nothing else', () => {
    expect(ROOM_EVENT_TYPES).toHaveLength(new Set(ROOM_EVENT_TYPES).size);
    expect(ROOM_EVENT_TYPES.every(isRoomEventType)).toBe(true);
    for (const t of ['', 'toString', '__proto__', 'constructor', 'message.Posted', 'room']) expect(isRoomEventType(t)).toBe(false);
  });

  it('narrows an event by a set', () => {
    const posted: TypedRoomEvent = {
      type: 'message.posted',
      payload: { messageId: 'm1', thread: null, body: 'hi', author: { membershipId: 'a', displayName: 'A', partyId: null } },
    };
    const removed: TypedRoomEvent = { type: 'member.removed', payload: { membershipId: 'a' } };
    expect(isOneOf(MESSAGE_BODY_EVENTS, posted) ? posted.payload.messageId : null).toBe('m1');
    expect(isOneOf(MESSAGE_BODY_EVENTS, removed)).toBe(false);
    expect(isOneOf(ROSTER_EVENTS, removed)).toBe(true);
  });
});
