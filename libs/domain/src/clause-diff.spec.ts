import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { diffClauses, wordHunks, type DiffHunk } from './clause-diff';
import type { Clause } from './clauses';

const clause = (key: string, text: string, heading: string | null = null): Clause => ({ key, heading, text, alternatives: [] });
const keys = (xs: { key: string }[]) => xs.map((x) => x.key);
const spell = (hunks: DiffHunk[], skip: 'INSERT' | 'DELETE') =>
  hunks
    .filter((h) => h.op !== skip)
    .map((h) => h.text)
    .join('');

// Texts made of a few words, spaces and newlines, so edits share words.
const words = fc
  .array(fc.constantFrom('the', 'parties', 'shall', 'report', 'a', 'b', ' ', '  ', '\n', ',', '.', 'é', ''), { maxLength: 14 })
  .map((ws) => ws.join(' ').replace(/^ /, ''));
const key = fc.constantFrom('1', '2', '3', '4', '5', '6', '2.1', 'x');
const text = fc
  .uniqueArray(fc.record({ key, heading: fc.option(fc.constantFrom('A', 'B'), { nil: null }), text: words }), {
    selector: (c) => c.key,
    maxLength: 7,
  })
  .map((cs) => cs.map((c) => ({ ...c, alternatives: [] })));

describe('wordHunks', () => {
  it('marks changed words', () => {
    expect(wordHunks('the cat sat', 'the dog sat')).toEqual([
      { op: 'EQUAL', text: 'the ' },
      { op: 'DELETE', text: 'cat' },
      { op: 'INSERT', text: 'dog' },
      { op: 'EQUAL', text: ' sat' },
    ]);
  });

  it('keeps a whitespace-only change visible', () => {
    const hunks = wordHunks('a  b', 'a b');
    expect(spell(hunks, 'INSERT')).toBe('a  b');
    expect(spell(hunks, 'DELETE')).toBe('a b');
    expect(hunks.some((h) => h.op !== 'EQUAL')).toBe(true);
  });

  it('spells the old text from EQUAL and DELETE hunks and the new one from EQUAL and INSERT hunks', () => {
    fc.assert(
      fc.property(fc.oneof(words, fc.string()), fc.oneof(words, fc.string()), (a, b) => {
        const hunks = wordHunks(a, b);
        expect(spell(hunks, 'INSERT')).toBe(a);
        expect(spell(hunks, 'DELETE')).toBe(b);
        expect(hunks.every((h) => h.text !== '')).toBe(true);
      }),
    );
  });
});

describe('diffClauses', () => {
  it('reports added, removed, changed and unchanged clauses', () => {
    const before = [clause('1', 'Keep this.'), clause('2', 'Drop this.'), clause('3', 'Report yearly.')];
    const after = [clause('1', 'Keep this.'), clause('3', 'Report monthly.'), clause('4', 'New.')];
    expect(diffClauses(before, after)).toEqual([
      { key: '1', change: 'UNCHANGED', before: 'Keep this.', after: 'Keep this.', hunks: [{ op: 'EQUAL', text: 'Keep this.' }] },
      { key: '2', change: 'REMOVED', before: 'Drop this.', after: null, hunks: [{ op: 'DELETE', text: 'Drop this.' }] },
      {
        key: '3',
        change: 'CHANGED',
        before: 'Report yearly.',
        after: 'Report monthly.',
        hunks: [
          { op: 'EQUAL', text: 'Report ' },
          { op: 'DELETE', text: 'yearly' },
          { op: 'INSERT', text: 'monthly' },
          { op: 'EQUAL', text: '.' },
        ],
      },
      { key: '4', change: 'ADDED', before: null, after: 'New.', hunks: [{ op: 'INSERT', text: 'New.' }] },
    ]);
  });

  it('counts a changed heading as a change, with the text hunks all EQUAL', () => {
    expect(diffClauses([clause('1', 'Same.', 'Old')], [clause('1', 'Same.', 'New')])).toEqual([
      { key: '1', change: 'CHANGED', before: 'Same.', after: 'Same.', hunks: [{ op: 'EQUAL', text: 'Same.' }] },
    ]);
  });

  it('places a removed clause after its nearest surviving predecessor, or first', () => {
    const before = [clause('a', '1'), clause('b', '2'), clause('c', '3'), clause('d', '4'), clause('e', '5')];
    const after = [clause('d', '4'), clause('n', 'new'), clause('b', '2')];
    expect(keys(diffClauses(before, after))).toEqual(['a', 'd', 'e', 'n', 'b', 'c']);
  });

  it('gives empty hunks for empty texts', () => {
    expect(diffClauses([clause('1', '')], [clause('2', '')]).map((d) => d.hunks)).toEqual([[], []]);
  });

  it('finds nothing changed between a text and itself', () => {
    fc.assert(
      fc.property(text, (a) => {
        const d = diffClauses(a, a);
        expect(keys(d)).toEqual(keys(a));
        expect(d.every((x) => x.change === 'UNCHANGED' && x.before === x.after)).toBe(true);
      }),
    );
  });

  it('lists every clause of either side once: those of the new text in order, plus the removed ones', () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        const d = diffClauses(a, b);
        expect(d.filter((x) => x.change !== 'REMOVED').map((x) => x.key)).toEqual(keys(b));
        expect(new Set(keys(d))).toEqual(new Set([...keys(a), ...keys(b)]));
        expect(d.length).toBe(new Set(keys(d)).size);
        // a removed clause comes right after the clause that preceded it in the old text
        d.forEach((x, i) => {
          if (x.change !== 'REMOVED') return;
          const j = keys(a).indexOf(x.key);
          expect(i === 0 ? null : d[i - 1].key).toBe(j === 0 ? null : a[j - 1].key);
        });
      }),
    );
  });

  it('spells both texts of a changed clause from its hunks', () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        for (const x of diffClauses(a, b)) {
          if (x.change === 'CHANGED') {
            expect(spell(x.hunks, 'INSERT')).toBe(x.before);
            expect(spell(x.hunks, 'DELETE')).toBe(x.after);
          }
          if (x.change === 'UNCHANGED') expect(x.hunks.every((h) => h.op === 'EQUAL')).toBe(true);
          if (x.change === 'ADDED') expect(spell(x.hunks, 'DELETE')).toBe(x.after);
          if (x.change === 'REMOVED') expect(spell(x.hunks, 'INSERT')).toBe(x.before);
        }
      }),
    );
  });

  it('adds in one direction exactly what it removes in the other', () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        const of = (d: ReturnType<typeof diffClauses>, change: string) => new Set(d.filter((x) => x.change === change).map((x) => x.key));
        const ab = diffClauses(a, b);
        const ba = diffClauses(b, a);
        expect(of(ab, 'ADDED')).toEqual(of(ba, 'REMOVED'));
        expect(of(ab, 'REMOVED')).toEqual(of(ba, 'ADDED'));
        expect(of(ab, 'CHANGED')).toEqual(of(ba, 'CHANGED'));
      }),
    );
  });
});
