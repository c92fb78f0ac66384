import { AsyncResource } from 'node:async_hooks';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type pg from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { PipelinedTransaction, pipelinedPool } from './pipelined';

export interface Tx {
  em: EntityManager;
  // runs after the transaction commits; never when it rolls back
  afterCommit(fn: () => void): void;
  // A write whose answer the caller does not need. In a pipelined transaction it is held and
  // sent with the next statement or the COMMIT (its failure fails that statement or the
  // commit, and the transaction rolls back); otherwise it runs at once.
  execute(sql: string, params?: unknown[]): Promise<void>;
  // true: statements may be issued together (Promise.all); they still run in the order issued
  pipelined: boolean;
}

// clients of the pipelined transactions (group-commit batches: a few at a time)
const PIPELINED_POOL_MAX = 8;

// One write, one transaction: services run their changes inside `run`, append their room
// events through the same `tx`, and whatever they registered with afterCommit (the live
// broadcast) happens only once the commit succeeded.
@Injectable()
export class TransactionRunner implements OnModuleDestroy {
  private pool: pg.Pool | null = null;

  constructor(private readonly dataSource: DataSource) {}

  async run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const after: Array<() => void> = [];
    const result = await this.dataSource.transaction(async (em) =>
      work({
        em,
        afterCommit: (fn) => after.push(fn),
        execute: async (sql, params) => void (await em.query(sql, params)),
        pipelined: false,
      }),
    );
    for (const fn of after) fn();
    return result;
  }

  // The same contract as `run`, on a pipelined client (see PipelinedTransaction): BEGIN goes
  // with the first statement, statements issued together leave together, and a batch whose
  // last step is `tx.execute` commits in that write's round trip.
  async pipelined<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    this.pool ??= pipelinedPool(this.dataSource, PIPELINED_POOL_MAX);
    const client = await this.pool.connect();
    const t = new PipelinedTransaction(client, this.dataSource.createQueryRunner('master'));
    const after: Array<() => void> = [];
    let result: T;
    try {
      result = await work({
        em: t.em,
        afterCommit: (fn) => after.push(fn),
        execute: async (sql, params) => t.execute(sql, params),
        pipelined: true,
      });
      await t.commit();
    } catch (e) {
      await t.rollback();
      throw e;
    } finally {
      t.release();
    }
    for (const fn of after) fn();
    return result;
  }

  async onModuleDestroy(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.end();
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }
}

// Group commit: writes on one key (a ballot) that arrive while an earlier batch of that key is
// being written wait, and go together in the next batch: one transaction, one room lock, one
// commit for all of them. The first write of a quiet key starts at once. Each caller's promise
// settles only after its batch committed (or failed), with its own result or error: `write`
// answers an Error for an item its rules refuse, without failing the others. A batch that
// fails as a whole (the database, an unexpected error) is written again one item at a time,
// so one bad item cannot fail the others either.
export type BatchWrite<K, I, R> = (key: K, items: I[]) => Promise<Array<R | Error>>;

interface Waiting<I, R> {
  item: I;
  // the caller's async context: a batch runs in its first caller's (request-scoped logging
  // and the per-request SQL count see the batch's statements under a request still waiting)
  context: AsyncResource;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export class GroupCommit<K, I, R> {
  private readonly queues = new Map<K, Array<Waiting<I, R>>>();

  constructor(
    private readonly write: BatchWrite<K, I, R>,
    private readonly maxBatch = 64,
  ) {}

  submit(key: K, item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const waiting = { item, context: new AsyncResource('GroupCommit'), resolve, reject };
      const queue = this.queues.get(key);
      if (queue) {
        queue.push(waiting);
        return;
      }
      this.queues.set(key, [waiting]);
      void this.drain(key);
    });
  }

  // one writer per key at a time: batch after batch while items wait
  private async drain(key: K): Promise<void> {
    const queue = this.queues.get(key)!;
    while (queue.length) await this.settle(key, queue.splice(0, this.maxBatch));
    this.queues.delete(key);
  }

  private async settle(key: K, batch: Array<Waiting<I, R>>): Promise<void> {
    let results: Array<R | Error>;
    try {
      results = await batch[0].context.runInAsyncScope(() =>
        this.write(
          key,
          batch.map((w) => w.item),
        ),
      );
    } catch (e) {
      if (batch.length === 1) return batch[0].reject(e);
      for (const one of batch) await this.settle(key, [one]);
      return;
    }
    batch.forEach((w, i) => {
      const r = results[i];
      if (r instanceof Error) w.reject(r);
      else w.resolve(r);
    });
  }
}
