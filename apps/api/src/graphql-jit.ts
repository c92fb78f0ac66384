import type { ApolloDriverConfig } from '@nestjs/apollo';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

type Plugin = NonNullable<ApolloDriverConfig['plugins']>[number];

// Queries run through graphql-jit: each document is compiled once into a function that walks
// its selections directly, where graphql-js interprets the document field by field on every
// call (collecting fields, building an arguments object and checking the field's type for each
// of them). On a large answer such as room { progress } (about 13,000 fields) that interpretation
// and its garbage were most of the server's CPU (docs/benchmarks.md, progress).
//
// Only answers without errors come from here: when the compiled query reports or throws any error
// (a refusal, bad variables, a failing resolver), or the document does not compile, this returns
// null and Apollo executes the operation itself, so every error, its code, its HTTP status and
// our plugins' reactions to it (Retry-After) are exactly graphql-js's. A query only reads, so
// running it a second time changes nothing. Mutations (which must not run twice, and run one
// field at a time) and introspection always go to graphql-js.
//
// A compiled query is kept beside the parsed document, which Apollo's document store keeps
// (an LRU keyed by the query's hash) and hands back for the same query text: the cache is
// bounded by that store and dies with its entries.
const INTROSPECTION = /__(schema|type)\b/;

interface Compiled {
  schema: GraphQLSchema;
  query: CompiledQuery | null; // null: not compilable, graphql-js executes it
}

export function compiledQueries(): Plugin {
  const cache = new WeakMap<DocumentNode, Map<string | null, Compiled>>();

  function compiled(schema: GraphQLSchema, document: DocumentNode, operationName: string | null): CompiledQuery | null {
    let byName = cache.get(document);
    if (!byName) cache.set(document, (byName = new Map()));
    const hit = byName.get(operationName);
    if (hit && hit.schema === schema) return hit.query;
    let query: CompiledQuery | null;
    try {
      const out = compileQuery(schema, document, operationName ?? undefined, { disablingCapturingStackErrors: true });
      query = isCompiledQuery(out) ? out : null;
    } catch {
      query = null;
    }
    byName.set(operationName, { schema, query });
    return query;
  }

  return {
    async requestDidStart() {
      return {
        async responseForOperation({ schema, document, operation, source, request, response, contextValue }) {
          // (no operation: the document names none that the request asks for; graphql-js says so)
          if (operation?.operation !== 'query' || INTROSPECTION.test(source)) return null;
          const query = compiled(schema, document, request.operationName ?? null);
          if (!query) return null;
          let result;
          try {
            result = await query.query(undefined, contextValue, request.variables ?? {});
          } catch {
            return null; // graphql-js answers (and reports) it
          }
          if (result.errors?.length || result.data == null) return null;
          // the head Apollo already holds, unchanged (Apollo merges the answer's head into it)
          return { http: response.http, body: { kind: 'single', singleResult: { data: result.data } } };
        },
      };
    },
  };
}
