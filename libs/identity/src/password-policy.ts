import { dictionary } from '@zxcvbn-ts/language-common';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 1024;

// The rules, as the error reports them (ASVS 5.0 V6.2): length only, no composition rules,
// any Unicode character, checked against a list of common and breached passwords.
export const PASSWORD_RULES = `${PASSWORD_MIN} to ${PASSWORD_MAX} characters (spaces and any characters allowed); not a common or breached password; not your email address or name`;

// The ~49 000 most common passwords of public breach corpora, as shipped (and kept up to
// date) by @zxcvbn-ts/language-common; compared case-insensitively.
let common: Set<string> | null = null;
function commonPasswords(): Set<string> {
  common ??= new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));
  return common;
}

// null when the password is acceptable, else why not (for extensions.fields.password)
export function passwordProblem(password: string, context: { email?: string; displayName?: string } = {}): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN || password.length > PASSWORD_MAX) return `must be ${PASSWORD_RULES}`;
  const lower = password.toLowerCase();
  const squeezed = lower.replace(/\s+/g, '');
  if (commonPasswords().has(lower) || commonPasswords().has(squeezed)) return `is a common or breached password; use ${PASSWORD_RULES}`;
  // the same character repeated, or the account's own email or name
  if (/^(.)\1*$/su.test(squeezed)) return `is one character repeated; use ${PASSWORD_RULES}`;
  // (only long enough ones: a short name like "Ann" is part of too many good passphrases)
  const email = context.email?.toLowerCase() ?? '';
  const words = [email, email.split('@')[0], context.displayName?.toLowerCase().replace(/\s+/g, '') ?? ''].filter((w) => w.length >= 6);
  if (words.some((w) => squeezed.includes(w))) return `contains your email address or name; use ${PASSWORD_RULES}`;
  return null;
}
