import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Check, findBadText, textProblem } from './validate';

// what PostgreSQL can store: UTF-8 without NUL; a lone surrogate has no UTF-8 form
const storable = (s: string) => !s.includes('\u0000') && Buffer.from(s, 'utf8').toString('utf8') === s;

describe('textProblem', () => {
  it('accepts exactly the strings that survive UTF-8 and hold no NUL', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        expect(textProblem(s) === null).toBe(storable(s));
      }),
      { numRuns: 2000 },
    );
  });

  it('names lone surrogates at either end and in the middle', () => {
    for (const s of ['\uD800', '\uDC00', 'a\uD800b', 'a\uDC00', '\uDBFF\uDBFF\uDFFF', '\uDFFF\uD800']) expect(textProblem(s)).toMatch(/lone surrogate/);
    for (const s of ['', 'plain', '\uD83D\uDE00', '\u202Eevil\u202C', 'zero\u200Bwidth']) expect(textProblem(s)).toBeNull();
  });
});

const strings = (v: unknown): string[] =>
  typeof v === 'string'
    ? [v]
    : Array.isArray(v)
      ? v.flatMap(strings)
      : v && typeof v === 'object'
        ? Object.entries(v).flatMap(([k, x]) => [k, ...strings(x)])
        : [];

describe('findBadText', () => {
  it('finds a bad string anywhere in a payload, as a key or a value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' }), fc.constantFrom('\u0000', '\uD800', '\uDFFF'), (json, bad) => {
        expect(findBadText(json) === null).toBe(strings(json).every(storable));
        expect(findBadText({ a: [json, { deep: `x${bad}` }] })).not.toBeNull();
        expect(findBadText({ [`k${bad}`]: 1 })).toBe('input key');
      }),
    );
  });
});

describe(Check.name, () => {
  it('refuses text with a lone surrogate as BAD_USER_INPUT naming the field', () => {
    const c = new Check();
    c.text('title', 'x\uD800', { max: 10 });
    expect(() => c.done()).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', fields: { title: expect.stringMatching(/lone surrogate/) } }));
  });
});

describe('Check.done', () => {
  it('keeps the message short however many fields are bad, and names them all in fields', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), (n) => {
        const c = new Check();
        for (let i = 0; i < n; i++) c.text(`parties[${i}]`, ' ', { min: 1, max: 100 });
        try {
          c.done();
        } catch (e) {
          const err = e as { message: string; fields: Record<string, string> };
          expect(err.message.length).toBeLessThan(400);
          expect(Object.keys(err.fields)).toHaveLength(n);
          return;
        }
        throw new Error('expected BAD_USER_INPUT');
      }),
      { numRuns: 50 },
    );
  });
});
