export * from './embedded-postgres';
export * from './database.module';
export * from './transaction';
export { migrations } from './migrations';
export * from './migrate';
export * from './returned-rows';
export * from './sql-counter';
export * from './prepared';
