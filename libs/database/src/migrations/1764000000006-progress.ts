import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Progress1764000000006 implements MigrationInterface {
  name = 'Progress1764000000006';

  async up(q: QueryRunner): Promise<void> {
    // one row per room event that moved one of a proposal's three figures
    await q.query(`CREATE TABLE proposal_convergence (
      proposal_id uuid NOT NULL REFERENCES proposal(id) ON DELETE CASCADE,
      seq integer NOT NULL,
      at timestamptz NOT NULL,
      open_brackets integer NOT NULL,
      open_amendments integer NOT NULL,
      supporting_parties integer NOT NULL,
      PRIMARY KEY (proposal_id, seq)
    )`);
    await q.query(`CREATE TABLE ballot_reminder (
      ballot_id uuid PRIMARY KEY REFERENCES ballot(id) ON DELETE CASCADE,
      last_reminded_at timestamptz NOT NULL
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ballot_reminder`);
    await q.query(`DROP TABLE proposal_convergence`);
  }
}
