import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import { textHash, type Clause } from './clauses';
import { commitmentHolds } from './commitments';

// Format 2 leaves the room id out (a public bundle names nothing it need not) and its
// eventLogHead is the room stream's head at adoption (the proposal.adopted event), fixed
// for good. Format 1 bundles (room id, the head when exported) still verify.
export const BUNDLE_FORMAT = 'parley-agreement-bundle/2';
export const BUNDLE_FORMAT_V1 = 'parley-agreement-bundle/1';

export interface AgreementBundle {
  format: typeof BUNDLE_FORMAT | typeof BUNDLE_FORMAT_V1;
  agreement: {
    id: string;
    roomId?: string; // format 1 only
    title: string;
    version: number;
    textHash: string;
    status: string;
    publishedAt: string | null;
    embargoUntil: string | null;
  };
  parties: { id: string; name: string }[];
  clauses: Clause[]; // canonicalClauses() of the adopted version
  versions: { number: number; textHash: string; createdAt: string }[];
  signatures: {
    partyId: string;
    partyName: string;
    textHash: string;
    signedAt: string;
    partySignature: string | null; // base64 Ed25519 signature over the ASCII bytes of textHash
    partyPublicKey: string | null; // the party key, SPKI PEM
  }[];
  bindingCommitments: { id: string; partyId: string; statement: string; minParties: number | null; requiredPartyIds: string[] }[];
  eventLogHead: { seq: number; hash: string };
  attestation: {
    algorithm: 'Ed25519';
    publicKey: string; // the server's signing key, SPKI PEM
    signature: string; // base64, over attestationPayload(bundle)
    signedAt: string;
  };
}

export type Attestation = AgreementBundle['attestation'];
export type UnsignedBundle = Omit<AgreementBundle, 'attestation'>;

export interface BundleVerification {
  ok: boolean;
  checks: string[]; // what was checked and held, in order
  failure: string | null; // the first thing that does not match
}

// The attested bytes: UTF-8 of canonicalJson(the whole bundle with attestation.signature
// left out). Everything else, attestation.publicKey and signedAt included, is covered.
export function attestationPayload(bundle: UnsignedBundle & { attestation: Omit<Attestation, 'signature'> & { signature?: string } }): Buffer {
  const { signature: _signature, ...attestation } = bundle.attestation;
  return Buffer.from(canonicalJson({ ...bundle, attestation }), 'utf8');
}

export function attestBundle(unsigned: UnsignedBundle, serverPrivateKeyPem: string, serverPublicKeyPem: string, signedAt: string): AgreementBundle {
  const privateKey = createPrivateKey(serverPrivateKeyPem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new TypeError('the server signing key must be an Ed25519 key');
  const unsignedAttestation = { algorithm: 'Ed25519' as const, publicKey: serverPublicKeyPem, signedAt };
  const payload = attestationPayload({ ...unsigned, attestation: unsignedAttestation });
  const signature = sign(null, payload, privateKey).toString('base64');
  const bundle: AgreementBundle = { ...unsigned, attestation: { ...unsignedAttestation, signature } };
  // a public key that does not belong to the private key would make every export unverifiable
  if (!signatureValid(serverPublicKeyPem, payload, signature)) {
    throw new TypeError('the server public key does not match its private key');
  }
  return bundle;
}

// An Ed25519 public key in SPKI PEM ("-----BEGIN PUBLIC KEY-----"). Private keys and
// certificates are refused even though node could derive a public key from them.
export function parsePublicKeyPem(pem: unknown): boolean {
  return publicKeyOf(pem) !== null;
}

function publicKeyOf(pem: unknown): KeyObject | null {
  if (typeof pem !== 'string' || !pem.trim().startsWith('-----BEGIN PUBLIC KEY-----')) return null;
  try {
    const key = createPublicKey({ key: pem, format: 'pem' });
    return key.asymmetricKeyType === 'ed25519' ? key : null;
  } catch {
    return null;
  }
}

// Node's base64 decoder skips junk and ignores padding bits, so two different strings can
// decode to the same bytes. Only the canonical encoding of exactly 64 bytes is accepted.
function signatureBytes(b64: unknown): Buffer | null {
  if (typeof b64 !== 'string') return null;
  const bytes = Buffer.from(b64, 'base64');
  return bytes.length === 64 && bytes.toString('base64') === b64 ? bytes : null;
}

function signatureValid(publicKeyPem: unknown, data: Buffer, signatureB64: unknown): boolean {
  const key = publicKeyOf(publicKeyPem);
  const sig = signatureBytes(signatureB64);
  if (key === null || sig === null) return false;
  try {
    return verify(null, data, key, sig);
  } catch {
    return false;
  }
}

// A party's own signature over the agreement's text hash (the ASCII bytes of the hex string).
export function partySignatureValid(publicKeyPem: string, textHash: string, signatureB64: string): boolean {
  return typeof textHash === 'string' && signatureValid(publicKeyPem, Buffer.from(textHash, 'ascii'), signatureB64);
}

export function sameKey(pemA: string, pemB: string): boolean {
  const a = publicKeyOf(pemA);
  const b = publicKeyOf(pemB);
  return a !== null && b !== null && a.equals(b);
}

// ---- shape ----

// A check returns the first problem as "path: what is wrong", or null.
type Check = (v: unknown, path: string) => string | null;

const HEX64 = /^[0-9a-f]{64}$/;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const leaf =
  (ok: (v: unknown) => boolean, problem: string): Check =>
  (v, path) =>
    ok(v) ? null : `${path}: ${problem}`;
const nullable =
  (check: Check): Check =>
  (v, path) =>
    v === null ? null : check(v, path);

const str = leaf((v) => typeof v === 'string', 'must be a string');
const hash = leaf((v) => typeof v === 'string' && HEX64.test(v), 'must be a lower-case hex SHA-256');
const int = (min: number) => leaf((v) => Number.isSafeInteger(v) && (v as number) >= min, `must be a whole number of at least ${min}`);
const exactly = (want: string) => leaf((v) => v === want, `must be "${want}"`);

// Unknown extra fields are allowed: the attestation covers them too.
const obj =
  (shape: Record<string, Check>): Check =>
  (v, path) => {
    if (!isObj(v)) return `${path}: must be an object`;
    for (const [field, check] of Object.entries(shape)) {
      const at = path === 'bundle' ? field : `${path}.${field}`;
      if (!Object.hasOwn(v, field)) return `${at}: is missing`;
      const problem = check(v[field], at);
      if (problem) return problem;
    }
    return null;
  };

const list =
  (item: Check): Check =>
  (v, path) => {
    if (!Array.isArray(v)) return `${path}: must be a list`;
    for (let i = 0; i < v.length; i += 1) {
      const problem = item(v[i], `${path}[${i}]`);
      if (problem) return problem;
    }
    return null;
  };

const agreementFields = {
  id: str,
  title: str,
  version: int(1),
  textHash: hash,
  status: str,
  publishedAt: nullable(str),
  embargoUntil: nullable(str),
};

const bundleShape = (format: string) =>
  obj({
    format: exactly(format),
    agreement: obj(format === BUNDLE_FORMAT_V1 ? { ...agreementFields, roomId: str } : agreementFields),
    parties: list(obj({ id: str, name: str })),
    clauses: list(obj({ key: str, heading: nullable(str), text: str, alternatives: list(obj({ id: str, text: str, partyId: nullable(str) })) })),
    versions: list(obj({ number: int(1), textHash: hash, createdAt: str })),
    signatures: list(
      obj({
        partyId: str,
        partyName: str,
        textHash: hash,
        signedAt: str,
        partySignature: nullable(str),
        partyPublicKey: nullable(str),
      }),
    ),
    bindingCommitments: list(obj({ id: str, partyId: str, statement: str, minParties: nullable(int(1)), requiredPartyIds: list(str) })),
    eventLogHead: obj({ seq: int(0), hash }),
    attestation: obj({ algorithm: exactly('Ed25519'), publicKey: str, signature: str, signedAt: str }),
  });

// ---- verification ----

// Checks everything a bundle claims, offline, in a fixed order, and stops at the first
// thing that does not match. Never throws, whatever it is given.
export function verifyBundle(bundle: unknown, opts: { trustedServerKey?: string } = {}): BundleVerification {
  const checks: string[] = [];
  try {
    const failure = runChecks(bundle, opts, checks);
    return { ok: failure === null, checks, failure };
  } catch {
    return { ok: false, checks, failure: 'bundle: cannot be read' };
  }
}

function runChecks(input: unknown, opts: { trustedServerKey?: string }, checks: string[]): string | null {
  const format = isObj(input) && input.format === BUNDLE_FORMAT_V1 ? BUNDLE_FORMAT_V1 : BUNDLE_FORMAT;
  const shapeProblem = bundleShape(format)(input, 'bundle');
  if (shapeProblem) return shapeProblem;
  const b = input as AgreementBundle;
  const { agreement } = b;
  checks.push(`format ${format}: every field present and well-formed`);

  if (textHash(b.clauses) !== agreement.textHash) return 'clauses: text hash does not match agreement.textHash';
  checks.push(`clauses: ${b.clauses.length} clause(s) hash to agreement.textHash ${agreement.textHash}`);

  const adopted = b.versions.find((v) => v.number === agreement.version);
  if (adopted === undefined) return `versions: agreement.version ${agreement.version} is not listed`;
  if (adopted.textHash !== agreement.textHash) return `versions: version ${agreement.version} has another text hash than agreement.textHash`;
  checks.push(`versions: version ${agreement.version} of ${b.versions.length} has the agreed text hash`);

  const partyName = new Map<string, string>();
  for (const [i, p] of b.parties.entries()) {
    if (partyName.has(p.id)) return `parties[${i}] (${p.name}): the party is listed twice`;
    partyName.set(p.id, p.name);
  }

  for (const [i, s] of b.signatures.entries()) {
    if (s.textHash !== agreement.textHash) return `signatures[${i}] (${s.partyName}): signed another text hash than agreement.textHash`;
  }
  checks.push(`signatures: all ${b.signatures.length} signed agreement.textHash`);

  for (const [i, s] of b.signatures.entries()) {
    const who = `signatures[${i}] (${s.partyName})`;
    if (s.partyPublicKey === null && s.partySignature === null) {
      checks.push(`${who}: server-recorded only (the party holds no key)`);
      continue;
    }
    if (s.partyPublicKey === null) return `${who}: party signature given without the party's public key`;
    if (s.partySignature === null) return `${who}: party public key given without a party signature`;
    if (!parsePublicKeyPem(s.partyPublicKey)) return `${who}: party public key is not an Ed25519 SPKI PEM key`;
    if (!partySignatureValid(s.partyPublicKey, s.textHash, s.partySignature)) return `${who}: party signature does not verify`;
    checks.push(`${who}: party signature verifies against the party's own key`);
  }

  const signed = new Set<string>();
  for (const [i, s] of b.signatures.entries()) {
    const who = `signatures[${i}] (${s.partyName})`;
    if (!partyName.has(s.partyId)) return `${who}: signed by a party that is not listed in parties`;
    if (partyName.get(s.partyId) !== s.partyName) return `${who}: party name differs from parties`;
    if (signed.has(s.partyId)) return `${who}: the party signed twice`;
    signed.add(s.partyId);
  }
  checks.push(`signatures: ${signed.size} of ${b.parties.length} parties signed, each listed in parties`);

  const committed = new Set(b.bindingCommitments.map((c) => c.partyId));
  for (const [i, c] of b.bindingCommitments.entries()) {
    const who = `bindingCommitments[${i}]`;
    if (!partyName.has(c.partyId)) return `${who}: made by a party that is not listed in parties`;
    if (!c.requiredPartyIds.every((p) => partyName.has(p))) return `${who}: requires a party that is not listed in parties`;
    if (!commitmentHolds(c, committed)) return `${who}: its condition does not hold among the binding commitments`;
  }
  checks.push(`bindingCommitments: ${b.bindingCommitments.length} commitment(s) by listed parties, every condition holds`);

  const { attestation } = b;
  if (!parsePublicKeyPem(attestation.publicKey)) return 'attestation.publicKey: not an Ed25519 SPKI PEM key';
  if (!signatureValid(attestation.publicKey, attestationPayload(b), attestation.signature)) {
    return 'attestation.signature: does not verify over the bundle (something in it was changed)';
  }
  checks.push(`attestation: the server's Ed25519 signature of ${attestation.signedAt} covers the whole bundle`);

  if (opts.trustedServerKey !== undefined) {
    if (!sameKey(attestation.publicKey, opts.trustedServerKey)) return 'attestation.publicKey: is not the trusted server key';
    checks.push('attestation: signed by the trusted server key');
  } else {
    checks.push('attestation: no trusted server key given; the key in the bundle was used');
  }
  return null;
}
