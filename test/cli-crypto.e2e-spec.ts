import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attestBundle, BUNDLE_FORMAT, partySignatureValid, textHash, type AgreementBundle, type Clause, type UnsignedBundle } from '@parley/domain';

const CLI = join(process.cwd(), 'dist/apps/cli/src/main.js');
// each command is a fresh node process
jest.setTimeout(60_000);

describe('party keys and offline verification from the CLI', () => {
  let dir: string;
  // no DATABASE_URL and a data folder that must stay untouched: these commands open no database
  const cli = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const env = { ...process.env, PARLEY_DATA_DIR: join(dir, 'data'), DATABASE_URL: '' };
      execFile(process.execPath, [CLI, ...args], { cwd: dir, env }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      });
    });
  const pems = () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    return {
      publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
  };
  const server = pems();
  const clauses: Clause[] = [
    { key: '1', heading: 'Reporting', text: 'Each party reports serious incidents within 72 hours.', alternatives: [] },
    { key: '2', heading: null, text: 'Reports are shared with all parties and kept confidential.', alternatives: [] },
  ];
  const hash = textHash(clauses);
  const at = '2030-01-02T03:04:05.000Z';
  let partyPublicKey: string;
  let partySignature: string;

  const unsigned = (): UnsignedBundle => ({
    format: BUNDLE_FORMAT,
    agreement: { id: 'ag1', roomId: 'r1', title: 'Incident reporting', version: 2, textHash: hash, status: 'SIGNED', publishedAt: null, embargoUntil: null },
    parties: [
      { id: 'pa', name: 'Party A' },
      { id: 'pb', name: 'Party B' },
      { id: 'pc', name: 'Party C' },
    ],
    clauses,
    versions: [
      { number: 1, textHash: 'a'.repeat(64), createdAt: at },
      { number: 2, textHash: hash, createdAt: at },
    ],
    signatures: [
      { partyId: 'pa', partyName: 'Party A', textHash: hash, signedAt: at, partySignature: null, partyPublicKey: null },
      { partyId: 'pb', partyName: 'Party B', textHash: hash, signedAt: at, partySignature, partyPublicKey },
      { partyId: 'pc', partyName: 'Party C', textHash: hash, signedAt: at, partySignature: null, partyPublicKey: null },
    ],
    bindingCommitments: [
      { id: 'c1', partyId: 'pa', statement: 'We publish quarterly.', minParties: 2, requiredPartyIds: [] },
      { id: 'c2', partyId: 'pb', statement: 'We publish too.', minParties: null, requiredPartyIds: ['pa'] },
    ],
    eventLogHead: { seq: 42, hash: 'c'.repeat(64) },
  });
  const attest = (u: UnsignedBundle) => attestBundle(u, server.privateKey, server.publicKey, at);
  const save = async (bundle: unknown, name = 'bundle.json') => {
    await writeFile(join(dir, name), JSON.stringify(bundle, null, 2));
    return name;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-cli-'));
    await writeFile(join(dir, 'server.pub'), server.publicKey);
    const made = await cli('keygen', '--out', 'party.pem');
    expect(made.code).toBe(0);
    partyPublicKey = made.stdout;
    const signed = await cli('sign', '--key', 'party.pem', '--hash', hash);
    expect(signed.code).toBe(0);
    partySignature = signed.stdout.trim();
  });
  afterAll(async () => {
    await stat(join(dir, 'data')).then(
      () => {
        throw new Error('a CLI crypto command touched the data folder');
      },
      () => undefined,
    );
    await rm(dir, { recursive: true, force: true });
  });

  describe('keygen', () => {
    it('writes a private key only its owner can read and prints the public key, also kept in FILE.pub', async () => {
      expect((await stat(join(dir, 'party.pem'))).mode & 0o777).toBe(0o600);
      expect(await readFile(join(dir, 'party.pem'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
      expect(partyPublicKey).toMatch(/^-----BEGIN PUBLIC KEY-----/);
      expect(await readFile(join(dir, 'party.pem.pub'), 'utf8')).toBe(partyPublicKey);
    });

    it('never overwrites an existing key', async () => {
      const again = await cli('keygen', '--out', 'party.pem');
      expect(again.code).not.toBe(0);
      expect(await readFile(join(dir, 'party.pem.pub'), 'utf8')).toBe(partyPublicKey);
    });
  });

  describe('sign', () => {
    it("makes a signature over the text hash that verifies against the party's key", () => {
      expect(partySignatureValid(partyPublicKey, hash, partySignature)).toBe(true);
      expect(partySignatureValid(partyPublicKey, 'f'.repeat(64), partySignature)).toBe(false);
    });

    it('makes a signature that another key does not vouch for', async () => {
      expect((await cli('keygen', '--out', 'other.pem')).code).toBe(0);
      const other = (await cli('sign', '--key', 'other.pem', '--hash', hash)).stdout.trim();
      expect(other).toMatch(/^[A-Za-z0-9+/]{86}==$/);
      expect(partySignatureValid(partyPublicKey, hash, other)).toBe(false);
      expect(partySignatureValid(await readFile(join(dir, 'other.pem.pub'), 'utf8'), hash, other)).toBe(true);
    });

    it.each([
      ['a short hash', ['--key', 'party.pem', '--hash', 'abc']],
      ['a non-hex hash', ['--key', 'party.pem', '--hash', 'z'.repeat(64)]],
      ['no key', ['--hash', 'a'.repeat(64)]],
      ['a missing key file', ['--key', 'nope.pem', '--hash', 'a'.repeat(64)]],
      ['a public key as the key', ['--key', 'party.pem.pub', '--hash', 'a'.repeat(64)]],
    ])('refuses %s', async (_what, args) => {
      const r = await cli('sign', ...args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
    });
  });

  describe('verify', () => {
    it('accepts an untouched bundle and says what it checked, party-made and server-recorded signatures apart', async () => {
      const r = await cli('verify', await save(attest(unsigned())), '--trusted-key', 'server.pub');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/clauses: 2 clause\(s\) hash to agreement\.textHash/);
      expect(r.stdout).toMatch(/signatures\[0\] \(Party A\): server-recorded only/);
      expect(r.stdout).toMatch(/signatures\[1\] \(Party B\): party signature verifies against the party's own key/);
      expect(r.stdout).toMatch(/attestation: signed by the trusted server key/);
      expect(r.stdout).toMatch(/^VALID: /m);
    });

    it('refuses a bundle attested by another server key than the trusted one', async () => {
      const r = await cli('verify', await save(attestWith(pems())));
      expect(r.code).toBe(0); // valid on its own terms: the key inside is used
      const trusted = await cli('verify', 'bundle.json', '--trusted-key', 'server.pub');
      expect(trusted.code).toBe(1);
      expect(trusted.stdout).toMatch(/INVALID: attestation\.publicKey: is not the trusted server key/);
    });

    // edited on disk after export: the attestation or an earlier check catches it
    it.each<[string, (b: AgreementBundle) => void, RegExp]>([
      ['a clause', (b) => (b.clauses[1].text = b.clauses[1].text.replace('all', 'some')), /INVALID: clauses: text hash does not match agreement\.textHash/],
      ['the text hash', (b) => (b.agreement.textHash = 'd'.repeat(64)), /INVALID: clauses: text hash does not match/],
      ['a version hash', (b) => (b.versions[0].textHash = 'b'.repeat(64)), /INVALID: attestation\.signature: does not verify/],
      ['the event log head', (b) => (b.eventLogHead.hash = 'e'.repeat(64)), /INVALID: attestation\.signature: does not verify/],
      [
        'a party signature',
        (b) => (b.signatures[1].partySignature = flip(b.signatures[1].partySignature!)),
        /INVALID: signatures\[1\] \(Party B\): party signature does not verify/,
      ],
      ['a signed hash', (b) => (b.signatures[2].textHash = 'f'.repeat(64)), /INVALID: signatures\[2\] \(Party C\): signed another text hash/],
      ['a commitment', (b) => (b.bindingCommitments[0].statement = 'We publish yearly.'), /INVALID: attestation\.signature: does not verify/],
      ['the attestation signature', (b) => (b.attestation.signature = flip(b.attestation.signature)), /INVALID: attestation\.signature: does not verify/],
      ['the attestation key', (b) => (b.attestation.publicKey = pems().publicKey), /INVALID: attestation\.signature: does not verify/],
    ])('names the place when %s is changed', async (_what, edit, failure) => {
      const b = JSON.parse(JSON.stringify(attest(unsigned()))) as AgreementBundle;
      edit(b);
      const r = await cli('verify', await save(b, 'tampered.json'));
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(failure);
      expect(r.stdout).not.toMatch(/^VALID/m);
    });

    // attested after the change (a host that lies): the checks before the attestation catch it
    it.each<[string, (b: UnsignedBundle) => void, RegExp]>([
      [
        'a commitment whose condition no longer holds',
        (b) => (b.bindingCommitments[0].minParties = 3),
        /INVALID: bindingCommitments\[0\]: its condition does not hold/,
      ],
      [
        'a party key swapped for another',
        (b) => (b.signatures[1].partyPublicKey = pems().publicKey),
        /INVALID: signatures\[1\] \(Party B\): party signature does not verify/,
      ],
      ['an adopted version with another hash', (b) => (b.versions[1].textHash = 'b'.repeat(64)), /INVALID: versions: version 2 has another text hash/],
    ])('names the place when %s is attested anyway', async (_what, edit, failure) => {
      const u = unsigned();
      edit(u);
      const r = await cli('verify', await save(attest(u), 'lying.json'));
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(failure);
    });

    it('exits 2 for a file that cannot be read or is not JSON', async () => {
      expect((await cli('verify', 'missing.json')).code).toBe(2);
      await writeFile(join(dir, 'broken.json'), '{"format": ');
      expect((await cli('verify', 'broken.json')).code).toBe(2);
      expect((await cli('verify', 'bundle.json', '--trusted-key', 'party.pem')).code).toBe(2);
    });
  });

  function attestWith(key: { publicKey: string; privateKey: string }) {
    return attestBundle(unsigned(), key.privateKey, key.publicKey, at);
  }
});

// changes one character of a base64 string, keeping it valid base64
function flip(b64: string): string {
  return (b64[0] === 'A' ? 'B' : 'A') + b64.slice(1);
}
