import PDFDocument from 'pdfkit';
import type { AgreementBundle } from '@parley/domain';
import { exportLayout, VERIFY_HINT, type ExportLayout, type RenderOptions } from './agreement-export-layout';

type Doc = PDFKit.PDFDocument;

// The fonts built into every PDF reader (Helvetica, Courier) encode WinAnsi only; other
// characters would print as garbage, so they show as "?" here. The JSON bundle and the
// Markdown export keep the exact text.
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
export function pdfSafe(s: string): string {
  let out = '';
  for (const ch of s.replace(/\r\n?/g, '\n').replace(/\t/g, '    ')) {
    const c = ch.codePointAt(0)!;
    out += ch === '\n' || (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff) || WIN_ANSI_EXTRA.has(ch) ? ch : '?';
  }
  return out;
}

// Long hex strings (hashes, key fingerprints) in blocks so a person can compare them with
// their own copy block by block: 4 digits like the web app's hash, 8 for key fingerprints.
export function groupHex(s: string, size = 4): string {
  return s.replace(/\b[0-9a-f]{16,}\b/gi, (hex) => hex.match(new RegExp(`.{1,${size}}`, 'g'))!.join(' '));
}

// AWAITING_SIGNATURES → awaiting signatures
const statusWords = (s: string) => s.replace(/\b[A-Z]{2,}(?:_[A-Z]+)*\b/g, (w) => (w === 'NOT' || w === 'YET' ? w : w.toLowerCase().replace(/_/g, ' ')));

const INK = '#111111';
const MUTED = '#555555';
const RULE = '#bbbbbb';
const ALERT = '#b42318';
const MARGIN = { top: 56, bottom: 64, left: 56, right: 56 };

class Layout {
  constructor(readonly doc: Doc) {}

  get left() {
    return this.doc.page.margins.left;
  }
  get width() {
    return this.doc.page.width - this.doc.page.margins.left - this.doc.page.margins.right;
  }
  get bottom() {
    return this.doc.page.height - this.doc.page.margins.bottom;
  }

  // starts a new page unless `height` still fits on this one
  room(height: number) {
    if (this.doc.y + height > this.bottom) this.doc.addPage();
  }

  text(s: string, o: { font?: string; size?: number; color?: string; indent?: number; gap?: number } = {}) {
    const { doc } = this;
    doc
      .font(o.font ?? 'Helvetica')
      .fontSize(o.size ?? 10.5)
      .fillColor(o.color ?? INK);
    const options = { width: this.width - (o.indent ?? 0), lineGap: 2 };
    // short paragraphs are never split across pages; long ones flow
    const height = doc.heightOfString(pdfSafe(s), options);
    if (height < 100) this.room(height);
    doc.text(pdfSafe(s), this.left + (o.indent ?? 0), doc.y, options);
    doc.moveDown(o.gap ?? 0.3);
  }

  // `keep`: the height of what must follow the heading on the same page
  heading(s: string, keep = 30) {
    this.doc.moveDown(0.6);
    this.room(30 + keep); // never a heading alone at the foot of a page
    this.text(s, { font: 'Helvetica-Bold', size: 14, gap: 0.2 });
    const y = this.doc.y;
    this.doc
      .moveTo(this.left, y)
      .lineTo(this.left + this.width, y)
      .lineWidth(0.5)
      .strokeColor(RULE)
      .stroke();
    this.doc.moveDown(0.5);
  }

  field(label: string, value: string, mono = false) {
    this.room(40); // a label stays with the first line of its value
    this.text(label, { font: 'Helvetica-Bold', size: 9, color: MUTED, gap: 0.05 });
    this.text(value, { font: mono ? 'Courier' : 'Helvetica', size: mono ? 9 : 10.5, gap: 0.4 });
  }
}

function banner(l: Layout, v: ExportLayout) {
  const { doc } = l;
  if (v.banner) {
    doc.font('Helvetica-Bold').fontSize(12);
    const label = pdfSafe(v.banner);
    const h = doc.heightOfString(label, { width: l.width - 20 }) + 14;
    const y = doc.y;
    doc.rect(l.left, y, l.width, h).fill(ALERT);
    doc.fillColor('#ffffff').text(label, l.left + 10, y + 7, { width: l.width - 20, align: 'center' });
    doc.y = y + h + 6;
  }
  l.text(v.banner ? statusWords(v.statusLine).replace(/^Status /, 'Status: ') : v.statusLine, {
    font: 'Helvetica-Oblique',
    size: 10,
    color: v.banner ? ALERT : '#1a7f37',
    gap: 0.6,
  });
}

function clauses(l: Layout, v: ExportLayout) {
  for (const c of v.clauses) {
    l.doc.moveDown(0.3);
    // the clause heading stays with its text: all of a short text (which never splits), the
    // first lines of a long one
    const body = l.doc.font('Helvetica').fontSize(10.5).heightOfString(pdfSafe(c.text), { width: l.width, lineGap: 2 });
    l.room(20 + (body < 100 ? body : 48));
    l.text(`${c.key}${c.heading !== null ? `  ${c.heading}` : ''}`, { font: 'Helvetica-Bold', size: 11, gap: 0.15 });
    l.text(c.text, { gap: 0.3 });
    for (const a of c.alternatives) {
      l.room(30);
      const { doc } = l;
      const options = { width: l.width - 16, lineGap: 2, continued: true };
      doc
        .font('Helvetica-Oblique')
        .fontSize(10)
        .fillColor(MUTED)
        .text(pdfSafe(`[${a.label}: `), l.left + 16, doc.y, options);
      doc
        .font('Helvetica')
        .fillColor(INK)
        .text(pdfSafe(`${a.text}]`), { ...options, continued: false });
      doc.moveDown(0.3);
    }
  }
}

function commitments(l: Layout, v: ExportLayout) {
  if (v.commitments.length === 0) return l.text('None.', { color: MUTED });
  for (const c of v.commitments) {
    l.room(36);
    l.text(c.party, { font: 'Helvetica-Bold', size: 10.5, gap: 0.05 });
    l.text(c.statement, { indent: 12, gap: 0.05 });
    l.text(`Binding ${c.condition}.`, { font: 'Helvetica-Oblique', size: 9, color: MUTED, indent: 12, gap: 0.4 });
  }
}

// A table that repeats its header on every page it runs onto; rows never split.
// The section heading, the header and the first row stay together on one page.
function signatureTable(l: Layout, v: ExportLayout) {
  const { doc } = l;
  const cols = [0.25, 0.25, 0.5].map((f) => f * l.width);
  const pad = 5;
  type Cell = { text: string; font: string; size: number; color?: string };
  const cellHeight = (c: Cell, w: number) =>
    doc
      .font(c.font)
      .fontSize(c.size)
      .heightOfString(pdfSafe(c.text), { width: w - 2 * pad, lineGap: 1 });
  const row = (cells: Cell[][], fill?: string) => {
    const heights = cells.map((stack, i) => stack.reduce((h, c) => h + cellHeight(c, cols[i]), 0));
    const h = Math.max(...heights) + 2 * pad;
    return {
      h,
      draw() {
        const y = doc.y;
        if (fill) doc.rect(l.left, y, l.width, h).fill(fill);
        let x = l.left;
        cells.forEach((stack, i) => {
          let cy = y + pad;
          for (const c of stack) {
            doc
              .font(c.font)
              .fontSize(c.size)
              .fillColor(c.color ?? INK);
            doc.text(pdfSafe(c.text), x + pad, cy, { width: cols[i] - 2 * pad, lineGap: 1 });
            cy += cellHeight(c, cols[i]);
          }
          x += cols[i];
        });
        doc
          .moveTo(l.left, y + h)
          .lineTo(l.left + l.width, y + h)
          .lineWidth(0.5)
          .strokeColor(RULE)
          .stroke();
        doc.x = l.left;
        doc.y = y + h;
      },
    };
  };
  const header = row(
    ['Party', 'Signed at', 'Signature'].map((t) => [{ text: t, font: 'Helvetica-Bold', size: 9.5 }]),
    '#eeeeee',
  );
  const rows = v.signatures.map((s) => {
    const how: Cell[] =
      s.kind === 'party key'
        ? [
            { text: "Signed with the party's own Ed25519 key", font: 'Helvetica', size: 9.5 },
            { text: 'Key fingerprint (SHA-256)', font: 'Helvetica-Bold', size: 7.5, color: MUTED },
            // eight blocks of eight, four to a line
            { text: groupHex(s.keyFingerprint ?? '', 8).replace(/((?:\S+ ){3}\S+) /g, '$1\n'), font: 'Courier', size: 8, color: INK },
            { text: 'Signature of the text hash (base64)', font: 'Helvetica-Bold', size: 7.5, color: MUTED },
            { text: s.signature ?? '', font: 'Courier', size: 7.5, color: MUTED },
          ]
        : [
            {
              text: s.kind === 'server-recorded' ? 'Recorded by the server (the party holds no key)' : 'Not signed',
              font: 'Helvetica',
              size: 9.5,
              color: s.kind === 'not signed' ? ALERT : INK,
            },
          ];
    return row([[{ text: s.party, font: 'Helvetica-Bold', size: 9.5 }], [{ text: s.signedAt, font: 'Helvetica', size: 9.5 }], how]);
  });
  l.heading('Signatures', header.h + (rows[0]?.h ?? 0));
  header.draw();
  for (const r of rows) {
    if (doc.y + r.h > l.bottom) {
      doc.addPage();
      header.draw();
    }
    r.draw();
  }
  doc.moveDown(0.5);
}

function integrity(l: Layout, v: ExportLayout) {
  l.field('Text hash (SHA-256 of the canonical clauses)', groupHex(v.integrity.textHash), true);
  // "<hash> (event 57)": the event number goes to the label so the hash keeps one line
  const head = /^(\S+) \(event (\d+)\)$/.exec(v.integrity.eventLogHead);
  l.field(head ? `Room event log head (event ${head[2]})` : 'Room event log head', groupHex(head ? head[1] : v.integrity.eventLogHead), true);
  // "version 3: <hash>" → " 3  <hash in blocks>", the numbers right-aligned
  const width = String(v.integrity.versions.length).length;
  const versions = v.integrity.versions.map((line) => line.replace(/^version (\d+): /, (_, n: string) => `${n.padStart(width)}  `));
  l.field('Version history (version, text hash)', groupHex(versions.join('\n')), true);
  l.field(`Attested ${v.integrity.attestedAt} by the server key with SHA-256 fingerprint`, groupHex(v.integrity.attestationKey, 8), true);
  l.doc.moveDown(0.3);
  l.text(VERIFY_HINT.replace(/`/g, '"'), { size: 9, color: MUTED });
}

function footers(doc: Doc, v: ExportLayout, textHash: string) {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i += 1) {
    doc.switchToPage(i);
    const { margins } = doc.page;
    const bottom = margins.bottom;
    margins.bottom = 0; // writing below the margin must not start a new page
    const y = doc.page.height - bottom + 18;
    const width = doc.page.width - margins.left - margins.right;
    doc
      .font('Helvetica')
      .fontSize(8)
      .fillColor(v.banner ? ALERT : MUTED);
    const left = pdfSafe(`${v.banner ?? 'Published agreement'} · text hash ${groupHex(textHash.slice(0, 16))} …`);
    doc.text(left, margins.left, y, { width, lineBreak: false });
    doc.fillColor(MUTED).text(`Page ${i - range.start + 1} of ${range.count}`, margins.left, y, { width, align: 'right', lineBreak: false });
    margins.bottom = bottom;
  }
}

export function renderPdf(bundle: AgreementBundle, opts: RenderOptions): Promise<Buffer> {
  const v = exportLayout(bundle, opts);
  const attested = new Date(bundle.attestation.signedAt);
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    info: {
      Title: pdfSafe(v.title),
      Subject: v.banner ? `Agreement (${v.banner})` : 'Published agreement',
      Producer: 'Parley',
      Creator: 'Parley',
      ...(Number.isNaN(attested.getTime()) ? {} : { CreationDate: attested }),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const l = new Layout(doc);
  l.text('Agreement', { font: 'Helvetica-Bold', size: 10, color: MUTED, gap: 0.1 });
  l.text(v.title, { font: 'Helvetica-Bold', size: 20, gap: 0.5 });
  banner(l, v);
  for (const [label, value] of v.facts) l.text(`${label}: ${label === 'Status' ? statusWords(value) : value}`, { size: 9.5, color: MUTED, gap: 0.1 });

  l.heading('Parties');
  l.text(v.parties.join('\n'));
  l.heading('Text');
  clauses(l, v);
  l.heading('Binding commitments');
  commitments(l, v);
  signatureTable(l, v);
  l.heading('Integrity');
  integrity(l, v);

  footers(doc, v, bundle.agreement.textHash);
  doc.end();
  return done;
}
