import type { NextFunction, Request, Response } from 'express';
import { Kind, parse, type DocumentNode } from 'graphql';
import { argon2Busy, SIGN_IN_BUSY } from '@parley/identity';

// While the argon2 queue is full, a request that is only a `login` or `signUp` is refused
// here, before GraphQL's pipeline, guards and resolvers: the answer is the one the resolver
// would give (RATE_LIMITED, data null), at a fraction of the event loop's time, so a burst
// of sign-ins costs the live rooms as little as possible (bench/burst.bench.mjs).
// Anything else, or any request while the queue has room, goes on unchanged.
const GATED = new Set(['login', 'signUp']);

export function signInGate(req: Request, res: Response, next: NextFunction): void {
  if (req.method !== 'POST' || req.path !== '/graphql' || !argon2Busy()) return next();
  const query: unknown = (req.body as { query?: unknown } | undefined)?.query;
  if (typeof query !== 'string' || query.length > 2048) return next();
  let doc: DocumentNode;
  try {
    doc = parse(query, { maxTokens: 200 });
  } catch {
    return next();
  }
  if (doc.definitions.length !== 1) return next();
  const [op] = doc.definitions;
  if (op.kind !== Kind.OPERATION_DEFINITION || op.operation !== 'mutation' || op.selectionSet.selections.length !== 1) return next();
  const [field] = op.selectionSet.selections;
  if (field.kind !== Kind.FIELD || !GATED.has(field.name.value)) return next();
  res.status(200).json({
    errors: [{ message: SIGN_IN_BUSY, path: [field.alias?.value ?? field.name.value], extensions: { code: 'RATE_LIMITED' } }],
    data: null,
  });
}
