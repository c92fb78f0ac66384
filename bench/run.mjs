// `npm run bench`: runs every bench/*.bench.mjs (or those named on the command line),
// collects their BENCH_RESULT lines into bench/results/latest.json and rewrites the
// generated table in docs/benchmarks.md with the figures, the machine and the date.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';

const wanted = process.argv.slice(2);
const files = readdirSync('bench')
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => !wanted.length || wanted.some((w) => f.startsWith(w)))
  .sort();

function runOne(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`bench/${file}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let last = null;
    let buf = '';
    child.stdout.on('data', (c) => {
      process.stdout.write(c);
      buf += c;
      for (const line of buf.split('\n').slice(0, -1)) if (line.startsWith('BENCH_RESULT ')) last = JSON.parse(line.slice(13));
      buf = buf.slice(buf.lastIndexOf('\n') + 1);
    });
    child.on('exit', (code) => resolve(code === 0 ? last : { scenario: file, error: `exited with ${code}` }));
  });
}

const machine = {
  cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}`,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
};
const results = [];
for (const f of files) {
  console.log(`\n== ${f}`);
  results.push(await runOne(f));
}
const date = new Date().toISOString();
mkdirSync('bench/results', { recursive: true });
let previous = {};
try {
  previous = JSON.parse(readFileSync('bench/results/latest.json', 'utf8')).scenarios ?? {};
} catch {
  // first run
}
const scenarios = { ...previous };
for (const r of results) if (r) scenarios[r.scenario] = { ...r, date, machine };
writeFileSync('bench/results/latest.json', JSON.stringify({ date, machine, scenarios }, null, 2));

const rowOf = (s) => {
  const { scenario, date: d, machine: m, ...figures } = s;
  const text = Object.entries(figures)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(' / ') : typeof v === 'object' && v ? JSON.stringify(v) : v}`)
    .join('<br>');
  return `| ${scenario} | ${text} | ${d.slice(0, 10)} | ${m.cpus}, ${m.memoryGiB} GiB, Node ${m.node} |`;
};
const docPath = 'docs/benchmarks.md';
let doc;
try {
  doc = readFileSync(docPath, 'utf8');
} catch {
  doc = '# Benchmarks\n\n<!-- bench:start -->\n<!-- bench:end -->\n';
}
// The table keeps the rows of scenarios not run this time (a fresh clone has no latest.json,
// so the committed table is the record), in their order; scenarios run now replace theirs.
const rowsByScenario = new Map();
const current = doc.match(/<!-- bench:start -->([\s\S]*)<!-- bench:end -->/)?.[1] ?? '';
for (const line of current.split('\n')) {
  const name = line.match(/^\|\s*([a-z][\w-]*)\s*\|/)?.[1];
  if (name && name !== 'scenario') rowsByScenario.set(name, line);
}
for (const s of Object.values(scenarios)) if (s.date === date || !rowsByScenario.has(s.scenario)) rowsByScenario.set(s.scenario, rowOf(s));
const table = ['| scenario | figures | date | machine |', '|---|---|---|---|', ...rowsByScenario.values()].join('\n');
doc = doc.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, `<!-- bench:start -->\n${table}\n<!-- bench:end -->`);
writeFileSync(docPath, doc);
console.log(`\nwrote bench/results/latest.json and ${docPath}`);
