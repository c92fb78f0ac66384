import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { migrations } from './migrations';
import { TransactionRunner } from './transaction';
import { CountingLogger } from './sql-counter';

export interface DatabaseOptions {
  url: string;
  poolSize?: number;
  // cap on every statement of the pool's sessions (PostgreSQL cancels it: SQLSTATE 57014)
  statementTimeoutMs?: number;
  // count statements per request (see sql-counter.ts)
  countSql?: boolean;
}

// The connection, once per process (the server's AppModule, the CLI). Capabilities import
// TransactionModule for what they use of it.
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseOptions): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: options.url,
          autoLoadEntities: true,
          synchronize: false,
          migrations,
          migrationsRun: false,
          migrationsTransactionMode: 'each',
          extra: {
            max: options.poolSize ?? 20,
            ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
            // a transaction left open by a crashed request does not hold its locks for ever
            idle_in_transaction_session_timeout: 60_000,
            // Connections are kept once opened (pg-pool closes a client idle for 10 s by
            // default). A burst (sockets joining, a vote) grows the pool; 10 s later its extra
            // connections closed all at once, and the PostgreSQL backends ending together held
            // both cores of the bench machine for 100-200 ms: every room's messages waited (the
            // live bench's p99 at 100/s went from ~14 to 140-200 ms in that step, every run),
            // and the next burst paid for new backends and their prepared statements again.
            // Bounded by the pool's size (PARLEY_DB_POOL_SIZE and the pipelined pool's).
            idleTimeoutMillis: 0,
          },
          logging: false,
          ...(options.countSql ? { logger: new CountingLogger() } : {}),
        }),
      ],
    };
  }
}

// One transaction per write (TransactionRunner), for every capability that writes or reads.
@Module({
  providers: [TransactionRunner],
  exports: [TransactionRunner],
})
export class TransactionModule {}
