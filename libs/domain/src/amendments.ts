import { clauseKeyProblem, clauseTextProblem, MAX_CLAUSE_KEY, MAX_CLAUSES, sameClause, type Clause } from './clauses';
import { badUserInput } from './domain-error';

export type AmendmentKind = 'REPLACE' | 'INSERT' | 'DELETE';

export interface AmendmentChange {
  kind: AmendmentKind;
  clauseKey: string; // INSERT: the clause the new one follows, "" = first
  text: string | null; // REPLACE and INSERT: the new text; DELETE: ignored
  newKey?: string; // INSERT only; generated when absent
}

// A key for a clause inserted after `anchor` that the text does not use yet:
// `${anchor}.1`, `${anchor}.2`, ... ("0.1", "0.2", ... when inserted first). Should that be
// longer than a key may be, the smallest unused whole number ("1", "2", ...) instead.
export function freshClauseKey(clauses: readonly Clause[], anchor: string): string {
  const used = new Set(clauses.map((c) => c.key));
  const stem = anchor === '' ? '0' : anchor;
  for (let i = 1; ; i += 1) {
    const key = `${stem}.${i}`;
    if (key.length > MAX_CLAUSE_KEY) break;
    if (!used.has(key)) return key;
  }
  for (let i = 1; ; i += 1) if (!used.has(String(i))) return String(i);
}

// Bad fields of an amendment against a text (empty = it applies cleanly).
export function validateAmendment(clauses: readonly Clause[], amendment: AmendmentChange): Record<string, string> {
  const bad: Record<string, string> = {};
  const { kind, clauseKey, text, newKey } = amendment;
  const keys = new Set(clauses.map((c) => c.key));
  if (kind !== 'REPLACE' && kind !== 'INSERT' && kind !== 'DELETE') {
    bad.kind = 'must be REPLACE, INSERT or DELETE';
    return bad;
  }
  if (typeof clauseKey !== 'string') bad.clauseKey = 'must be a string';
  else if (!(kind === 'INSERT' && clauseKey === '') && !keys.has(clauseKey)) bad.clauseKey = `no clause has the key "${clauseKey}"`;
  if (kind === 'DELETE') {
    if (clauses.length <= 1) bad.clauseKey = 'the text must keep at least one clause';
    return bad;
  }
  const textProblem = clauseTextProblem(text);
  if (textProblem) bad.text = text === null || text === undefined ? `${kind} needs a text` : textProblem;
  if (kind === 'INSERT') {
    if (clauses.length >= MAX_CLAUSES) bad.clauseKey = `the text already holds ${MAX_CLAUSES} clauses`;
    if (newKey !== undefined && newKey !== null) {
      const keyProblem = clauseKeyProblem(newKey);
      if (keyProblem) bad.newKey = keyProblem;
      else if (keys.has(newKey)) bad.newKey = `the key "${newKey}" is already used`;
    }
  } else if (newKey !== undefined && newKey !== null) {
    bad.newKey = 'only INSERT takes a new key';
  }
  return bad;
}

// The text after the amendment; the input is not changed. REPLACE keeps the heading and
// clears the clause's alternatives (adopting the amendment settles that clause); INSERT adds
// a clause without heading or alternatives. Throws DomainError BAD_USER_INPUT when the
// amendment does not apply.
export function applyAmendment(clauses: readonly Clause[], amendment: AmendmentChange): Clause[] {
  const bad = validateAmendment(clauses, amendment);
  if (Object.keys(bad).length > 0) throw badUserInput(bad);
  const { kind, clauseKey } = amendment;
  const text = amendment.text as string;
  switch (kind) {
    case 'REPLACE':
      return clauses.map((c) => (c.key === clauseKey ? { ...c, text, alternatives: [] } : c));
    case 'DELETE':
      return clauses.filter((c) => c.key !== clauseKey);
    case 'INSERT': {
      const key = amendment.newKey ?? freshClauseKey(clauses, clauseKey);
      const at = clauseKey === '' ? 0 : clauses.findIndex((c) => c.key === clauseKey) + 1;
      return [...clauses.slice(0, at), { key, heading: null, text, alternatives: [] }, ...clauses.slice(at)];
    }
  }
}

// Whether the amendment can still be applied to `current` without overwriting a change
// made since `base`. REPLACE/DELETE: the target clause is in both and identical (heading,
// text, alternatives). INSERT: the anchor is "" or still exists, and a given newKey is
// still free.
export function clauseUnchanged(base: readonly Clause[], current: readonly Clause[], amendment: AmendmentChange): boolean {
  const { kind, clauseKey, newKey } = amendment;
  const inCurrent = current.find((c) => c.key === clauseKey);
  if (kind === 'INSERT') {
    const anchorOk = clauseKey === '' || inCurrent !== undefined;
    const keyFree = newKey === undefined || newKey === null || !current.some((c) => c.key === newKey);
    return anchorOk && keyFree;
  }
  const inBase = base.find((c) => c.key === clauseKey);
  return inBase !== undefined && inCurrent !== undefined && sameClause(inBase, inCurrent);
}
