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
