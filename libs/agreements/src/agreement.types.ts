import { Field, GraphQLISODateTime, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { PartyType, type RoomScope } from '@parley/rooms';
import { ClauseType } from '@parley/negotiation';
import type { AgreementEntity, AgreementStatus, CommitmentStatus } from './agreement.entities';

// an agreement's sign-off so far: the parties that signed it, and those that consented to publish it
export interface SignOffSets {
  signed: ReadonlySet<string>;
  consented: ReadonlySet<string>;
}

export const AgreementStatusEnum = { AWAITING_SIGNATURES: 'AWAITING_SIGNATURES', SIGNED: 'SIGNED', PUBLISHED: 'PUBLISHED' } as const;
registerEnumType(AgreementStatusEnum, { name: 'AgreementStatus' });

export const CommitmentStatusEnum = { SEALED: 'SEALED', BINDING: 'BINDING', LAPSED: 'LAPSED' } as const;
registerEnumType(CommitmentStatusEnum, { name: 'CommitmentStatus' });

@ObjectType('Agreement')
export class AgreementType {
  @Field(() => ID) id: string;
  @Field(() => ID) proposalId: string;
  @Field(() => Int) version: number;
  @Field() textHash: string;
  @Field(() => AgreementStatusEnum) status: AgreementStatus;
  @Field(() => [ClauseType]) clauses: ClauseType[];
  @Field(() => GraphQLISODateTime, { nullable: true }) commitmentsResolvedAt: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) embargoUntil: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) publishedAt: Date | null;
  @Field(() => String, { nullable: true }) publicSlug: string | null;
  // who is looking, and the row, for the field resolvers
  scope: RoomScope;
  entity: AgreementEntity;
}

// an adopted text has no open brackets, so its clauses carry no alternatives
export function agreementClauses(a: AgreementEntity): ClauseType[] {
  return a.clauses.map((c) => ({ key: c.key, heading: c.heading ?? null, text: c.text, alternatives: [] }));
}

export function toAgreementType(a: AgreementEntity, scope: RoomScope): AgreementType {
  return {
    id: a.id,
    proposalId: a.proposalId,
    version: a.version,
    textHash: a.textHash,
    status: a.status,
    clauses: agreementClauses(a),
    commitmentsResolvedAt: a.commitmentsResolvedAt,
    embargoUntil: a.embargoUntil,
    publishedAt: a.publishedAt,
    publicSlug: a.publicSlug,
    scope,
    entity: a,
  };
}

@ObjectType('Signature')
export class SignatureType {
  @Field(() => PartyType) party: PartyType;
  @Field() textHash: string;
  @Field(() => GraphQLISODateTime) signedAt: Date;
  @Field({ description: 'true when made with the party’s own key (verifiable without trusting the host)' }) partyMade: boolean;
  @Field(() => String, { nullable: true, description: 'base64 Ed25519 signature over the ASCII hex text hash' }) partySignature: string | null;
}

@ObjectType('Commitment')
export class CommitmentType {
  @Field(() => ID) id: string;
  @Field(() => PartyType) party: PartyType;
  @Field() statement: string;
  @Field(() => Int, { nullable: true }) minParties: number | null;
  @Field(() => [PartyType]) requiredParties: PartyType[];
  @Field(() => CommitmentStatusEnum) status: CommitmentStatus;
}

@ObjectType('PartyKey')
export class PartyKeyType {
  @Field(() => ID) id: string;
  @Field(() => PartyType) party: PartyType;
  @Field({ description: 'Ed25519 public key, SPKI PEM' }) publicKey: string;
  @Field(() => GraphQLISODateTime) createdAt: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) retiredAt: Date | null;
}

@InputType()
export class MakeCommitmentInput {
  @Field(() => ID) agreementId: string;
  @Field() statement: string;
  @Field(() => Int, { nullable: true }) minParties?: number | null;
  @Field(() => [ID], { nullable: true }) requiredPartyIds?: string[] | null;
}
