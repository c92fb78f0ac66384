import { Injectable } from '@nestjs/common';
import { returnedRows, TransactionRunner, type Tx } from '@parley/database';
import type { BallotOutcome, BallotTerms, Clause, Tally, VoteChoice } from '@parley/domain';
import type { BallotStatus, ProposalStatus } from '@parley/negotiation';
import type { SignOffSets } from './progress-figures';
import type { ConvergencePointType } from './progress.types';

interface PointRow {
  proposal_id: string;
  seq: number;
  at: Date;
  open_brackets: number;
  open_amendments: number;
  supporting_parties: number;
}

// The rows of `room { progress }` as read by ProgressRepository.figures: plain objects of the
// shapes the negotiation views take, built from raw rows (no entity hydration).
export interface PartyRow {
  id: string;
  roomId: string;
  name: string;
  createdAt: Date;
}

export interface ProposalRow {
  id: string;
  roomId: string;
  title: string;
  status: ProposalStatus;
  version: number;
  textHash: string;
  clauses: Clause[];
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface BallotRow extends BallotTerms {
  id: string;
  proposalId: string;
  amendmentId: string | null;
  status: BallotStatus;
  outcome: BallotOutcome | null;
  tally: Tally | null;
  closesAt: Date | null;
}

export interface VoteRow {
  partyId: string;
  choice: VoteChoice;
  reason: string | null;
  castAt: Date;
}

export interface ProposalFigures {
  proposal: ProposalRow;
  // undefined while the proposal has no agreement
  signOff: SignOffSets | undefined;
  series: ConvergencePointType[];
  // figureBallots(all of its ballots), oldest first, each with its votes
  ballots: Array<{ ballot: BallotRow; votes: VoteRow[] }>;
}

export interface RoomFigures {
  parties: PartyRow[];
  proposals: ProposalFigures[];
}

interface RawProposal {
  id: string;
  room_id: string;
  title: string;
  status: ProposalStatus;
  version: number;
  text_hash: string;
  clauses: Clause[];
  created_by: string;
  created_at: Date;
  updated_at: Date;
  agreement_id: string | null;
  signed: string[] | null;
  consented: string[] | null;
  // [seq, at in epoch ms, open brackets, open amendments, supporting parties], by seq
  series: Array<[number, number, number, number, number]> | null;
}

// a BallotRow (BALLOTS_SQL names its columns so) with the ballot's votes folded into arrays
type RawBallot = BallotRow & {
  party_ids: string[] | null;
  choices: VoteChoice[] | null;
  reasons: Array<string | null> | null;
  cast_at: Date[] | null;
};

// The room's parties, in the order every view lists them (RoomsService.parties).
const PARTIES_SQL = `SELECT id, room_id, name, created_at FROM party WHERE room_id = $1 ORDER BY created_at, name`;

// Each proposal of the room with its agreement's sign-offs and its convergence series: one row
// per proposal, the series folded into one JSON array (epoch milliseconds truncated as the pg
// driver truncates a timestamp to a Date), so 1,500 points cost 10 rows, not 1,500.
const PROPOSALS_SQL = `
  SELECT p.id, p.room_id, p.title, p.status, p.version, p.text_hash, p.clauses, p.created_by, p.created_at, p.updated_at,
         a.id AS agreement_id,
         ARRAY(SELECT s.party_id FROM agreement_signature s WHERE s.agreement_id = a.id) AS signed,
         ARRAY(SELECT c.party_id FROM publish_consent c WHERE c.agreement_id = a.id) AS consented,
         (SELECT json_agg(json_build_array(pc.seq, floor(extract(epoch FROM pc.at) * 1000)::bigint, pc.open_brackets, pc.open_amendments, pc.supporting_parties) ORDER BY pc.seq)
            FROM proposal_convergence pc WHERE pc.proposal_id = p.id) AS series
    FROM proposal p
    LEFT JOIN agreement a ON a.proposal_id = p.id AND a.room_id = p.room_id
   WHERE p.room_id = $1
   ORDER BY p.created_at, p.id`;

// Only the ballots the figures use, as figureBallots (progress-figures.ts) chooses them from
// each proposal's ballots in creation order: the latest, the latest on the whole text, the
// latest open one. Their votes come folded into arrays (one row per ballot), in cast order as
// ProposalRepository.votes reads them; the views apply secrecy (ballotView).
const BALLOTS_SQL = `
  SELECT b.id, b.proposal_id AS "proposalId", b.amendment_id AS "amendmentId", b.version, b.rule, b.threshold, b.quorum, b.secrecy, b.status,
         b.outcome, b.tally, b.closes_at AS "closesAt", v.party_ids, v.choices, v.reasons, v.cast_at
    FROM (
      SELECT b.*,
             row_number() OVER (PARTITION BY b.proposal_id ORDER BY b.created_at DESC, b.id DESC) AS nth_latest,
             row_number() OVER (PARTITION BY b.proposal_id, b.amendment_id IS NULL ORDER BY b.created_at DESC, b.id DESC) AS nth_of_kind,
             row_number() OVER (PARTITION BY b.proposal_id, b.status ORDER BY b.created_at DESC, b.id DESC) AS nth_of_status
        FROM proposal p JOIN ballot b ON b.proposal_id = p.id AND b.room_id = p.room_id
       WHERE p.room_id = $1
    ) b
    LEFT JOIN LATERAL (
      SELECT array_agg(vo.party_id ORDER BY vo.cast_at, vo.party_id) AS party_ids,
             array_agg(vo.choice ORDER BY vo.cast_at, vo.party_id) AS choices,
             array_agg(vo.reason ORDER BY vo.cast_at, vo.party_id) AS reasons,
             array_agg(vo.cast_at ORDER BY vo.cast_at, vo.party_id) AS cast_at
        FROM vote vo WHERE vo.ballot_id = b.id
    ) v ON true
   WHERE b.nth_latest = 1 OR (b.amendment_id IS NULL AND b.nth_of_kind = 1) OR (b.status = 'OPEN' AND b.nth_of_status = 1)
   ORDER BY b.proposal_id, b.created_at, b.id`;

// The only code that touches proposal_convergence and ballot_reminder. `figures` is the one
// read-model query of progress that reads other capabilities' tables (party, proposal,
// ballot, vote, agreement and its sign-offs) directly: three statements instead of nine
// through their services (issue 15); every rule it mirrors names its function.
@Injectable()
export class ProgressRepository {
  constructor(private readonly tx: TransactionRunner) {}

  // Everything `room { progress }` needs in three statements, run side by side on the pool.
  async figures(roomId: string): Promise<RoomFigures> {
    const em = this.tx.manager;
    const [parties, proposals, ballots]: [Array<{ id: string; room_id: string; name: string; created_at: Date }>, RawProposal[], RawBallot[]] =
      await Promise.all([em.query(PARTIES_SQL, [roomId]), em.query(PROPOSALS_SQL, [roomId]), em.query(BALLOTS_SQL, [roomId])]);
    const ballotsOf = new Map<string, ProposalFigures['ballots']>();
    for (const b of ballots) {
      const { party_ids, choices, reasons, cast_at, ...ballot } = b;
      const list = ballotsOf.get(ballot.proposalId) ?? [];
      if (!list.length) ballotsOf.set(ballot.proposalId, list);
      list.push({ ballot, votes: (party_ids ?? []).map((partyId, i) => ({ partyId, choice: choices![i], reason: reasons![i], castAt: cast_at![i] })) });
    }
    return {
      parties: parties.map((p) => ({ id: p.id, roomId: p.room_id, name: p.name, createdAt: p.created_at })),
      proposals: proposals.map((p) => ({
        proposal: {
          id: p.id,
          roomId: p.room_id,
          title: p.title,
          status: p.status,
          version: p.version,
          textHash: p.text_hash,
          clauses: p.clauses,
          createdBy: p.created_by,
          createdAt: p.created_at,
          updatedAt: p.updated_at,
        },
        signOff: p.agreement_id ? { signed: new Set(p.signed ?? []), consented: new Set(p.consented ?? []) } : undefined,
        series: (p.series ?? []).map(([seq, at, openBrackets, openAmendments, supportingParties]) => ({
          seq,
          at: new Date(at),
          openBrackets,
          openAmendments,
          supportingParties,
        })),
        ballots: ballotsOf.get(p.id) ?? [],
      })),
    };
  }

  // a point only when one of the figures moved since the proposal's last point
  async recordIfMoved(
    tx: Tx,
    f: { proposalId: string; openBrackets: number; openAmendments: number; supportingParties: number },
    seq: number,
    at: Date,
  ): Promise<void> {
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
      out
        .get(r.proposal_id)
        ?.push({ seq: r.seq, at: r.at, openBrackets: r.open_brackets, openAmendments: r.open_amendments, supportingParties: r.supporting_parties });
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
