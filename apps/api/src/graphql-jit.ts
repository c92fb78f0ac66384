import type { ApolloDriverConfig } from '@nestjs/apollo';
import {
  isObjectType,
  Kind,
  lexicographicSortSchema,
  type DocumentNode,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
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
// our plugins' reactions to it (Retry-After) are exactly graphql-js's. That runs the query a
// second time, so only queries whose every root field is in PURE_QUERIES come here: fields
// that only read (a second run changes nothing). invitePreview is not one (it takes from the
// per-address preview limit), nor is a field added later until it is listed. Mutations (which
// must not run twice, and run one field at a time) and introspection always go to graphql-js.
//
// A compiled query is kept beside the parsed document, which Apollo's document store keeps
// (an LRU keyed by the query's hash) and hands back for the same query text: the cache is
// bounded by that store and dies with its entries.
const INTROSPECTION = /__(schema|type)\b/;
export const PURE_QUERIES: ReadonlySet<string> = new Set([
  'agreement',
  'me',
  'messages',
  'proposal',
  'publishedAgreement',
  'room',
  'roomEvents',
  'rooms',
  'sessions',
  'setup',
  'verifyAuditChain',
  '__typename',
]);

// a query whose root selections are all fields in `pure` (a fragment at the root: no)
function pureQuery(operation: OperationDefinitionNode | undefined, pure: ReadonlySet<string>): boolean {
  return operation?.operation === 'query' && operation.selectionSet.selections.every((s) => s.kind === Kind.FIELD && pure.has(s.name.value));
}

// The schema the queries are compiled against: a copy of Apollo's in which a field that only
// reads its parent's property of the same name has no resolver. Nest gives every field of a
// code-first type a resolver (its rootFieldResolver: the parent's property, or the field's
// default value when that is undefined), and graphql-jit calls a field's resolver through a
// path, an info object, an arguments object and three closures, where a field without one is
// read inline: on room { progress } that was about two thirds of what the answer allocated. A
// resolver is dropped only when it is Nest's and a probe shows it reads just that property and
// has no default value (a renamed property or a default keeps it). Our views hold plain values,
// never promises (a property holding a promise would need a resolver of its own).
function plainFieldsSchema(schema: GraphQLSchema): GraphQLSchema {
  const copy = lexicographicSortSchema(schema); // new types and fields; the order is already sorted
  for (const type of Object.values(copy.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.resolve && readsOnlyProperty(field.resolve, field.name)) field.resolve = undefined;
    }
  }
  return copy;
}

function readsOnlyProperty(resolve: GraphQLFieldResolver<unknown, unknown>, name: string): boolean {
  if (resolve.name !== 'rootFieldResolver') return false;
  const read: PropertyKey[] = [];
  const probe = new Proxy({}, { get: (_target, key) => (read.push(key), undefined) });
  try {
    return resolve(probe, {}, undefined, undefined as never) === undefined && read.length === 1 && read[0] === name;
  } catch {
    return false;
  }
}

interface Compiled {
  schema: GraphQLSchema;
  query: CompiledQuery | null; // null: not compilable, graphql-js executes it
}

export function compiledQueries(pure: ReadonlySet<string> = PURE_QUERIES): Plugin {
  const cache = new WeakMap<DocumentNode, Map<string | null, Compiled>>();
  const plainSchemas = new WeakMap<GraphQLSchema, GraphQLSchema>();

  function compiled(schema: GraphQLSchema, document: DocumentNode, operationName: string | null): CompiledQuery | null {
    let byName = cache.get(document);
    if (!byName) cache.set(document, (byName = new Map()));
    const hit = byName.get(operationName);
    if (hit && hit.schema === schema) return hit.query;
    let query: CompiledQuery | null;
    try {
      let plain = plainSchemas.get(schema);
      if (!plain) plainSchemas.set(schema, (plain = plainFieldsSchema(schema)));
      const out = compileQuery(plain, document, operationName ?? undefined, { disablingCapturingStackErrors: true });
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
          if (!pureQuery(operation, pure) || INTROSPECTION.test(source)) return null;
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
