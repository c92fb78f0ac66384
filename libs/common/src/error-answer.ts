import type { Logger } from 'pino';
import { DomainError, databaseUnavailableMessage, type ErrorCode } from './errors';

// The one mapping from an error to an answer, for every transport: GraphQL
// (graphql-errors.ts), socket acknowledgements (socket-errors.ts) and REST
// (exception.filter.ts). A DomainError keeps its code, message and fields; a failure of the
// database says to try again; anything else is logged and masked.

export type AnswerCode = ErrorCode | 'INTERNAL_SERVER_ERROR';

export interface ErrorAnswer {
  status: number;
  code: AnswerCode;
  message: string;
  fields?: Record<string, string>;
}

// where the error happened, for the log line
export interface ErrorSite {
  transport: 'GraphQL operation' | 'socket event' | 'HTTP request';
  [key: string]: unknown;
}

// exhaustive: a new code does not compile until it has a status
export const HTTP_STATUS: Record<ErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  VERSION_CONFLICT: 409,
  INVITE_INVALID: 400,
  BALLOT_CLOSED: 409,
  OPEN_BRACKETS: 409,
  INVALID_STATE: 409,
  RATE_LIMITED: 429,
};

export const INTERNAL_MESSAGE = 'Internal server error';

export function errorAnswer(logger: Logger, e: unknown, site: ErrorSite): ErrorAnswer {
  if (e instanceof DomainError) {
    return { status: HTTP_STATUS[e.code], code: e.code, message: e.message, ...(e.fields && Object.keys(e.fields).length ? { fields: e.fields } : {}) };
  }
  const { transport, ...where } = site;
  const unavailable = databaseUnavailableMessage(e);
  if (unavailable) {
    logger.warn({ err: e, ...where }, `database failure in a ${transport}`);
    return { status: 500, code: 'INTERNAL_SERVER_ERROR', message: unavailable };
  }
  logger.error({ err: e, ...where }, `unexpected error in a ${transport}`);
  return { status: 500, code: 'INTERNAL_SERVER_ERROR', message: INTERNAL_MESSAGE };
}

// A client error raised by the HTTP layer itself (an unknown route, a body that does not
// parse), by its status: the contract code it stands for.
export function httpStatusCode(status: number): ErrorCode {
  if (status === 404) return 'NOT_FOUND';
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 429) return 'RATE_LIMITED';
  return 'BAD_USER_INPUT';
}

// The one JSON shape of a REST error (exports, CSV, health, signing key).
export function restErrorBody(answer: Pick<ErrorAnswer, 'code' | 'message' | 'fields'>) {
  return { error: { code: answer.code, message: answer.message, ...(answer.fields ? { fields: answer.fields } : {}) } };
}
