export * from './errors';
export * from './validate';
export * from './config';
export * from './logger';
export * from './graphql-errors';
export * from './rate-limiter';
export * from './graphql-limits';
export * from './exception.filter';
