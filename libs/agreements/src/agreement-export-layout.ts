import type { AgreementBundle } from '@parley/domain';
import { keyFingerprint } from './key-fingerprint';

// What an export shows, taken field by field from the bundle and nothing else: a bundle
// holds no discussion and names parties only, never people, so neither can any export.

export const NOT_PUBLISHED_BANNER = 'NOT YET PUBLISHED — confidential to the room';

export interface RenderOptions {
  published: boolean;
}

export interface ExportLayout {
  title: string;
  banner: string | null;
  statusLine: string;
  facts: [label: string, value: string][];
  parties: string[];
  clauses: { key: string; heading: string | null; text: string; alternatives: { label: string; text: string }[] }[];
  commitments: { party: string; statement: string; condition: string }[];
  signatures: {
    party: string;
    signedAt: string;
    kind: 'party key' | 'server-recorded' | 'not signed';
    keyFingerprint: string | null;
    signature: string | null;
  }[];
  integrity: { textHash: string; eventLogHead: string; versions: string[]; attestationKey: string; attestedAt: string };
}

// "2030-01-02 03:04:05 UTC"; anything that is not a date is shown as it is.
export function formatInstant(iso: string | null): string {
  if (iso === null) return '—';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function conditionOf(c: AgreementBundle['bindingCommitments'][number], partyName: (id: string) => string): string {
  const parts: string[] = [];
  if (c.minParties !== null) parts.push(`at least ${c.minParties} parties commit`);
  if (c.requiredPartyIds.length > 0) parts.push(`${c.requiredPartyIds.map(partyName).join(', ')} commit`);
  return parts.length ? `on condition that ${parts.join(' and ')}` : 'unconditional';
}

export function exportLayout(bundle: AgreementBundle, opts: RenderOptions): ExportLayout {
  const { agreement } = bundle;
  const names = new Map(bundle.parties.map((p) => [p.id, p.name]));
  const partyName = (id: string) => names.get(id) ?? 'an unlisted party';
  const published = opts.published;
  const statusLine = published
    ? `Published ${formatInstant(agreement.publishedAt)}`
    : `Status ${agreement.status} — not yet published${agreement.embargoUntil ? `; embargoed until ${formatInstant(agreement.embargoUntil)}` : ''}`;

  const signatureOf = new Map(bundle.signatures.map((s) => [s.partyId, s]));
  const signatures: ExportLayout['signatures'] = bundle.parties.map((p) => {
    const s = signatureOf.get(p.id);
    if (!s) return { party: p.name, signedAt: '—', kind: 'not signed', keyFingerprint: null, signature: null };
    const byKey = s.partySignature !== null && s.partyPublicKey !== null;
    return {
      party: p.name,
      signedAt: formatInstant(s.signedAt),
      kind: byKey ? 'party key' : 'server-recorded',
      keyFingerprint: byKey ? (keyFingerprint(s.partyPublicKey!) ?? 'not an Ed25519 key') : null,
      signature: byKey ? s.partySignature : null,
    };
  });

  return {
    title: agreement.title,
    banner: published ? null : NOT_PUBLISHED_BANNER,
    statusLine,
    facts: [
      ['Agreement', agreement.id],
      ['Adopted text', `version ${agreement.version}`],
      ['Status', agreement.status],
      ['Published', published ? formatInstant(agreement.publishedAt) : 'not yet'],
      ...(agreement.embargoUntil ? ([['Embargo until', formatInstant(agreement.embargoUntil)]] as [string, string][]) : []),
    ],
    parties: bundle.parties.map((p) => p.name),
    clauses: bundle.clauses.map((c) => ({
      key: c.key,
      heading: c.heading,
      text: c.text,
      alternatives: c.alternatives.map((a, i) => ({
        label: `Alternative ${i + 1}${a.partyId !== null ? ` (proposed by ${partyName(a.partyId)})` : ''}`,
        text: a.text,
      })),
    })),
    commitments: bundle.bindingCommitments.map((c) => ({ party: partyName(c.partyId), statement: c.statement, condition: conditionOf(c, partyName) })),
    signatures,
    integrity: {
      textHash: agreement.textHash,
      eventLogHead: `${bundle.eventLogHead.hash} (event ${bundle.eventLogHead.seq})`,
      versions: bundle.versions.map((v) => `version ${v.number}: ${v.textHash}`),
      attestationKey: keyFingerprint(bundle.attestation.publicKey) ?? 'not an Ed25519 key',
      attestedAt: formatInstant(bundle.attestation.signedAt),
    },
  };
}

export const VERIFY_HINT =
  'Check the JSON bundle offline with `parley verify bundle.json --trusted-key parley-signing-key.pem`, the key as served at /.well-known/parley-signing-key.';
