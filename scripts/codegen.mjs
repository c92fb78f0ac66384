// Types for the web app's GraphQL operations, generated from the committed schema
// (apps/api/schema.gql) into apps/web/src/gql (git-ignored). A schema change that breaks an
// operation of the web app fails here or in the web type check.
import { generate } from '@graphql-codegen/cli';
import { dirname, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
await generate(
  {
    cwd: root,
    schema: 'apps/api/schema.gql',
    documents: ['apps/web/src/**/*.{ts,tsx}', '!apps/web/src/gql/**'],
    ignoreNoDocuments: true,
    silent: true,
    errorsOnly: true,
    generates: {
      'apps/web/src/gql/': {
        preset: 'client',
        presetConfig: { fragmentMasking: false },
        config: { useTypeImports: true, enumsAsTypes: true, scalars: { DateTime: 'string' }, avoidOptionals: false },
      },
    },
  },
  true,
);
