import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ChainVerifier, eventHash, GENESIS_HASH, verifyChain, type ChainedEvent } from './hash-chain';

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

describe('verifyChain', () => {
  it('accepts any untouched chain, and the incremental verifier agrees', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 30 }), (payloads) => {
        const events = chain(payloads);
        const result = verifyChain(events);
        expect(result.valid).toBe(true);
        expect(result.length).toBe(events.length);
        const v = new ChainVerifier();
        events.forEach((e) => v.push(e));
        expect(v.result()).toEqual(result);
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
