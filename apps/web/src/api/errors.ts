import type { CombinedError } from 'urql';

// The contract's error codes in plain words. A message from the server is used where it is
// more precise (validation names the field and what it expects).
const WORDS: Record<string, string> = {
  UNAUTHENTICATED: 'Your session has ended. Please sign in again.',
  FORBIDDEN: 'Your role in this room does not allow that.',
  NOT_FOUND: 'That does not exist, or you do not have access to it.',
  BAD_USER_INPUT: 'Some of what you entered is not valid.',
  VERSION_CONFLICT: 'Someone changed the text while you were editing.',
  INVITE_INVALID: 'This invitation is not valid: it may have been used, revoked or have expired.',
  BALLOT_CLOSED: 'This ballot is closed.',
  OPEN_BRACKETS: 'The text still has open brackets; resolve them before a final vote.',
  INVALID_STATE: 'That is not possible at this stage.',
  RATE_LIMITED: 'Too many attempts. Please wait a moment and try again.',
  NETWORK: 'The server cannot be reached. Check your connection and try again.',
};

export interface PlainError {
  code: string;
  message: string;
  fields: Record<string, string>;
}

export function codeWords(code: string): string {
  return WORDS[code] ?? 'Something went wrong. Please try again.';
}

export function plainError(error: CombinedError | null | undefined): PlainError | null {
  if (!error) return null;
  if (error.networkError && !error.graphQLErrors.length) return { code: 'NETWORK', message: WORDS.NETWORK, fields: {} };
  const first = error.graphQLErrors[0];
  const code = String(first?.extensions?.code ?? 'INTERNAL');
  const fields = (first?.extensions?.fields ?? {}) as Record<string, string>;
  const precise = code === 'BAD_USER_INPUT' || code === 'INVALID_STATE' || code === 'RATE_LIMITED';
  const message = precise && first?.message ? first.message : codeWords(code);
  return { code, message, fields };
}

export function errorCode(error: CombinedError | null | undefined): string | null {
  return plainError(error)?.code ?? null;
}
