import { Injectable } from '@nestjs/common';
import { preparedStatement, returnedRows, TransactionRunner, type Tx } from '@parley/database';
import { SeriesCache } from '@parley/domain';
import type { ConvergencePointType } from './progress.types';

// about 100 bytes a point: some 25 MB at most for every room's series on this instance
const SERIES_CACHE_POINTS = 250_000;

// The only code that touches proposal_convergence and ballot_reminder, the tables of progress
// (what progress reads of other capabilities' tables it asks of their services and queries).
@Injectable()
export class ProgressRepository {
  private readonly seriesCache = new SeriesCache<ConvergencePointType>(SERIES_CACHE_POINTS);

  constructor(private readonly tx: TransactionRunner) {}

  // a point only when one of the figures moved since the proposal's last point (pipelined,
  // sent with the transaction's next statement or its COMMIT)
  recordIfMoved(
    tx: Tx,
    f: { proposalId: string; openBrackets: number; openAmendments: number; supportingParties: number },
    seq: number,
    at: Date,
  ): Promise<void> {
    return tx.execute(
      preparedStatement(`INSERT INTO proposal_convergence (proposal_id, seq, at, open_brackets, open_amendments, supporting_parties)
       SELECT $1::uuid, $2::int, $3::timestamptz, $4::int, $5::int, $6::int
       WHERE NOT EXISTS (
         SELECT 1 FROM (SELECT * FROM proposal_convergence WHERE proposal_id = $1 ORDER BY seq DESC LIMIT 1) last
         WHERE last.open_brackets = $4 AND last.open_amendments = $5 AND last.supporting_parties = $6
       )`),
      [f.proposalId, seq, at, f.openBrackets, f.openAmendments, f.supportingParties],
    );
  }

  // The same for points in seq order, in one statement: a point that repeats the one before it
  // (of its proposal) in the list is dropped here; the first of each proposal is compared with
  // its last stored point, as recordIfMoved does.
  async recordManyIfMoved(
    tx: Tx,
    points: Array<{ proposalId: string; openBrackets: number; openAmendments: number; supportingParties: number; seq: number; at: Date }>,
  ): Promise<void> {
    const last = new Map<string, (typeof points)[number]>();
    const kept: Array<(typeof points)[number] & { first: boolean }> = [];
    const same = (a: (typeof points)[number], b: (typeof points)[number]) =>
      a.openBrackets === b.openBrackets && a.openAmendments === b.openAmendments && a.supportingParties === b.supportingParties;
    for (const p of points) {
      const before = last.get(p.proposalId);
      last.set(p.proposalId, p);
      if (before && same(before, p)) continue;
      kept.push({ ...p, first: !before });
    }
    if (!kept.length) return;
    const col = <K extends keyof (typeof kept)[number]>(k: K) => kept.map((p) => p[k]);
    await tx.execute(
      preparedStatement(`INSERT INTO proposal_convergence (proposal_id, seq, at, open_brackets, open_amendments, supporting_parties)
       SELECT p.proposal_id, p.seq, p.at, p.ob, p.oa, p.sp
         FROM unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::int[], $5::int[], $6::int[], $7::bool[]) p(proposal_id, seq, at, ob, oa, sp, first)
        WHERE NOT p.first OR NOT EXISTS (
          SELECT 1 FROM (SELECT * FROM proposal_convergence c WHERE c.proposal_id = p.proposal_id ORDER BY c.seq DESC LIMIT 1) last
           WHERE last.open_brackets = p.ob AND last.open_amendments = p.oa AND last.supporting_parties = p.sp
        )`),
      [col('proposalId'), col('seq'), col('at'), col('openBrackets'), col('openAmendments'), col('supportingParties'), col('first')],
    );
  }

  // Each proposal's convergence series, by seq, read whole once and then only its new points:
  // the series only grows at its end (SeriesCache), so this instance keeps what it has read and
  // asks PostgreSQL for the points after each proposal's last one held: on a room whose figures
  // have not moved since, no row at all. New points come folded into one JSON array per
  // proposal (epoch milliseconds truncated as the pg driver truncates a timestamp to a Date).
  async series(proposalIds: string[]): Promise<Map<string, readonly ConvergencePointType[]>> {
    const out = new Map<string, readonly ConvergencePointType[]>();
    if (!proposalIds.length) return out;
    const tails = proposalIds.map((id) => this.seriesCache.tail(id));
    // [seq, at in epoch ms, open brackets, open amendments, supporting parties]
    const rows: Array<{ proposal_id: string; points: Array<[number, number, number, number, number]> }> = await this.tx.manager.query(
      `SELECT c.proposal_id,
              json_agg(json_build_array(c.seq, floor(extract(epoch FROM c.at) * 1000)::bigint, c.open_brackets, c.open_amendments, c.supporting_parties) ORDER BY c.seq) AS points
         FROM unnest($1::uuid[], $2::int[]) AS k(proposal_id, after)
         JOIN proposal_convergence c ON c.proposal_id = k.proposal_id AND c.seq > k.after
        GROUP BY c.proposal_id`,
      [proposalIds, tails.map((t) => t.after)],
    );
    const read = new Map(rows.map((r) => [r.proposal_id, r.points]));
    proposalIds.forEach((id, i) => {
      const fresh = (read.get(id) ?? []).map(([seq, at, openBrackets, openAmendments, supportingParties]) => ({
        seq,
        at: new Date(at),
        openBrackets,
        openAmendments,
        supportingParties,
      }));
      out.set(id, this.seriesCache.join(id, tails[i].held, fresh));
    });
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
