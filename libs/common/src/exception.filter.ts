import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Logger } from 'pino';
import { DomainError } from '@parley/domain';
import { errorAnswer, httpStatusCode, restErrorBody } from './error-answer';

// GraphQL errors go on to formatGraphqlError untouched; REST routes (exports, health,
// CSV) answer in restErrorBody's one shape, mapped by errorAnswer, and never with a stack.
@Catch()
export class AppExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost) {
    if (host.getType<string>() !== 'http') return exception;
    const res = host.switchToHttp().getResponse();
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      const status = exception.getStatus();
      return res.status(status).json(restErrorBody({ code: httpStatusCode(status), message: exception.message }));
    }
    const answer = errorAnswer(this.logger, exception, { transport: 'HTTP request' });
    if (exception instanceof DomainError && exception.retryAfterSeconds) res.setHeader('Retry-After', String(exception.retryAfterSeconds));
    return res.status(answer.status).json(restErrorBody(answer));
  }
}
