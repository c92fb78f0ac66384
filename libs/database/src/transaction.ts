import { AsyncResource } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export interface Tx {
  em: EntityManager;
  // runs after the transaction commits; never when it rolls back
  afterCommit(fn: () => void): void;
}

// One write, one transaction: services run their changes inside `run`, append their room
// events through the same `tx`, and whatever they registered with afterCommit (the live
// broadcast) happens only once the commit succeeded.
@Injectable()
export class TransactionRunner {
  constructor(private readonly dataSource: DataSource) {}

  async run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const after: Array<() => void> = [];
    const result = await this.dataSource.transaction(async (em) => work({ em, afterCommit: (fn) => after.push(fn) }));
    for (const fn of after) fn();
    return result;
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
