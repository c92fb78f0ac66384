// The GraphQL schema as the code generates it (the built CLI's `schema:print`, what
// `npm run schema` writes to apps/api/schema.gql), read once per test file.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { buildSchema } from 'graphql';

const run = promisify(execFile);
let generated: Promise<string> | null = null;

export function generatedSchema(): Promise<string> {
  generated ??= run(process.execPath, ['dist/apps/cli/src/main.js', 'schema:print'], { maxBuffer: 16 * 1024 * 1024 }).then((r) => r.stdout);
  return generated;
}

export const checkedInSchema = () => readFile('apps/api/schema.gql', 'utf8');

// every Query and Mutation field of a schema, sorted
export function operationsOf(sdl: string): string[] {
  const schema = buildSchema(sdl);
  return [...Object.keys(schema.getQueryType()?.getFields() ?? {}), ...Object.keys(schema.getMutationType()?.getFields() ?? {})].sort();
}
