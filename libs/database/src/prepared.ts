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
// handed to `em.query()` in place of the text is pg's query config ({ name, text }): TypeORM
// passes its query unchanged to pg's `client.query`, which takes a config object as well as a
// string; as a string (a log line, an error's `query`) it is the text. (Not a String object:
// pg copies the config's own properties at every call, and a String has one per character.)
// The answer is always the rows (RETURNING rows for INSERT/UPDATE/DELETE too).
// Only for texts fixed in the code (every distinct text stays prepared on every connection),
// whose answer names its columns (`*` only over a subquery that does): a migration adding a
// column to a table read with `t.*` would change a prepared statement's result type, which
// PostgreSQL refuses ("cached plan must not change result type") until the connection closes.

class PreparedText {
  constructor(
    readonly name: string,
    readonly text: string,
  ) {}

  toString(): string {
    return this.text;
  }
}

const statements = new Map<string, PreparedText>();

export function preparedStatement(text: string): string {
  let statement = statements.get(text);
  if (!statement) {
    statement = new PreparedText(`parley_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`, text);
    statements.set(text, statement);
  }
  // typed as TypeORM's query parameter; pg reads it as a config (see above)
  return statement as unknown as string;
}

export async function preparedQuery<T = Record<string, unknown>>(em: EntityManager, text: string, values: unknown[]): Promise<T[]> {
  return returnedRows<T>(await em.query(preparedStatement(text), values));
}
