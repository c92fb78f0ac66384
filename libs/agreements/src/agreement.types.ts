import { Field, GraphQLISODateTime, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { PartyType } from '@parley/rooms';
import type { CommitmentStatus } from './agreement.entities';

export const CommitmentStatusEnum = { SEALED: 'SEALED', BINDING: 'BINDING', LAPSED: 'LAPSED' } as const;
registerEnumType(CommitmentStatusEnum, { name: 'CommitmentStatus' });

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
