import { Field, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { PartyType } from '@parley/rooms';
import { ClauseType } from './negotiation.types';

// A minimal Agreement so Proposal.agreement answers today. Signatures, consents, commitments
// and publication are the agreements capability's (issue 7), which replaces these types;
// until then those fields answer empty lists and nulls.
export const AgreementStatusEnum = { AWAITING_SIGNATURES: 'AWAITING_SIGNATURES', SIGNED: 'SIGNED', PUBLISHED: 'PUBLISHED' } as const;
export const CommitmentStatusEnum = { SEALED: 'SEALED', BINDING: 'BINDING', LAPSED: 'LAPSED' } as const;
registerEnumType(AgreementStatusEnum, { name: 'AgreementStatus' });
registerEnumType(CommitmentStatusEnum, { name: 'CommitmentStatus' });

@ObjectType('Signature')
export class SignatureType {
  @Field(() => PartyType) party: PartyType;
  @Field() textHash: string;
  @Field(() => GraphQLISODateTime) signedAt: Date;
}

@ObjectType('Commitment')
export class CommitmentType {
  @Field(() => ID) id: string;
  @Field(() => PartyType) party: PartyType;
  @Field() statement: string;
  @Field(() => Int, { nullable: true }) minParties: number | null;
  @Field(() => [PartyType]) requiredParties: PartyType[];
  @Field(() => CommitmentStatusEnum) status: keyof typeof CommitmentStatusEnum;
}

@ObjectType('Agreement')
export class AgreementType {
  @Field(() => ID) id: string;
  @Field(() => ID) proposalId: string;
  @Field(() => Int) version: number;
  @Field() textHash: string;
  @Field(() => AgreementStatusEnum) status: string;
  @Field(() => [ClauseType]) clauses: ClauseType[];
  // filled by the agreements capability (issue 7)
  @Field(() => [SignatureType]) signatures: SignatureType[];
  @Field(() => [PartyType]) publishConsents: PartyType[];
  @Field(() => [CommitmentType]) commitments: CommitmentType[];
  @Field(() => GraphQLISODateTime, { nullable: true }) commitmentsResolvedAt: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) embargoUntil: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) publishedAt: Date | null;
  @Field(() => String, { nullable: true }) publicSlug: string | null;
}
