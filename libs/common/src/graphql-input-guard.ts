import { GraphQLError } from 'graphql';
import { findBadText } from './validate';

// Apollo plugin: text that cannot be stored (NUL, lone surrogates) is refused at the door,
// in the document and in every variable, before any resolver sees it.
export function textInputGuard() {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(ctx: { request: { query?: string; variables?: Record<string, unknown> } }) {
          const bad = findBadText(ctx.request.query ?? '', 'query') ?? findBadText(ctx.request.variables ?? {}, 'variables');
          if (bad) {
            throw new GraphQLError(`Invalid ${bad}: text must be valid Unicode without NUL characters.`, {
              extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
