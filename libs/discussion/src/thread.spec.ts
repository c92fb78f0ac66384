import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DomainError } from '@parley/common';
import { parseThread } from './thread';

describe('parseThread', () => {
  it('reads the room-wide thread from null and undefined', () => {
    expect(parseThread(null).name).toBeNull();
    expect(parseThread(undefined).name).toBeNull();
  });

  it('normalises ids to lower case and keeps clause keys', () => {
    const id = 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11';
    expect(parseThread(`party:${id}`)).toEqual({ kind: 'party', name: `party:${id.toLowerCase()}`, partyId: id.toLowerCase() });
    expect(parseThread(`proposal:${id}:clause:2.3`).name).toBe(`proposal:${id.toLowerCase()}:clause:2.3`);
  });

  it('answers every other value with BAD_USER_INPUT, never another error', () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        try {
          const t = parseThread(raw);
          return raw === null || raw === undefined || (typeof raw === 'string' && t.name !== null);
        } catch (e) {
          return e instanceof DomainError && e.code === 'BAD_USER_INPUT';
        }
      }),
    );
    for (const bad of ['', 'party:', 'party:x', 'proposal:1', `proposal:${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}:clause:${'k'.repeat(21)}`, 42, {}]) {
      expect(() => parseThread(bad)).toThrow(DomainError);
    }
  });
});
