import { canonicalJson } from './canonical-json';
import { sha256Hex } from './hash';

export interface ClauseAlternative {
  id: string;
  text: string;
  partyId: string | null;
}

// Non-empty alternatives = the clause is bracketed (see contract.graphql, type Clause).
export interface Clause {
  key: string;
  heading: string | null;
  text: string;
  alternatives: ClauseAlternative[];
}

export interface ClauseInput {
  key: string;
  heading?: string | null;
  text: string;
}

export const MAX_CLAUSES = 500;
export const MAX_CLAUSE_KEY = 20;
export const MAX_HEADING = 300;
export const MAX_CLAUSE_TEXT = 20000;
export const CLAUSE_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

// The clauses exactly as hashed, exported and stored in a bundle: only these fields, in
// this shape, a missing heading as null.
export function canonicalClauses(clauses: readonly Clause[]): Clause[] {
  return clauses.map((c) => ({
    key: c.key,
    heading: c.heading ?? null,
    text: c.text,
    alternatives: c.alternatives.map((a) => ({ id: a.id, text: a.text, partyId: a.partyId ?? null })),
  }));
}

// A version's text hash: hex SHA-256 of the UTF-8 bytes of
//   canonicalJson([{ key, heading, text, alternatives: [{ id, text, partyId }] }, ...])
// over the clauses in order (canonicalJson sorts object keys, so field order is irrelevant).
export function textHash(clauses: readonly Clause[]): string {
  return sha256Hex(canonicalJson(canonicalClauses(clauses)));
}

export function countOpenBrackets(clauses: readonly Clause[]): number {
  return clauses.filter((c) => c.alternatives.length > 0).length;
}

export function sameClause(a: Clause, b: Clause): boolean {
  return canonicalJson(canonicalClauses([a])) === canonicalJson(canonicalClauses([b]));
}

// Lengths are in UTF-16 code units, as libs/common's checks count them. NUL is refused
// because PostgreSQL text cannot hold it.
export function clauseTextProblem(text: unknown): string | null {
  if (typeof text !== 'string') return 'must be a string';
  if (text.trim().length === 0) return 'must not be empty';
  if (text.length > MAX_CLAUSE_TEXT) return `must be at most ${MAX_CLAUSE_TEXT} characters`;
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  return null;
}

export function clauseKeyProblem(key: unknown): string | null {
  if (typeof key !== 'string' || key.length === 0) return 'must not be empty';
  if (key.length > MAX_CLAUSE_KEY) return `must be at most ${MAX_CLAUSE_KEY} characters`;
  if (!CLAUSE_KEY.test(key)) return 'must start with a letter or digit and hold only letters, digits, ".", "_" and "-"';
  return null;
}

// Bad fields of a full text, named like `clauses[3].key` (empty = valid).
export function validateClauses(clauses: readonly ClauseInput[], field = 'clauses'): Record<string, string> {
  const bad: Record<string, string> = {};
  if (!Array.isArray(clauses) || clauses.length === 0) {
    bad[field] = 'must hold at least one clause';
    return bad;
  }
  if (clauses.length > MAX_CLAUSES) bad[field] = `must hold at most ${MAX_CLAUSES} clauses`;
  const seen = new Set<string>();
  clauses.forEach((c, i) => {
    const at = `${field}[${i}]`;
    const keyProblem = clauseKeyProblem(c?.key);
    if (keyProblem) bad[`${at}.key`] = keyProblem;
    else if (seen.has(c.key)) bad[`${at}.key`] = `repeats the key "${c.key}"`;
    else seen.add(c.key);
    const heading = c?.heading;
    if (heading !== null && heading !== undefined) {
      if (typeof heading !== 'string') bad[`${at}.heading`] = 'must be a string';
      else if (heading.length > MAX_HEADING) bad[`${at}.heading`] = `must be at most ${MAX_HEADING} characters`;
      else if (heading.includes('\u0000')) bad[`${at}.heading`] = 'must not contain NUL characters';
    }
    const textProblem = clauseTextProblem(c?.text);
    if (textProblem) bad[`${at}.text`] = textProblem;
  });
  return bad;
}
