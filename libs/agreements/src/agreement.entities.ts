import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { AgreementBundle, Clause } from '@parley/domain';

export type AgreementStatus = 'AWAITING_SIGNATURES' | 'SIGNED' | 'PUBLISHED';

// The adopted text, frozen: recorded from the proposal.adopted event in its transaction.
@Entity('agreement')
export class AgreementEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'room_id' }) roomId: string;
  @Column('uuid', { name: 'proposal_id' }) proposalId: string;
  @Column('integer') version: number;
  @Column('text', { name: 'text_hash' }) textHash: string;
  @Column('jsonb') clauses: Clause[];
  @Column('text', { default: 'AWAITING_SIGNATURES' }) status: AgreementStatus;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'commitments_resolved_at', nullable: true }) commitmentsResolvedAt: Date | null;
  @Column('timestamptz', { name: 'embargo_until', nullable: true }) embargoUntil: Date | null;
  @Column('timestamptz', { name: 'published_at', nullable: true }) publishedAt: Date | null;
  @Column('text', { name: 'public_slug', nullable: true }) publicSlug: string | null;
  // the room stream's head at adoption: the proposal.adopted event
  @Column('integer', { name: 'adopted_head_seq', nullable: true }) adoptedHeadSeq: number | null;
  @Column('text', { name: 'adopted_head_hash', nullable: true }) adoptedHeadHash: string | null;
  // the bundle as attested right after publication; every later export serves it unchanged
  @Column('jsonb', { name: 'published_bundle', nullable: true }) publishedBundle: AgreementBundle | null;
}

@Entity('party_key')
export class PartyKeyEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'room_id' }) roomId: string;
  @Column('uuid', { name: 'party_id' }) partyId: string;
  @Column('text', { name: 'public_key_pem' }) publicKeyPem: string;
  @Column('uuid', { name: 'registered_by' }) registeredBy: string;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'retired_at', nullable: true }) retiredAt: Date | null;
}

@Entity('agreement_signature')
export class SignatureEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'agreement_id' }) agreementId: string;
  @Column('uuid', { name: 'party_id' }) partyId: string;
  @Column('uuid', { name: 'membership_id' }) membershipId: string;
  @Column('text', { name: 'text_hash' }) textHash: string;
  @Column('text', { name: 'party_signature', nullable: true }) partySignature: string | null;
  @Column('uuid', { name: 'party_key_id', nullable: true }) partyKeyId: string | null;
  @Column('timestamptz', { name: 'signed_at', default: () => 'now()' }) signedAt: Date;
}

export type CommitmentStatus = 'SEALED' | 'BINDING' | 'LAPSED';

@Entity('commitment')
export class CommitmentEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'agreement_id' }) agreementId: string;
  @Column('uuid', { name: 'party_id' }) partyId: string;
  @Column('uuid', { name: 'membership_id' }) membershipId: string;
  @Column('text') statement: string;
  @Column('integer', { name: 'min_parties', nullable: true }) minParties: number | null;
  @Column('uuid', { name: 'required_party_ids', array: true, default: () => "'{}'" }) requiredPartyIds: string[];
  @Column('text', { default: 'SEALED' }) status: CommitmentStatus;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'withdrawn_at', nullable: true }) withdrawnAt: Date | null;
}

@Entity('publish_consent')
export class PublishConsentEntity {
  @PrimaryColumn('uuid', { name: 'agreement_id' }) agreementId: string;
  @PrimaryColumn('uuid', { name: 'party_id' }) partyId: string;
  @Column('uuid', { name: 'membership_id' }) membershipId: string;
  @Column('timestamptz', { name: 'embargo_until', nullable: true }) embargoUntil: Date | null;
  @Column('timestamptz', { name: 'consented_at', default: () => 'now()' }) consentedAt: Date;
}
