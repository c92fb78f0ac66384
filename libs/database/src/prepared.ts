import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { returnedRows } from './returned-rows';

// A statement PostgreSQL parses and plans once per pooled connection, not at every call: pg
// sends it as a named prepared statement (the name is the text's hash, so one text is one
// statement whatever calls it). TypeORM's `query()` sends every statement unnamed, and on the
// hot paths (the session look-up, the room lock, a revision) parsing and planning were a
// large part of PostgreSQL's time for each (docs/benchmarks.md, reviseProposal).
//
// It still goes through `em.query()`, so everything else stays as it is: the manager's
// connection and transaction (whatever runner the manager has), TypeORM's logger (and the
// per-request count), a failure as a QueryFailedError carrying the driver's error. What is
// handed to `em.query()` in place of the text is a String object that is also pg's query
// config ({ name, text }): TypeORM passes its query unchanged to pg's `client.query`, which
// takes a config object as well as a string; logged or serialised, it reads as the text.
// The answer is always the rows (RETURNING rows for INSERT/UPDATE/DELETE too).
// Only for texts fixed in the code: every distinct text stays prepared on every connection.

const statements = new Map<string, string>();

export function preparedStatement(text: string): string {
  let statement = statements.get(text);
  if (!statement) {
    const name = `parley_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    // a String object on purpose (see above)
    statement = Object.assign(new String(text), { name, text }) as unknown as string;
    statements.set(text, statement);
  }
  return statement;
}

export async function preparedQuery<T = Record<string, unknown>>(em: EntityManager, text: string, values: unknown[]): Promise<T[]> {
  return returnedRows<T>(await em.query(preparedStatement(text), values));
}
