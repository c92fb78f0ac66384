import { badInput } from './errors';

// Small, explicit input checks that collect every bad field into one BAD_USER_INPUT.
export class Check {
  private readonly bad: Record<string, string> = {};

  text(field: string, value: unknown, opts: { min?: number; max: number; optional?: boolean; trim?: boolean }): string {
    if (value === undefined || value === null) {
      if (opts.optional) return '';
      this.bad[field] = 'is required';
      return '';
    }
    if (typeof value !== 'string') {
      this.bad[field] = 'must be a string';
      return '';
    }
    const v = opts.trim === false ? value : value.trim();
    const min = opts.min ?? 0;
    if (v.length < min) this.bad[field] = min <= 1 ? 'must not be empty' : `must be at least ${min} characters`;
    else if (v.length > opts.max) this.bad[field] = `must be at most ${opts.max} characters`;
    else {
      const problem = textProblem(v);
      if (problem) this.bad[field] = problem;
    }
    return v;
  }

  int(field: string, value: unknown, opts: { min: number; max: number }): number {
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.bad[field] = 'must be an integer';
      return 0;
    }
    if (value < opts.min || value > opts.max) this.bad[field] = `must be between ${opts.min} and ${opts.max}`;
    return value;
  }

  uuid(field: string, value: unknown): string {
    if (typeof value !== 'string' || !UUID.test(value)) {
      this.bad[field] = 'must be an id';
      return '';
    }
    return value.toLowerCase();
  }

  that(field: string, ok: boolean, message: string): void {
    if (!ok && !this.bad[field]) this.bad[field] = message;
  }

  get ok(): boolean {
    return Object.keys(this.bad).length === 0;
  }

  done(): void {
    if (this.ok) return;
    // a list with hundreds of bad items gets a message of a few lines; `fields` names them all
    const entries = Object.entries(this.bad);
    const shown = entries.slice(0, 5).map(([f, why]) => `${f} ${why}`);
    const more = entries.length > 5 ? ` (and ${entries.length - 5} more)` : '';
    throw badInput({ ...this.bad }, entries.length > 5 ? `Invalid input: ${shown.join('; ')}${more}.` : undefined);
  }
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

// a lone UTF-16 surrogate cannot be stored (PostgreSQL refuses it in text and jsonb), nor can NUL
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// why a string cannot be taken as text, or null when it can
export function textProblem(value: string): string | null {
  if (value.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(value)) return 'must be valid Unicode text (it holds a lone surrogate)';
  return null;
}

// the path of the first string (key or value) in a parsed payload that is not valid text,
// looking at most `budget` nodes deep into it; null when every string is fine
export function findBadText(value: unknown, path = 'input', budget = { nodes: 10_000 }): string | null {
  if (--budget.nodes < 0) return null;
  if (typeof value === 'string') return textProblem(value) ? path : null;
  if (value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = findBadText(value[i], `${path}[${i}]`, budget);
      if (bad) return bad;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value)) {
    if (textProblem(k)) return `${path} key`;
    const bad = findBadText(v, `${path}.${k}`, budget);
    if (bad) return bad;
  }
  return null;
}
