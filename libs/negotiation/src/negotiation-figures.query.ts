import { Injectable } from '@nestjs/common';
import { TransactionRunner, type Tx } from '@parley/database';
import type { BallotOutcome, BallotTerms, Clause, Tally, VoteChoice } from '@parley/domain';
import type { BallotStatus, ProposalStatus } from './negotiation.entities';
import type { ConvergenceFigures } from './proposal.repository';

export type { ConvergenceFigures };

// Where negotiation hands on a proposal's convergence figures (open brackets, open amendments,
// supporting parties) as they stand after each of its events (NEGOTIATION_EVENTS): implemented
// by libs/progress, registered with ProposalWrites (through NegotiationModule's
// useConvergence) in apps/api/src/room-event-hooks.ts (negotiation does not depend on
// progress). The writer holds the proposal under the room lock, so it reads the figures itself
// and the series' writer never reads negotiation's tables back.
export interface ConvergenceSink {
  recordPoint(tx: Tx, figures: ConvergenceFigures, event: { seq: number; at: Date }): Promise<void>;
  // the same for several events in seq order, in one statement
  recordPoints(tx: Tx, points: Array<{ figures: ConvergenceFigures; event: { seq: number; at: Date } }>): Promise<void>;
}

// A room's proposals and the ballots its progress figures use, as plain rows of the shapes
// ProposalsService.listViews and BallotsService.viewOf take (no entity hydration): the one
// read-only query on the negotiation tables that another capability (progress) runs, so that
// no capability but negotiation reads them. Two statements, whatever the room's size.

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

export interface FigureBallot {
  ballot: BallotRow;
  votes: VoteRow[];
}

export interface NegotiationFigures {
  proposals: ProposalRow[];
  // by proposal id: figureBallots (libs/progress) of its ballots, oldest first, each with its votes
  ballots: Map<string, FigureBallot[]>;
}

// a BallotRow (BALLOTS_SQL names its columns so) with the ballot's votes folded into arrays
type RawBallot = BallotRow & {
  party_ids: string[] | null;
  choices: VoteChoice[] | null;
  reasons: Array<string | null> | null;
  cast_at: Date[] | null;
};

const PROPOSALS_SQL = `
  SELECT id, room_id AS "roomId", title, status, version, text_hash AS "textHash", clauses, created_by AS "createdBy",
         created_at AS "createdAt", updated_at AS "updatedAt"
    FROM proposal WHERE room_id = $1
   ORDER BY created_at, id`;

// Only the ballots the figures use, as figureBallots (libs/progress/src/progress-figures.ts)
// chooses them from each proposal's ballots in creation order: the latest, the latest on the
// whole text, the latest open one. Their votes come folded into arrays (one row per ballot), in
// cast order as ProposalRepository.votes reads them; the views apply secrecy (ballotView).
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

@Injectable()
export class NegotiationFiguresQuery {
  constructor(private readonly tx: TransactionRunner) {}

  // both statements side by side on the pool
  async roomFigures(roomId: string): Promise<NegotiationFigures> {
    const em = this.tx.manager;
    const [proposals, raw]: [ProposalRow[], RawBallot[]] = await Promise.all([em.query(PROPOSALS_SQL, [roomId]), em.query(BALLOTS_SQL, [roomId])]);
    const ballots = new Map<string, FigureBallot[]>();
    for (const { party_ids, choices, reasons, cast_at, ...ballot } of raw) {
      const list = ballots.get(ballot.proposalId) ?? [];
      if (!list.length) ballots.set(ballot.proposalId, list);
      list.push({ ballot, votes: (party_ids ?? []).map((partyId, i) => ({ partyId, choice: choices![i], reason: reasons![i], castAt: cast_at![i] })) });
    }
    return { proposals, ballots };
  }
}
