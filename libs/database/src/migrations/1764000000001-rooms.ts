import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Rooms1764000000001 implements MigrationInterface {
  name = 'Rooms1764000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE room (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      title text NOT NULL,
      purpose text NOT NULL,
      speaker_attribution text NOT NULL CHECK (speaker_attribution IN ('ATTRIBUTED','PARTY_ONLY','ANONYMOUS')),
      created_by uuid NOT NULL REFERENCES app_user(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      archived_at timestamptz,
      last_seq integer NOT NULL DEFAULT 0,
      head_hash text NOT NULL DEFAULT repeat('0', 64)
    )`);
    await q.query(`CREATE TABLE party (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      room_id uuid NOT NULL REFERENCES room(id) ON DELETE CASCADE,
      name text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE UNIQUE INDEX party_room_name_key ON party (room_id, lower(name))`);
    await q.query(`CREATE TABLE membership (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      room_id uuid NOT NULL REFERENCES room(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES app_user(id),
      role text NOT NULL CHECK (role IN ('FACILITATOR','NEGOTIATOR','OBSERVER')),
      party_id uuid REFERENCES party(id),
      display_name text NOT NULL,
      joined_at timestamptz NOT NULL DEFAULT now(),
      removed_at timestamptz,
      CHECK (role <> 'NEGOTIATOR' OR party_id IS NOT NULL),
      CHECK (role <> 'OBSERVER' OR party_id IS NULL)
    )`);
    await q.query(`CREATE UNIQUE INDEX membership_active_key ON membership (room_id, user_id) WHERE removed_at IS NULL`);
    await q.query(`CREATE INDEX membership_user_idx ON membership (user_id) WHERE removed_at IS NULL`);
    await q.query(`CREATE TABLE invite (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      room_id uuid NOT NULL REFERENCES room(id) ON DELETE CASCADE,
      role text NOT NULL CHECK (role IN ('FACILITATOR','NEGOTIATOR','OBSERVER')),
      party_id uuid REFERENCES party(id),
      email text,
      token_hash text NOT NULL,
      created_by uuid NOT NULL REFERENCES membership(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      used_by uuid REFERENCES app_user(id),
      revoked_at timestamptz
    )`);
    await q.query(`CREATE UNIQUE INDEX invite_token_hash_key ON invite (token_hash)`);
    await q.query(`CREATE INDEX invite_room_idx ON invite (room_id)`);
    await q.query(`CREATE TABLE room_event (
      room_id uuid NOT NULL REFERENCES room(id) ON DELETE CASCADE,
      seq integer NOT NULL,
      type text NOT NULL,
      actor_membership_id uuid,
      audience_party_id uuid,
      payload jsonb NOT NULL,
      at timestamptz NOT NULL,
      prev_hash text NOT NULL,
      hash text NOT NULL,
      PRIMARY KEY (room_id, seq)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE room_event`);
    await q.query(`DROP TABLE invite`);
    await q.query(`DROP TABLE membership`);
    await q.query(`DROP TABLE party`);
    await q.query(`DROP TABLE room`);
  }
}
