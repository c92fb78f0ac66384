import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentUser, type AuthUser } from '@parley/identity';
import { RoomType } from '@parley/rooms';
import { AmendmentsService } from './amendments.service';
import { BallotsService } from './ballots.service';
import type { AmendmentStatus } from './negotiation.entities';
import {
  AmendmentStatusEnum,
  AmendmentType,
  BallotType,
  CastVoteInput,
  ClauseDiffType,
  CreateProposalInput,
  OpenBallotInput,
  ProposalType,
  ProposalVersionType,
  ProposeAmendmentInput,
  ReviseProposalInput,
  VoteType,
} from './negotiation.types';
import { ProposalsService } from './proposals.service';

@Resolver(() => ProposalType)
export class ProposalsResolver {
  constructor(
    private readonly proposals: ProposalsService,
    private readonly amendments: AmendmentsService,
    private readonly ballots: BallotsService,
  ) {}

  @Query(() => ProposalType)
  proposal(@CurrentUser() user: AuthUser, @Args('id', { type: () => ID }) id: string) {
    return this.proposals.proposal(user, id);
  }

  @Mutation(() => ProposalType)
  createProposal(@CurrentUser() user: AuthUser, @Args('input') input: CreateProposalInput) {
    return this.proposals.create(user, input);
  }

  @Mutation(() => ProposalType)
  reviseProposal(@CurrentUser() user: AuthUser, @Args('input') input: ReviseProposalInput) {
    return this.proposals.revise(user, input);
  }

  @Mutation(() => ProposalType)
  addAlternative(
    @CurrentUser() user: AuthUser,
    @Args('proposalId', { type: () => ID }) proposalId: string,
    @Args('clauseKey') clauseKey: string,
    @Args('text') text: string,
    @Args('expectedVersion', { type: () => Int }) expectedVersion: number,
  ) {
    return this.proposals.addAlternative(user, proposalId, clauseKey, text, expectedVersion);
  }

  @Mutation(() => ProposalType)
  resolveBracket(
    @CurrentUser() user: AuthUser,
    @Args('proposalId', { type: () => ID }) proposalId: string,
    @Args('clauseKey') clauseKey: string,
    @Args('alternativeId', { type: () => ID }) alternativeId: string,
    @Args('expectedVersion', { type: () => Int }) expectedVersion: number,
  ) {
    return this.proposals.resolveBracket(user, proposalId, clauseKey, alternativeId, expectedVersion);
  }

  @Mutation(() => ProposalType)
  withdrawProposal(@CurrentUser() user: AuthUser, @Args('proposalId', { type: () => ID }) proposalId: string) {
    return this.proposals.withdraw(user, proposalId);
  }

  @Mutation(() => ProposalType)
  acceptAmendment(
    @CurrentUser() user: AuthUser,
    @Args('id', { type: () => ID }) id: string,
    @Args('expectedVersion', { type: () => Int }) expectedVersion: number,
  ) {
    return this.amendments.accept(user, id, expectedVersion);
  }

  @ResolveField(() => [ProposalVersionType])
  versions(@Parent() proposal: ProposalType) {
    return this.proposals.versions(proposal);
  }

  @ResolveField(() => [ClauseDiffType])
  diff(@Parent() proposal: ProposalType, @Args('from', { type: () => Int }) from: number, @Args('to', { type: () => Int }) to: number) {
    return this.proposals.diff(proposal, from, to);
  }

  @ResolveField('amendments', () => [AmendmentType])
  listAmendments(@Parent() proposal: ProposalType, @Args('status', { type: () => AmendmentStatusEnum, nullable: true }) status?: AmendmentStatus | null) {
    return this.amendments.list(proposal, status);
  }

  @ResolveField('ballots', () => [BallotType])
  listBallots(@Parent() proposal: ProposalType) {
    return this.ballots.forProposal(proposal);
  }
}

@Resolver(() => RoomType)
export class RoomProposalsResolver {
  constructor(private readonly proposals: ProposalsService) {}

  @ResolveField('proposals', () => [ProposalType])
  listProposals(@Parent() room: RoomType) {
    return this.proposals.roomProposals(room.scope);
  }
}

@Resolver(() => AmendmentType)
export class AmendmentsResolver {
  constructor(private readonly amendments: AmendmentsService) {}

  @Mutation(() => AmendmentType)
  proposeAmendment(@CurrentUser() user: AuthUser, @Args('input') input: ProposeAmendmentInput) {
    return this.amendments.propose(user, input);
  }

  @Mutation(() => AmendmentType)
  withdrawAmendment(@CurrentUser() user: AuthUser, @Args('id', { type: () => ID }) id: string) {
    return this.amendments.withdraw(user, id);
  }

  @Mutation(() => AmendmentType)
  rejectAmendment(@CurrentUser() user: AuthUser, @Args('id', { type: () => ID }) id: string) {
    return this.amendments.reject(user, id);
  }
}

@Resolver(() => BallotType)
export class BallotsResolver {
  constructor(private readonly ballots: BallotsService) {}

  @Mutation(() => BallotType)
  openBallot(@CurrentUser() user: AuthUser, @Args('input') input: OpenBallotInput) {
    return this.ballots.open(user, input);
  }

  @Mutation(() => VoteType)
  castVote(@CurrentUser() user: AuthUser, @Args('input') input: CastVoteInput) {
    return this.ballots.castVote(user, input);
  }

  @Mutation(() => BallotType)
  closeBallot(@CurrentUser() user: AuthUser, @Args('ballotId', { type: () => ID }) ballotId: string) {
    return this.ballots.close(user, ballotId);
  }
}
