import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { dictionary } from '@zxcvbn-ts/language-common';
import { passwordProblem, PASSWORD_MAX, PASSWORD_MIN } from './password-policy';

const common = dictionary['passwords-common'] as string[];

describe('passwordProblem', () => {
  it('ships a maintained list of tens of thousands of common passwords', () => {
    expect(common.length).toBeGreaterThan(10_000);
  });

  it('refuses every listed password long enough to pass the length rule, in any case', () => {
    const long = common.filter((p) => [...p].length >= PASSWORD_MIN && p.length <= PASSWORD_MAX);
    expect(long.length).toBeGreaterThan(100);
    for (const p of long) {
      expect(passwordProblem(p)).toMatch(/common or breached/);
      expect(passwordProblem(p.toUpperCase())).toMatch(/common or breached/);
    }
  });

  it('names the rules in every refusal', () => {
    for (const p of ['short', '123qweasdzxc', 'zzzzzzzzzzzzzzz', 'ada.lovelace-2026', 'x'.repeat(PASSWORD_MAX + 1)]) {
      expect(passwordProblem(p, { email: 'ada.lovelace@example.org' })).toMatch(/12 to 1024 characters/);
    }
  });

  it('refuses the email address or display name inside the password', () => {
    expect(passwordProblem('my ada.lovelace pass', { email: 'Ada.Lovelace@example.org' })).toMatch(/email address or name/);
    expect(passwordProblem('Grace Hopper rocks!', { displayName: 'Grace Hopper' })).toMatch(/email address or name/);
    expect(passwordProblem('Grace Hopper rocks!', { displayName: 'Ada' })).toBeNull();
  });

  it('accepts any long, unlisted password: no composition rules, any characters', () => {
    fc.assert(
      fc.property(fc.string({ minLength: PASSWORD_MIN, maxLength: 64, unit: 'grapheme' }), fc.uuid(), (text, salt) => {
        const p = `${text}${salt}`;
        expect(passwordProblem(p)).toBeNull();
      }),
      { numRuns: 200 },
    );
  });

  it('refuses anything shorter than the minimum, counting characters, not UTF-16 units', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: PASSWORD_MIN - 1, unit: 'grapheme-ascii' }), (p) => {
        expect(passwordProblem(p)).not.toBeNull();
      }),
    );
    // eleven emoji are 22 UTF-16 units but eleven characters
    expect(passwordProblem('😀🐙🦊🐳🌵🍉🚲🎈📎🧭🪁')).toMatch(/12 to 1024/);
  });
});
