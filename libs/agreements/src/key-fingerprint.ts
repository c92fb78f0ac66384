import { createHash, createPublicKey } from 'node:crypto';
import { parsePublicKeyPem } from '@parley/domain';

// SHA-256 of the key's DER SubjectPublicKeyInfo, lower-case hex: what a reader compares
// with the key served at /.well-known/parley-signing-key (`openssl pkey -pubin -outform DER
// | sha256sum` gives the same). Null for anything that is not an Ed25519 SPKI PEM key.
export function keyFingerprint(publicKeyPem: string): string | null {
  if (!parsePublicKeyPem(publicKeyPem)) return null;
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex');
}
