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
// no capability but negotiation reads them. One statement, whatever the room's size.

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

// A ProposalRow with its figure ballots folded into one JSON array (FIGURES_SQL):
// [id, amendment id, version, rule, threshold, quorum, secrecy, status, outcome, tally,
//  closes at in epoch ms, votes], each vote [party id, choice, reason, cast at in epoch ms].
// Epoch milliseconds are truncated, as the pg driver truncates a timestamp to a Date.
type RawVote = [string, VoteChoice, string | null, number];
type RawBallot = [
  string,
  string | null,
  number,
  BallotRow['rule'],
  number | null,
  number,
  BallotRow['secrecy'],
  BallotStatus,
  BallotOutcome | null,
  Tally | null,
  number | null,
  RawVote[] | null,
];
type RawProposal = ProposalRow & { ballots: RawBallot[] | null };

// One statement: the room's proposals, each with only the ballots the figures use, as
// figureBallots (libs/progress/src/progress-figures.ts) chooses them from the proposal's ballots
// in creation order: the latest, the latest on the whole text, the latest open one (window ranks
// over the proposal's ballots). Their votes come folded in, in cast order as
// ProposalRepository.votes reads them; the views apply secrecy (ballotView).
const FIGURES_SQL = `
  SELECT p.id, p.room_id AS "roomId", p.title, p.status, p.version, p.text_hash AS "textHash", p.clauses, p.created_by AS "createdBy",
         p.created_at AS "createdAt", p.updated_at AS "updatedAt", fb.ballots
    FROM proposal p
    LEFT JOIN LATERAL (
      SELECT json_agg(json_build_array(b.id, b.amendment_id, b.version, b.rule, b.threshold, b.quorum, b.secrecy, b.status, b.outcome, b.tally,
                                       floor(extract(epoch FROM b.closes_at) * 1000)::bigint, v.votes)
                      ORDER BY b.created_at, b.id) AS ballots
        FROM (
          SELECT b.*,
                 row_number() OVER (ORDER BY b.created_at DESC, b.id DESC) AS nth_latest,
                 row_number() OVER (PARTITION BY b.amendment_id IS NULL ORDER BY b.created_at DESC, b.id DESC) AS nth_of_kind,
                 row_number() OVER (PARTITION BY b.status ORDER BY b.created_at DESC, b.id DESC) AS nth_of_status
            FROM ballot b WHERE b.proposal_id = p.id AND b.room_id = p.room_id
        ) b
        LEFT JOIN LATERAL (
          SELECT json_agg(json_build_array(vo.party_id, vo.choice, vo.reason, floor(extract(epoch FROM vo.cast_at) * 1000)::bigint)
                          ORDER BY vo.cast_at, vo.party_id) AS votes
            FROM vote vo WHERE vo.ballot_id = b.id
        ) v ON true
       WHERE b.nth_latest = 1 OR (b.amendment_id IS NULL AND b.nth_of_kind = 1) OR (b.status = 'OPEN' AND b.nth_of_status = 1)
    ) fb ON true
   WHERE p.room_id = $1
   ORDER BY p.created_at, p.id`;

@Injectable()
export class NegotiationFiguresQuery {
  constructor(private readonly tx: TransactionRunner) {}

  async roomFigures(roomId: string): Promise<NegotiationFigures> {
    const raw: RawProposal[] = await this.tx.manager.query(FIGURES_SQL, [roomId]);
    const proposals: ProposalRow[] = [];
    const ballots = new Map<string, FigureBallot[]>();
    for (const { ballots: rawBallots, ...proposal } of raw) {
      proposals.push(proposal);
      if (!rawBallots) continue;
      ballots.set(
        proposal.id,
        rawBallots.map(([id, amendmentId, version, rule, threshold, quorum, secrecy, status, outcome, tally, closesAt, votes]) => ({
          ballot: {
            id,
            proposalId: proposal.id,
            amendmentId,
            version,
            rule,
            threshold,
            quorum,
            secrecy,
            status,
            outcome,
            tally,
            closesAt: closesAt === null ? null : new Date(closesAt),
          },
          votes: (votes ?? []).map(([partyId, choice, reason, castAt]) => ({ partyId, choice, reason, castAt: new Date(castAt) })),
        })),
      );
    }
    return { proposals, ballots };
  }
}
