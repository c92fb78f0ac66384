import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { generateKeyPairSync } from 'node:crypto';
import { LOGGER, type Logger } from '@parley/common';
import { attestBundle, type AgreementBundle, type UnsignedBundle } from '@parley/domain';
import { keyFingerprint } from './key-fingerprint';
import { ServerSigningKeyRepository, type StoredSigningKey } from './server-signing-key.repository';

// The server's Ed25519 key that attests exported bundles. Made on the first start and kept
// in the database, so every server on one database attests with the same key across restarts.
// The private key never leaves this service (and is never logged).
@Injectable()
export class ServerSigningKeyService implements OnModuleInit {
  private key: StoredSigningKey | null = null;

  constructor(
    private readonly repository: ServerSigningKeyRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const candidate = {
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
    this.key = await this.repository.ensure(candidate);
    const created = this.key.publicKeyPem === candidate.publicKeyPem;
    this.logger.info({ fingerprint: this.fingerprint(), created }, created ? 'server signing key created' : 'server signing key loaded');
  }

  publicKeyPem(): string {
    return this.loaded().publicKeyPem;
  }

  fingerprint(): string {
    const fingerprint = keyFingerprint(this.loaded().publicKeyPem);
    if (fingerprint === null) throw new Error('the stored server signing key is not an Ed25519 public key');
    return fingerprint;
  }

  attest(unsigned: UnsignedBundle, signedAt: Date = new Date()): AgreementBundle {
    const key = this.loaded();
    return attestBundle(unsigned, key.privateKeyPem, key.publicKeyPem, signedAt.toISOString());
  }

  private loaded(): StoredSigningKey {
    if (this.key === null) throw new Error('the server signing key is not loaded yet');
    return this.key;
  }
}
