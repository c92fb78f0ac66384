// `npm run lint:layers`: the layer rules of eslint.config.mjs alone, over the whole tree, without
// type information (a few seconds; `npm run lint` runs every rule). First it proves each rule still
// catches what it is there for: a probe that should fail and passes (or the reverse) stops the run,
// so a config change cannot quietly turn a layer rule into one that never fires.
import { ESLint } from 'eslint';

const LAYER_RULES = new Set(['no-restricted-imports', 'no-restricted-syntax', 'parley/no-relative-escape']);
const eslint = new ESLint({
  // type information is not needed for imports; without it no TypeScript program is built
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  ruleFilter: ({ ruleId }) => LAYER_RULES.has(ruleId),
});

// [file it is written in, code, the rule it must break (null: must pass)]
const PROBES = [
  ['libs/domain/src/probe.ts', "import { Injectable } from '@nestjs/common';", 'no-restricted-imports'],
  ['libs/domain/src/probe.ts', "import { DataSource } from 'typeorm';", 'no-restricted-imports'],
  ['libs/domain/src/probe.ts', "import pino from 'pino';", 'no-restricted-imports'],
  ['libs/domain/src/probe.ts', "import { readFileSync } from 'node:fs';", 'no-restricted-imports'],
  ['libs/domain/src/probe.ts', "import { request } from 'http';", 'no-restricted-imports'],
  ['libs/domain/src/probe.ts', "import { AppError } from '@parley/common';", 'no-restricted-imports'],
  ['libs/domain/src/probe.ts', "export async function f() { return import('pg'); }", 'no-restricted-syntax'],
  [
    'libs/domain/src/probe.ts',
    "import { createHash } from 'node:crypto';\nimport { diffWords } from 'diff';\nimport { sha256Hex } from './canonical-json';",
    null,
  ],
  ['libs/rooms/src/probe.ts', "import { BallotEntity } from '@parley/negotiation/src/ballot.entity';", 'no-restricted-imports'],
  ['libs/rooms/src/deep/probe.ts', "import { NegotiationService } from '../../../negotiation/src';", 'parley/no-relative-escape'],
  ['libs/rooms/src/probe.ts', "export * from '../../common/src/errors';", 'parley/no-relative-escape'],
  ['libs/rooms/src/probe.ts', "import { AppError } from '@parley/common';\nimport { RoomsService } from './rooms.service';", null],
  ['apps/api/src/probe.ts', "import { RoomsModule } from '../../../libs/rooms/src/rooms.module';", 'parley/no-relative-escape'],
  ['apps/cli/src/probe.ts', "import { AppModule } from '../../api/src/app.module';", null],
  ['apps/web/src/probe.tsx', "import { canonicalJson } from '@parley/domain';", 'no-restricted-imports'],
  ['apps/web/src/probe.tsx', "import { DataSource } from 'typeorm';", 'no-restricted-imports'],
  ['apps/web/src/probe.tsx', "import { bundle } from '../../../libs/domain/src/bundle';", 'parley/no-relative-escape'],
  ['apps/web/src/probe.tsx', "import { useQuery } from 'urql';\nimport { graphql } from './gql';", null],
];

const wrong = [];
for (const [filePath, code, expected] of PROBES) {
  const [result] = await eslint.lintText(code, { filePath });
  const rules = result.messages.map((m) => m.ruleId ?? `parse error: ${m.message}`);
  const ok = expected ? rules.length > 0 && rules.every((r) => r === expected) : rules.length === 0;
  if (!ok) wrong.push(`${filePath}: ${JSON.stringify(code)} should ${expected ? `break ${expected}` : 'pass'}, got [${rules.join(', ')}]`);
}
if (wrong.length) {
  console.error(`layer rules no longer do their job (eslint.config.mjs):\n${wrong.join('\n')}`);
  process.exit(1);
}

const results = await eslint.lintFiles(['libs', 'apps', 'test', 'bench', 'scripts']);
const problems = results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line}:${m.column} ${m.message} (${m.ruleId})`));
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`layers: ok (${PROBES.length} probes, ${results.length} files)`);
