// TransactionRunner.pipelined, the group-commit batches' transaction, on a real database:
// one transaction with the contract of `run` (commit, or roll back leaving nothing;
// afterCommit only after a commit), the pool's statement_timeout on its client, and its
// statements counted per request like TypeORM's.
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { countSqlPerRequest, CountingLogger, TransactionRunner, type Tx } from '@parley/database';
import { createTestDatabase, testSqlPool } from '../support/harness';

const TIMEOUT_MS = 400;

describe('pipelined transaction (medium)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  let dataSource: DataSource;
  let runner: TransactionRunner;
  beforeAll(async () => {
    db = await createTestDatabase();
    pool = await testSqlPool(db.url);
    await pool.query(`CREATE TABLE note (id int PRIMARY KEY, body text NOT NULL)`);
    dataSource = new DataSource({
      type: 'postgres',
      url: db.url,
      extra: { max: 2, statement_timeout: TIMEOUT_MS, idle_in_transaction_session_timeout: 60_000 },
      logger: new CountingLogger(),
    });
    await dataSource.initialize();
    runner = new TransactionRunner(dataSource);
  });
  afterAll(async () => {
    await runner?.onModuleDestroy();
    await dataSource?.destroy();
    await pool?.end();
    await db?.drop();
  });

  const notes = async () => (await pool.query<{ id: number; body: string }>(`SELECT id, body FROM note ORDER BY id`)).rows;
  const insert = (tx: Tx, id: number, body: string) => tx.execute(`INSERT INTO note (id, body) VALUES ($1, $2)`, [id, body]);

  it('commits what it wrote, answers reads in between, and runs afterCommit once the commit is visible', async () => {
    let seenAfterCommit: unknown = null;
    const result = await runner.pipelined(async (tx) => {
      await insert(tx, 1, 'one');
      // a read sends the held insert first: it sees it
      const [{ n }] = await tx.em.query(`SELECT count(*)::int AS n FROM note`);
      // TypeORM's answer shape for UPDATE: [rows, count]
      const updated = await tx.em.query(`UPDATE note SET body = 'uno' WHERE id = 1 RETURNING id`);
      // issued together, they run in the order issued
      const [a, b] = await Promise.all([tx.em.query(`SELECT 'a' AS x`), tx.em.query(`SELECT body FROM note WHERE id = 1`)]);
      await insert(tx, 2, 'two');
      tx.afterCommit(() => {
        seenAfterCommit = pool.query(`SELECT count(*)::int AS n FROM note`).then((r) => r.rows[0].n);
      });
      return { n, updated, a, b };
    });
    expect(result).toEqual({ n: 1, updated: [[{ id: 1 }], 1], a: [{ x: 'a' }], b: [{ body: 'uno' }] });
    expect(await seenAfterCommit).toBe(2);
    expect(await notes()).toEqual([
      { id: 1, body: 'uno' },
      { id: 2, body: 'two' },
    ]);
    await pool.query(`DELETE FROM note`);
  });

  it('a failure in the work rolls back everything, afterCommit never runs, and the client is clean for the next', async () => {
    let after = 0;
    await expect(
      runner.pipelined(async (tx) => {
        await insert(tx, 1, 'one');
        await tx.em.query(`SELECT 1`);
        await insert(tx, 2, 'two');
        tx.afterCommit(() => (after += 1));
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(after).toBe(0);
    expect(await notes()).toEqual([]);
    // no transaction left open on the pool's clients: each next one commits alone
    for (let i = 0; i < 3; i++) await runner.pipelined(async (tx) => insert(tx, 10 + i, 'next'));
    expect((await notes()).map((n) => n.id)).toEqual([10, 11, 12]);
    await pool.query(`DELETE FROM note`);
  });

  it('a held write that fails at commit (unique violation) rolls the whole transaction back with its own error', async () => {
    await pool.query(`INSERT INTO note (id, body) VALUES (5, 'before')`);
    let after = 0;
    const failed = await runner
      .pipelined(async (tx) => {
        await insert(tx, 4, 'four');
        await tx.em.query(`SELECT 1`);
        tx.afterCommit(() => (after += 1));
        // held, sent with the COMMIT
        await insert(tx, 5, 'again');
      })
      .then(
        () => null,
        (e: { code?: string }) => e,
      );
    expect(failed?.code).toBe('23505');
    expect(after).toBe(0);
    expect(await notes()).toEqual([{ id: 5, body: 'before' }]);
    await pool.query(`DELETE FROM note`);
  });

  it('a held write that fails before a read fails the read with the write’s error, not “transaction aborted”', async () => {
    await pool.query(`INSERT INTO note (id, body) VALUES (5, 'before')`);
    const failed = await runner
      .pipelined(async (tx) => {
        await insert(tx, 5, 'again');
        await tx.em.query(`SELECT 1`);
      })
      .then(
        () => null,
        (e: { code?: string }) => e,
      );
    expect(failed?.code).toBe('23505');
    expect(await notes()).toEqual([{ id: 5, body: 'before' }]);
    await pool.query(`DELETE FROM note`);
  });

  it('the pool’s statement_timeout applies to its client: a statement past it is cancelled (57014) and nothing stays', async () => {
    const failed = await runner
      .pipelined(async (tx) => {
        await insert(tx, 1, 'one');
        await tx.em.query(`SELECT pg_sleep($1)`, [(TIMEOUT_MS * 3) / 1000]);
      })
      .then(
        () => null,
        (e: { code?: string }) => e,
      );
    expect(failed?.code).toBe('57014');
    expect(await notes()).toEqual([]);
    const [{ t }] = await runner.pipelined((tx) => tx.em.query(`SELECT current_setting('statement_timeout') AS t`));
    expect(t).toBe(`${TIMEOUT_MS}ms`);
  });

  it('statements issued together after one that fails (a lock wait past the timeout) all fail with its error, not “transaction aborted”', async () => {
    await pool.query(`INSERT INTO note (id, body) VALUES (7, 'held')`);
    const locker = await pool.connect();
    try {
      await locker.query('BEGIN');
      await locker.query(`SELECT * FROM note WHERE id = 7 FOR UPDATE`);
      const codes = await runner
        .pipelined(async (tx) => {
          await insert(tx, 8, 'eight');
          const settled = await Promise.allSettled([tx.em.query(`SELECT * FROM note WHERE id = 7 FOR UPDATE`), tx.em.query(`SELECT 1 AS one`)]);
          return settled.map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : 'ok'));
        })
        .then(
          () => 'committed',
          (e: { code?: string }) => e.code,
        );
      expect(codes).toBe('57014');
      const seen = await runner
        .pipelined(async (tx) => {
          await locker.query('SELECT 1');
          const all = await Promise.allSettled([tx.em.query(`SELECT * FROM note WHERE id = 7 FOR UPDATE`), tx.em.query(`SELECT 1 AS one`)]);
          throw all.map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : 'ok'));
        })
        .catch((e: unknown) => e);
      expect(seen).toEqual(['57014', '57014']);
    } finally {
      await locker.query('ROLLBACK');
      locker.release();
    }
    expect(await notes()).toEqual([{ id: 7, body: 'held' }]);
    await pool.query(`DELETE FROM note`);
  });

  it('counts every statement it sends against the request (BEGIN and COMMIT included), as TypeORM’s logger does', async () => {
    const count = async (work: (tx: Tx) => Promise<unknown>, via: 'pipelined' | 'run') => {
      const headers: Record<string, string> = {};
      const res = { setHeader: (k: string, v: string) => (headers[k] = v), writeHead: () => undefined };
      await new Promise<void>((resolve, reject) => countSqlPerRequest({}, res, () => void runner[via](work).then(() => resolve(), reject)));
      res.writeHead();
      return Number(headers['x-sql-count']);
    };
    const work = async (tx: Tx) => {
      await tx.em.query(`SELECT 1`);
      await insert(tx, 1, 'one');
      await insert(tx, 2, 'two');
    };
    // BEGIN/START TRANSACTION, SELECT, two INSERTs, COMMIT
    expect(await count(work, 'pipelined')).toBe(5);
    await pool.query(`DELETE FROM note`);
    expect(await count(work, 'run')).toBe(5);
    await pool.query(`DELETE FROM note`);
  });
});
