import type { MigrationInterface, QueryRunner } from 'typeorm';

// Lookups in the room event log that must not grow with the room's history.
//
// Replay and listing (RoomEventsService.list, committedAfter, a stream's head) read
// `room_id = $1 AND stream = $2 AND seq > $3 ORDER BY seq LIMIT n` or `ORDER BY seq DESC
// LIMIT 1`: the primary key (room_id, stream, seq) already answers those with an index range
// scan that stops after n rows, so they get no second index.
//
// Redactions (RoomEventsService.redactedMessages, on listing and on live delivery) asked
// `room_id = $1 AND type = 'message.redacted' AND payload->>'messageId' = ANY($2)`, which the
// primary key can only answer by reading every event of the room. This partial index holds
// one small entry per redaction, keyed by room and message id, so the lookup costs one index
// probe per message id however long the log is; the query must keep the same expression and
// the literal type to use it.
export class EventIndexes1764000000009 implements MigrationInterface {
  name = 'EventIndexes1764000000009';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX room_event_redaction_idx ON room_event (room_id, (payload->>'messageId')) WHERE type = 'message.redacted'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX room_event_redaction_idx`);
  }
}
