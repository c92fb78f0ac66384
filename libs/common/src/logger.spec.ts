import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { redactQuoted, safeError } from './logger';

// what TypeORM's QueryFailedError and pg's DatabaseError carry
function queryFailed(secret: string) {
  const e = new Error(`invalid input syntax for type uuid: "${secret}"`) as Error & Record<string, unknown>;
  e.name = 'QueryFailedError';
  e.query = `INSERT INTO message (body) VALUES ($1)`;
  e.parameters = [secret];
  e.code = '22P02';
  e.driverError = { code: '22P02', detail: `Key (body)=(${secret}) already exists.`, constraint: 'message_body_check', table: 'message' };
  e.detail = `Key (body)=(${secret}) already exists.`;
  return e;
}

describe('safeError', () => {
  it('keeps the kind of a failed statement and none of its content', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 6, maxLength: 40, unit: fc.constantFrom('a', 'b', 'Z', '7', ' ', '-', 'é') }).filter((s) => s.trim().length >= 6),
        (secret) => {
          const out = safeError(queryFailed(secret)) as Record<string, unknown>;
          const text = JSON.stringify(out);
          expect(text).not.toContain(secret);
          expect(text).not.toContain('INSERT INTO');
          expect(out).toMatchObject({ type: 'QueryFailedError', code: '22P02', constraint: 'message_body_check', table: 'message' });
          expect(String(out.stack)).toMatch(/^QueryFailedError: invalid input syntax/);
        },
      ),
    );
  });

  it('cuts quoted values and key details from any message', () => {
    expect(redactQuoted(`Unexpected token 'a', "a secret" is not valid JSON`)).toBe(`Unexpected token '…', "…" is not valid JSON`);
    expect(redactQuoted('Key (email)=(ada@example.org) already exists.')).toBe('Key (…)=(…) already exists.');
    expect(redactQuoted('x'.repeat(1000)).length).toBe(300);
  });
});
