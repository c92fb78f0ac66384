// Hostile inputs for every operation of the schema, read from apps/api/schema.gql so that a
// new operation is fuzzed without anyone writing a case for it (and an argument type no
// generator knows fails the suite).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
// the contract's codes: every answer must carry one of them
import { ERROR_CODES } from '@parley/domain';

// how many inputs a run tries in all: CI's default, or PARLEY_HOSTILE_RUNS for a full run
export const HOSTILE_RUNS = Number(process.env.PARLEY_HOSTILE_RUNS || 5000);
export const HOSTILE_SEED = Number(process.env.PARLEY_HOSTILE_SEED || Date.now() % 2 ** 31);

export function loadSchema(): GraphQLSchema {
  return buildSchema(readFileSync('apps/api/schema.gql', 'utf8'));
}

export interface Operation {
  kind: 'query' | 'mutation';
  name: string;
  args: readonly GraphQLArgument[];
  document: string;
}

// one document per root field: every argument as a variable, the leaf fields of the answer
export function operations(schema: GraphQLSchema): Operation[] {
  const ops: Operation[] = [];
  for (const [kind, root] of [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
  ] as const) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      const vars = field.args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
      const args = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
      const head = vars ? `${kind} Fuzz(${vars})` : `${kind} Fuzz`;
      ops.push({ kind, name: field.name, args: field.args, document: `${head} { ${field.name}${args ? `(${args})` : ''}${selection(field, 1)} }` });
    }
  }
  return ops;
}

function selection(field: GraphQLField<unknown, unknown>, depth: number): string {
  const type = getNamedType(field.type);
  if (isLeafType(type) || !isObjectType(type)) return '';
  const parts: string[] = [];
  for (const f of Object.values(type.getFields())) {
    if (f.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined)) continue;
    const named = getNamedType(f.type);
    if (isLeafType(named)) parts.push(f.name);
    else if (depth > 1) parts.push(`${f.name}${selection(f, depth - 1)}`);
  }
  return ` { ${parts.length ? parts.join(' ') : '__typename'} }`;
}

// ids the suite made (rooms of the caller and of others, their parties, proposals, ...)
export interface IdPool {
  ids: string[];
}

const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE room; --",
  '1; SELECT pg_sleep(5)--',
  '$$; DELETE FROM room_event; $$',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '[click](javascript:alert(1))',
  '![x](http://evil.example/x.png)',
  '# Heading\n\n---\n\n```\ncode\n```',
  '=HYPERLINK("http://evil.example","x")',
  "+cmd|' /C calc'!A0",
  '-2+3',
  '@SUM(A1:A9)',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"x":1}}}',
  '${7*7}{{7*7}}<%= 7*7 %>',
  '../../../../etc/passwd',
  '%00%0d%0aSet-Cookie: x=1',
  'party:00000000-0000-0000-0000-000000000000',
  'proposal:../../x:clause:1',
];
const UNICODE = [
  '\u202Eevil\u202C',
  '\u200B\u200C\u200D\u2060',
  '\uFEFF',
  '\u0000',
  'a\u0000b',
  '\uD800',
  '\uDC00',
  'x\uDBFF',
  '\uD83D\uDE00',
  'e\u0301\u0301\u0301\u0301\u0301',
  'ﷺ'.repeat(50),
  '\r\n\t\v\f',
  '\u001b[31mred',
  '\u2028\u2029',
  '𝕏'.repeat(30),
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 3, arbitrary: fc.constantFrom(...INJECTIONS) },
  { weight: 3, arbitrary: fc.constantFrom(...UNICODE) },
  { weight: 2, arbitrary: fc.constantFrom('', ' ', '   \t\n ', 'null', 'undefined', 'true', '0', '-1', 'NaN') },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.constantFrom(...INJECTIONS, ...UNICODE), fc.string({ maxLength: 10 }), fc.constantFrom(...UNICODE)).map((p) => p.join('')),
  },
  { weight: 2, arbitrary: fc.constantFrom(101, 201, 321, 1_025, 4_001, 10_001, 100_000).map((n) => 'w'.repeat(n)) },
  // MBs: past the request body limit
  { weight: 1, arbitrary: fc.constantFrom(300_000, 1_200_000).map((n) => 'M'.repeat(n)) },
);

const deep = (depth: number): unknown => {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

// any JSON in place of the expected type
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53, -(2 ** 31) - 1, [], {}, [null], { $gt: '' }, JSON.parse('{"__proto__":{"x":1}}')),
  fc.constantFrom(20, 200, 2_000).map(deep),
  fc.constantFrom(1_000, 20_000).map((n) => Array.from({ length: n }, (_, i) => i)),
);

function idArb(pool: IdPool): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...pool.ids) },
    { weight: 1, arbitrary: fc.constantFrom(...pool.ids).map((id) => id.toUpperCase()) },
    { weight: 1, arbitrary: fc.constantFrom(...pool.ids).map((id) => ` ${id} `) },
    { weight: 2, arbitrary: fc.uuid().map((u) => u) },
    { weight: 2, arbitrary: hostileString },
    { weight: 1, arbitrary: fc.integer() },
  );
}

const intArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -3, max: 12 }),
  fc.integer(),
  fc.constantFrom(0, -1, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER, 1.5, 1e21, '1', '0x10', true),
);
const floatArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, 1, 0.5, 0.667, -0.1, 1.0001, 1e308, -1e308, 5e-324, '0.5'),
);
const dateArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('2999-12-31T23:59:59Z', '0000-00-00', 'yesterday', '2026-13-45T25:61:61Z', '1e99', '', '2026-01-01T00:00:00+99:00', 0, -1, 8.64e15),
  hostileString,
);

// the arbitrary for a value of `type`; throws when a type has no generator
export function valueFor(type: GraphQLInputType, pool: IdPool, where: string): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) {
    const inner = valueFor(type.ofType, pool, where);
    return fc.oneof({ weight: 12, arbitrary: inner }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: wrongType });
  }
  if (isListType(type)) {
    const item = valueFor(type.ofType, pool, where);
    return fc.oneof(
      { weight: 8, arbitrary: fc.array(item, { maxLength: 6 }) },
      { weight: 1, arbitrary: item },
      // long lists of one small item: the length is the attack, not the bytes
      {
        weight: 1,
        arbitrary: fc
          .tuple(
            fc.constantFrom(300, 3_000),
            item.filter((v) => (JSON.stringify(v) ?? '').length < 200),
          )
          .map(([n, v]) => Array.from({ length: n }, () => v)),
      },
      { weight: 1, arbitrary: wrongType },
    );
  }
  const named = type as GraphQLNamedType;
  let arb: fc.Arbitrary<unknown>;
  if (isEnumType(named)) {
    arb = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...named.getValues().map((v) => v.name)) }, { weight: 1, arbitrary: hostileString });
  } else if (isInputObjectType(named)) {
    const fields = Object.values(named.getFields());
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const f of fields) model[f.name] = valueFor(f.type, pool, `${where}.${f.name}`);
    const required = fields.filter((f) => isNonNullType(f.type)).map((f) => f.name);
    arb = fc.oneof(
      { weight: 6, arbitrary: fc.record(model, { requiredKeys: required }) },
      { weight: 1, arbitrary: fc.record(model, { requiredKeys: [] }) },
      {
        weight: 1,
        arbitrary: fc.tuple(fc.record(model, { requiredKeys: required }), hostileString, wrongType).map(([r, k, v]) => ({ ...r, [k || 'extra']: v })),
      },
    );
  } else if (isScalarType(named)) {
    const scalars: Record<string, fc.Arbitrary<unknown>> = {
      String: hostileString,
      ID: idArb(pool),
      Int: intArb,
      Float: floatArb,
      Boolean: fc.oneof(fc.boolean(), fc.constantFrom('true', 1, 0)),
      DateTime: dateArb,
    };
    const s = scalars[named.name];
    if (!s) throw new Error(`no generator for the scalar ${named.name} (${where}): add one in test/hostile/support/inputs.ts`);
    arb = s;
  } else {
    throw new Error(`no generator for ${String(named)} (${where})`);
  }
  return fc.oneof({ weight: 14, arbitrary: arb }, { weight: 1, arbitrary: wrongType });
}

// the variables of one operation: sometimes one is left out, sometimes one is added
export function variablesFor(op: Operation, pool: IdPool): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const a of op.args) model[a.name] = valueFor(a.type, pool, `${op.name}(${a.name})`);
  const all = op.args.map((a) => a.name);
  return fc.oneof(
    { weight: 10, arbitrary: fc.record(model, { requiredKeys: all }) },
    { weight: 1, arbitrary: fc.record(model, { requiredKeys: [] }) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.record(model, { requiredKeys: all }), fc.string({ maxLength: 8 }), wrongType).map(([r, k, v]) => ({ ...r, [`x${k}`]: v })),
    },
  );
}

// what no answer may contain: internals, SQL errors, stacks, paths
const LEAKS =
  /QueryFailedError|duplicate key|violates|relation "|syntax error at or near|invalid input syntax|\n\s+at |node_modules|\/dist\/|\/src\/|INTERNAL_SERVER_ERROR|Internal server error|TypeError|ReferenceError|RangeError|Cannot read prop/;

// the reasons an answer is wrong (empty when it is fine)
export function problemsOfErrors(errors: Array<{ message?: unknown; extensions?: { code?: unknown } }> | undefined): string[] {
  const out: string[] = [];
  for (const e of errors ?? []) {
    const code = e.extensions?.code;
    if (typeof code !== 'string' || !(ERROR_CODES as readonly string[]).includes(code)) out.push(`code ${String(code)}`);
    if (typeof e.message !== 'string' || !e.message.trim()) out.push('no message');
    else {
      if (e.message.length > 1000) out.push(`message of ${e.message.length} characters`);
      if (LEAKS.test(e.message)) out.push(`message leaks: ${e.message.slice(0, 200)}`);
    }
  }
  return out;
}

// a short, printable form of an input for a failure report
export function brief(value: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(value, (_k, v) =>
      typeof v === 'string' && v.length > 80
        ? `${v.slice(0, 40)}…(${v.length} chars)`
        : Array.isArray(v) && v.length > 8
          ? [...v.slice(0, 3), `…(${v.length} items)`]
          : v,
    );
  } catch {
    s = String(value);
  }
  return s.length > 600 ? `${s.slice(0, 600)}…` : s;
}

// runs `work` over items with at most `n` at a time
export async function pool<T>(items: T[], n: number, work: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i], i);
      }
    }),
  );
}
