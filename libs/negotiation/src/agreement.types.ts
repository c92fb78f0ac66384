import { Field, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { RoomScope } from '@parley/rooms';
import { ClauseType } from './negotiation.types';
import type { AgreementEntity } from './negotiation.entities';

// The agreement record a passed whole-text ballot creates. Signatures, consents, sealed
// commitments and the embargo are the agreements capability's fields on this same type.
export const AgreementStatusEnum = { AWAITING_SIGNATURES: 'AWAITING_SIGNATURES', SIGNED: 'SIGNED', PUBLISHED: 'PUBLISHED' } as const;
registerEnumType(AgreementStatusEnum, { name: 'AgreementStatus' });

@ObjectType('Agreement')
export class AgreementType {
  @Field(() => ID) id: string;
  @Field(() => ID) proposalId: string;
  @Field(() => Int) version: number;
  @Field() textHash: string;
  @Field(() => AgreementStatusEnum) status: string;
  @Field(() => [ClauseType]) clauses: ClauseType[];
  @Field(() => GraphQLISODateTime, { nullable: true }) commitmentsResolvedAt: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) embargoUntil: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) publishedAt: Date | null;
  @Field(() => String, { nullable: true }) publicSlug: string | null;
  // who is looking, and the row, for the field resolvers of other capabilities
  scope: RoomScope;
  entity: AgreementEntity;
}
