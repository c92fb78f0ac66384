import { Args, GraphQLISODateTime, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentUser, Public, type AuthUser } from '@parley/identity';
import { RoomType, PartyType } from '@parley/rooms';
import { ProposalType } from '@parley/negotiation';
import { SignaturesService } from './signatures.service';
import { PartyKeysService } from './party-keys.service';
import { CommitmentsService } from './commitments.service';
import { PublicationService } from './publication.service';
import { AgreementAnswers, PublishedAgreementType } from './agreement-answers';
import { AgreementType, CommitmentType, MakeCommitmentInput, PartyKeyType, SignatureType } from './agreement.types';

@Resolver(() => AgreementType)
export class AgreementsResolver {
  constructor(
    private readonly views: AgreementAnswers,
    private readonly signing: SignaturesService,
    private readonly partyKeys: PartyKeysService,
    private readonly commitmentsOf: CommitmentsService,
    private readonly publication: PublicationService,
  ) {}

  @Query(() => AgreementType)
  agreement(@CurrentUser() user: AuthUser, @Args('id', { type: () => ID }) id: string) {
    return this.views.forUser(user, id);
  }

  @ResolveField(() => [SignatureType])
  signatures(@Parent() a: AgreementType) {
    return this.views.signatures(a);
  }

  @ResolveField(() => [PartyType])
  publishConsents(@Parent() a: AgreementType) {
    return this.views.publishConsents(a);
  }

  @ResolveField(() => [CommitmentType])
  commitments(@Parent() a: AgreementType) {
    return this.views.commitments(a);
  }

  @Mutation(() => SignatureType)
  signAgreement(
    @CurrentUser() user: AuthUser,
    @Args('agreementId', { type: () => ID }) agreementId: string,
    @Args('textHash') textHash: string,
    @Args('signature', { type: () => String, nullable: true }) signature?: string | null,
  ) {
    return this.signing.sign(user, agreementId, textHash, signature);
  }

  @Mutation(() => PartyKeyType)
  registerPartyKey(@CurrentUser() user: AuthUser, @Args('roomId', { type: () => ID }) roomId: string, @Args('publicKey') publicKey: string) {
    return this.partyKeys.register(user, roomId, publicKey);
  }

  @Mutation(() => CommitmentType)
  makeCommitment(@CurrentUser() user: AuthUser, @Args('input') input: MakeCommitmentInput) {
    return this.commitmentsOf.make(user, input);
  }

  @Mutation(() => CommitmentType)
  withdrawCommitment(@CurrentUser() user: AuthUser, @Args('id', { type: () => ID }) id: string) {
    return this.commitmentsOf.withdraw(user, id);
  }

  @Mutation(() => AgreementType)
  resolveCommitments(@CurrentUser() user: AuthUser, @Args('agreementId', { type: () => ID }) agreementId: string) {
    return this.views.after(this.commitmentsOf.resolve(user, agreementId));
  }

  @Mutation(() => AgreementType)
  consentToPublish(
    @CurrentUser() user: AuthUser,
    @Args('agreementId', { type: () => ID }) agreementId: string,
    @Args('embargoUntil', { type: () => GraphQLISODateTime, nullable: true }) embargoUntil?: Date | null,
  ) {
    return this.views.after(this.publication.consent(user, agreementId, embargoUntil));
  }

  @Public()
  @Query(() => PublishedAgreementType)
  publishedAgreement(@Args('slug') slug: string) {
    return this.views.published(slug);
  }
}

@Resolver(() => RoomType)
export class RoomPartyKeysResolver {
  constructor(private readonly keys: PartyKeysService) {}

  @ResolveField(() => [PartyKeyType], { description: 'party keys, active and retired' })
  partyKeys(@Parent() room: RoomType) {
    return this.keys.partyKeys(room.id);
  }
}

@Resolver(() => ProposalType)
export class ProposalAgreementResolver {
  constructor(private readonly views: AgreementAnswers) {}

  // the agreement a passed whole-text ballot created, null until then
  @ResolveField(() => AgreementType, { nullable: true })
  agreement(@Parent() proposal: ProposalType) {
    return this.views.ofProposal(proposal);
  }
}
