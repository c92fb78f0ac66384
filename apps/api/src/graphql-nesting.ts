import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { documentNesting, MAX_NESTING } from '@parley/common';

// A GraphQL document nested deeper than MAX_NESTING levels of brackets is refused before
// Apollo parses it: 400, BAD_USER_INPUT, in GraphQL's error shape (as the body parser's
// refusals). graphql-js works through nesting by recursion, so such a document would otherwise
// overflow the stack in the parser, the validation or the execution, depending on what V8 had
// optimised by then: an answer that changed from run to run, sometimes a 500
// (libs/common/src/graphql-limits.ts). An Apollo plugin cannot refuse before parsing: an error
// thrown from `didResolveSource` is answered as an internal error.
export function graphqlNestingGuard(limit = MAX_NESTING): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.path !== '/graphql') return next();
    const query: unknown = req.method === 'GET' ? req.query.query : (req.body as { query?: unknown } | undefined)?.query;
    if (typeof query !== 'string' || documentNesting(query, limit) <= limit) return next();
    res.status(400).json({ errors: [{ message: `The query nests brackets more than ${limit} levels deep.`, extensions: { code: 'BAD_USER_INPUT' } }] });
  };
}
