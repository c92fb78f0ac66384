import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface StoredSigningKey {
  publicKeyPem: string;
  privateKeyPem: string;
  createdAt: Date;
}

@Injectable()
export class ServerSigningKeyRepository {
  constructor(private readonly dataSource: DataSource) {}

  // Stores the candidate unless a key exists, then returns whichever key is stored: two
  // servers starting together on a fresh database both end up with the same one.
  async ensure(candidate: { publicKeyPem: string; privateKeyPem: string }): Promise<StoredSigningKey> {
    await this.dataSource.query(`INSERT INTO server_signing_key (id, public_key_pem, private_key_pem) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING`, [
      candidate.publicKeyPem,
      candidate.privateKeyPem,
    ]);
    const rows: { public_key_pem: string; private_key_pem: string; created_at: Date }[] = await this.dataSource.query(
      `SELECT public_key_pem, private_key_pem, created_at FROM server_signing_key WHERE id = 1`,
    );
    if (rows.length !== 1) throw new Error('the server signing key could not be stored');
    const [row] = rows;
    return { publicKeyPem: row.public_key_pem, privateKeyPem: row.private_key_pem, createdAt: row.created_at };
  }
}
