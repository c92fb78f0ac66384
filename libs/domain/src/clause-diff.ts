import { diffWords, diffWordsWithSpace, type ChangeObject } from 'diff';
import type { Clause } from './clauses';

export type DiffOp = 'EQUAL' | 'INSERT' | 'DELETE';
export type ClauseChange = 'ADDED' | 'REMOVED' | 'CHANGED' | 'UNCHANGED';

export interface DiffHunk {
  op: DiffOp;
  text: string;
}

export interface ClauseDiff {
  key: string;
  change: ClauseChange;
  before: string | null; // the clause text, null when ADDED
  after: string | null; // null when REMOVED
  hunks: DiffHunk[];
}

type DiffableClause = Pick<Clause, 'key' | 'text'> & { heading?: string | null };

const whole = (op: DiffOp, text: string): DiffHunk[] => (text === '' ? [] : [{ op, text }]);

function toHunks(changes: ChangeObject<string>[]): DiffHunk[] {
  return changes.filter((c) => c.value !== '').map((c) => ({ op: c.added ? 'INSERT' : c.removed ? 'DELETE' : 'EQUAL', text: c.value }));
}

const joined = (hunks: DiffHunk[], skip: DiffOp) =>
  hunks
    .filter((h) => h.op !== skip)
    .map((h) => h.text)
    .join('');

// Word-by-word hunks such that EQUAL+DELETE spells `before` and EQUAL+INSERT spells `after`.
// diffWords ignores whitespace when matching, so a whitespace-only change could vanish from
// its output; then the diff is redone with whitespace runs as tokens.
export function wordHunks(before: string, after: string): DiffHunk[] {
  for (const diff of [diffWords, diffWordsWithSpace]) {
    const hunks = toHunks(diff(before, after));
    if (joined(hunks, 'INSERT') === before && joined(hunks, 'DELETE') === after) return hunks;
  }
  return [...whole('DELETE', before), ...whole('INSERT', after)];
}

// Clauses are matched by key (keys are unique within a text). A clause counts as CHANGED
// when its text or its heading changed (alternatives are not compared); the hunks are always
// of the text. Order: the clauses of `after` in their order, and each REMOVED clause right
// after the clause that preceded it in `before` (first if it was first there); so a run of
// removed clauses stays together after the nearest earlier clause that survived.
export function diffClauses(before: readonly DiffableClause[], after: readonly DiffableClause[]): ClauseDiff[] {
  const beforeByKey = new Map(before.map((c) => [c.key, c]));
  const afterKeys = new Set(after.map((c) => c.key));

  const removedAfter = new Map<string | null, ClauseDiff[]>();
  let anchor: string | null = null;
  for (const c of before) {
    if (afterKeys.has(c.key)) {
      anchor = c.key;
      continue;
    }
    const list = removedAfter.get(anchor) ?? [];
    list.push({ key: c.key, change: 'REMOVED', before: c.text, after: null, hunks: whole('DELETE', c.text) });
    removedAfter.set(anchor, list);
  }

  const out: ClauseDiff[] = [...(removedAfter.get(null) ?? [])];
  for (const c of after) {
    const old = beforeByKey.get(c.key);
    if (old === undefined) {
      out.push({ key: c.key, change: 'ADDED', before: null, after: c.text, hunks: whole('INSERT', c.text) });
    } else if (old.text === c.text && (old.heading ?? null) === (c.heading ?? null)) {
      out.push({ key: c.key, change: 'UNCHANGED', before: old.text, after: c.text, hunks: whole('EQUAL', c.text) });
    } else {
      out.push({ key: c.key, change: 'CHANGED', before: old.text, after: c.text, hunks: wordHunks(old.text, c.text) });
    }
    out.push(...(removedAfter.get(c.key) ?? []));
  }
  return out;
}
