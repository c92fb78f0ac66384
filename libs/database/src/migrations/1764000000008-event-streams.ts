import type { MigrationInterface, QueryRunner } from 'typeorm';

// Format 2 of the room event log: one stream (and chain, and gapless seq) per audience,
// and salted commitments instead of raw values in each hash. Events already written keep
// format 1 and stay in the room stream, where they are; a room's party streams start after
// the seq the room had reached (chain_v2_from), so a caucus's message seqs keep growing.
// An agreement keeps the log head of its adoption and, once published, its bundle as served.
export class EventStreams1764000000008 implements MigrationInterface {
  name = 'EventStreams1764000000008';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE room_event
      ADD COLUMN stream text NOT NULL DEFAULT 'room',
      ADD COLUMN format smallint NOT NULL DEFAULT 1 CHECK (format IN (1, 2)),
      ADD COLUMN salts jsonb`);
    await q.query(`ALTER TABLE room_event DROP CONSTRAINT room_event_pkey`);
    await q.query(`ALTER TABLE room_event ADD PRIMARY KEY (room_id, stream, seq)`);
    await q.query(`ALTER TABLE room ADD COLUMN chain_v2_from integer NOT NULL DEFAULT 0`);
    await q.query(`UPDATE room SET chain_v2_from = last_seq`);
    await q.query(`ALTER TABLE agreement
      ADD COLUMN adopted_head_seq integer,
      ADD COLUMN adopted_head_hash text,
      ADD COLUMN published_bundle jsonb`);
    await q.query(`UPDATE agreement a SET adopted_head_seq = e.seq, adopted_head_hash = e.hash
      FROM room_event e
      WHERE e.room_id = a.room_id AND e.type = 'proposal.adopted' AND e.payload->>'agreementId' = a.id::text`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Format-2 events cannot be kept by the old schema: without their salts their hashes can
    // never be checked again, and one room-wide seq cannot hold several streams' seqs.
    const [{ n }] = await q.query(`SELECT count(*)::int AS n FROM room_event WHERE format = 2`);
    if (n > 0) throw new Error(`cannot revert EventStreams1764000000008: ${n} format-2 event(s) would lose their salts and stream`);
    await q.query(`ALTER TABLE agreement DROP COLUMN published_bundle, DROP COLUMN adopted_head_hash, DROP COLUMN adopted_head_seq`);
    await q.query(`ALTER TABLE room DROP COLUMN chain_v2_from`);
    await q.query(`ALTER TABLE room_event DROP CONSTRAINT room_event_pkey`);
    await q.query(`ALTER TABLE room_event ADD PRIMARY KEY (room_id, seq)`);
    await q.query(`ALTER TABLE room_event DROP COLUMN salts, DROP COLUMN format, DROP COLUMN stream`);
  }
}
