import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { canonicalJson } from './canonical-json';
import { canonicalClauses, countOpenBrackets, textHash, validateClauses, type Clause } from './clauses';
import { sha256Hex } from './hash';

const clauseArb: fc.Arbitrary<Clause> = fc.record({
  key: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,5}$/),
  heading: fc.option(fc.string({ maxLength: 10 }), { nil: null }),
  text: fc.string({ minLength: 1, maxLength: 40 }),
  alternatives: fc.array(fc.record({ id: fc.uuid(), text: fc.string({ maxLength: 10 }), partyId: fc.option(fc.uuid(), { nil: null }) }), { maxLength: 2 }),
});
const textArb = fc.uniqueArray(clauseArb, { selector: (c) => c.key, minLength: 1, maxLength: 8 });

const clause = (key: string, text: string, extra: Partial<Clause> = {}): Clause => ({ key, heading: null, text, alternatives: [], ...extra });

describe('textHash', () => {
  it('is the SHA-256 of the canonical JSON of the clauses', () => {
    const clauses = [clause('1', 'All parties report incidents.', { heading: 'Reporting' })];
    const expected = sha256Hex('[{"alternatives":[],"heading":"Reporting","key":"1","text":"All parties report incidents."}]');
    expect(textHash(clauses)).toBe(expected);
  });

  it('ignores fields outside the clause shape and treats a missing heading as null', () => {
    const loose = { ...clause('1', 'x'), heading: undefined, id: 'row-7', alternatives: [{ id: 'a', text: 'y', partyId: null, createdAt: 1 }] };
    expect(textHash([loose as unknown as Clause])).toBe(textHash([clause('1', 'x', { alternatives: [{ id: 'a', text: 'y', partyId: null }] })]));
  });

  it('changes with any change to a clause, and with the order of clauses', () => {
    fc.assert(
      fc.property(textArb, fc.nat(), fc.string({ minLength: 1 }), (clauses, pick, suffix) => {
        const i = pick % clauses.length;
        const edited = clauses.map((c, j) => (j === i ? { ...c, text: c.text + suffix } : c));
        expect(textHash(edited)).not.toBe(textHash(clauses));
        if (clauses.length > 1) expect(textHash([...clauses].reverse())).not.toBe(textHash(clauses));
      }),
    );
  });

  it('is stable through a JSON round trip of the canonical clauses', () => {
    fc.assert(
      fc.property(textArb, (clauses) => {
        const copy = JSON.parse(canonicalJson(canonicalClauses(clauses))) as Clause[];
        expect(textHash(copy)).toBe(textHash(clauses));
      }),
    );
  });
});

describe('countOpenBrackets', () => {
  it('counts the clauses that have alternatives', () => {
    const alt = { id: 'a', text: 'or this', partyId: null };
    expect(countOpenBrackets([clause('1', 'x'), clause('2', 'y', { alternatives: [alt, alt] }), clause('3', 'z', { alternatives: [alt] })])).toBe(2);
    expect(countOpenBrackets([])).toBe(0);
  });
});

describe('validateClauses', () => {
  it('accepts a well-formed text', () => {
    expect(
      validateClauses([
        { key: '1', text: 'a' },
        { key: '2.a_b-c', heading: 'H', text: 'b' },
        { key: 'X', heading: null, text: 'c' },
      ]),
    ).toEqual({});
  });

  it('accepts any generated text', () => {
    fc.assert(fc.property(textArb, (clauses) => expect(validateClauses(clauses.map((c) => ({ ...c, text: `t${c.text}` })))).toEqual({})));
  });

  it('needs between 1 and 500 clauses', () => {
    expect(Object.keys(validateClauses([]))).toEqual(['clauses']);
    const many = Array.from({ length: 501 }, (_, i) => ({ key: String(i), text: 't' }));
    expect(Object.keys(validateClauses(many))).toEqual(['clauses']);
    expect(validateClauses(many.slice(0, 500))).toEqual({});
  });

  it('names each bad key by its position', () => {
    const bad = validateClauses([
      { key: '', text: 'a' },
      { key: '.1', text: 'a' },
      { key: 'a b', text: 'a' },
      { key: 'x'.repeat(21), text: 'a' },
      { key: 'x'.repeat(20), text: 'a' },
    ]);
    expect(Object.keys(bad)).toEqual(['clauses[0].key', 'clauses[1].key', 'clauses[2].key', 'clauses[3].key']);
  });

  it('refuses a repeated key on its second use', () => {
    expect(
      validateClauses([
        { key: '1', text: 'a' },
        { key: '2', text: 'b' },
        { key: '1', text: 'c' },
      ]),
    ).toEqual({
      'clauses[2].key': 'repeats the key "1"',
    });
  });

  it('bounds headings and texts', () => {
    const bad = validateClauses([
      { key: '1', heading: 'h'.repeat(301), text: 'a' },
      { key: '2', text: '' },
      { key: '3', text: '   ' },
      { key: '4', text: 't'.repeat(20001) },
      { key: '5', heading: 'h'.repeat(300), text: 't'.repeat(20000) },
      { key: '6', text: 'nul \u0000' },
    ]);
    expect(Object.keys(bad)).toEqual(['clauses[0].heading', 'clauses[1].text', 'clauses[2].text', 'clauses[3].text', 'clauses[5].text']);
  });
});
