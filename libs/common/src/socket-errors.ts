import type { Logger } from 'pino';
import { errorAnswer, type AnswerCode } from './error-answer';

export type SocketAck<T extends object = object> =
  ({ ok: true } & T) | { ok: false; error: { code: AnswerCode; message: string; fields?: Record<string, string> } };

// A socket acknowledgement of an error, as errorAnswer maps it.
export function socketError(logger: Logger, e: unknown, event: string): SocketAck {
  const { status: _status, ...error } = errorAnswer(logger, e, { transport: 'socket event', event });
  return { ok: false, error };
}
