import { Injectable } from '@nestjs/common';
import { returnedRows, TransactionRunner, type Tx } from '@parley/database';
import type { ConvergencePointType } from './progress.types';

interface PointRow {
  proposal_id: string;
  seq: number;
  at: Date;
  open_brackets: number;
  open_amendments: number;
  supporting_parties: number;
}

// The only code that touches proposal_convergence and ballot_reminder; the figures come from
// the negotiation capability's service.
@Injectable()
export class ProgressRepository {
  constructor(private readonly tx: TransactionRunner) {}

  // a point only when one of the figures moved since the proposal's last point
  async recordIfMoved(tx: Tx, f: { proposalId: string; openBrackets: number; openAmendments: number; supportingParties: number }, seq: number, at: Date): Promise<void> {
    await tx.em.query(
      `INSERT INTO proposal_convergence (proposal_id, seq, at, open_brackets, open_amendments, supporting_parties)
       SELECT $1, $2, $3, $4, $5, $6
       WHERE NOT EXISTS (
         SELECT 1 FROM (SELECT * FROM proposal_convergence WHERE proposal_id = $1 ORDER BY seq DESC LIMIT 1) last
         WHERE last.open_brackets = $4 AND last.open_amendments = $5 AND last.supporting_parties = $6
       )`,
      [f.proposalId, seq, at, f.openBrackets, f.openAmendments, f.supportingParties],
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

  // One atomic upsert decides: true when no reminder went out for this ballot in the last hour.
  async claimReminder(tx: Tx, ballotId: string): Promise<boolean> {
    const rows: unknown[] = await tx.em.query(
      `INSERT INTO ballot_reminder (ballot_id, last_reminded_at) VALUES ($1, now())
       ON CONFLICT (ballot_id) DO UPDATE SET last_reminded_at = now()
       WHERE ballot_reminder.last_reminded_at <= now() - interval '1 hour'
       RETURNING ballot_id`,
      [ballotId],
    );
    return returnedRows(rows).length === 1;
  }
}
