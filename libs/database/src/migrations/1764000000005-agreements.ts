import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Agreements1764000000005 implements MigrationInterface {
  name = 'Agreements1764000000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE party_key (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      room_id uuid NOT NULL REFERENCES room(id) ON DELETE CASCADE,
      party_id uuid NOT NULL REFERENCES party(id),
      public_key_pem text NOT NULL,
      registered_by uuid NOT NULL REFERENCES membership(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      retired_at timestamptz
    )`);
    await q.query(`CREATE UNIQUE INDEX party_key_active_key ON party_key (party_id) WHERE retired_at IS NULL`);
    await q.query(`CREATE TABLE agreement_signature (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      agreement_id uuid NOT NULL REFERENCES agreement(id) ON DELETE CASCADE,
      party_id uuid NOT NULL REFERENCES party(id),
      membership_id uuid NOT NULL REFERENCES membership(id),
      text_hash text NOT NULL,
      party_signature text,
      party_key_id uuid REFERENCES party_key(id),
      signed_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (agreement_id, party_id)
    )`);
    await q.query(`CREATE TABLE commitment (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      agreement_id uuid NOT NULL REFERENCES agreement(id) ON DELETE CASCADE,
      party_id uuid NOT NULL REFERENCES party(id),
      membership_id uuid NOT NULL REFERENCES membership(id),
      statement text NOT NULL,
      min_parties integer,
      required_party_ids uuid[] NOT NULL DEFAULT '{}',
      status text NOT NULL DEFAULT 'SEALED' CHECK (status IN ('SEALED','BINDING','LAPSED')),
      created_at timestamptz NOT NULL DEFAULT now(),
      withdrawn_at timestamptz
    )`);
    await q.query(`CREATE INDEX commitment_agreement_idx ON commitment (agreement_id)`);
    await q.query(`CREATE TABLE publish_consent (
      agreement_id uuid NOT NULL REFERENCES agreement(id) ON DELETE CASCADE,
      party_id uuid NOT NULL REFERENCES party(id),
      membership_id uuid NOT NULL REFERENCES membership(id),
      embargo_until timestamptz,
      consented_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (agreement_id, party_id)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE publish_consent`);
    await q.query(`DROP TABLE commitment`);
    await q.query(`DROP TABLE agreement_signature`);
    await q.query(`DROP TABLE party_key`);
  }
}
