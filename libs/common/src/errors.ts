import { badUserInput, DomainError, type ErrorCode } from '@parley/domain';

// The one error class (DomainError, with the contract's codes) lives in libs/domain so pure
// rules throw it too; here are the helpers that build each code. error-answer.ts maps it.
export { DomainError, ERROR_CODES, type ErrorCode } from '@parley/domain';

const DEFAULT_MESSAGES: Record<ErrorCode, string> = {
  UNAUTHENTICATED: 'Sign in to continue.',
  FORBIDDEN: 'Your role in this room does not allow that.',
  NOT_FOUND: 'Not found.',
  BAD_USER_INPUT: 'The input is not valid.',
  VERSION_CONFLICT: 'The text has changed since the version you edited.',
  INVITE_INVALID: 'This invitation is not valid.',
  BALLOT_CLOSED: 'This ballot is closed.',
  OPEN_BRACKETS: 'The text still has open brackets.',
  INVALID_STATE: 'That is not possible in the current state.',
  RATE_LIMITED: 'Too many requests; try again later.',
};

export const unauthenticated = (message = DEFAULT_MESSAGES.UNAUTHENTICATED) => new DomainError('UNAUTHENTICATED', message);
export const forbidden = (message = DEFAULT_MESSAGES.FORBIDDEN) => new DomainError('FORBIDDEN', message);
// one message for every kind of missing thing, so a hidden room and a missing one look alike
export const notFound = () => new DomainError('NOT_FOUND', DEFAULT_MESSAGES.NOT_FOUND);
export const badInput = (fields: Record<string, string>, message?: string) => badUserInput(fields, message);
export const versionConflict = (current: number) =>
  new DomainError('VERSION_CONFLICT', `${DEFAULT_MESSAGES.VERSION_CONFLICT} The current version is ${current}.`);
export const inviteInvalid = () => new DomainError('INVITE_INVALID', DEFAULT_MESSAGES.INVITE_INVALID);
export const ballotClosed = () => new DomainError('BALLOT_CLOSED', DEFAULT_MESSAGES.BALLOT_CLOSED);
export const openBrackets = (count: number) =>
  new DomainError('OPEN_BRACKETS', `The text still has ${count} open bracket(s); resolve them before a final ballot.`);
export const invalidState = (message = DEFAULT_MESSAGES.INVALID_STATE) => new DomainError('INVALID_STATE', message);
// `retryAfterSeconds`: when the limit lets the caller in again, sent as Retry-After (GraphQL and REST)
export const rateLimited = (message = DEFAULT_MESSAGES.RATE_LIMITED, retryAfterSeconds?: number) =>
  new DomainError('RATE_LIMITED', message, undefined, retryAfterSeconds && retryAfterSeconds > 0 ? Math.ceil(retryAfterSeconds) : undefined);

// Failures of the database rather than of the request: a statement cancelled by
// statement_timeout (SQLSTATE 57014), or no connection to the server. Their answer is
// INTERNAL_SERVER_ERROR with a plain message saying to try again; null for anything else.
export function databaseUnavailableMessage(e: unknown): string | null {
  const err = e as { code?: unknown; driverError?: { code?: unknown }; message?: unknown } | null;
  const code = err?.driverError?.code ?? err?.code;
  if (code === '57014') return 'The request took too long and was cancelled; try again.';
  const msg = typeof err?.message === 'string' ? err.message : '';
  if (code === 'ECONNREFUSED' || code === '57P01' || code === '57P03' || /Connection terminated|timeout exceeded when trying to connect/.test(msg)) {
    return 'The database is unavailable right now; try again shortly.';
  }
  return null;
}
