import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { applyAmendment, clauseUnchanged, freshClauseKey, validateAmendment, type AmendmentChange } from './amendments';
import { validateClauses, type Clause } from './clauses';
import { DomainError } from './domain-error';

const clause = (key: string, text: string, extra: Partial<Clause> = {}): Clause => ({ key, heading: null, text, alternatives: [], ...extra });
const keys = (cs: Clause[]) => cs.map((c) => c.key);
const base = [clause('1', 'One.', { heading: 'First' }), clause('2', 'Two.'), clause('3', 'Three.')];

const failure = (f: () => unknown): DomainError => {
  try {
    f();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
};

const textArb = fc
  .uniqueArray(fc.constantFrom('1', '2', '3', '1.1', '0.1', 'a', 'b'), { minLength: 1, maxLength: 6 })
  .map((ks) => ks.map((k) => clause(k, `text ${k}`)));
const amendmentFor = (clauses: Clause[]): fc.Arbitrary<AmendmentChange> =>
  fc.oneof(
    fc.record({ kind: fc.constant('REPLACE' as const), clauseKey: fc.constantFrom(...keys(clauses)), text: fc.constant('new text') }),
    fc.record({ kind: fc.constant('INSERT' as const), clauseKey: fc.constantFrom('', ...keys(clauses)), text: fc.constant('inserted') }),
    fc.record({ kind: fc.constant('DELETE' as const), clauseKey: fc.constantFrom(...keys(clauses)), text: fc.constant(null) }),
  );
const textAndAmendment = textArb.chain((clauses) => fc.tuple(fc.constant(clauses), amendmentFor(clauses)));

describe('applyAmendment', () => {
  it('replaces the text of a clause, keeping its heading and settling its brackets', () => {
    const bracketed = [clause('1', 'x', { heading: 'H', alternatives: [{ id: 'a', text: 'y', partyId: null }] })];
    expect(applyAmendment(bracketed, { kind: 'REPLACE', clauseKey: '1', text: 'z' })).toEqual([clause('1', 'z', { heading: 'H' })]);
  });

  it('inserts after the anchor, or first for ""', () => {
    expect(keys(applyAmendment(base, { kind: 'INSERT', clauseKey: '2', text: 'New.' }))).toEqual(['1', '2', '2.1', '3']);
    expect(keys(applyAmendment(base, { kind: 'INSERT', clauseKey: '3', text: 'New.' }))).toEqual(['1', '2', '3', '3.1']);
    expect(keys(applyAmendment(base, { kind: 'INSERT', clauseKey: '', text: 'New.' }))).toEqual(['0.1', '1', '2', '3']);
    expect(applyAmendment(base, { kind: 'INSERT', clauseKey: '1', text: 'New.', newKey: '1a' })[1]).toEqual(clause('1a', 'New.'));
  });

  it('deletes a clause', () => {
    expect(keys(applyAmendment(base, { kind: 'DELETE', clauseKey: '2', text: null }))).toEqual(['1', '3']);
  });

  it('leaves its input unchanged', () => {
    const copy = structuredClone(base);
    applyAmendment(base, { kind: 'REPLACE', clauseKey: '1', text: 'z' });
    applyAmendment(base, { kind: 'DELETE', clauseKey: '1', text: null });
    expect(base).toEqual(copy);
  });

  it('refuses with BAD_USER_INPUT what does not apply', () => {
    const cases: [AmendmentChange, string][] = [
      [{ kind: 'REPLACE', clauseKey: '9', text: 'x' }, 'clauseKey'],
      [{ kind: 'REPLACE', clauseKey: '', text: 'x' }, 'clauseKey'],
      [{ kind: 'DELETE', clauseKey: '9', text: null }, 'clauseKey'],
      [{ kind: 'INSERT', clauseKey: '9', text: 'x' }, 'clauseKey'],
      [{ kind: 'REPLACE', clauseKey: '1', text: null }, 'text'],
      [{ kind: 'INSERT', clauseKey: '1', text: '  ' }, 'text'],
      [{ kind: 'INSERT', clauseKey: '1', text: 'x', newKey: '2' }, 'newKey'],
      [{ kind: 'INSERT', clauseKey: '1', text: 'x', newKey: 'bad key' }, 'newKey'],
      [{ kind: 'REPLACE', clauseKey: '1', text: 'x', newKey: '7' }, 'newKey'],
    ];
    for (const [amendment, field] of cases) {
      const e = failure(() => applyAmendment(base, amendment));
      expect(e.code).toBe('BAD_USER_INPUT');
      expect(Object.keys(e.fields ?? {})).toEqual([field]);
    }
  });

  it('keeps at least one clause', () => {
    expect(Object.keys(validateAmendment([clause('1', 'x')], { kind: 'DELETE', clauseKey: '1', text: null }))).toEqual(['clauseKey']);
  });

  it('always yields a valid text with the expected clause count', () => {
    fc.assert(
      fc.property(textAndAmendment, ([clauses, amendment]) => {
        fc.pre(!(amendment.kind === 'DELETE' && clauses.length === 1));
        const result = applyAmendment(clauses, amendment);
        expect(validateClauses(result)).toEqual({});
        const delta = { REPLACE: 0, INSERT: 1, DELETE: -1 }[amendment.kind];
        expect(result.length).toBe(clauses.length + delta);
        if (amendment.kind === 'DELETE') expect(keys(result)).not.toContain(amendment.clauseKey);
        if (amendment.kind === 'REPLACE') expect(result.find((c) => c.key === amendment.clauseKey)?.text).toBe(amendment.text);
      }),
    );
  });
});

describe('freshClauseKey', () => {
  it('numbers after the anchor, skipping used keys', () => {
    expect(freshClauseKey([clause('2', 'x'), clause('2.1', 'y'), clause('2.2', 'z')], '2')).toBe('2.3');
    expect(freshClauseKey([clause('0.1', 'x')], '')).toBe('0.2');
  });

  it('falls back to the smallest unused whole number when the key would be too long', () => {
    expect(freshClauseKey([clause('1', 'x'), clause('k'.repeat(19), 'y')], 'k'.repeat(19))).toBe('2');
  });

  it('never returns a key in use', () => {
    fc.assert(
      fc.property(textArb, fc.constantFrom('', '1', 'a', '1.1'), (clauses, anchor) => {
        expect(keys(clauses)).not.toContain(freshClauseKey(clauses, anchor));
      }),
    );
  });
});

describe('clauseUnchanged', () => {
  const current = [clause('1', 'One.', { heading: 'First' }), clause('2', 'Two, edited.'), clause('3', 'Three.')];

  it('holds for a target clause identical in both versions', () => {
    expect(clauseUnchanged(base, current, { kind: 'REPLACE', clauseKey: '1', text: 'x' })).toBe(true);
    expect(clauseUnchanged(base, current, { kind: 'DELETE', clauseKey: '3', text: null })).toBe(true);
  });

  it('fails for a target clause edited, re-headed, bracketed or removed since', () => {
    expect(clauseUnchanged(base, current, { kind: 'REPLACE', clauseKey: '2', text: 'x' })).toBe(false);
    const reheaded = [clause('1', 'One.'), ...base.slice(1)];
    expect(clauseUnchanged(base, reheaded, { kind: 'DELETE', clauseKey: '1', text: null })).toBe(false);
    const bracketed = [{ ...base[0], alternatives: [{ id: 'a', text: 'Uno.', partyId: 'p' }] }, ...base.slice(1)];
    expect(clauseUnchanged(base, bracketed, { kind: 'REPLACE', clauseKey: '1', text: 'x' })).toBe(false);
    expect(clauseUnchanged(base, base.slice(1), { kind: 'REPLACE', clauseKey: '1', text: 'x' })).toBe(false);
  });

  it('holds for an insert while its anchor exists and its new key is free', () => {
    expect(clauseUnchanged(base, current, { kind: 'INSERT', clauseKey: '2', text: 'x' })).toBe(true);
    expect(clauseUnchanged(base, [], { kind: 'INSERT', clauseKey: '', text: 'x' })).toBe(true);
    expect(clauseUnchanged(base, base.slice(1), { kind: 'INSERT', clauseKey: '1', text: 'x' })).toBe(false);
    expect(clauseUnchanged(base, [...base, clause('9', 'x')], { kind: 'INSERT', clauseKey: '1', text: 'x', newKey: '9' })).toBe(false);
  });

  it('always holds against the base version itself', () => {
    fc.assert(fc.property(textAndAmendment, ([clauses, amendment]) => expect(clauseUnchanged(clauses, clauses, amendment)).toBe(true)));
  });
});
