// The one error class of Parley, with the contract's codes. It lives here, in the pure lib, so
// domain rules throw it directly; libs/common adds the helpers that build each code and
// error-answer.ts maps it once for GraphQL, sockets and REST. Messages are for people and
// never hold internals.
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'VERSION_CONFLICT',
  'INVITE_INVALID',
  'BALLOT_CLOSED',
  'OPEN_BRACKETS',
  'INVALID_STATE',
  'RATE_LIMITED',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
    // RATE_LIMITED: when the caller may try again, when it is known (the answer's Retry-After)
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

// One message naming every bad field.
export function badUserInput(fields: Record<string, string>, message?: string): DomainError {
  return new DomainError('BAD_USER_INPUT', message ?? `Invalid ${Object.keys(fields).join(', ')}: ${Object.values(fields).join('; ')}`, fields);
}
