import type { Logger } from 'pino';
import { databaseUnavailableMessage, DomainError, type ErrorCode } from './errors';

export type SocketAck<T extends object = object> = ({ ok: true } & T) | { ok: false; error: { code: ErrorCode | 'INTERNAL_SERVER_ERROR'; message: string; fields?: Record<string, string> } };

// The one place that turns errors into socket acknowledgements, as formatGraphqlError does
// for GraphQL: domain errors keep their code and message, anything else is logged and masked.
export function socketError(logger: Logger, e: unknown, event: string): SocketAck {
  if (e instanceof DomainError) {
    return { ok: false, error: { code: e.code, message: e.message, ...(e.fields ? { fields: e.fields } : {}) } };
  }
  const unavailable = databaseUnavailableMessage(e);
  if (unavailable) {
    logger.warn({ err: e, event }, 'database failure in a socket event');
    return { ok: false, error: { code: 'INTERNAL_SERVER_ERROR', message: unavailable } };
  }
  logger.error({ err: e, event }, 'unexpected error in a socket event');
  return { ok: false, error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' } };
}
