import { Field, GraphQLISODateTime, Int, ObjectType } from '@nestjs/graphql';
import type { VoteChoice } from '@parley/domain';
import { BallotType, ProposalType, VoteChoiceEnum } from '@parley/negotiation';
import { PartyType } from '@parley/rooms';

@ObjectType('PartyPosition')
export class PartyPositionType {
  @Field(() => PartyType) party: PartyType;
  @Field(() => VoteChoiceEnum, { nullable: true }) choice: VoteChoice | null;
}

@ObjectType('ConvergencePoint')
export class ConvergencePointType {
  @Field(() => Int) seq: number;
  @Field(() => GraphQLISODateTime) at: Date;
  @Field(() => Int) openBrackets: number;
  @Field(() => Int) openAmendments: number;
  @Field(() => Int) supportingParties: number;
}

@ObjectType('ProposalProgress')
export class ProposalProgressType {
  @Field(() => ProposalType) proposal: ProposalType;
  @Field(() => Int) openBrackets: number;
  @Field(() => Int) openAmendments: number;
  @Field(() => BallotType, { nullable: true }) latestBallot: BallotType | null;
  @Field(() => [PartyPositionType]) positions: PartyPositionType[];
  @Field(() => [PartyType]) awaitingVote: PartyType[];
  @Field(() => [PartyType]) awaitingSignature: PartyType[];
  @Field(() => [PartyType]) awaitingPublishConsent: PartyType[];
  @Field(() => [ConvergencePointType]) convergence: readonly ConvergencePointType[];
}

@ObjectType('RoomProgress')
export class RoomProgressType {
  @Field(() => Int) partyCount: number;
  @Field(() => [ProposalProgressType]) proposals: ProposalProgressType[];
}
