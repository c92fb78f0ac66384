import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ConfigError, loadConfig } from './config';
import { databaseUnavailableMessage } from './errors';

const problems = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
};

describe('database limits in the configuration', () => {
  it('defaults to a 30 s statement timeout and a pool of 20', () => {
    expect(loadConfig({})).toMatchObject({ statementTimeoutMs: 30_000, dbPoolSize: 20 });
  });

  it('takes any integer in range and refuses everything else with one line', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 3_600_000 }), fc.integer({ min: 1, max: 100 }), (t, n) => {
        const c = loadConfig({ PARLEY_STATEMENT_TIMEOUT_MS: String(t), PARLEY_DB_POOL_SIZE: ` ${n} ` });
        expect(c.statementTimeoutMs).toBe(t);
        expect(c.dbPoolSize).toBe(n);
      }),
    );
    const bad = fc.oneof(
      fc.integer({ max: 99 }).map(String),
      fc.integer({ min: 3_600_001 }).map(String),
      fc.double({ noInteger: true, noNaN: true }).map(String),
      fc.string().filter((s) => s.trim() !== '' && !/^\s*-?\d+\s*$/.test(s) && !Number.isInteger(Number(s))),
    );
    fc.assert(
      fc.property(bad, (raw) => {
        expect(problems({ PARLEY_STATEMENT_TIMEOUT_MS: raw })).toEqual(['PARLEY_STATEMENT_TIMEOUT_MS must be an integer from 100 to 3600000']);
      }),
    );
    expect(problems({ PARLEY_DB_POOL_SIZE: '0' })).toEqual(['PARLEY_DB_POOL_SIZE must be an integer from 1 to 100']);
    expect(problems({ PARLEY_DB_POOL_SIZE: '101' })).toEqual(['PARLEY_DB_POOL_SIZE must be an integer from 1 to 100']);
  });
});

describe('the sign-in pace in the configuration', () => {
  it("is the gate's default when unset, any integer from 1 to 100000 when set, and one line for anything else", () => {
    expect(loadConfig({}).signInsPerSecond).toBeNull();
    expect(loadConfig({ PARLEY_SIGN_INS_PER_SECOND: ' ' }).signInsPerSecond).toBeNull();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), (n) => {
        expect(loadConfig({ PARLEY_SIGN_INS_PER_SECOND: ` ${n}` }).signInsPerSecond).toBe(n);
      }),
    );
    for (const raw of ['0', '-3', '2.5', '100001', 'fast']) {
      expect(problems({ PARLEY_SIGN_INS_PER_SECOND: raw })).toEqual(['PARLEY_SIGN_INS_PER_SECOND must be an integer from 1 to 100000']);
    }
  });
});

describe('the stop deadline in the configuration', () => {
  it('is 15 s when unset, any integer from 500 to 600000 when set, and one line for anything else', () => {
    expect(loadConfig({}).stopDeadlineMs).toBe(15_000);
    fc.assert(
      fc.property(fc.integer({ min: 500, max: 600_000 }), (n) => {
        expect(loadConfig({ PARLEY_STOP_DEADLINE_MS: String(n) }).stopDeadlineMs).toBe(n);
      }),
    );
    for (const raw of ['499', '600001', '1.5', 'soon']) {
      expect(problems({ PARLEY_STOP_DEADLINE_MS: raw })).toEqual(['PARLEY_STOP_DEADLINE_MS must be an integer from 500 to 600000']);
    }
  });
});

describe('databaseUnavailableMessage', () => {
  it('names a cancelled statement and an unreachable server, and nothing else', () => {
    expect(databaseUnavailableMessage({ code: '57014', message: 'canceling statement due to statement timeout' })).toMatch(/took too long/);
    expect(databaseUnavailableMessage({ driverError: { code: '57014' } })).toMatch(/took too long/);
    expect(databaseUnavailableMessage({ code: 'ECONNREFUSED' })).toMatch(/unavailable/);
    expect(databaseUnavailableMessage(new Error('Connection terminated unexpectedly'))).toMatch(/unavailable/);
    expect(databaseUnavailableMessage({ code: '23505', message: 'duplicate key' })).toBeNull();
    expect(databaseUnavailableMessage(new Error('boom'))).toBeNull();
    expect(databaseUnavailableMessage(null)).toBeNull();
  });
});
