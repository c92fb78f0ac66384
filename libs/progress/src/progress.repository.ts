import { Injectable } from '@nestjs/common';
import { isUuid, notFound } from '@parley/common';
import { TransactionRunner, type Tx } from '@parley/database';
import type { PartyType } from '@parley/rooms';
import type { ConvergencePointType } from './progress.types';

interface PointRow {
  proposal_id: string;
  seq: number;
  at: Date;
  open_brackets: number;
  open_amendments: number;
  supporting_parties: number;
}

// The only code that touches proposal_convergence and ballot_reminder. It reads the
// negotiation tables (read-only, set-based) because the figures must be computed inside the
// very transaction that appends the event, where the negotiation services cannot be called.
@Injectable()
export class ProgressRepository {
  constructor(private readonly tx: TransactionRunner) {}

  // The three figures of one proposal now, from its state rows; a point only when one moved.
  // `ballotId` finds the proposal of a vote.cast event, whose payload names only the ballot.
  // An open SECRET_UNTIL_CLOSE ballot counts no supporters: the count itself would leak.
  async record(tx: Tx, ref: { proposalId: string | null; ballotId: string | null }, seq: number, at: Date): Promise<void> {
    await tx.em.query(
      `WITH target AS (
         SELECT id FROM proposal WHERE id = COALESCE($1::uuid, (SELECT proposal_id FROM ballot WHERE id = $2::uuid))
       ), figures AS (
         SELECT p.id AS proposal_id,
           (SELECT count(*) FROM jsonb_array_elements(p.clauses) c WHERE jsonb_array_length(c->'alternatives') > 0)::int AS open_brackets,
           (SELECT count(*) FROM amendment a WHERE a.proposal_id = p.id AND a.status = 'OPEN')::int AS open_amendments,
           (SELECT count(*) FROM vote v JOIN party pa ON pa.id = v.party_id AND pa.room_id = p.room_id
             WHERE v.ballot_id = wb.id AND v.choice = 'SUPPORT' AND NOT (wb.status = 'OPEN' AND wb.secrecy = 'SECRET_UNTIL_CLOSE'))::int AS supporting_parties
         FROM proposal p JOIN target t ON t.id = p.id
         LEFT JOIN LATERAL (
           SELECT b.id, b.status, b.secrecy FROM ballot b WHERE b.proposal_id = p.id AND b.amendment_id IS NULL ORDER BY b.created_at DESC, b.id DESC LIMIT 1
         ) wb ON true
       ), last AS (
         SELECT c.open_brackets, c.open_amendments, c.supporting_parties FROM proposal_convergence c JOIN target t ON c.proposal_id = t.id ORDER BY c.seq DESC LIMIT 1
       )
       INSERT INTO proposal_convergence (proposal_id, seq, at, open_brackets, open_amendments, supporting_parties)
       SELECT f.proposal_id, $3, $4, f.open_brackets, f.open_amendments, f.supporting_parties FROM figures f
       WHERE NOT EXISTS (
         SELECT 1 FROM last l WHERE l.open_brackets = f.open_brackets AND l.open_amendments = f.open_amendments AND l.supporting_parties = f.supporting_parties
       )`,
      [ref.proposalId, ref.ballotId, seq, at],
    );
  }

  async series(proposalIds: string[]): Promise<Map<string, ConvergencePointType[]>> {
    const out = new Map<string, ConvergencePointType[]>(proposalIds.map((id) => [id, []]));
    if (!proposalIds.length) return out;
    const rows: PointRow[] = await this.tx.manager.query(
      `SELECT proposal_id, seq, at, open_brackets, open_amendments, supporting_parties
       FROM proposal_convergence WHERE proposal_id = ANY($1::uuid[]) ORDER BY proposal_id, seq`,
      [proposalIds],
    );
    for (const r of rows) {
      out.get(r.proposal_id)?.push({ seq: r.seq, at: r.at, openBrackets: r.open_brackets, openAmendments: r.open_amendments, supportingParties: r.supporting_parties });
    }
    return out;
  }

  // reminders

  async ballotRoomOrThrow(ballotId: string): Promise<string> {
    if (!isUuid(ballotId)) throw notFound();
    const rows: Array<{ room_id: string }> = await this.tx.manager.query(`SELECT room_id FROM ballot WHERE id = $1`, [ballotId]);
    if (!rows.length) throw notFound();
    return rows[0].room_id;
  }

  // after the room lock: the ballot, open and not past its deadline, and who has not voted
  async openBallotAwaiting(tx: Tx, ballotId: string): Promise<{ proposalId: string; open: boolean; awaiting: PartyType[] }> {
    const [b]: Array<{ proposal_id: string; open: boolean }> = await tx.em.query(
      `SELECT proposal_id, status = 'OPEN' AND (closes_at IS NULL OR closes_at > now()) AS open FROM ballot WHERE id = $1`,
      [ballotId],
    );
    const awaiting: PartyType[] = await tx.em.query(
      `SELECT p.id, p.name FROM party p JOIN ballot b ON b.room_id = p.room_id AND b.id = $1
       WHERE NOT EXISTS (SELECT 1 FROM vote v WHERE v.ballot_id = b.id AND v.party_id = p.id)
       ORDER BY p.created_at, p.name`,
      [ballotId],
    );
    return { proposalId: b.proposal_id, open: b.open, awaiting };
  }

  // One atomic upsert decides: true when no reminder went out for this ballot in the last hour.
  async claimReminder(tx: Tx, ballotId: string): Promise<boolean> {
    const rows: unknown[] = await tx.em.query(
      `INSERT INTO ballot_reminder (ballot_id, last_reminded_at) VALUES ($1, now())
       ON CONFLICT (ballot_id) DO UPDATE SET last_reminded_at = now()
       WHERE ballot_reminder.last_reminded_at <= now() - interval '1 hour'
       RETURNING ballot_id`,
      [ballotId],
    );
    return rowsOf(rows).length === 1;
  }
}

// pg answers INSERT ... RETURNING through TypeORM as rows, or as [rows, count]
function rowsOf(result: unknown[]): unknown[] {
  return result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number' ? (result[0] as unknown[]) : result;
}
