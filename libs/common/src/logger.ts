import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import type { LogLevel } from './config';

export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { pid: process.pid },
    redact: {
      paths: [
        'password',
        '*.password',
        'oldPassword',
        '*.oldPassword',
        'newPassword',
        '*.newPassword',
        'token',
        '*.token',
        'authorization',
        '*.authorization',
        'cookie',
        '*.cookie',
        'body',
        '*.body',
        'parameters',
        '*.parameters',
        'variables',
        '*.variables',
      ],
      censor: '[redacted]',
    },
    serializers: { err: safeError, error: safeError },
  });
}

// Errors are logged by kind, never by content: a failed statement's parameters or text, a
// driver's detail ("Key (email)=(…)"), or a quoted input echoed in a message can hold a
// secret vote, a sealed commitment or a caucus message. Only the type, the codes, the
// constraint and the stack frames are kept; quoted parts of the message are cut.
export function safeError(err: unknown): unknown {
  if (!(err instanceof Error)) return typeof err === 'object' && err !== null ? { type: 'non-error', kind: Object.prototype.toString.call(err) } : err;
  const e = err as Error & {
    code?: unknown;
    constraint?: unknown;
    table?: unknown;
    driverError?: { code?: unknown; constraint?: unknown; table?: unknown };
    cause?: unknown;
  };
  const message = redactQuoted(e.message ?? '');
  const frames = (e.stack ?? '')
    .split('\n')
    .filter((l) => /^\s+at /.test(l))
    .slice(0, 15);
  const code = e.code ?? e.driverError?.code;
  const constraint = e.constraint ?? e.driverError?.constraint;
  const table = e.table ?? e.driverError?.table;
  return {
    type: e.name || e.constructor?.name || 'Error',
    message,
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    ...(typeof constraint === 'string' ? { constraint } : {}),
    ...(typeof table === 'string' ? { table } : {}),
    stack: [`${e.name}: ${message}`, ...frames].join('\n'),
    ...(e.cause instanceof Error ? { cause: safeError(e.cause) } : {}),
  };
}

export function redactQuoted(message: string): string {
  return message
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/'(?:[^'\\]|\\.)*'/g, "'…'")
    .replace(/\(([^()]*)\)=\(([^()]*)\)/g, '(…)=(…)')
    .slice(0, 300);
}

// Nest's logger interface over pino, so framework and app logs share one structured stream.
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace: typeof trace === 'string' ? redactQuoted(trace) : undefined }, redactQuoted(String(message)));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
  fatal(message: unknown, context?: string) {
    this.logger.fatal({ context }, String(message));
  }
}

export const LOGGER = Symbol('LOGGER');
export type { Logger };
