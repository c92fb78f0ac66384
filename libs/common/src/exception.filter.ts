import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Logger } from 'pino';
import { DomainError, type ErrorCode } from './errors';

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

// GraphQL errors go on to formatGraphqlError untouched; REST routes (exports, health,
// CSV) answer with the same codes as JSON and never a stack.
@Catch()
export class AppExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost) {
    const type = host.getType<string>();
    if (type === 'graphql') return exception;
    if (type !== 'http') return exception;
    const res = host.switchToHttp().getResponse();
    if (exception instanceof DomainError) {
      return res.status(HTTP_STATUS[exception.code]).json({ error: { code: exception.code, message: exception.message } });
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code: ErrorCode = status === 404 ? 'NOT_FOUND' : status === 401 ? 'UNAUTHENTICATED' : status === 429 ? 'RATE_LIMITED' : status === 403 ? 'FORBIDDEN' : 'BAD_USER_INPUT';
      if (status < 500) return res.status(status).json({ error: { code, message: exception.message } });
    }
    this.logger.error({ err: exception }, 'unexpected error in an HTTP request');
    return res.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' } });
  }
}
