import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { generateKeyPairSync, sign } from 'node:crypto';
import {
  attestationPayload,
  attestBundle,
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_V1,
  parsePublicKeyPem,
  partySignatureValid,
  sameKey,
  verifyBundle,
  type AgreementBundle,
  type UnsignedBundle,
} from './bundle';
import { canonicalJson } from './canonical-json';
import { textHash, type Clause } from './clauses';

const pems = () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
};
const server = pems();
const partyB = pems();
const other = pems();

const clauses: Clause[] = [
  { key: '1', heading: 'Reporting', text: 'Each party reports serious incidents within 72 hours.', alternatives: [] },
  { key: '2', heading: null, text: 'Reports are shared with all parties and kept confidential.', alternatives: [] },
];
const hash = textHash(clauses);
const at = '2030-01-02T03:04:05.000Z';

function unsigned(): UnsignedBundle {
  return {
    format: BUNDLE_FORMAT,
    agreement: { id: 'ag1', title: 'Incident reporting', version: 3, textHash: hash, status: 'PUBLISHED', publishedAt: at, embargoUntil: null },
    parties: [
      { id: 'pa', name: 'Party A' },
      { id: 'pb', name: 'Party B' },
      { id: 'pc', name: 'Party C' },
    ],
    clauses,
    versions: [
      { number: 1, textHash: 'a'.repeat(64), createdAt: at },
      { number: 2, textHash: 'b'.repeat(64), createdAt: at },
      { number: 3, textHash: hash, createdAt: at },
    ],
    signatures: [
      { partyId: 'pa', partyName: 'Party A', textHash: hash, signedAt: at, partySignature: null, partyPublicKey: null },
      {
        partyId: 'pb',
        partyName: 'Party B',
        textHash: hash,
        signedAt: at,
        partySignature: sign(null, Buffer.from(hash, 'ascii'), partyB.privateKey).toString('base64'),
        partyPublicKey: partyB.publicKey,
      },
      { partyId: 'pc', partyName: 'Party C', textHash: hash, signedAt: at, partySignature: null, partyPublicKey: null },
    ],
    bindingCommitments: [
      { id: 'c1', partyId: 'pa', statement: 'We publish quarterly.', minParties: 2, requiredPartyIds: [] },
      { id: 'c2', partyId: 'pb', statement: 'We publish too.', minParties: null, requiredPartyIds: ['pa'] },
    ],
    eventLogHead: { seq: 42, hash: 'c'.repeat(64) },
  };
}

const attested = () => attestBundle(unsigned(), server.privateKey, server.publicKey, at);
// an attested bundle changed by `edit`, as a verifier would read it from disk
const tampered = (edit: (b: AgreementBundle) => void): unknown => {
  const b = JSON.parse(JSON.stringify(attested())) as AgreementBundle;
  edit(b);
  return b;
};
// re-attest after an edit, to reach the checks that come before the attestation
const reattested = (edit: (b: UnsignedBundle) => void) => {
  const u = unsigned();
  edit(u);
  return attestBundle(u, server.privateKey, server.publicKey, at);
};

describe('attestBundle', () => {
  it('signs the canonical JSON of the bundle without the signature', () => {
    const b = attested();
    expect(b.attestation).toMatchObject({ algorithm: 'Ed25519', publicKey: server.publicKey, signedAt: at });
    const { signature: _s, ...rest } = b.attestation;
    expect(attestationPayload(b).toString('utf8')).toBe(canonicalJson({ ...b, attestation: rest }));
  });

  it('refuses a public key that does not belong to the private key', () => {
    expect(() => attestBundle(unsigned(), server.privateKey, other.publicKey, at)).toThrow(TypeError);
  });
});

describe('verifyBundle', () => {
  it('still verifies a format-1 bundle, which names its room', () => {
    const v1 = reattested((u) => Object.assign(u, { format: BUNDLE_FORMAT_V1, agreement: { ...u.agreement, roomId: 'r1' } }));
    expect(verifyBundle(v1, { trustedServerKey: server.publicKey })).toMatchObject({ ok: true, failure: null });
    expect(verifyBundle(v1).checks[0]).toMatch(/parley-agreement-bundle\/1/);
    expect(verifyBundle(reattested((u) => Object.assign(u, { format: BUNDLE_FORMAT_V1 }))).failure).toBe('agreement.roomId: is missing');
  });

  it('accepts an untouched bundle, also after a JSON round trip, and says what it checked', () => {
    const b = attested();
    for (const input of [b, JSON.parse(JSON.stringify(b)), JSON.parse(JSON.stringify(b, null, 2))]) {
      const result = verifyBundle(input, { trustedServerKey: server.publicKey });
      expect(result).toMatchObject({ ok: true, failure: null });
      expect(result.checks.join('\n')).toMatch(/Party A.*server-recorded only/);
      expect(result.checks.join('\n')).toMatch(/Party B.*party signature verifies/);
      expect(result.checks.length).toBeGreaterThan(5);
    }
  });

  it.each<[string, (b: AgreementBundle) => void, RegExp]>([
    ['a clause text', (b) => (b.clauses[0].text += ' '), /^clauses: text hash does not match agreement\.textHash$/],
    ['agreement.textHash', (b) => (b.agreement.textHash = 'd'.repeat(64)), /^clauses: text hash/],
    ['a signature time', (b) => (b.signatures[0].signedAt = '2031-01-01T00:00:00.000Z'), /^attestation\.signature: does not verify/],
    [
      'a party signature',
      (b) => (b.signatures[1].partySignature = b.signatures[1].partySignature!.replace(/^./, (ch) => (ch === 'A' ? 'B' : 'A'))),
      /^signatures\[1\] \(Party B\): party signature does not verify$/,
    ],
    ['a commitment statement', (b) => (b.bindingCommitments[0].statement = 'We publish yearly.'), /^attestation\.signature/],
    ['the event log head', (b) => (b.eventLogHead.hash = 'e'.repeat(64)), /^attestation\.signature/],
    ['the event log seq', (b) => (b.eventLogHead.seq = 43), /^attestation\.signature/],
    ['the attestation key', (b) => (b.attestation.publicKey = other.publicKey), /^attestation\.signature/],
    [
      'the attestation signature',
      (b) => (b.attestation.signature = sign(null, Buffer.from('x'), server.privateKey).toString('base64')),
      /^attestation\.signature/,
    ],
    ['the attestation time', (b) => (b.attestation.signedAt = '2030-01-02T03:04:06.000Z'), /^attestation\.signature/],
    ['a version hash', (b) => (b.versions[0].textHash = 'f'.repeat(64)), /^attestation\.signature/],
    ['the format', (b) => ((b as { format: string }).format = 'parley-agreement-bundle/3'), /^format: must be "parley-agreement-bundle\/2"$/],
    ['the format to 1 (which names its room)', (b) => ((b as { format: string }).format = BUNDLE_FORMAT_V1), /^agreement\.roomId: is missing$/],
    ['an added field', (b) => Object.assign(b.agreement, { note: 'x' }), /^attestation\.signature/],
  ])('fails when %s is changed', (_what, edit, failure) => {
    const result = verifyBundle(tampered(edit));
    expect(result.ok).toBe(false);
    expect(result.failure).toMatch(failure);
  });

  it.each<[string, (b: UnsignedBundle) => void, RegExp]>([
    ['the adopted version is not listed', (b) => b.versions.pop(), /^versions: agreement\.version 3 is not listed$/],
    ['the adopted version has another hash', (b) => (b.versions[2].textHash = 'a'.repeat(64)), /^versions: version 3 has another text hash/],
    ['a party signed another hash', (b) => (b.signatures[2].textHash = 'a'.repeat(64)), /^signatures\[2\] \(Party C\): signed another text hash/],
    ['a party key comes without a signature', (b) => (b.signatures[1].partySignature = null), /^signatures\[1\] \(Party B\): party public key given without/],
    ['a party signature comes without a key', (b) => (b.signatures[1].partyPublicKey = null), /^signatures\[1\] \(Party B\): party signature given without/],
    ['a party key is not a key', (b) => (b.signatures[1].partyPublicKey = 'nope'), /^signatures\[1\] \(Party B\): party public key is not/],
    ['a signer is not a party', (b) => (b.signatures[0].partyId = 'pz'), /^signatures\[0\] \(Party A\): signed by a party that is not listed/],
    ['a signer name differs', (b) => (b.signatures[0].partyName = 'Party Z'), /^signatures\[0\] \(Party Z\): party name differs/],
    ['a party signed twice', (b) => b.signatures.push({ ...b.signatures[0] }), /^signatures\[3\] \(Party A\): the party signed twice/],
    ['a committer is not a party', (b) => (b.bindingCommitments[0].partyId = 'pz'), /^bindingCommitments\[0\]: made by a party that is not listed/],
    ['a required party is not a party', (b) => (b.bindingCommitments[1].requiredPartyIds = ['pz']), /^bindingCommitments\[1\]: requires a party/],
    ['a binding condition does not hold', (b) => (b.bindingCommitments[0].minParties = 3), /^bindingCommitments\[0\]: its condition does not hold/],
  ])('fails, though attested, when %s', (_what, edit, failure) => {
    const result = verifyBundle(reattested(edit));
    expect(result.ok).toBe(false);
    expect(result.failure).toMatch(failure);
  });

  it('fails against another trusted server key, and passes against the same key written differently', () => {
    expect(verifyBundle(attested(), { trustedServerKey: other.publicKey })).toMatchObject({
      ok: false,
      failure: 'attestation.publicKey: is not the trusted server key',
    });
    expect(verifyBundle(attested(), { trustedServerKey: `\n${server.publicKey.replace(/\n/g, '\r\n')}` }).ok).toBe(true);
  });

  it('fails cleanly, never throwing, on malformed input', () => {
    const inputs: unknown[] = [
      null,
      42,
      'bundle',
      [],
      {},
      tampered((b) => delete (b as Partial<AgreementBundle>).clauses),
      tampered((b) => ((b.agreement as { version: unknown }).version = '3')),
      tampered((b) => ((b.clauses[1] as { alternatives: unknown }).alternatives = null)),
      tampered((b) => ((b.signatures as unknown[])[0] = 7)),
      tampered((b) => ((b.eventLogHead as { seq: unknown }).seq = -1)),
      tampered((b) => ((b.attestation as { algorithm: string }).algorithm = 'RSA')),
      tampered((b) => (b.attestation.publicKey = '-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----')),
      tampered((b) => (b.attestation.publicKey = server.privateKey)),
      { ...attested(), eventLogHead: { seq: 1, hash: 'x' } },
    ];
    for (const input of inputs) {
      const result = verifyBundle(input);
      expect(result.ok).toBe(false);
      expect(typeof result.failure).toBe('string');
    }
    expect(verifyBundle(tampered((b) => delete (b as Partial<AgreementBundle>).clauses)).failure).toBe('clauses: is missing');
    expect(verifyBundle(tampered((b) => ((b.clauses[1] as { text: unknown }).text = 5))).failure).toBe('clauses[1].text: must be a string');
  });

  it('fails on any single changed character of the serialised bundle', () => {
    const json = JSON.stringify(attested());
    fc.assert(
      fc.property(fc.nat({ max: json.length - 1 }), fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }), (i, ch) => {
        fc.pre(json[i] !== ch);
        const changed = json.slice(0, i) + ch + json.slice(i + 1);
        let parsed: unknown;
        try {
          parsed = JSON.parse(changed);
        } catch {
          return; // an unreadable file fails anyway
        }
        expect(verifyBundle(parsed).ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('fails on any changed character of the attestation signature, padding included', () => {
    const b = attested();
    const sig = b.attestation.signature;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=';
    // every replacement at the tail, where base64 padding bits sit; one elsewhere
    for (let i = 0; i < sig.length; i += 1) {
      const replacements = i >= sig.length - 4 ? [...alphabet] : [sig[i] === 'A' ? 'B' : 'A'];
      for (const ch of replacements) {
        if (ch === sig[i]) continue;
        const attestation = { ...b.attestation, signature: sig.slice(0, i) + ch + sig.slice(i + 1) };
        expect(verifyBundle({ ...b, attestation }).ok).toBe(false);
      }
    }
  });
});

describe('party keys', () => {
  it('accepts an Ed25519 SPKI PEM public key only', () => {
    expect(parsePublicKeyPem(partyB.publicKey)).toBe(true);
    expect(parsePublicKeyPem(partyB.privateKey)).toBe(false);
    expect(parsePublicKeyPem(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }))).toBe(false);
    expect(parsePublicKeyPem('')).toBe(false);
    expect(parsePublicKeyPem(undefined)).toBe(false);
  });

  it("checks a party's signature over the text hash", () => {
    const sig = sign(null, Buffer.from(hash, 'ascii'), partyB.privateKey).toString('base64');
    expect(partySignatureValid(partyB.publicKey, hash, sig)).toBe(true);
    expect(partySignatureValid(other.publicKey, hash, sig)).toBe(false);
    expect(partySignatureValid(partyB.publicKey, 'a'.repeat(64), sig)).toBe(false);
    expect(partySignatureValid(partyB.publicKey, hash, 'not base64!')).toBe(false);
    expect(partySignatureValid('junk', hash, sig)).toBe(false);
  });

  it('compares keys by their material, not their text', () => {
    expect(sameKey(server.publicKey, server.publicKey.replace(/\n/g, '\r\n'))).toBe(true);
    expect(sameKey(server.publicKey, other.publicKey)).toBe(false);
  });
});
