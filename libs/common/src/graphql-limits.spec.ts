import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parse } from 'graphql';
import { documentNesting, MAX_NESTING } from './graphql-limits';

// a document's text and how deeply its brackets nest, built together: selections, inline
// fragments, arguments with lists and input objects, and strings, block strings and comments
// full of brackets, which do not count
type Doc = { text: string; depth: number };
const noise = fc.string({ unit: fc.constantFrom('{', '}', '[', ']', '(', ')', 'a', ' ', '#'), maxLength: 12 });
const str: fc.Arbitrary<string> = fc.oneof(
  noise.map((s) => `"${s.replace(/"/g, '')}"`),
  noise.map((s) => `"""${s}\\""" ${s}"""`),
);
const value: fc.Arbitrary<Doc> = fc.letrec<{ v: Doc }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom({ text: '1', depth: 0 }, { text: 'true', depth: 0 }),
    str.map((text) => ({ text, depth: 0 })),
    fc.array(tie('v'), { maxLength: 3 }).map((vs) => ({ text: `[${vs.map((v) => v.text).join(', ')}]`, depth: 1 + Math.max(0, ...vs.map((v) => v.depth)) })),
    tie('v').map((v) => ({ text: `{ k: ${v.text} }`, depth: 1 + v.depth })),
  ),
})).v;
const selection: fc.Arbitrary<Doc> = fc.letrec<{ s: Doc }>((tie) => ({
  s: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant({ text: '__typename', depth: 0 }),
    fc.tuple(value, noise).map(([v, c]) => ({ text: `f(a: ${v.text}) # ${c}\n`, depth: 1 + v.depth })),
    fc
      .array(tie('s'), { minLength: 1, maxLength: 3 })
      .map((ss) => ({ text: `f { ${ss.map((s) => s.text).join(' ')} }`, depth: 1 + Math.max(...ss.map((s) => s.depth)) })),
    tie('s').map((s) => ({ text: `... on Query { ${s.text} }`, depth: 1 + s.depth })),
  ),
})).s;
const document = selection.map((s) => ({ text: `{ ${s.text} }`, depth: 1 + s.depth }));

describe(documentNesting.name, () => {
  it('counts the deepest nesting of {, [ and ( outside strings, block strings and comments, on documents graphql-js parses', () => {
    fc.assert(
      fc.property(document, ({ text, depth }) => {
        expect(() => parse(text)).not.toThrow();
        expect(documentNesting(text)).toBe(depth);
      }),
      { numRuns: 500 },
    );
  });

  it('stops once past the limit, and never counts below zero on text that is not GraphQL', () => {
    expect(documentNesting('{'.repeat(10_000), 256)).toBe(257);
    expect(documentNesting(`{ ${'... on Query { '.repeat(MAX_NESTING - 1)}__typename${' }'.repeat(MAX_NESTING - 1)} }`)).toBe(MAX_NESTING);
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('{', '}', '[', ']', '(', ')', 'x') }), (text) => {
        let depth = 0;
        let most = 0;
        for (const c of text) {
          if ('{[('.includes(c)) most = Math.max(most, ++depth);
          else if ('}])'.includes(c)) depth = Math.max(0, depth - 1);
        }
        expect(documentNesting(text)).toBe(most);
      }),
    );
    // an unterminated string or comment ends the count
    expect(documentNesting('{ f(a: "{{{')).toBe(2);
    expect(documentNesting('{ # {{{')).toBe(1);
    expect(documentNesting('{ f(a: """ {{{ ')).toBe(2);
  });
});
