import { describe, expect, it } from '@jest/globals';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { buildSchema, type GraphQLFieldResolver, type GraphQLObjectType } from 'graphql';
import { compiledQueries } from './graphql-jit';

// A schema wired as Nest wires a code-first one: every field of Item has a resolver named
// rootFieldResolver, most reading the property of the field's name, `label` reading another.
function app(withJit: boolean) {
  const calls = { items: 0, id: 0, label: 0, bump: 0 };
  const schema = buildSchema(`
    type Query { items(n: Int!): [Item!]!, failing: [Item!], limited: [Item!] }
    type Mutation { bump: Int! }
    type Item { id: ID!, n: Int!, label: String, tags: [String!]! }
  `);
  const nestLike = (property: string, counter?: keyof typeof calls): GraphQLFieldResolver<Record<string, unknown>, unknown> => {
    const rootFieldResolver = (root: Record<string, unknown>) => {
      if (counter) calls[counter]++;
      return root[property];
    };
    return rootFieldResolver;
  };
  const item = schema.getType('Item') as GraphQLObjectType;
  const fields = item.getFields();
  fields.id.resolve = nestLike('id', 'id');
  fields.n.resolve = nestLike('n');
  fields.label.resolve = nestLike('title', 'label');
  fields.tags.resolve = nestLike('tags');
  const query = schema.getQueryType()!.getFields();
  query.items.resolve = (_root, { n }: { n: number }) => {
    calls.items++;
    return Array.from({ length: n }, (_, i) => ({ id: `i${i}`, n: i, title: i % 2 ? `t${i}` : null, tags: ['a', String(i)] }));
  };
  query.failing.resolve = () => {
    calls.items++;
    return [{ id: 'x', n: 'not a number', title: 'x', tags: [] }];
  };
  query.limited.resolve = query.failing.resolve;
  schema.getMutationType()!.getFields().bump.resolve = () => ++calls.bump;
  const server = new ApolloServer({ schema, plugins: withJit ? [compiledQueries(new Set(['items', 'failing', 'other'])) as ApolloServerPlugin] : [] });
  const run = async (q: string, variables?: Record<string, unknown>) => {
    const res = await server.executeOperation({ query: q, variables });
    if (res.body.kind !== 'single') throw new Error('expected a single result');
    return { status: res.http.status, result: JSON.parse(JSON.stringify(res.body.singleResult)) as unknown };
  };
  return { server, calls, run };
}

describe('compiledQueries', () => {
  const q = 'query($n: Int!) { items(n: $n) { id n label tags } again: items(n: 2) { n } }';

  it('answers a query as graphql-js does, reading plain properties inline (their resolvers are not called)', async () => {
    const plain = app(false);
    const jit = app(true);
    await Promise.all([plain.server.start(), jit.server.start()]);
    for (const n of [0, 3, 5]) {
      // twice: compiled on the first sight of the document, taken from the cache on the second
      for (let i = 0; i < 2; i++) expect(await jit.run(q, { n })).toEqual(await plain.run(q, { n }));
    }
    expect(plain.calls.id).toBe(16);
    // `id` reads its own property: read inline (its resolver ran once, probed when the schema
    // was copied); `label` reads another one: still resolved (probed once too)
    expect(jit.calls.id).toBe(1);
    expect(plain.calls.label).toBe(16);
    expect(jit.calls.label).toBe(plain.calls.label + 1);
    expect(jit.calls.items).toBe(plain.calls.items);
    await Promise.all([plain.server.stop(), jit.server.stop()]);
  });

  it('leaves an answer with errors, bad variables, mutations and fields not listed as pure to graphql-js', async () => {
    const plain = app(false);
    const jit = app(true);
    await Promise.all([plain.server.start(), jit.server.start()]);
    const failing = await jit.run('{ failing { id n } }');
    expect(failing).toEqual(await plain.run('{ failing { id n } }'));
    expect(failing.result).toMatchObject({ data: { failing: null }, errors: [{ path: ['failing', 0, 'n'] }] });
    // the compiled query ran, found the error, and graphql-js answered: the resolver ran twice
    expect(jit.calls.items).toBe(2);
    const bad = await jit.run(q, { n: 'x' });
    expect(bad).toEqual(await plain.run(q, { n: 'x' }));
    expect(bad.status).toBe(400);
    expect(await jit.run('mutation { bump }')).toEqual(await plain.run('mutation { bump }'));
    expect(jit.calls.bump).toBe(1);
    // a root field not listed as pure (one that takes from a limit, say) never runs twice
    expect(await jit.run('{ limited { id n } }')).toEqual(await plain.run('{ limited { id n } }'));
    expect(jit.calls.items).toBe(3);
    expect(await jit.run('{ items(n: 1) { id } limited { id } }')).toEqual(await plain.run('{ items(n: 1) { id } limited { id } }'));
    expect(jit.calls.items).toBe(5);
    await Promise.all([plain.server.stop(), jit.server.stop()]);
  });
});
