import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { attribute, type SpeakerAttribution } from './attribution';
import { eventMentions, hiddenParts, viewClass, type DisclosedEvent, type EventViewer } from './event-disclosure';
import { ROOM_EVENT_TYPES } from './room-events';

// members of one room: two of each role in different parties, facilitators without one
const viewers: EventViewer[] = [
  { membershipId: 'a0000000-0000-4000-8000-00000000000a', partyId: 'p1', role: 'NEGOTIATOR' },
  { membershipId: 'b0000000-0000-4000-8000-00000000000b', partyId: 'p1', role: 'NEGOTIATOR' },
  { membershipId: 'c0000000-0000-4000-8000-00000000000c', partyId: 'p2', role: 'NEGOTIATOR' },
  { membershipId: 'd0000000-0000-4000-8000-00000000000d', partyId: 'p2', role: 'OBSERVER' },
  { membershipId: 'e0000000-0000-4000-8000-00000000000e', partyId: null, role: 'FACILITATOR' },
  { membershipId: 'f0000000-0000-4000-8000-00000000000f', partyId: null, role: 'FACILITATOR' },
];
const ids = viewers.map((v) => v.membershipId as string);
const someone = fc.constantFrom(...ids, '90000000-0000-4000-8000-000000000009');
const attributions: SpeakerAttribution[] = ['ATTRIBUTED', 'PARTY_ONLY', 'ANONYMOUS'];

// events of every type, naming members wherever payloads name them
const event: fc.Arbitrary<DisclosedEvent> = fc.record({
  type: fc.constantFrom(...ROOM_EVENT_TYPES),
  actor: fc.option(someone, { nil: null }),
  redacted: fc.boolean(),
  payload: fc.record(
    {
      author: fc.record({ membershipId: someone, displayName: fc.string(), partyId: fc.option(fc.constantFrom('p1', 'p2'), { nil: null }) }),
      facilitator: fc.record({ membershipId: someone, displayName: fc.string() }),
      membershipId: someone,
      inviteId: fc.uuid(),
      role: fc.constantFrom('NEGOTIATOR', 'FACILITATOR'),
      partyId: fc.constantFrom('p1', 'p2'),
      body: fc.string(),
      messageId: fc.uuid(),
    },
    { requiredKeys: [] },
  ),
});

describe('viewClass', () => {
  it('puts together only viewers who see an event the same way', () => {
    fc.assert(
      fc.property(fc.constantFrom(...attributions), event, (attribution, e) => {
        const mentions = eventMentions(e);
        const author = e.payload.author as { membershipId: string; displayName: string; partyId: string | null } | undefined;
        const seen = (v: EventViewer) => ({
          hidden: [...hiddenParts(attribution, v, e)].sort(),
          author: author ? attribute(attribution, author, v.membershipId) : null,
        });
        for (const a of viewers) for (const b of viewers) if (viewClass(mentions, a) === viewClass(mentions, b)) expect(seen(a)).toEqual(seen(b));
      }),
      { numRuns: 500 },
    );
  });

  it('gives a member the event names a class of their own', () => {
    const e = { type: 'member.removed', actor: ids[4], payload: { membershipId: ids[0] }, redacted: false };
    const mentions = eventMentions(e);
    expect(viewClass(mentions, viewers[0])).toBe(`self:${ids[0]}`);
    expect(viewClass(mentions, viewers[4])).toBe(`self:${ids[4]}`);
    expect(viewClass(mentions, viewers[1])).toBe(viewClass(mentions, viewers[2]));
    expect(viewClass(mentions, viewers[5])).not.toBe(viewClass(mentions, viewers[1]));
  });

  it('finds ids however deep a payload holds them', () => {
    expect([...eventMentions({ actor: null, payload: { a: [{ b: { c: 'x' } }], n: 3 } })]).toEqual(['x']);
  });
});
