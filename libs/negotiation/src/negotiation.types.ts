import { Field, Float, GraphQLISODateTime, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { AmendmentKind, BallotOutcome, ClauseChange, DecisionRule, DiffOp, VoteChoice } from '@parley/domain';
import { PartyType, type RoomScope } from '@parley/rooms';
import type { AmendmentStatus, BallotSecrecy, BallotStatus, ProposalEntity, ProposalStatus } from './negotiation.entities';

const values = <T extends string>(...names: T[]) => Object.fromEntries(names.map((n) => [n, n])) as { [K in T]: K };

export const ProposalStatusEnum = values('DRAFTING', 'VOTING', 'ADOPTED', 'REJECTED', 'WITHDRAWN');
export const AmendmentKindEnum = values('REPLACE', 'INSERT', 'DELETE');
export const AmendmentStatusEnum = values('OPEN', 'ACCEPTED', 'REJECTED', 'WITHDRAWN');
export const DecisionRuleEnum = values('UNANIMITY', 'CONSENSUS', 'SUPERMAJORITY', 'MAJORITY');
export const BallotSecrecyEnum = values('OPEN', 'SECRET_UNTIL_CLOSE');
export const BallotStatusEnum = values('OPEN', 'CLOSED');
export const BallotOutcomeEnum = values('PASSED', 'FAILED', 'NO_QUORUM');
export const VoteChoiceEnum = values('SUPPORT', 'OPPOSE', 'ABSTAIN', 'BLOCK');
export const DiffOpEnum = values('EQUAL', 'INSERT', 'DELETE');
export const ClauseChangeEnum = values('ADDED', 'REMOVED', 'CHANGED', 'UNCHANGED');
registerEnumType(ProposalStatusEnum, { name: 'ProposalStatus' });
registerEnumType(AmendmentKindEnum, { name: 'AmendmentKind' });
registerEnumType(AmendmentStatusEnum, { name: 'AmendmentStatus' });
registerEnumType(DecisionRuleEnum, { name: 'DecisionRule' });
registerEnumType(BallotSecrecyEnum, { name: 'BallotSecrecy' });
registerEnumType(BallotStatusEnum, { name: 'BallotStatus' });
registerEnumType(BallotOutcomeEnum, { name: 'BallotOutcome' });
registerEnumType(VoteChoiceEnum, { name: 'VoteChoice' });
registerEnumType(DiffOpEnum, { name: 'DiffOp' });
registerEnumType(ClauseChangeEnum, { name: 'ClauseChange' });

@ObjectType('Alternative')
export class AlternativeType {
  @Field(() => ID) id: string;
  @Field() text: string;
  @Field(() => PartyType, { nullable: true }) party: PartyType | null;
}

@ObjectType('Clause')
export class ClauseType {
  @Field() key: string;
  @Field(() => String, { nullable: true }) heading: string | null;
  @Field() text: string;
  @Field(() => [AlternativeType]) alternatives: AlternativeType[];
}

@ObjectType('ProposalVersion')
export class ProposalVersionType {
  @Field(() => Int) number: number;
  @Field() textHash: string;
  @Field(() => String, { nullable: true }) summary: string | null;
  @Field(() => GraphQLISODateTime) createdAt: Date;
}

@ObjectType('DiffHunk')
export class DiffHunkType {
  @Field(() => DiffOpEnum) op: DiffOp;
  @Field() text: string;
}

@ObjectType('ClauseDiff')
export class ClauseDiffType {
  @Field() key: string;
  @Field(() => ClauseChangeEnum) change: ClauseChange;
  @Field(() => String, { nullable: true }) before: string | null;
  @Field(() => String, { nullable: true }) after: string | null;
  @Field(() => [DiffHunkType]) hunks: DiffHunkType[];
}

@ObjectType('Proposal')
export class ProposalType {
  @Field(() => ID) id: string;
  @Field(() => ID) roomId: string;
  @Field() title: string;
  @Field(() => ProposalStatusEnum) status: ProposalStatus;
  @Field(() => Int) version: number;
  @Field() textHash: string;
  @Field(() => [ClauseType]) clauses: ClauseType[];
  @Field(() => Int) openBrackets: number;
  // who is looking, for the field resolvers (versions, diff, amendments, ballots, agreement)
  scope: RoomScope;
  entity: ProposalEntity;
  // set when the proposal was listed with its room's others: field resolvers load for all of
  // them at once (one query for the list, not one per proposal)
  siblings?: ProposalSiblings;
}

export class ProposalSiblings {
  private readonly loads = new Map<string, Promise<unknown>>();

  constructor(readonly ids: string[]) {}

  once<T>(key: string, load: (ids: string[]) => Promise<T>): Promise<T> {
    let pending = this.loads.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = load(this.ids);
      this.loads.set(key, pending);
    }
    return pending;
  }
}

@ObjectType('Amendment')
export class AmendmentType {
  @Field(() => ID) id: string;
  @Field(() => ID) proposalId: string;
  @Field(() => Int) baseVersion: number;
  @Field() clauseKey: string;
  @Field(() => AmendmentKindEnum) kind: AmendmentKind;
  @Field(() => String, { nullable: true }) text: string | null;
  @Field(() => String, { nullable: true }) rationale: string | null;
  @Field(() => AmendmentStatusEnum) status: AmendmentStatus;
  @Field(() => PartyType, { nullable: true }) party: PartyType | null;
  @Field(() => GraphQLISODateTime) createdAt: Date;
}

@ObjectType('Tally')
export class TallyType {
  @Field(() => Int) support: number;
  @Field(() => Int) oppose: number;
  @Field(() => Int) abstain: number;
  @Field(() => Int) block: number;
  @Field(() => Int) notVoted: number;
}

@ObjectType('Vote')
export class VoteType {
  @Field(() => PartyType) party: PartyType;
  @Field(() => VoteChoiceEnum) choice: VoteChoice;
  @Field(() => String, { nullable: true }) reason: string | null;
  @Field(() => GraphQLISODateTime) castAt: Date;
}

@ObjectType('Ballot')
export class BallotType {
  @Field(() => ID) id: string;
  @Field(() => ID) proposalId: string;
  @Field(() => ID, { nullable: true }) amendmentId: string | null;
  @Field(() => Int) version: number;
  @Field(() => DecisionRuleEnum) rule: DecisionRule;
  @Field(() => Float, { nullable: true }) threshold: number | null;
  @Field(() => Float) quorum: number;
  @Field(() => BallotSecrecyEnum) secrecy: BallotSecrecy;
  @Field(() => BallotStatusEnum) status: BallotStatus;
  @Field(() => GraphQLISODateTime, { nullable: true }) closesAt: Date | null;
  @Field(() => BallotOutcomeEnum, { nullable: true }) outcome: BallotOutcome | null;
  @Field(() => [PartyType]) votedParties: PartyType[];
  @Field(() => [VoteType]) votes: VoteType[];
  @Field(() => TallyType, { nullable: true }) tally: TallyType | null;
}

@InputType()
export class ClauseInput {
  @Field() key: string;
  @Field(() => String, { nullable: true }) heading?: string | null;
  @Field() text: string;
}

@InputType()
export class CreateProposalInput {
  @Field(() => ID) roomId: string;
  @Field() title: string;
  @Field(() => [ClauseInput]) clauses: ClauseInput[];
}

@InputType()
export class ReviseProposalInput {
  @Field(() => ID) proposalId: string;
  @Field(() => Int) expectedVersion: number;
  @Field(() => [ClauseInput]) clauses: ClauseInput[];
  @Field(() => String, { nullable: true }) summary?: string | null;
}

@InputType()
export class ProposeAmendmentInput {
  @Field(() => ID) proposalId: string;
  @Field(() => Int) baseVersion: number;
  @Field() clauseKey: string;
  @Field(() => AmendmentKindEnum) kind: AmendmentKind;
  @Field(() => String, { nullable: true }) text?: string | null;
  @Field(() => String, { nullable: true }) rationale?: string | null;
}

@InputType()
export class OpenBallotInput {
  @Field(() => ID) proposalId: string;
  @Field(() => ID, { nullable: true }) amendmentId?: string | null;
  @Field(() => DecisionRuleEnum) rule: DecisionRule;
  @Field(() => Float, { nullable: true }) threshold?: number | null;
  @Field(() => Float) quorum: number;
  @Field(() => BallotSecrecyEnum) secrecy: BallotSecrecy;
  @Field(() => GraphQLISODateTime, { nullable: true }) closesAt?: Date | null;
}

@InputType()
export class CastVoteInput {
  @Field(() => ID) ballotId: string;
  @Field(() => VoteChoiceEnum) choice: VoteChoice;
  @Field(() => String, { nullable: true }) reason?: string | null;
}
