import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import type { SpeakerAttribution } from './attribution';
import { disclosedPayload, hiddenParts, type EventViewer } from './event-disclosure';
import {
  eventHash,
  eventHashV2,
  eventParts,
  GENESIS_HASH,
  proofFor,
  ROOM_STREAM,
  sealedDigests,
  StreamVerifier,
  verifyViewedStream,
  type StoredEvent,
  type ViewedEvent,
} from './hash-chain';

const ROOM = '00000000-0000-4000-8000-000000000001';
const members: EventViewer[] = [
  { membershipId: 'a0000000-0000-4000-8000-00000000000a', partyId: 'p1', role: 'NEGOTIATOR' },
  { membershipId: 'b0000000-0000-4000-8000-00000000000b', partyId: 'p1', role: 'NEGOTIATOR' },
  { membershipId: 'c0000000-0000-4000-8000-00000000000c', partyId: 'p2', role: 'NEGOTIATOR' },
  { membershipId: 'f0000000-0000-4000-8000-00000000000f', partyId: null, role: 'FACILITATOR' },
];
const salt = () => randomBytes(16).toString('hex');

interface Raw {
  type: string;
  actor: string | null;
  payload: Record<string, unknown>;
}

function seal(raws: Raw[], stream = ROOM_STREAM): StoredEvent[] {
  let prev = GENESIS_HASH;
  return raws.map((r, i) => {
    const parts = eventParts(r.actor, r.payload);
    const salts = Object.fromEntries(parts.map((p) => [p.path, salt()]));
    const body = { roomId: ROOM, stream, seq: i + 1, type: r.type, at: new Date(1_700_000_000_000 + i).toISOString() };
    const hash = eventHashV2(prev, { ...body, digests: sealedDigests(parts, salts) });
    const e: StoredEvent = { ...body, actor: r.actor, payload: r.payload, format: 2, salts, prevHash: prev, hash };
    prev = hash;
    return e;
  });
}

function viewOf(e: StoredEvent, attribution: SpeakerAttribution, viewer: EventViewer): ViewedEvent & { payload: Record<string, unknown> } {
  const hidden = hiddenParts(attribution, viewer, { type: e.type, actor: e.actor, payload: e.payload, redacted: false });
  return {
    seq: e.seq,
    type: e.type,
    at: e.at,
    prevHash: e.prevHash,
    hash: e.hash,
    proof: proofFor(e.stream, eventParts(e.actor, e.payload), e.salts ?? {}, hidden),
    payload: disclosedPayload(e.payload, hidden),
  };
}

const attributionArb = fc.constantFrom<SpeakerAttribution>('ATTRIBUTED', 'PARTY_ONLY', 'ANONYMOUS');
const memberArb = fc.constantFrom(...members);
const rawArb: fc.Arbitrary<Raw> = fc.oneof(
  fc.record({ m: memberArb, body: fc.string() }).map(({ m, body }) => ({
    type: 'message.posted',
    actor: m.membershipId,
    payload: { messageId: 'x', thread: null, body, author: { membershipId: m.membershipId, displayName: `name of ${m.membershipId}`, partyId: m.partyId } },
  })),
  fc
    .record({ m: memberArb, n: fc.integer() })
    .map(({ m, n }) => ({ type: 'message.edited', actor: m.membershipId, payload: { messageId: 'x', body: `b${n}` } })),
  memberArb.map((m) => ({ type: 'vote.cast', actor: m.membershipId, payload: { ballotId: 'b1', partyId: m.partyId } })),
  memberArb.map((m) => ({ type: 'invite.created', actor: m.membershipId, payload: { inviteId: 'i1', role: 'NEGOTIATOR', partyId: 'p2' } })),
  memberArb.map((m) => ({ type: 'member.removed', actor: members[3].membershipId, payload: { membershipId: m.membershipId } })),
  fc.constant({ type: 'agreement.fully_signed', actor: null, payload: { agreementId: 'a', textHash: 'h' } }),
);

describe('format-2 event chain', () => {
  it('every member verifies the stream from their own view, and the server from the stored events', () => {
    fc.assert(
      fc.property(attributionArb, fc.array(rawArb, { maxLength: 20 }), (attribution, raws) => {
        const events = seal(raws);
        const server = new StreamVerifier(ROOM_STREAM);
        for (const e of events) expect(server.push(e)).toBe(true);
        for (const viewer of members) {
          const result = verifyViewedStream(
            ROOM,
            ROOM_STREAM,
            events.map((e) => viewOf(e, attribution, viewer)),
          );
          expect(result).toEqual({ stream: ROOM_STREAM, valid: true, length: events.length, head: events.at(-1)?.hash ?? GENESIS_HASH, firstBrokenSeq: null });
        }
      }),
    );
  });

  it('names the first event whose disclosed part was changed', () => {
    fc.assert(
      fc.property(attributionArb, fc.array(rawArb, { minLength: 1, maxLength: 15 }), fc.nat(), (attribution, raws, pick) => {
        const views = seal(raws).map((e) => viewOf(e, attribution, members[3]));
        const i = pick % views.length;
        const proof = views[i].proof!;
        const d = proof.disclosed.find(([, path]) => path !== 'actor') ?? proof.disclosed[0];
        if (!d) return; // everything hidden: nothing disclosed to change
        const changed = {
          ...views[i],
          proof: { ...proof, disclosed: proof.disclosed.map((x) => (x === d ? ([x[0], x[1], { changed: x[2] }] as typeof x) : x)) },
        };
        const result = verifyViewedStream(ROOM, ROOM_STREAM, [...views.slice(0, i), changed, ...views.slice(i + 1)]);
        expect(result.valid).toBe(false);
        expect(result.firstBrokenSeq).toBe(i + 1);
      }),
    );
  });

  it('stays verifiable after the stored payload went through JSON (undefined fields dropped, dates as text)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ maxLength: 8 }).filter((k) => k !== 'actor' && !k.includes('.')),
          fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.date({ noInvalidDate: true })),
        ),
        (payload) => {
          const [e] = seal([{ type: 't', actor: null, payload: { ...payload, author: { membershipId: 'm', displayName: undefined, partyId: null } } }]);
          const stored = { ...e, payload: JSON.parse(JSON.stringify(e.payload)) as Record<string, unknown> };
          expect(new StreamVerifier(ROOM_STREAM).push(stored)).toBe(true);
        },
      ),
    );
  });

  it('a chain of one stream does not verify as another stream', () => {
    const events = seal([{ type: 'message.posted', actor: null, payload: { body: 'x' } }], 'party:p1');
    expect(
      verifyViewedStream(
        ROOM,
        ROOM_STREAM,
        events.map((e) => viewOf(e, 'ATTRIBUTED', members[0])),
      ).valid,
    ).toBe(false);
    expect(
      verifyViewedStream(
        ROOM,
        'party:p1',
        events.map((e) => viewOf(e, 'ATTRIBUTED', members[0])),
      ).valid,
    ).toBe(true);
  });

  it('in an ANONYMOUS room no other viewer can tell which member acted', () => {
    const actorPartyArb = fc.constantFrom(...members.slice(0, 3));
    fc.assert(
      fc.property(
        actorPartyArb,
        actorPartyArb,
        fc.string().filter((b) => !/p[12]|name|0000/.test(b)),
        fc.nat(3),
        (x, y, body, v) => {
          const viewer = members[v];
          fc.pre(viewer.membershipId !== x.membershipId && viewer.membershipId !== y.membershipId);
          const raw = (m: EventViewer): Raw => ({
            type: 'message.posted',
            actor: m.membershipId,
            payload: {
              messageId: 'x',
              thread: null,
              body,
              author: { membershipId: m.membershipId, displayName: `name ${m.membershipId}`, partyId: m.partyId },
            },
          });
          const [ex] = seal([raw(x)]);
          const [ey] = seal([raw(y)]);
          const vx = viewOf(ex, 'ANONYMOUS', viewer);
          const vy = viewOf(ey, 'ANONYMOUS', viewer);
          // identical but for fresh random salts and the digests of the hidden parts (and the hash over them)
          const blank = (view: typeof vx) => ({
            ...view,
            hash: '',
            proof: {
              ...view.proof!,
              disclosed: view.proof!.disclosed.map(([, path, value]) => ['salt', path, value]),
              hidden: view.proof!.hidden.map(() => 'digest'),
            },
          });
          expect(blank(vx)).toEqual(blank(vy));
          // no member's id, name or party is anywhere in what the viewer got
          for (const m of members.slice(0, 3)) {
            const seen = JSON.stringify(vx);
            expect(seen).not.toContain(m.membershipId);
            expect(seen).not.toContain(`name ${m.membershipId}`);
            // recomputing the hash with each member as the actor (the format-1 attack) finds nothing
            const guess = eventHash(GENESIS_HASH, {
              roomId: ROOM,
              seq: 1,
              type: vx.type,
              actor: m.membershipId,
              payload: { ...vx.payload, author: raw(m).payload.author },
              at: vx.at,
            });
            expect(guess).not.toBe(vx.hash);
          }
          expect(JSON.stringify(vx)).not.toContain('"p1"');
          expect(JSON.stringify(vx)).not.toContain('"p2"');
        },
      ),
    );
  });

  it('a PARTY_ONLY room shows the party but never the delegate', () => {
    const [e] = seal([
      {
        type: 'message.posted',
        actor: members[0].membershipId,
        payload: { body: 'x', author: { membershipId: members[0].membershipId, displayName: 'Ann', partyId: 'p1' } },
      },
    ]);
    const view = viewOf(e, 'PARTY_ONLY', members[1]);
    const paths = view.proof!.disclosed.map(([, path]) => path);
    expect(paths).toContain('author.partyId');
    expect(paths).not.toContain('actor');
    expect(JSON.stringify(view)).not.toContain(members[0].membershipId);
    expect(JSON.stringify(view)).not.toContain('Ann');
    expect(JSON.stringify(viewOf(e, 'PARTY_ONLY', members[0]))).toContain('Ann');
  });

  it('names a removed member or the facilitator only where the room attributes, and hides a redacted body from all', () => {
    const removed = { type: 'member.removed', actor: members[3].membershipId, payload: { membershipId: members[0].membershipId }, redacted: false };
    expect(hiddenParts('ANONYMOUS', members[2], removed).has('membershipId')).toBe(true);
    expect(hiddenParts('ANONYMOUS', members[0], removed).has('membershipId')).toBe(false); // themself
    expect(hiddenParts('ATTRIBUTED', members[2], removed).has('membershipId')).toBe(false);
    const created = {
      type: 'room.created',
      actor: members[3].membershipId,
      payload: { title: 't', facilitator: { membershipId: members[3].membershipId } },
      redacted: false,
    };
    expect([...hiddenParts('PARTY_ONLY', members[0], created)].sort()).toEqual(['actor', 'facilitator']);
    expect([...hiddenParts('PARTY_ONLY', members[3], created)]).toEqual([]);
    const body = { type: 'message.posted', actor: members[0].membershipId, payload: { body: 'x' }, redacted: true };
    for (const viewer of members) expect(hiddenParts('ATTRIBUTED', viewer, body).has('body')).toBe(true);
  });

  it('refuses a payload field whose name would clash with a part path', () => {
    expect(() => eventParts(null, { actor: 'x' })).toThrow(TypeError);
    expect(() => eventParts(null, { 'a.b': 1 })).toThrow(TypeError);
  });

  it('keeps invite parties and invite ids to facilitators', () => {
    const ev = { type: 'invite.created', actor: members[3].membershipId, payload: { inviteId: 'i', role: 'NEGOTIATOR', partyId: 'p2' }, redacted: false };
    expect([...hiddenParts('ATTRIBUTED', members[0], ev)].sort()).toEqual(['inviteId', 'partyId', 'role']);
    expect([...hiddenParts('ATTRIBUTED', members[3], ev)]).toEqual([]);
    const joined = {
      type: 'member.joined',
      actor: 'm',
      payload: { role: 'NEGOTIATOR', inviteId: 'i', author: { membershipId: 'm', displayName: 'M', partyId: 'p2' } },
      redacted: false,
    };
    expect(hiddenParts('ATTRIBUTED', members[0], joined).has('inviteId')).toBe(true);
  });
});
