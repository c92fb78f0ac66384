import type { AgreementBundle } from '@parley/domain';
import { exportLayout, VERIFY_HINT, type RenderOptions } from './agreement-export-layout';

// Text from the room is escaped so that it reads as written and can never turn into
// markup (links, HTML, headings) when the file is shown by a Markdown viewer.
function inline(s: string): string {
  return s.replace(/\r\n?/g, '\n').replace(/[\\`*_[\]<>#|~&]/g, '\\$&');
}

function block(s: string): string {
  return inline(s)
    .split('\n')
    .map((line) => line.replace(/^(\s*)([-=+]|\d+[.)])/, '$1\\$2'))
    .join('  \n');
}

// table cells hold one line
const cell = (s: string) => inline(s).replace(/\n/g, ' ');

export function renderMarkdown(bundle: AgreementBundle, opts: RenderOptions): string {
  const v = exportLayout(bundle, opts);
  const out: string[] = [`# ${cell(v.title)}`, ''];
  if (v.banner) out.push(`> **${v.banner}.** This copy is for the members of the room only.`, '');
  out.push(`*${cell(v.statusLine)}*`, '');
  for (const [label, value] of v.facts) out.push(`- ${label}: ${cell(value)}`);

  out.push('', '## Parties', '', ...v.parties.map((p) => `- ${cell(p)}`));

  out.push('', '## Text');
  for (const c of v.clauses) {
    out.push('', `### ${cell(c.key)}${c.heading !== null ? `. ${cell(c.heading)}` : ''}`, '', block(c.text));
    for (const a of c.alternatives) out.push('', `> \\[${cell(a.label)}: ${block(a.text).replace(/\n/g, '\n> ')}\\]`);
  }

  out.push('', '## Binding commitments', '');
  if (v.commitments.length === 0) out.push('None.');
  for (const c of v.commitments) out.push(`- ${cell(c.party)}: ${cell(c.statement)} (${cell(c.condition)})`);

  out.push('', '## Signatures', '', '| Party | Signed at | Signature |', '| --- | --- | --- |');
  for (const s of v.signatures) {
    const how = s.kind === 'party key' ? `party key \`${s.keyFingerprint}\`: \`${s.signature}\`` : s.kind;
    out.push(`| ${cell(s.party)} | ${s.signedAt} | ${how} |`);
  }

  out.push(
    '',
    '## Integrity',
    '',
    `- Text hash (SHA-256 of the canonical clauses): \`${v.integrity.textHash}\``,
    `- Room event log head: \`${v.integrity.eventLogHead}\``,
    `- Version history: ${v.integrity.versions.map((x) => `\`${x}\``).join(', ')}`,
    `- Attested ${v.integrity.attestedAt} by the server key with SHA-256 fingerprint \`${v.integrity.attestationKey}\``,
    '',
    VERIFY_HINT,
    '',
  );
  return out.join('\n');
}
