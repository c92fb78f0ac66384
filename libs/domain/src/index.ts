export * from './canonical-json';
export * from './hash';
export * from './hash-chain';
export * from './attribution';
