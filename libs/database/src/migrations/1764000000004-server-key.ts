import type { MigrationInterface, QueryRunner } from 'typeorm';

// The server's Ed25519 attestation key. One row, pinned to id 1, so servers starting at
// the same time on a fresh database agree on one key (INSERT ... ON CONFLICT DO NOTHING).
export class ServerKey1764000000004 implements MigrationInterface {
  name = 'ServerKey1764000000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE server_signing_key (
      id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
      public_key_pem text NOT NULL,
      private_key_pem text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE server_signing_key`);
  }
}
