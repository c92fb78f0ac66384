import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { AmendmentKind, BallotOutcome, BallotSecrecy, BallotStatus, Clause, DecisionRule, Tally, VoteChoice } from '@parley/domain';

export type { BallotSecrecy, BallotStatus };

export type ProposalStatus = 'DRAFTING' | 'VOTING' | 'ADOPTED' | 'REJECTED' | 'WITHDRAWN';
export type AmendmentStatus = 'OPEN' | 'ACCEPTED' | 'REJECTED' | 'WITHDRAWN';

// The current text is kept on the proposal for reads; every text is also a proposal_version.
@Entity('proposal')
export class ProposalEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'room_id' }) roomId: string;
  @Column('text') title: string;
  @Column('text') status: ProposalStatus;
  @Column('integer') version: number;
  @Column('text', { name: 'text_hash' }) textHash: string;
  @Column('jsonb') clauses: Clause[];
  @Column('uuid', { name: 'created_by' }) createdBy: string;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
}

@Entity('proposal_version')
export class ProposalVersionEntity {
  @PrimaryColumn('uuid', { name: 'proposal_id' }) proposalId: string;
  @PrimaryColumn('integer') number: number;
  @Column('jsonb') clauses: Clause[];
  @Column('text', { name: 'text_hash' }) textHash: string;
  @Column('text', { nullable: true }) summary: string | null;
  @Column('uuid', { name: 'author_membership_id', nullable: true }) authorMembershipId: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
}

@Entity('amendment')
export class AmendmentEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'room_id' }) roomId: string;
  @Column('uuid', { name: 'proposal_id' }) proposalId: string;
  @Column('integer', { name: 'base_version' }) baseVersion: number;
  @Column('text', { name: 'clause_key' }) clauseKey: string;
  @Column('text') kind: AmendmentKind;
  @Column('text', { nullable: true }) text: string | null;
  @Column('text', { nullable: true }) rationale: string | null;
  @Column('text') status: AmendmentStatus;
  @Column('uuid', { name: 'party_id', nullable: true }) partyId: string | null;
  @Column('uuid', { name: 'author_membership_id' }) authorMembershipId: string;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'resolved_at', nullable: true }) resolvedAt: Date | null;
  @Column('integer', { name: 'applied_version', nullable: true }) appliedVersion: number | null;
}

@Entity('ballot')
export class BallotEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'room_id' }) roomId: string;
  @Column('uuid', { name: 'proposal_id' }) proposalId: string;
  @Column('uuid', { name: 'amendment_id', nullable: true }) amendmentId: string | null;
  @Column('integer') version: number;
  @Column('text') rule: DecisionRule;
  @Column('double precision', { nullable: true }) threshold: number | null;
  @Column('double precision') quorum: number;
  @Column('text') secrecy: BallotSecrecy;
  @Column('text') status: BallotStatus;
  @Column('text', { nullable: true }) outcome: BallotOutcome | null;
  @Column('jsonb', { nullable: true }) tally: Tally | null;
  @Column('timestamptz', { name: 'closes_at', nullable: true }) closesAt: Date | null;
  @Column('uuid', { name: 'opened_by' }) openedBy: string;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'closed_at', nullable: true }) closedAt: Date | null;
}

// One row per ballot and party: that party's latest vote.
@Entity('vote')
export class VoteEntity {
  @PrimaryColumn('uuid', { name: 'ballot_id' }) ballotId: string;
  @PrimaryColumn('uuid', { name: 'party_id' }) partyId: string;
  @Column('text') choice: VoteChoice;
  @Column('text', { nullable: true }) reason: string | null;
  @Column('uuid', { name: 'membership_id' }) membershipId: string;
  @Column('timestamptz', { name: 'cast_at' }) castAt: Date;
}

export const NEGOTIATION_ENTITIES = [ProposalEntity, ProposalVersionEntity, AmendmentEntity, BallotEntity, VoteEntity];
