import pg, { type PoolClient, type QueryResult as PgResult } from 'pg';
import { QueryFailedError, QueryResult, type DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import { countStatement } from './sql-counter';

// A transaction on a client of its own in pg's pipeline mode, for the group-commit batches:
// statements go out without waiting for the one before (each with its own Sync, so a failure
// aborts the transaction and every later statement fails with it), and those sent in one turn
// of the event loop leave in one write.
//  - BEGIN is held and leaves with the first statement;
//  - `execute` (a write whose answer the caller does not need) is held and leaves with the
//    next statement or with the COMMIT: a batch whose last step is a write commits in the
//    same round trip as that write;
//  - statements through `em` (TypeORM) take the same path, in the order they are issued.
// The pool is made from the DataSource's own options, so statement_timeout and
// idle_in_transaction_session_timeout apply to it as to TypeORM's pool.

interface Held {
  sql: string;
  params: unknown[] | undefined;
}

export class PipelinedTransaction {
  private held: Held[] = [{ sql: 'BEGIN', params: undefined }];
  private corked = false;
  private failed: unknown = null;
  private cause: unknown = null;

  constructor(
    private readonly client: PoolClient,
    private readonly runner: QueryRunner,
  ) {
    // while checked out, the client's own error (the server went away) is ours to catch: its
    // statements fail, and the client is dropped on release
    client.on('error', this.onError);
    // TypeORM's statements in this transaction go over this client, through `query` below
    Object.assign(runner, { databaseConnection: client });
    Object.assign(runner, {
      query: (sql: string, params?: unknown[], structured?: boolean) => this.typeormQuery(sql, params, structured === true),
    });
    (runner as { isTransactionActive: boolean }).isTransactionActive = true;
  }

  get em(): EntityManager {
    return this.runner.manager;
  }

  // a statement whose answer is needed: sent now, after whatever is held (a held statement
  // that fails makes this one fail with its error: see `send`)
  query(sql: string, params?: unknown[]): Promise<PgResult> {
    for (const h of this.held.splice(0)) this.send(h.sql, h.params).catch(() => undefined);
    return this.send(sql, params);
  }

  execute(sql: string, params?: unknown[]): void {
    this.held.push({ sql, params });
  }

  async commit(): Promise<void> {
    if (this.held.length === 1 && this.held[0].sql === 'BEGIN') {
      // nothing was sent: no transaction to end
      this.held = [];
      return;
    }
    const result = await this.query('COMMIT');
    // COMMIT of an aborted transaction answers ROLLBACK without an error
    if (result.command !== 'COMMIT') throw this.cause ?? new Error(`the transaction did not commit (${result.command})`);
  }

  // after a failure: the transaction (if any was begun) rolled back; a client that cannot say so is dropped
  async rollback(): Promise<void> {
    if (this.held.length && this.held[0].sql === 'BEGIN') return;
    this.held = [];
    try {
      countStatement();
      await this.client.query('ROLLBACK');
    } catch (e) {
      this.failed = e;
    }
  }

  private readonly onError = (e: Error) => {
    this.failed ??= e;
  };

  release(): void {
    this.client.removeListener('error', this.onError);
    (this.runner as { isTransactionActive: boolean }).isTransactionActive = false;
    void this.runner.release();
    this.client.release(this.failed instanceof Error ? this.failed : undefined);
  }

  // Every statement sent in this turn of the event loop leaves in one write: the socket is
  // corked at the first and uncorked once the turn's promise jobs have run.
  private send(sql: string, params: unknown[] | undefined): Promise<PgResult> {
    const stream = (this.client as unknown as { connection: { stream: { cork(): void; uncork(): void } } }).connection.stream;
    if (!this.corked) {
      this.corked = true;
      stream.cork();
      process.nextTick(() => {
        this.corked = false;
        stream.uncork();
      });
    }
    countStatement();
    return this.client.query(sql, params).catch((e: unknown) => {
      // Answers come in the order sent: the first failure is the cause, and every statement
      // after it fails as "transaction aborted" (25P02). Each failing statement reports the
      // cause, whichever of their promises the caller happens to see reject first.
      // (a lost connection is the cause of everything after it)
      this.cause ??= this.failed ?? (e instanceof Error ? new QueryFailedError(sql, params, e) : e);
      throw this.cause;
    });
  }

  // TypeORM's answer shapes (PostgresQueryRunner.query): rows, [rows, count] for UPDATE and
  // DELETE, or a QueryResult when asked for a structured one
  private async typeormQuery(sql: string, params: unknown[] | undefined, structured: boolean): Promise<unknown> {
    const raw = await this.query(sql, params);
    const result = new QueryResult();
    result.records = raw.rows;
    result.affected = raw.rowCount ?? undefined;
    result.raw = raw.command === 'UPDATE' || raw.command === 'DELETE' ? [raw.rows, raw.rowCount] : raw.rows;
    return structured ? result : result.raw;
  }
}

// the pipelined transactions' clients: a small pool beside TypeORM's, with its options
export function pipelinedPool(dataSource: DataSource, max: number): pg.Pool {
  const o = dataSource.options as {
    url?: string;
    host?: string;
    port?: number;
    username?: string;
    password?: string;
    database?: string;
    ssl?: unknown;
    applicationName?: string;
    connectTimeoutMS?: number;
    extra?: Record<string, unknown>;
  };
  const pool = new pg.Pool({
    connectionString: o.url,
    host: o.host,
    port: o.port,
    user: o.username,
    password: o.password,
    database: o.database,
    ssl: o.ssl as never,
    application_name: o.applicationName,
    connectionTimeoutMillis: o.connectTimeoutMS,
    ...o.extra,
    max,
    pipeline: true,
    // idle clients do not keep a process alive that is otherwise done
    allowExitOnIdle: true,
  } as never);
  // an idle client's error (the server went away) must not crash the process
  pool.on('error', () => undefined);
  return pool;
}
