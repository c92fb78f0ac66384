// Layer rule: libs/domain is pure (no framework, no database, no I/O besides node:crypto),
// and capability libs import each other only through their public index (@parley/<name>).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const FORBIDDEN_IN_DOMAIN = [/^@nestjs\//, /^typeorm/, /^pg$/, /^socket\.io/, /^redis/, /^@parley\//, /^node:(fs|net|http|https|child_process|dgram|worker_threads)/, /^(fs|net|http|https|child_process)$/];
const problems = [];

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const importsOf = (file) => [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);

for (const file of walk('libs/domain/src')) {
  for (const spec of importsOf(file)) {
    if (FORBIDDEN_IN_DOMAIN.some((re) => re.test(spec))) problems.push(`${file}: libs/domain must stay pure, but imports ${spec}`);
  }
}
for (const lib of readdirSync('libs')) {
  for (const file of walk(join('libs', lib, 'src'))) {
    for (const spec of importsOf(file)) {
      if (/^@parley\/[^/]+\/.+/.test(spec)) problems.push(`${file}: import ${spec} reaches into another lib; use its index`);
      if (/^\.\.\/\.\.\/\.\.\/libs\//.test(spec) || /^\.\.\/\.\.\/(?!src)[a-z-]+\/src/.test(spec)) problems.push(`${file}: relative import ${spec} crosses libs`);
    }
  }
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('layers: ok');
