import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Negotiation1764000000002 implements MigrationInterface {
  name = 'Negotiation1764000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE proposal (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      room_id uuid NOT NULL REFERENCES room(id) ON DELETE CASCADE,
      title text NOT NULL,
      status text NOT NULL CHECK (status IN ('DRAFTING','VOTING','ADOPTED','REJECTED','WITHDRAWN')),
      version integer NOT NULL CHECK (version >= 1),
      text_hash text NOT NULL,
      clauses jsonb NOT NULL,
      created_by uuid NOT NULL REFERENCES membership(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX proposal_room_idx ON proposal (room_id, created_at)`);
    await q.query(`CREATE TABLE proposal_version (
      proposal_id uuid NOT NULL REFERENCES proposal(id) ON DELETE CASCADE,
      number integer NOT NULL CHECK (number >= 1),
      clauses jsonb NOT NULL,
      text_hash text NOT NULL,
      summary text,
      author_membership_id uuid REFERENCES membership(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (proposal_id, number)
    )`);
    // versions are history: refuse any change to one
    await q.query(`CREATE FUNCTION proposal_version_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'proposal_version rows are immutable'; END $$`);
    await q.query(`CREATE TRIGGER proposal_version_no_update BEFORE UPDATE ON proposal_version
      FOR EACH ROW EXECUTE FUNCTION proposal_version_immutable()`);
    await q.query(`CREATE TABLE amendment (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      room_id uuid NOT NULL REFERENCES room(id) ON DELETE CASCADE,
      proposal_id uuid NOT NULL REFERENCES proposal(id) ON DELETE CASCADE,
      base_version integer NOT NULL,
      clause_key text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('REPLACE','INSERT','DELETE')),
      text text,
      rationale text,
      status text NOT NULL CHECK (status IN ('OPEN','ACCEPTED','REJECTED','WITHDRAWN')),
      party_id uuid REFERENCES party(id),
      author_membership_id uuid NOT NULL REFERENCES membership(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      resolved_at timestamptz,
      applied_version integer
    )`);
    await q.query(`CREATE INDEX amendment_proposal_idx ON amendment (proposal_id, created_at)`);
    await q.query(`CREATE TABLE ballot (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      room_id uuid NOT NULL REFERENCES room(id) ON DELETE CASCADE,
      proposal_id uuid NOT NULL REFERENCES proposal(id) ON DELETE CASCADE,
      amendment_id uuid REFERENCES amendment(id) ON DELETE CASCADE,
      version integer NOT NULL,
      rule text NOT NULL CHECK (rule IN ('UNANIMITY','CONSENSUS','SUPERMAJORITY','MAJORITY')),
      threshold double precision,
      quorum double precision NOT NULL CHECK (quorum >= 0 AND quorum <= 1),
      secrecy text NOT NULL CHECK (secrecy IN ('OPEN','SECRET_UNTIL_CLOSE')),
      status text NOT NULL CHECK (status IN ('OPEN','CLOSED')),
      outcome text CHECK (outcome IN ('PASSED','FAILED','NO_QUORUM')),
      tally jsonb,
      closes_at timestamptz,
      opened_by uuid NOT NULL REFERENCES membership(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      closed_at timestamptz,
      CHECK ((status = 'OPEN') = (outcome IS NULL))
    )`);
    await q.query(`CREATE INDEX ballot_proposal_idx ON ballot (proposal_id, created_at)`);
    await q.query(`CREATE INDEX ballot_due_idx ON ballot (closes_at) WHERE status = 'OPEN' AND closes_at IS NOT NULL`);
    // one open ballot on the whole text, and one per amendment, at a time
    await q.query(`CREATE UNIQUE INDEX ballot_open_text_key ON ballot (proposal_id) WHERE status = 'OPEN' AND amendment_id IS NULL`);
    await q.query(`CREATE UNIQUE INDEX ballot_open_amendment_key ON ballot (amendment_id) WHERE status = 'OPEN'`);
    // a party's latest vote: one row per ballot and party, replaced when it votes again
    await q.query(`CREATE TABLE vote (
      ballot_id uuid NOT NULL REFERENCES ballot(id) ON DELETE CASCADE,
      party_id uuid NOT NULL REFERENCES party(id),
      choice text NOT NULL CHECK (choice IN ('SUPPORT','OPPOSE','ABSTAIN','BLOCK')),
      reason text,
      membership_id uuid NOT NULL REFERENCES membership(id),
      cast_at timestamptz NOT NULL,
      PRIMARY KEY (ballot_id, party_id)
    )`);
    await q.query(`CREATE TABLE agreement (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      room_id uuid NOT NULL REFERENCES room(id) ON DELETE CASCADE,
      proposal_id uuid NOT NULL UNIQUE REFERENCES proposal(id) ON DELETE CASCADE,
      version integer NOT NULL,
      text_hash text NOT NULL,
      clauses jsonb NOT NULL,
      status text NOT NULL DEFAULT 'AWAITING_SIGNATURES',
      created_at timestamptz NOT NULL DEFAULT now(),
      commitments_resolved_at timestamptz,
      embargo_until timestamptz,
      published_at timestamptz,
      public_slug text UNIQUE
    )`);
    await q.query(`CREATE INDEX agreement_room_idx ON agreement (room_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE agreement`);
    await q.query(`DROP TABLE vote`);
    await q.query(`DROP TABLE ballot`);
    await q.query(`DROP TABLE amendment`);
    await q.query(`DROP TRIGGER proposal_version_no_update ON proposal_version`);
    await q.query(`DROP TABLE proposal_version`);
    await q.query(`DROP FUNCTION proposal_version_immutable()`);
    await q.query(`DROP TABLE proposal`);
  }
}
