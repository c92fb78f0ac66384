import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Discussion1764000000003 implements MigrationInterface {
  name = 'Discussion1764000000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE message (
      id uuid PRIMARY KEY,
      room_id uuid NOT NULL REFERENCES room(id) ON DELETE CASCADE,
      seq integer NOT NULL,
      thread text,
      audience_party_id uuid REFERENCES party(id),
      author_membership_id uuid NOT NULL REFERENCES membership(id),
      user_id uuid NOT NULL REFERENCES app_user(id),
      client_msg_id text NOT NULL,
      body text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      edited_at timestamptz,
      redacted_at timestamptz,
      CONSTRAINT message_client_msg_key UNIQUE (user_id, room_id, client_msg_id),
      CONSTRAINT message_caucus_audience CHECK ((thread LIKE 'party:%') = (audience_party_id IS NOT NULL)),
      CONSTRAINT message_redacted_empty CHECK (redacted_at IS NULL OR body = '')
    )`);
    // the messages query pages one thread of a room by seq
    await q.query(`CREATE INDEX message_room_thread_seq_idx ON message (room_id, thread, seq DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE message`);
  }
}
