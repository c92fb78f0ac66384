import { createHash } from 'node:crypto';
import { QueryFailedError, type EntityManager, type QueryRunner } from 'typeorm';

// A statement PostgreSQL parses and plans once per pooled connection, not at every call: pg
// sends it as a named prepared statement (the name is the text's hash, so one text is one
// statement whatever calls it). TypeORM's `query()` sends every statement unnamed, and on the
// hot paths (the session look-up, the room lock, a revision) parsing and planning were most
// of PostgreSQL's time for each (docs/benchmarks.md, reviseProposal). Same contract as
// `em.query()`: the statement runs on the manager's connection (its transaction, if any), is
// logged (and counted) through TypeORM's logger, a failure is a QueryFailedError carrying the
// driver's error; the answer is always the rows (RETURNING rows for INSERT/UPDATE/DELETE).
// Only for texts fixed in the code: every distinct text stays prepared on every connection.

interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

const names = new Map<string, string>();

export function preparedName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `parley_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}

export async function preparedQuery<T = Record<string, unknown>>(em: EntityManager, text: string, values: unknown[]): Promise<T[]> {
  const own = em.queryRunner ? null : em.connection.createQueryRunner();
  const runner: QueryRunner = em.queryRunner ?? own!;
  try {
    if (runner.isReleased) throw new Error('the query runner of this statement has been released');
    const client = (await runner.connect()) as PgClient;
    em.connection.logger.logQuery(text, values, runner);
    try {
      return (await client.query({ name: preparedName(text), text, values })).rows as T[];
    } catch (err) {
      em.connection.logger.logQueryError(err as Error, text, values, runner);
      throw new QueryFailedError(text, values, err as Error);
    }
  } finally {
    if (own) await own.release();
  }
}
