import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { commitmentHolds, resolveCommitments, validateCommitment, type SealedCommitment } from './commitments';

const c = (id: string, partyId: string, minParties: number | null = null, requiredPartyIds: string[] = []): SealedCommitment => ({
  id,
  partyId,
  minParties,
  requiredPartyIds,
});
const sorted = (xs: string[]) => [...xs].sort();

// Up to 8 commitments among 5 parties, so every subset can be enumerated.
const partyId = fc.constantFrom('A', 'B', 'C', 'D', 'E');
const commitments = fc
  .array(
    fc.record({
      partyId,
      minParties: fc.option(fc.integer({ min: 1, max: 6 }), { nil: null }),
      requiredPartyIds: fc.uniqueArray(partyId, { maxLength: 3 }),
    }),
    { maxLength: 8 },
  )
  .map((xs) => xs.map((x, i) => ({ id: `c${i}`, ...x })));

const holdsWithin = (set: SealedCommitment[]) => {
  const parties = new Set(set.map((x) => x.partyId));
  return set.every((x) => commitmentHolds(x, parties));
};

const subsets = <T>(xs: T[]): T[][] => Array.from({ length: 2 ** xs.length }, (_, mask) => xs.filter((_, i) => (mask >> i) & 1));

describe('resolveCommitments', () => {
  it('binds unconditional commitments', () => {
    expect(resolveCommitments([c('1', 'A'), c('2', 'B', 1)])).toEqual({ binding: ['1', '2'], lapsed: [] });
  });

  it('binds "if at least N parties commit" once N parties commit', () => {
    expect(resolveCommitments([c('1', 'A', 3), c('2', 'B', 3), c('3', 'C', 3)]).binding).toEqual(['1', '2', '3']);
    expect(resolveCommitments([c('1', 'A', 3), c('2', 'B', 3)])).toEqual({ binding: [], lapsed: ['1', '2'] });
  });

  it('counts parties, not commitments', () => {
    expect(resolveCommitments([c('1', 'A', 2), c('2', 'A', 2), c('3', 'A', 2)]).binding).toEqual([]);
    expect(resolveCommitments([c('1', 'A', 2), c('2', 'A'), c('3', 'B', 2)]).binding).toEqual(['1', '2', '3']);
  });

  it('lets a lapse cascade', () => {
    // B lapses for want of E, so A (requiring B) and C (needing three parties) lapse with it
    const result = resolveCommitments([c('a', 'A', null, ['B']), c('b', 'B', null, ['E']), c('c', 'C', 3), c('d', 'D')]);
    expect(result).toEqual({ binding: ['d'], lapsed: ['a', 'b', 'c'] });
  });

  it('binds mutual requirements together', () => {
    expect(resolveCommitments([c('a', 'A', null, ['B']), c('b', 'B', null, ['A'])]).binding).toEqual(['a', 'b']);
  });

  it('splits the input into binding and lapsed', () => {
    fc.assert(
      fc.property(commitments, (cs) => {
        const { binding, lapsed } = resolveCommitments(cs);
        expect(sorted([...binding, ...lapsed])).toEqual(sorted(cs.map((x) => x.id)));
        expect(binding.filter((id) => lapsed.includes(id))).toEqual([]);
      }),
    );
  });

  it('yields a set in which every condition holds', () => {
    fc.assert(
      fc.property(commitments, (cs) => {
        const binding = new Set(resolveCommitments(cs).binding);
        expect(holdsWithin(cs.filter((x) => binding.has(x.id)))).toBe(true);
      }),
    );
  });

  it('yields the largest such set: it contains every set in which all conditions hold', () => {
    fc.assert(
      fc.property(commitments, (cs) => {
        const binding = new Set(resolveCommitments(cs).binding);
        for (const s of subsets(cs)) {
          if (holdsWithin(s)) expect(s.every((x) => binding.has(x.id))).toBe(true);
        }
      }),
    );
  });

  it('does not depend on the order of the commitments', () => {
    fc.assert(
      fc.property(
        commitments.chain((cs) => fc.tuple(fc.constant(cs), fc.shuffledSubarray(cs, { minLength: cs.length, maxLength: cs.length }))),
        ([cs, shuffled]) => {
          expect(sorted(resolveCommitments(shuffled).binding)).toEqual(sorted(resolveCommitments(cs).binding));
        },
      ),
    );
  });

  it('always binds commitments without a condition', () => {
    fc.assert(
      fc.property(commitments, (cs) => {
        const binding = resolveCommitments(cs).binding;
        for (const x of cs) {
          if ((x.minParties === null || x.minParties <= 1) && x.requiredPartyIds.length === 0) expect(binding).toContain(x.id);
        }
      }),
    );
  });
});

describe('validateCommitment', () => {
  const ok = {
    statement: 'We publish our incident reports quarterly.',
    minParties: 2,
    requiredPartyIds: ['B'],
    partyCount: 3,
    selfPartyId: 'A',
    knownPartyIds: ['A', 'B', 'C'],
  };

  it('accepts a well-formed commitment, with or without conditions', () => {
    expect(validateCommitment(ok)).toEqual({});
    expect(validateCommitment({ ...ok, minParties: null, requiredPartyIds: [] })).toEqual({});
    expect(validateCommitment({ ...ok, minParties: undefined, requiredPartyIds: undefined })).toEqual({});
    expect(validateCommitment({ ...ok, requiredPartyIds: ['A', 'B', 'C'] })).toEqual({});
  });

  it('needs a statement of 1 to 2000 characters', () => {
    expect(Object.keys(validateCommitment({ ...ok, statement: '' }))).toEqual(['statement']);
    expect(Object.keys(validateCommitment({ ...ok, statement: ' \n' }))).toEqual(['statement']);
    expect(Object.keys(validateCommitment({ ...ok, statement: 's'.repeat(2001) }))).toEqual(['statement']);
    expect(validateCommitment({ ...ok, statement: 's'.repeat(2000) })).toEqual({});
  });

  it('needs minParties to be a whole number from 1 to the number of parties', () => {
    for (const minParties of [0, 4, 1.5, -1, '2']) {
      expect(Object.keys(validateCommitment({ ...ok, minParties }))).toEqual(['minParties']);
    }
    expect(validateCommitment({ ...ok, minParties: 1 })).toEqual({});
    expect(validateCommitment({ ...ok, minParties: 3 })).toEqual({});
  });

  it('needs required parties that are distinct, known and at most 50', () => {
    expect(Object.keys(validateCommitment({ ...ok, requiredPartyIds: ['B', 'B'] }))).toEqual(['requiredPartyIds']);
    expect(Object.keys(validateCommitment({ ...ok, requiredPartyIds: ['Z'] }))).toEqual(['requiredPartyIds']);
    const many = Array.from({ length: 51 }, (_, i) => `p${i}`);
    expect(Object.keys(validateCommitment({ ...ok, requiredPartyIds: many, knownPartyIds: many, partyCount: 51 }))).toEqual(['requiredPartyIds']);
    expect(validateCommitment({ ...ok, requiredPartyIds: many.slice(0, 50), knownPartyIds: many, partyCount: 51 })).toEqual({});
  });
});
