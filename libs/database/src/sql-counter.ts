import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'typeorm';

// Opt-in (PARLEY_COUNT_SQL=1) for benchmarks: every statement TypeORM sends is counted
// against the HTTP request it runs for, and the count goes out as `x-sql-count`.
const requestCount = new AsyncLocalStorage<{ n: number }>();

// one statement sent outside TypeORM (a pipelined transaction's own client), counted alike
export function countStatement(): void {
  const store = requestCount.getStore();
  if (store) store.n += 1;
}

export class CountingLogger implements Logger {
  logQuery(): void {
    countStatement();
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

interface CountedResponse {
  setHeader(name: string, value: string): unknown;
  writeHead: (...args: never[]) => unknown;
}

export function countSqlPerRequest(_req: unknown, res: CountedResponse, next: () => void): void {
  const store = { n: 0 };
  const writeHead = res.writeHead;
  res.writeHead = function (this: CountedResponse, ...args: never[]) {
    this.setHeader('x-sql-count', String(store.n));
    return writeHead.apply(this, args);
  } as CountedResponse['writeHead'];
  requestCount.run(store, next);
}
