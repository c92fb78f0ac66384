import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startApp, type TestApp } from '../support/harness';
import { newUser, type TestUser } from '../support/factories';
import { problemsOfErrors } from './support/inputs';

// Abuse of GraphQL itself, on a server in production mode: every request gets a contract
// code with a plain message and a status under 500, and the server answers normally after.
describe('GraphQL abuse (NODE_ENV=production)', () => {
  let app: TestApp;
  let user: TestUser;
  let tried = 0;
  const started = Date.now();
  beforeAll(async () => {
    app = await startApp({ NODE_ENV: 'production' });
    user = await newUser(app.anon);
  });
  afterAll(async () => {
    console.log(`hostile GraphQL abuse: ${tried} requests in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await app?.close();
  });

  // one raw request; the answer's first error code (or 'ok')
  async function raw(body: string, init: { method?: string; headers?: Record<string, string>; path?: string } = {}): Promise<string> {
    tried += 1;
    let res: Response;
    try {
      res = await fetch(`${app.server.url}${init.path ?? '/graphql'}`, {
        method: init.method ?? 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${user.client.token}`, ...init.headers },
        body: init.method === 'GET' ? undefined : body,
      });
    } catch (e) {
      // refused before the body was read (413): the connection may close under the writer
      const cause = String((e as { cause?: { code?: string } }).cause?.code);
      if (body.length > 256 * 1024 && ['EPIPE', 'ECONNRESET', 'UND_ERR_SOCKET'].includes(cause)) return 'refused';
      throw e;
    }
    expect(res.status).toBeLessThan(500);
    const text = await res.text();
    const json = JSON.parse(text) as { data?: unknown; errors?: Array<{ message?: unknown; extensions?: { code?: unknown } }> };
    expect(problemsOfErrors(json.errors)).toEqual([]);
    return json.errors?.length ? String(json.errors[0].extensions?.code) : 'ok';
  }
  const q = (query: string, variables?: unknown) => raw(JSON.stringify({ query, variables }));

  afterEach(async () => {
    expect(await q('{ me { id } }')).toBe('ok');
  });

  it('refuses introspection in production', async () => {
    expect(await q('{ __schema { types { name } } }')).toBe('BAD_USER_INPUT');
    expect(await q('{ __type(name: "Room") { fields { name } } }')).toBe('BAD_USER_INPUT');
    expect(await q('query { me { id } ... on Query { __schema { queryType { name } } } }')).toBe('BAD_USER_INPUT');
    expect(await q('{ __typename }')).toBe('ok');
  });

  it('bounds alias floods, duplicated fields, depth and fragment expansion', async () => {
    const aliases = Array.from({ length: 500 }, (_, i) => `a${i}: me { id }`).join(' ');
    expect(await q(`{ ${aliases} }`)).toBe('BAD_USER_INPUT');
    expect(await q(`{ me { ${'id '.repeat(5_000)} } }`)).toBe('BAD_USER_INPUT');
    expect(await q(`{ ${Array.from({ length: 200 }, (_, i) => `r${i}: rooms { id proposals { id ballots { id } } }`).join(' ')} }`)).toBe('BAD_USER_INPUT');
    // fragments that multiply: each level doubles the one below
    const frags = Array.from({ length: 30 }, (_, i) => `fragment F${i} on Room { ${i === 29 ? 'id' : `a: id ...F${i + 1} b: title ...F${i + 1}`} }`).join('\n');
    expect(await q(`{ rooms { ...F0 } }\n${frags}`)).toBe('BAD_USER_INPUT');
    expect(await q(`{ me { ...A } } fragment A on User { id ...B } fragment B on User { email ...A }`)).toBe('BAD_USER_INPUT');
    expect(await q(`{ me { ...A } } fragment A on User { ...A }`)).toBe('BAD_USER_INPUT');
    expect(await q(`{ rooms { proposals { ballots { votedParties { id } } agreement { signatures { party { id } } } } } }`)).toBe('ok');
  });

  it('survives documents nested thousands deep (selections, inline fragments, values, lists)', async () => {
    // nested inline fragments add no depth, but a document nests at most 256 brackets (its
    // outer braces included), counted before parsing: the same answer every time (5 000 used to
    // overflow the stack in execution, a 500, or not, as V8 had optimised the recursion)
    const fragments = (n: number) => `{ ${'... on Query { '.repeat(n)}__typename${' }'.repeat(n)} }`;
    expect(await q(fragments(255))).toBe('ok');
    expect(await q(fragments(256))).toBe('BAD_USER_INPUT');
    expect(await q(`# ${'{'.repeat(5_000)}\n{ me { id name: displayName } } # ${'['.repeat(5_000)}`)).toBe('ok');
    // brackets in comments and strings are not nesting: these reach the resolver
    expect(await q(`{ invitePreview(token: "${'{'.repeat(300)}") { roomTitle } }`)).toBe('INVITE_INVALID');
    expect(await q(`{ invitePreview(token: """\\""" ${'('.repeat(300)}""") { roomTitle } }`)).toBe('INVITE_INVALID');
    for (const n of [100, 2_000, 5_000, 20_000]) {
      expect(await q(fragments(n))).toBe(n > 255 ? 'BAD_USER_INPUT' : 'ok');
      expect(await q(`{ me ${'{ id '.repeat(n)}${'}'.repeat(n)} }`)).toBe('BAD_USER_INPUT');
      expect(
        await q(
          `mutation { createRoom(input: { title: ${'['.repeat(n)}"x"${']'.repeat(n)}, purpose: "p", speakerAttribution: ATTRIBUTED, parties: [] }) { id } }`,
        ),
      ).toBe('BAD_USER_INPUT');
      expect(
        await q(
          `mutation { createRoom(input: { title: "t", purpose: ${'{a: '.repeat(n)}1${'}'.repeat(n)}, speakerAttribution: ATTRIBUTED, parties: [] }) { id } }`,
        ),
      ).toBe('BAD_USER_INPUT');
      // written by hand: JSON.stringify itself cannot go this deep
      expect(await raw(`{"query": "query($v: String) { me { id } }", "variables": {"v": ${'['.repeat(n)}${']'.repeat(n)}}}`)).toBe('BAD_USER_INPUT');
      expect(await raw(`{"query": "{ me { id } }", "extensions": ${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`)).toMatch(/^(ok|BAD_USER_INPUT)$/);
    }
  });

  it('refuses batches, malformed bodies and wrong methods', async () => {
    expect(await raw(JSON.stringify([{ query: '{ me { id } }' }, { query: '{ me { id } }' }]))).toBe('BAD_USER_INPUT');
    expect(await raw(JSON.stringify(Array.from({ length: 1_000 }, () => ({ query: '{ me { id } }' }))))).toBe('BAD_USER_INPUT');
    for (const body of [
      '',
      'not json',
      '{"query":',
      '{"query": 5}',
      '{"query": null}',
      '{"query": ""}',
      '{"query": "{ me { id } }", "variables": "x"}',
      '{"query": "{ me { id } }", "variables": [1]}',
      '{"query": "{ me { id } }", "operationName": 7}',
      '{"query": "query A { me { id } } query B { me { id } }"}',
      '{"query": "query A { me { id } }", "operationName": "B"}',
      '{"query": "{ me { id } }", "extensions": 5}',
      'null',
      '[]',
      '"{ me { id } }"',
      '{"__proto__": {"query": "{ me { id } }"}}',
    ]) {
      expect(await raw(body)).toBe('BAD_USER_INPUT');
    }
    // CSRF prevention: a simple request without a preflight
    expect(await raw(JSON.stringify({ query: '{ me { id } }' }), { headers: { 'content-type': 'text/plain' } })).toBe('BAD_USER_INPUT');
    // a mutation over GET
    expect(
      await raw('', { method: 'GET', path: `/graphql?query=${encodeURIComponent('mutation { logout }')}`, headers: { 'apollo-require-preflight': 'true' } }),
    ).toBe('BAD_USER_INPUT');
    expect(await raw(JSON.stringify({ query: '{ me { id } }' }), { method: 'PUT' })).not.toBe('ok');
  });

  it('refuses persisted-query misuse', async () => {
    const hash = 'a'.repeat(64);
    for (const ext of [
      { persistedQuery: { version: 1, sha256Hash: hash } },
      { persistedQuery: { version: 1, sha256Hash: 'nothex' } },
      { persistedQuery: null },
      { persistedQuery: { version: 1 } },
      { persistedQuery: [] },
    ]) {
      expect(await raw(JSON.stringify({ extensions: ext }))).toBe('BAD_USER_INPUT');
      // with the query itself given, the query runs as sent: nothing is looked up or stored
      expect(await raw(JSON.stringify({ query: '{ me { id } }', extensions: ext }))).toMatch(/^(ok|BAD_USER_INPUT)$/);
    }
    const get = `/graphql?extensions=${encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } }))}`;
    expect(await raw('', { method: 'GET', path: get, headers: { 'apollo-require-preflight': 'true' } })).toBe('BAD_USER_INPUT');
  });

  it('refuses oversized and strange variables', async () => {
    const create = `mutation($input: CreateRoomInput!) { createRoom(input: $input) { id } }`;
    const rooms = await app.sql('SELECT count(*)::int AS n FROM room');
    expect(await q(create, { input: { title: 'x'.repeat(3_000_000), purpose: 'p', speakerAttribution: 'ATTRIBUTED', parties: [] } })).toMatch(
      /BAD_USER_INPUT|refused/,
    );
    expect(await q(create, { input: { title: 't', purpose: 'p', speakerAttribution: 'ATTRIBUTED', parties: Array.from({ length: 20_000 }, () => 'p') } })).toBe(
      'BAD_USER_INPUT',
    );
    expect(await q(create, { input: { title: 't', purpose: 'x'.repeat(200_000), speakerAttribution: 'ATTRIBUTED', parties: [] } })).toBe('BAD_USER_INPUT');
    expect(await q('{ me { id } }', Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`v${i}`, i])))).toBe('ok');
    expect(await q(create, { input: { title: 't', purpose: 'p', speakerAttribution: 'ATTRIBUTED', parties: [], extra: 1 } })).toBe('BAD_USER_INPUT');
    expect(await q(create, { input: JSON.parse('{"__proto__": {"title": "t"}, "purpose": "p", "speakerAttribution": "ATTRIBUTED", "parties": []}') })).toBe(
      'BAD_USER_INPUT',
    );
    expect(await app.sql('SELECT count(*)::int AS n FROM room')).toEqual(rooms);
    expect(app.server.logs.filter((l) => /"level":(50|60)/.test(l))).toEqual([]);
  });
});
