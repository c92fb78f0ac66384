import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { isUuid, notFound, versionConflict } from '@parley/common';
import { preparedQuery, returnedRows, TransactionRunner, type Tx } from '@parley/database';
import { countOpenBrackets, textHash, type Clause } from '@parley/domain';
import type { ObjectKind } from '@parley/rooms';
import { AmendmentEntity, BallotEntity, ProposalEntity, ProposalVersionEntity, VoteEntity } from './negotiation.entities';

// How RoomAccessService finds the room of each negotiation object (an amendment's party
// decides who may withdraw it).
export const PROPOSAL: ObjectKind = { sql: `SELECT room_id, NULL::uuid AS audience_party_id FROM proposal WHERE id = $1` };
export const BALLOT: ObjectKind = { sql: `SELECT room_id, NULL::uuid AS audience_party_id FROM ballot WHERE id = $1` };
export const AMENDMENT: ObjectKind = { sql: `SELECT room_id, NULL::uuid AS audience_party_id, party_id AS subject_party_id FROM amendment WHERE id = $1` };

// SQL mirrors of libs/domain's ballot rules (ballot-rules.ts), for queries that decide over
// many rows at once. `b` is a ballot row's alias; `now()` is the transaction's clock, the
// one Locked.now carries. test/ballot-rules-sql.e2e-spec.ts checks each agrees with its function.
export const BALLOT_RULES_SQL = {
  // mirrors acceptsVotes(b, now())
  acceptsVotes: (b: string) => `(${b}.status = 'OPEN' AND (${b}.closes_at IS NULL OR ${b}.closes_at > now()))`,
  // mirrors ballotDue(b, now())
  due: (b: string) => `(${b}.status = 'OPEN' AND ${b}.closes_at <= now())`,
  // mirrors ballotSealed(b)
  sealed: (b: string) => `(${b}.status = 'OPEN' AND ${b}.secrecy = 'SECRET_UNTIL_CLOSE')`,
  // mirrors latestWholeTextBallot: the rows of `ballots` for the proposal `proposalId`
  latestWholeText: (proposalId: string, ballots = 'ballot') =>
    `SELECT b.* FROM ${ballots} b WHERE b.proposal_id = ${proposalId} AND b.amendment_id IS NULL ORDER BY b.created_at DESC, b.id DESC LIMIT 1`,
  // mirrors partiesAwaiting: the parties `p` with no vote in `votes` on the ballot `b`
  awaiting: (p: string, b: string, votes = 'vote') => `NOT EXISTS (SELECT 1 FROM ${votes} v WHERE v.ballot_id = ${b}.id AND v.party_id = ${p}.id)`,
};

// For a revision's statement: the proposal's open amendments and the parties supporting its
// latest whole-text ballot, as convergenceFigures (below) counts them, as columns of a
// statement whose FROM has the proposal's id and room as `id` and `room` (with the lateral
// join `wb` that FIGURE_BALLOT adds).
const FIGURE_COLUMNS = (id: string, room: string) =>
  `(SELECT count(*) FROM amendment a WHERE a.proposal_id = ${id} AND a.status = 'OPEN')::int AS open_amendments,
   (SELECT count(*) FROM vote v JOIN party pa ON pa.id = v.party_id AND pa.room_id = ${room}
     WHERE v.ballot_id = wb.id AND v.choice = 'SUPPORT' AND NOT ${BALLOT_RULES_SQL.sealed('wb')})::int AS supporting_parties`;
const FIGURE_BALLOT = (id: string) => `LEFT JOIN LATERAL (${BALLOT_RULES_SQL.latestWholeText(id)}) wb ON true`;

// Whole rows for raw SQL on the hot paths, named as the entities' properties (pg parses each
// value by its column type).
const PROPOSAL_ROW = `p.id, p.room_id AS "roomId", p.title, p.status, p.version, p.text_hash AS "textHash", p.clauses,
  p.created_by AS "createdBy", p.created_at AS "createdAt", p.updated_at AS "updatedAt"`;
const BALLOT_ROW = `b.id, b.room_id AS "roomId", b.proposal_id AS "proposalId", b.amendment_id AS "amendmentId", b.version, b.rule,
  b.threshold, b.quorum, b.secrecy, b.status, b.outcome, b.tally, b.closes_at AS "closesAt", b.opened_by AS "openedBy",
  b.created_at AS "createdAt", b.closed_at AS "closedAt"`;
const VOTE_ROW = `v.party_id AS vote_party_id, v.choice AS vote_choice, v.reason AS vote_reason, v.membership_id AS vote_membership_id,
  v.cast_at AS vote_cast_at`;
// a clause of `clauses` (jsonb) with bracket options: mirrors Clause.alternatives.length > 0
const BRACKETED = (clauses: string) => `EXISTS (SELECT 1 FROM jsonb_array_elements(${clauses}) c WHERE jsonb_array_length(c->'alternatives') > 0)`;

interface VoteRow {
  vote_party_id: string | null;
  vote_choice: VoteEntity['choice'] | null;
  vote_reason: string | null;
  vote_membership_id: string | null;
  vote_cast_at: Date | null;
}

// The only code that touches the negotiation tables.
@Injectable()
export class ProposalRepository {
  constructor(private readonly tx: TransactionRunner) {}

  private get em() {
    return this.tx.manager;
  }

  async proposalOrThrow(id: string): Promise<ProposalEntity> {
    if (!isUuid(id)) throw notFound();
    const p = await this.em.findOne(ProposalEntity, { where: { id } });
    if (!p) throw notFound();
    return p;
  }

  // inside a write, after the room lock
  async lockProposalOrThrow(tx: Tx, id: string): Promise<ProposalEntity> {
    const [p]: ProposalEntity[] = await tx.em.query(`SELECT ${PROPOSAL_ROW} FROM proposal p WHERE id = $1 FOR UPDATE`, [id]);
    if (!p) throw notFound();
    return p;
  }

  roomProposals(roomId: string): Promise<ProposalEntity[]> {
    return this.em.find(ProposalEntity, { where: { roomId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async insertProposal(tx: Tx, p: Pick<ProposalEntity, 'roomId' | 'title' | 'clauses' | 'createdBy'>): Promise<ProposalEntity> {
    const hash = textHash(p.clauses);
    const saved = await tx.em.save(tx.em.create(ProposalEntity, { ...p, status: 'DRAFTING', version: 1, textHash: hash }));
    await tx.em.insert(ProposalVersionEntity, {
      proposalId: saved.id,
      number: 1,
      clauses: p.clauses,
      textHash: hash,
      summary: null,
      authorMembershipId: p.createdBy,
    });
    return saved;
  }

  // A new version only if the current one is still `expected` and the text is editable: one
  // conditional UPDATE, so of several edits against the same version exactly one wins.
  async commitVersion(
    tx: Tx,
    p: ProposalEntity,
    expected: number,
    clauses: Clause[],
    summary: string | null,
    authorId: string | null,
  ): Promise<ProposalEntity> {
    const hash = textHash(clauses);
    // the proposal's new version and its immutable copy in one statement
    const rows = returnedRows<{ version: number; updated_at: Date }>(
      await tx.em.query(
        `WITH next AS (
           UPDATE proposal SET version = version + 1, clauses = $3::jsonb, text_hash = $4, updated_at = now()
            WHERE id = $1 AND version = $2 AND status = 'DRAFTING' RETURNING version, updated_at
         ), kept AS (
           INSERT INTO proposal_version (proposal_id, number, clauses, text_hash, summary, author_membership_id)
           SELECT $1, version, $3::jsonb, $4, $5, $6 FROM next
         )
         SELECT version, updated_at FROM next`,
        [p.id, expected, JSON.stringify(clauses), hash, summary, authorId],
      ),
    );
    if (rows.length !== 1) throw versionConflict(p.version);
    const version = rows[0].version;
    return Object.assign(p, { version, clauses, textHash: hash, updatedAt: rows[0].updated_at });
  }

  // A revision in one statement when nothing can refuse or change it: the proposal row locked
  // and, if it is DRAFTING at `expected` with no bracketed clause (so the new text is taken as
  // it is), its new version and the version's copy written, authored by `userId`'s membership
  // of the proposal's room. `committed` false: nothing was written and `proposal` is the locked
  // row as it is, for the caller's checks. The statement finds nothing (NOT_FOUND) and locks
  // nothing unless `userId` is an active member of the proposal's room: it is sent with the
  // room lock, before the lock's answer (ProposalWrites.locked).
  async reviseUnbracketed(
    tx: Tx,
    id: string,
    expected: number,
    clauses: Clause[],
    summary: string | null,
    userId: string,
  ): Promise<{ committed: boolean; proposal: ProposalEntity; figures: ConvergenceFigures | null }> {
    if (!isUuid(id)) throw notFound();
    const hash = textHash(clauses);
    const [row] = await preparedQuery<
      ProposalEntity & {
        author_id: string;
        next_version: number | null;
        next_updated_at: Date | null;
        open_amendments: number;
        supporting_parties: number;
      }
    >(
      tx.em,
      `WITH cur AS (
         SELECT ${PROPOSAL_ROW}, m.id AS author_id FROM proposal p
           JOIN membership m ON m.room_id = p.room_id AND m.user_id = $6 AND m.removed_at IS NULL
          WHERE p.id = $1 FOR UPDATE OF p
       ), next AS (
         UPDATE proposal SET version = proposal.version + 1, clauses = $3::jsonb, text_hash = $4, updated_at = now()
           FROM cur WHERE proposal.id = cur.id AND cur.version = $2 AND cur.status = 'DRAFTING' AND NOT ${BRACKETED('cur.clauses')}
         RETURNING proposal.version, proposal.updated_at, cur.author_id
       ), kept AS (
         INSERT INTO proposal_version (proposal_id, number, clauses, text_hash, summary, author_membership_id)
         SELECT $1, version, $3::jsonb, $4, $5, author_id FROM next
       )
       SELECT cur.*, next.version AS next_version, next.updated_at AS next_updated_at, ${FIGURE_COLUMNS('cur.id', 'cur."roomId"')}
         FROM cur LEFT JOIN next ON true ${FIGURE_BALLOT('cur.id')}`,
      [id, expected, JSON.stringify(clauses), hash, summary, userId],
    );
    if (!row) throw notFound();
    const {
      author_id: _author,
      next_version: version,
      next_updated_at: updatedAt,
      open_amendments: openAmendments,
      supporting_parties: supportingParties,
      ...proposal
    } = row;
    if (version === null || updatedAt === null) return { committed: false, proposal, figures: null };
    // the figures after the revision: its text's brackets (none: the text was taken as sent, and
    // the statement wrote it only when no clause was bracketed), amendments and votes as they are
    const figures = { proposalId: id, openBrackets: countOpenBrackets(clauses), openAmendments, supportingParties };
    return { committed: true, proposal: Object.assign(proposal, { version, clauses, textHash: hash, updatedAt }), figures };
  }

  async setStatus(tx: Tx, p: ProposalEntity, status: ProposalEntity['status']): Promise<void> {
    await tx.em.update(ProposalEntity, { id: p.id }, { status, updatedAt: new Date() });
    p.status = status;
  }

  versions(proposalId: string): Promise<ProposalVersionEntity[]> {
    return this.em.find(ProposalVersionEntity, { where: { proposalId }, order: { number: 'ASC' } });
  }

  versionsNumbered(proposalId: string, numbers: number[], tx?: Tx): Promise<ProposalVersionEntity[]> {
    return (tx?.em ?? this.em).find(ProposalVersionEntity, { where: { proposalId, number: In(numbers) } });
  }

  // amendments
  async amendmentOrThrow(id: string, tx?: Tx): Promise<AmendmentEntity> {
    if (!isUuid(id)) throw notFound();
    const a = await (tx?.em ?? this.em).findOne(AmendmentEntity, { where: { id } });
    if (!a) throw notFound();
    return a;
  }

  // `proposalId`: only an amendment of that proposal (another room's is not found, nor locked)
  async lockAmendmentOrThrow(tx: Tx, id: string, proposalId?: string): Promise<AmendmentEntity> {
    const a = await tx.em.findOne(AmendmentEntity, { where: { id, ...(proposalId ? { proposalId } : {}) }, lock: { mode: 'pessimistic_write' } });
    if (!a) throw notFound();
    return a;
  }

  insertAmendment(tx: Tx, a: Omit<AmendmentEntity, 'id' | 'createdAt' | 'resolvedAt' | 'appliedVersion' | 'status'>): Promise<AmendmentEntity> {
    return tx.em.save(tx.em.create(AmendmentEntity, { ...a, status: 'OPEN', resolvedAt: null, appliedVersion: null }));
  }

  async settleAmendment(tx: Tx, a: AmendmentEntity, status: AmendmentEntity['status'], appliedVersion: number | null = null): Promise<AmendmentEntity> {
    const resolvedAt = new Date();
    await tx.em.update(AmendmentEntity, { id: a.id }, { status, resolvedAt, appliedVersion });
    return Object.assign(a, { status, resolvedAt, appliedVersion });
  }

  amendments(proposalIds: string[], status?: AmendmentEntity['status'] | null): Promise<AmendmentEntity[]> {
    if (!proposalIds.length) return Promise.resolve([]);
    return this.em.find(AmendmentEntity, {
      where: { proposalId: In(proposalIds), ...(status ? { status } : {}) },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  // ballots
  async lockBallotOrThrow(tx: Tx, id: string): Promise<BallotEntity> {
    const b = await tx.em.findOne(BallotEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!b) throw notFound();
    return b;
  }

  openBallots(tx: Tx, proposalId: string): Promise<BallotEntity[]> {
    return tx.em.find(BallotEntity, { where: { proposalId, status: 'OPEN' } });
  }

  insertBallot(tx: Tx, b: Omit<BallotEntity, 'id' | 'createdAt' | 'status' | 'outcome' | 'tally' | 'closedAt'>): Promise<BallotEntity> {
    return tx.em.save(tx.em.create(BallotEntity, { ...b, status: 'OPEN', outcome: null, tally: null, closedAt: null }));
  }

  async closeBallot(tx: Tx, b: BallotEntity, outcome: NonNullable<BallotEntity['outcome']>, tally: NonNullable<BallotEntity['tally']>): Promise<BallotEntity> {
    const closedAt = new Date();
    await tx.em.update(BallotEntity, { id: b.id }, { status: 'CLOSED', outcome, tally, closedAt });
    return Object.assign(b, { status: 'CLOSED' as const, outcome, tally, closedAt });
  }

  ballots(proposalIds: string[]): Promise<BallotEntity[]> {
    if (!proposalIds.length) return Promise.resolve([]);
    return this.em.find(BallotEntity, { where: { proposalId: In(proposalIds) }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  // ballot ids still open past their deadline (the scheduler re-checks each under locks);
  // an archived room is read-only, so its ballots stay as they were when it was archived
  async dueBallots(limit = 100): Promise<Array<{ id: string; roomId: string }>> {
    const rows: Array<{ id: string; room_id: string }> = await this.em.query(
      `SELECT b.id, b.room_id FROM ballot b JOIN room r ON r.id = b.room_id AND r.archived_at IS NULL
        WHERE ${BALLOT_RULES_SQL.due('b')} ORDER BY b.closes_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ id: r.id, roomId: r.room_id }));
  }

  // After the room lock: the ballot if it is still open and due and no other instance holds it.
  async lockDueBallot(tx: Tx, ballotId: string): Promise<BallotEntity | null> {
    const rows: Array<{ id: string }> = await tx.em.query(`SELECT id FROM ballot b WHERE id = $1 AND ${BALLOT_RULES_SQL.due('b')} FOR UPDATE SKIP LOCKED`, [
      ballotId,
    ]);
    if (!rows.length) return null;
    return tx.em.findOne(BallotEntity, { where: { id: ballotId } });
  }

  // After the room lock (which every write of a ballot takes): the ballot and its votes, in
  // one statement, oldest vote first.
  async ballotWithVotes(tx: Tx, ballotId: string): Promise<{ ballot: BallotEntity; votes: VoteEntity[] }> {
    const rows: Array<BallotEntity & VoteRow> = await tx.em.query(
      `SELECT ${BALLOT_ROW}, ${VOTE_ROW} FROM ballot b LEFT JOIN vote v ON v.ballot_id = b.id WHERE b.id = $1 ORDER BY v.cast_at`,
      [ballotId],
    );
    if (!rows.length) throw notFound();
    const { vote_party_id: _p, vote_choice: _c, vote_reason: _r, vote_membership_id: _m, vote_cast_at: _t, ...ballot } = rows[0];
    const votes = rows
      .filter((r) => r.vote_party_id !== null)
      .map((r) => ({
        ballotId,
        partyId: r.vote_party_id!,
        choice: r.vote_choice!,
        reason: r.vote_reason,
        membershipId: r.vote_membership_id!,
        castAt: r.vote_cast_at!,
      }));
    return { ballot, votes };
  }

  // votes: one row per ballot and party, the party's latest
  async upsertVote(tx: Tx, v: VoteEntity): Promise<void> {
    await tx.em.query(
      `INSERT INTO vote (ballot_id, party_id, choice, reason, membership_id, cast_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (ballot_id, party_id) DO UPDATE SET choice = EXCLUDED.choice, reason = EXCLUDED.reason,
         membership_id = EXCLUDED.membership_id, cast_at = EXCLUDED.cast_at`,
      [v.ballotId, v.partyId, v.choice, v.reason, v.membershipId, v.castAt],
    );
  }

  // many parties' votes on one ballot in one statement (at most one per party: a batch writes
  // each party's latest), sent with the transaction's next statement when pipelined
  upsertVotes(tx: Tx, votes: VoteEntity[]): Promise<void> {
    const col = <K extends keyof VoteEntity>(k: K) => votes.map((v) => v[k]);
    return tx.execute(
      `INSERT INTO vote (ballot_id, party_id, choice, reason, membership_id, cast_at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::timestamptz[])
       ON CONFLICT (ballot_id, party_id) DO UPDATE SET choice = EXCLUDED.choice, reason = EXCLUDED.reason,
         membership_id = EXCLUDED.membership_id, cast_at = EXCLUDED.cast_at`,
      [col('ballotId'), col('partyId'), col('choice'), col('reason'), col('membershipId'), col('castAt')],
    );
  }

  votes(ballotIds: string[], tx?: Tx): Promise<VoteEntity[]> {
    if (!ballotIds.length) return Promise.resolve([]);
    return (tx?.em ?? this.em).find(VoteEntity, { where: { ballotId: In(ballotIds) }, order: { castAt: 'ASC' } });
  }

  // the clauses of one version, inside the caller's transaction (the agreement record takes them)
  async versionIn(tx: Tx, proposalId: string, number: number): Promise<ProposalVersionEntity | null> {
    return tx.em.findOne(ProposalVersionEntity, { where: { proposalId, number } });
  }

  // for progress: a proposal's three convergence figures now, from its state rows, inside the
  // caller's transaction. `ballotId` stands for the proposal of a vote.cast event. An open
  // SECRET_UNTIL_CLOSE ballot counts no supporters: the count itself would leak.
  async convergenceFigures(tx: Tx, ref: { proposalId: string | null; ballotId: string | null }): Promise<ConvergenceFigures | null> {
    return (await this.convergenceOf(tx, ref))?.figures ?? null;
  }

  // The same, with the ballot whose SUPPORT votes the figures count (the proposal's latest
  // whole-text ballot when it is not sealed; null when none counts): a batch of votes derives
  // the figures after each of its votes from these and the votes it read.
  async convergenceOf(
    tx: Tx,
    ref: { proposalId: string | null; ballotId: string | null },
  ): Promise<{ figures: ConvergenceFigures; countedBallotId: string | null } | null> {
    const rows: Array<{
      proposal_id: string;
      open_brackets: number;
      open_amendments: number;
      supporting_parties: number;
      counted_ballot_id: string | null;
    }> = await tx.em.query(
      `SELECT p.id AS proposal_id, CASE WHEN NOT ${BALLOT_RULES_SQL.sealed('wb')} THEN wb.id END AS counted_ballot_id,
         (SELECT count(*) FROM jsonb_array_elements(p.clauses) c WHERE jsonb_array_length(c->'alternatives') > 0)::int AS open_brackets,
         (SELECT count(*) FROM amendment a WHERE a.proposal_id = p.id AND a.status = 'OPEN')::int AS open_amendments,
         (SELECT count(*) FROM vote v JOIN party pa ON pa.id = v.party_id AND pa.room_id = p.room_id
           WHERE v.ballot_id = wb.id AND v.choice = 'SUPPORT' AND NOT ${BALLOT_RULES_SQL.sealed('wb')})::int AS supporting_parties
       FROM proposal p
       LEFT JOIN LATERAL (${BALLOT_RULES_SQL.latestWholeText('p.id')}) wb ON true
       WHERE p.id = COALESCE($1::uuid, (SELECT proposal_id FROM ballot WHERE id = $2::uuid))`,
      [ref.proposalId, ref.ballotId],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      figures: { proposalId: r.proposal_id, openBrackets: r.open_brackets, openAmendments: r.open_amendments, supportingParties: r.supporting_parties },
      countedBallotId: r.counted_ballot_id,
    };
  }

  // for reminders, after the room lock: whether the ballot still takes votes, and who has not voted
  async ballotAwaiting(tx: Tx, ballotId: string): Promise<{ proposalId: string; open: boolean; awaiting: Array<{ id: string; name: string }> }> {
    const [b]: Array<{ proposal_id: string; open: boolean }> = await tx.em.query(
      `SELECT proposal_id, ${BALLOT_RULES_SQL.acceptsVotes('b')} AS open FROM ballot b WHERE id = $1`,
      [ballotId],
    );
    const awaiting: Array<{ id: string; name: string }> = await tx.em.query(
      `SELECT p.id, p.name FROM party p JOIN ballot b ON b.room_id = p.room_id AND b.id = $1
       WHERE ${BALLOT_RULES_SQL.awaiting('p', 'b')}
       ORDER BY p.created_at, p.name`,
      [ballotId],
    );
    return { proposalId: b.proposal_id, open: b.open, awaiting };
  }
}

export interface ConvergenceFigures {
  proposalId: string;
  openBrackets: number;
  openAmendments: number;
  supportingParties: number;
}
