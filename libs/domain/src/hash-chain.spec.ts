import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { eventHash, GENESIS_HASH, ROOM_STREAM, StreamVerifier, type ChainedEvent } from './hash-chain';

// format-1 events, as rooms made before format 2 hold them
const verifyChain = (events: ChainedEvent[]) => {
  const v = new StreamVerifier(ROOM_STREAM);
  for (const e of events) v.push({ ...e, stream: ROOM_STREAM, payload: e.payload as Record<string, unknown>, format: 1, salts: null });
  const { stream: _stream, ...result } = v.result();
  return result;
};

function chain(payloads: unknown[]): ChainedEvent[] {
  let prev = GENESIS_HASH;
  return payloads.map((payload, i) => {
    const body = { roomId: 'r1', seq: i + 1, type: 't', actor: null, payload, at: new Date(1700000000000 + i).toISOString() };
    const hash = eventHash(prev, body);
    const e = { ...body, prevHash: prev, hash };
    prev = hash;
    return e;
  });
}

describe('format-1 chains', () => {
  it('accepts any untouched chain', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 30 }), (payloads) => {
        const events = chain(payloads);
        const result = verifyChain(events);
        expect(result.valid).toBe(true);
        expect(result.length).toBe(events.length);
      }),
    );
  });

  it('names the first changed event', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { minLength: 1, maxLength: 30 }), fc.nat(), (payloads, pick) => {
        const events = chain(payloads.map((n) => ({ n })));
        const i = pick % events.length;
        events[i] = { ...events[i], payload: { n: (events[i].payload as { n: number }).n + 1 } };
        const result = verifyChain(events);
        expect(result.valid).toBe(false);
        expect(result.firstBrokenSeq).toBe(i + 1);
      }),
    );
  });

  it('detects a removed event', () => {
    const events = chain([1, 2, 3]);
    expect(verifyChain([events[0], events[2]]).firstBrokenSeq).toBe(2);
  });
});
