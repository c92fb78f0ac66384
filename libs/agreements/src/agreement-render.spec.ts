import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { attestBundle, BUNDLE_FORMAT, textHash, type AgreementBundle, type Clause } from '@parley/domain';
import { renderMarkdown } from './agreement-markdown';
import { groupHex, pdfSafe, renderPdf } from './agreement-pdf';
import { NOT_PUBLISHED_BANNER } from './agreement-export-layout';
import { keyFingerprint } from './key-fingerprint';

const keyPair = () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
};
const server = keyPair();
const partyKey = keyPair();
const at = '2030-01-02T03:04:05.000Z';

const lorem =
  'Each party reports any serious incident involving a frontier system to the other parties within 72 hours of becoming aware of it, ' +
  'including the date, the systems involved, the nature of the harm or near miss and the measures taken since. ';

function sampleBundle(clauseCount = 6, over: Partial<AgreementBundle['agreement']> = {}): AgreementBundle {
  const clauses: Clause[] = [
    { key: '1', heading: 'Incident reporting', text: lorem.repeat(3).trim(), alternatives: [] },
    {
      key: '2',
      heading: 'Shared evaluations',
      text: 'The parties run a common evaluation suite “every quarter” — results stay confidential.\nA second paragraph: 1. not a list; <b>not HTML</b>; [not](a link).',
      alternatives: [],
    },
    {
      key: '2.a',
      heading: null,
      text: 'Compute thresholds are reviewed',
      alternatives: [
        { id: 'alt1', text: 'every year.', partyId: 'pa' },
        { id: 'alt2', text: 'every two years.', partyId: null },
      ],
    },
    ...Array.from({ length: Math.max(0, clauseCount - 3) }, (_, i) => ({
      key: `${i + 3}`,
      heading: `Clause ${i + 3}`,
      text: lorem.repeat(2).trim(),
      alternatives: [],
    })),
  ];
  const hash = textHash(clauses);
  return attestBundle(
    {
      format: BUNDLE_FORMAT,
      agreement: {
        id: 'ag-1',
        roomId: 'room-1',
        title: 'Frontier AI incident reporting accord',
        version: 4,
        textHash: hash,
        status: 'SIGNED',
        publishedAt: null,
        embargoUntil: null,
        ...over,
      },
      parties: [
        { id: 'pa', name: 'Northwind Labs' },
        { id: 'pb', name: 'Ministry of Digital Affairs' },
        { id: 'pc', name: 'Société Civile Réseau' },
      ],
      clauses,
      versions: [
        { number: 1, textHash: 'a'.repeat(64), createdAt: at },
        { number: 4, textHash: hash, createdAt: at },
      ],
      signatures: [
        { partyId: 'pa', partyName: 'Northwind Labs', textHash: hash, signedAt: at, partySignature: null, partyPublicKey: null },
        {
          partyId: 'pb',
          partyName: 'Ministry of Digital Affairs',
          textHash: hash,
          signedAt: '2030-01-03T10:00:00.000Z',
          partySignature: sign(null, Buffer.from(hash, 'ascii'), partyKey.privateKey).toString('base64'),
          partyPublicKey: partyKey.publicKey,
        },
      ],
      bindingCommitments: [
        { id: 'c1', partyId: 'pa', statement: 'We publish a yearly transparency report.', minParties: 2, requiredPartyIds: [] },
        { id: 'c2', partyId: 'pb', statement: 'We fund the shared evaluation team.', minParties: null, requiredPartyIds: ['pa'] },
      ],
      eventLogHead: { seq: 57, hash: 'c'.repeat(64) },
    },
    server.privateKey,
    server.publicKey,
    at,
  );
}

const pageCount = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;

describe('renderMarkdown', () => {
  it('shows the title, parties, clauses, commitments, signatures and hashes', () => {
    const b = sampleBundle();
    const md = renderMarkdown(b, { published: false });
    expect(md).toMatch(/^# Frontier AI incident reporting accord\n/);
    for (const party of ['Northwind Labs', 'Ministry of Digital Affairs', 'Société Civile Réseau']) expect(md).toContain(`- ${party}\n`);
    expect(md).toContain('### 1. Incident reporting');
    expect(md).toContain('### 2.a\n');
    expect(md).toContain('\\[Alternative 1 (proposed by Northwind Labs): every year.\\]');
    expect(md).toContain('\\[Alternative 2: every two years.\\]');
    expect(md).toContain('- Northwind Labs: We publish a yearly transparency report. (on condition that at least 2 parties commit)');
    expect(md).toContain('- Ministry of Digital Affairs: We fund the shared evaluation team. (on condition that Northwind Labs commit)');
    expect(md).toContain('| Northwind Labs | 2030-01-02 03:04:05 UTC | server-recorded |');
    expect(md).toContain(
      `| Ministry of Digital Affairs | 2030-01-03 10:00:00 UTC | party key \`${keyFingerprint(partyKey.publicKey)}\`: \`${b.signatures[1].partySignature}\` |`,
    );
    expect(md).toContain('| Société Civile Réseau | — | not signed |');
    expect(md).toContain(b.agreement.textHash);
    expect(md).toContain(`${'c'.repeat(64)} (event 57)`);
    expect(md).toContain(keyFingerprint(server.publicKey)!);
  });

  it('marks an unpublished agreement as confidential to the room, and a published one not', () => {
    const unpublished = renderMarkdown(sampleBundle(), { published: false });
    expect(unpublished).toContain(`> **${NOT_PUBLISHED_BANNER}.**`);
    expect(unpublished).toContain('*Status SIGNED — not yet published*');
    const published = renderMarkdown(sampleBundle(6, { status: 'PUBLISHED', publishedAt: '2030-02-01T00:00:00.000Z' }), { published: true });
    expect(published).not.toContain('NOT YET PUBLISHED');
    expect(published).toContain('*Published 2030-02-01 00:00:00 UTC*');
  });

  it('escapes text from the room so it cannot become markup', () => {
    const md = renderMarkdown(sampleBundle(), { published: false });
    expect(md).toContain('\\<b\\>not HTML\\</b\\>');
    expect(md).toContain('\\[not\\](a link)');
    expect(md).toContain('  \nA second paragraph: 1. not a list');
    expect(md).not.toMatch(/<b>|[^\\]\]\(a link\)/);
  });

  it('renders only what a bundle holds: nothing smuggled in beside it reaches the export', () => {
    const b = { ...sampleBundle(), discussion: [{ author: 'Alice Example', text: 'SECRET-DISCUSSION' }], members: [{ displayName: 'Alice Example' }] };
    for (const out of [renderMarkdown(b, { published: true }), renderMarkdown(b, { published: false })]) {
      expect(out).not.toContain('SECRET-DISCUSSION');
      expect(out).not.toContain('Alice Example');
    }
  });
});

describe('renderPdf', () => {
  it('makes a PDF document with pages', async () => {
    const pdf = await renderPdf(sampleBundle(), { published: false });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.subarray(-6).toString('latin1')).toMatch(/%%EOF/);
    expect(pageCount(pdf)).toBeGreaterThanOrEqual(1);
    expect(pdf.toString('latin1')).toMatch(/\/Title \d+ 0 R/);
    if (process.env.PARLEY_SAMPLE_PDF) writeFileSync(process.env.PARLEY_SAMPLE_PDF, pdf);
  });

  it('runs a long text onto more pages', async () => {
    const short = await renderPdf(sampleBundle(3), { published: true });
    const long = await renderPdf(sampleBundle(60, { status: 'PUBLISHED', publishedAt: '2030-02-01T00:00:00.000Z' }), { published: true });
    if (process.env.PARLEY_SAMPLE_PDF) writeFileSync(process.env.PARLEY_SAMPLE_PDF.replace(/\.pdf$/, '-long.pdf'), long);
    expect(pageCount(long)).toBeGreaterThan(pageCount(short) + 3);
  });

  it('shows characters the built-in fonts lack as "?" instead of garbage', () => {
    expect(pdfSafe('Société “quoted” — €5 数据 🙂\ttab')).toBe('Société “quoted” — €5 ?? ?    tab');
  });

  it('prints hashes and fingerprints in blocks a person can compare, and leaves other words alone', () => {
    const hash = '961ecc82b65d3828801e323452ef7d010fc76c495b29c42759a2231de2695250';
    expect(groupHex(hash)).toBe('961e cc82 b65d 3828 801e 3234 52ef 7d01 0fc7 6c49 5b29 c427 59a2 231d e269 5250');
    expect(groupHex(hash, 8)).toBe('961ecc82 b65d3828 801e3234 52ef7d01 0fc76c49 5b29c427 59a2231d e2695250');
    expect(groupHex(`version 2: ${hash} (event 38)`).replace(/ /g, '')).toBe(`version2:${hash}(event38)`);
    expect(groupHex('deadbeef and a UUID 753612ef-2465-4b39-872f-a47bb836692d')).toBe('deadbeef and a UUID 753612ef-2465-4b39-872f-a47bb836692d');
  });
});
