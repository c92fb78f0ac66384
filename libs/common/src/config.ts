import { resolve } from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface AppConfig {
  port: number;
  host: string;
  databaseUrl: string | null;
  redisUrl: string | null;
  // socket.io's Redis channel prefix: instances sharing one share it
  redisPrefix: string;
  dataDir: string;
  openSignup: boolean;
  logLevel: LogLevel;
  production: boolean;
  // absolute session lifetime
  sessionTtlHours: number;
  // a session unused for this long ends (requests and socket events count as use)
  sessionIdleMinutes: number;
  // origins allowed to call the API from a browser (CORS); empty = none
  corsOrigins: string[];
  // sign-in, sign-up and invitation attempts per client address per 15 minutes
  authRatePerIp: number;
  // sign-ins and sign-ups started per second, all clients together (argon2 is expensive: a
  // burst must not take the CPU the live rooms need); null = the sign-in gate's default (signInPace)
  signInsPerSecond: number | null;
  // how often the publication scheduler looks for embargoes that have passed
  schedulerIntervalMs: number;
  // live sockets one session may hold open on one instance
  socketsPerSession: number;
  // socket events one session may send in any 10 seconds (all its sockets together)
  socketEventsPer10s: number;
  // a socket whose unsent output passes this many bytes (it stopped reading) is dropped
  socketBufferMaxBytes: number;
  // benchmarks only: count SQL statements per HTTP request into an x-sql-count header
  countSql: boolean;
  // browser origins allowed to open a socket (PARLEY_ORIGINS); empty = the server's own origin
  origins: string[];
  // cap on any one SQL statement (pool sessions and the embedded server's default)
  statementTimeoutMs: number;
  // connections in the API's pool
  dbPoolSize: number;
  // a stop (SIGTERM, SIGINT) closes the app within this long, or ends anyway (exit code 1)
  stopDeadlineMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function bool(name: string, raw: string | undefined, fallback: boolean, problems: string[]): boolean {
  if (raw === undefined || raw === '') return fallback;
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  problems.push(`${name} must be true or false`);
  return fallback;
}

function url(name: string, raw: string | undefined, protocols: string[], problems: string[]): string | null {
  if (raw === undefined || raw.trim() === '') return null;
  try {
    const u = new URL(raw.trim());
    if (!protocols.includes(u.protocol)) {
      problems.push(`${name} must be a ${protocols.map((p) => p.replace(':', '://')).join(' or ')} URL`);
      return null;
    }
    return raw.trim();
  } catch {
    // never echo the value: it may hold a password
    problems.push(`${name} is not a valid URL`);
    return null;
  }
}

function int(name: string, raw: string | undefined, fallback: number, min: number, max: number, problems: string[]): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw.trim());
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name} must be an integer from ${min} to ${max}`);
    return fallback;
  }
  return n;
}

// a comma-separated list of exact origins (scheme://host[:port]), no paths, no wildcards
function originList(name: string, raw: string | undefined, problems: string[]): string[] {
  if (raw === undefined || raw.trim() === '') return [];
  const list = raw
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const o of list) {
    let ok: boolean;
    try {
      const u = new URL(o);
      ok = (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === o.replace(/\/$/, '');
    } catch {
      ok = false;
    }
    if (!ok) {
      problems.push(`${name} must be a comma-separated list of origins such as https://parley.example.org`);
      return [];
    }
  }
  return list.map((o) => o.replace(/\/$/, ''));
}

// One schema, validated once at boot; every problem is named, no value is echoed.
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const problems: string[] = [];
  let port = 3000;
  if (env.PORT !== undefined && env.PORT !== '') {
    const n = Number(env.PORT);
    if (!Number.isInteger(n) || n < 0 || n > 65535) problems.push('PORT must be an integer from 0 to 65535');
    else port = n;
  }
  const logLevel = (env.LOG_LEVEL ?? 'info').trim().toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  let sessionTtlHours = 24 * 14;
  if (env.PARLEY_SESSION_TTL_HOURS) {
    const n = Number(env.PARLEY_SESSION_TTL_HOURS);
    if (!Number.isInteger(n) || n < 1 || n > 24 * 90) problems.push('PARLEY_SESSION_TTL_HOURS must be an integer from 1 to 2160');
    else sessionTtlHours = n;
  }
  const sessionIdleMinutes = int('PARLEY_SESSION_IDLE_MINUTES', env.PARLEY_SESSION_IDLE_MINUTES, 480, 5, 60 * 24 * 30, problems);
  const authRatePerIp = int('PARLEY_AUTH_RATE_PER_IP', env.PARLEY_AUTH_RATE_PER_IP, 100, 1, 1_000_000, problems);
  // unset: the sign-in gate's default (apps/api/src/sign-in-gate.ts, signInPace)
  const signInsPerSecond = env.PARLEY_SIGN_INS_PER_SECOND?.trim()
    ? int('PARLEY_SIGN_INS_PER_SECOND', env.PARLEY_SIGN_INS_PER_SECOND, 1, 1, 100_000, problems)
    : null;
  const corsOrigins = originList('PARLEY_CORS_ORIGINS', env.PARLEY_CORS_ORIGINS, problems);
  const redisPrefix = env.PARLEY_REDIS_PREFIX?.trim() || 'parley';
  if (!/^[A-Za-z0-9_.:-]{1,100}$/.test(redisPrefix)) problems.push('PARLEY_REDIS_PREFIX must be 1 to 100 letters, digits, or _ . : -');
  let schedulerIntervalMs = 2000;
  if (env.PARLEY_SCHEDULER_INTERVAL_MS) {
    const n = Number(env.PARLEY_SCHEDULER_INTERVAL_MS);
    if (!Number.isInteger(n) || n < 100 || n > 600_000) problems.push('PARLEY_SCHEDULER_INTERVAL_MS must be an integer from 100 to 600000');
    else schedulerIntervalMs = n;
  }
  const origins = originList('PARLEY_ORIGINS', env.PARLEY_ORIGINS, problems);
  const statementTimeoutMs = int('PARLEY_STATEMENT_TIMEOUT_MS', env.PARLEY_STATEMENT_TIMEOUT_MS, 30_000, 100, 3_600_000, problems);
  const dbPoolSize = int('PARLEY_DB_POOL_SIZE', env.PARLEY_DB_POOL_SIZE, 20, 1, 100, problems);
  const stopDeadlineMs = int('PARLEY_STOP_DEADLINE_MS', env.PARLEY_STOP_DEADLINE_MS, 15_000, 500, 600_000, problems);
  const socketEventsPer10s = int('PARLEY_SOCKET_EVENTS_PER_10S', env.PARLEY_SOCKET_EVENTS_PER_10S, 60, 1, 1_000_000, problems);
  const socketsPerSession = int('PARLEY_SOCKETS_PER_SESSION', env.PARLEY_SOCKETS_PER_SESSION, 10, 1, 1000, problems);
  const socketBufferMaxBytes = int(
    'PARLEY_SOCKET_BUFFER_MAX_BYTES',
    env.PARLEY_SOCKET_BUFFER_MAX_BYTES,
    8 * 1024 * 1024,
    64 * 1024,
    1024 * 1024 * 1024,
    problems,
  );
  const config: AppConfig = {
    port,
    host: env.HOST?.trim() || '0.0.0.0',
    databaseUrl: url('DATABASE_URL', env.DATABASE_URL, ['postgres:', 'postgresql:'], problems),
    redisUrl: url('REDIS_URL', env.REDIS_URL, ['redis:', 'rediss:'], problems),
    redisPrefix,
    dataDir: resolve(env.PARLEY_DATA_DIR?.trim() || '.parley'),
    openSignup: bool('PARLEY_OPEN_SIGNUP', env.PARLEY_OPEN_SIGNUP, false, problems),
    logLevel,
    production: env.NODE_ENV === 'production',
    sessionTtlHours,
    sessionIdleMinutes,
    corsOrigins,
    authRatePerIp,
    signInsPerSecond,
    schedulerIntervalMs,
    socketsPerSession,
    socketEventsPer10s,
    socketBufferMaxBytes,
    countSql: bool('PARLEY_COUNT_SQL', env.PARLEY_COUNT_SQL, false, problems),
    origins,
    statementTimeoutMs,
    dbPoolSize,
    stopDeadlineMs,
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
