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
    // eslint-disable-next-line no-control-regex
    else if (/[\u0000]/.test(v)) this.bad[field] = 'must not contain NUL characters';
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
    if (!this.ok) throw badInput({ ...this.bad });
  }
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}
