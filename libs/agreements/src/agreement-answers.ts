import { Injectable } from '@nestjs/common';
import { Field, GraphQLISODateTime, ObjectType } from '@nestjs/graphql';
import type { AuthUser } from '@parley/identity';
import { PartyType } from '@parley/rooms';
import { ClauseType, ProposalsService, type ProposalType } from '@parley/negotiation';
import { AgreementAccessService, type AgreementScope } from './agreement-access.service';
import { AgreementRepository } from './agreement.repository';
import { CommitmentsService } from './commitments.service';
import { PublicationService } from './publication.service';
import { SignaturesService } from './signatures.service';
import { agreementClauses, AgreementType, CommitmentType, SignatureType, toAgreementType } from './agreement.types';

@ObjectType('PublishedAgreement')
export class PublishedAgreementType {
  @Field() slug: string;
  @Field() title: string;
  @Field() textHash: string;
  @Field(() => [ClauseType]) clauses: ClauseType[];
  @Field(() => [PartyType]) parties: PartyType[];
  @Field(() => [SignatureType]) signatures: SignatureType[];
  @Field(() => [CommitmentType]) bindingCommitments: CommitmentType[];
  @Field(() => GraphQLISODateTime) publishedAt: Date;
}

// Agreement rows as GraphQL answers; the viewer's party decides what of the sealed data shows.
@Injectable()
export class AgreementAnswers {
  constructor(
    private readonly agreements: AgreementAccessService,
    private readonly repo: AgreementRepository,
    private readonly signing: SignaturesService,
    private readonly commitmentsOf: CommitmentsService,
    private readonly publication: PublicationService,
    private readonly proposals: ProposalsService,
  ) {}

  async forUser(user: AuthUser, id: string): Promise<AgreementType> {
    return this.view(await this.agreements.scope(user, id, 'read'));
  }

  async after(pending: Promise<AgreementScope>): Promise<AgreementType> {
    return this.view(await pending);
  }

  private view(scope: AgreementScope): AgreementType {
    return toAgreementType(scope.agreement, scope.access);
  }

  async ofProposal(proposal: ProposalType): Promise<AgreementType | null> {
    const { siblings } = proposal;
    const all = siblings ? await siblings.once('agreements', (ids) => this.repo.ofProposals(ids)) : await this.repo.ofProposals([proposal.id]);
    const a = all.get(proposal.id);
    return a ? toAgreementType(a, proposal.scope) : null;
  }

  signatures(a: AgreementType) {
    return this.signing.signatures(a.entity);
  }

  publishConsents(a: AgreementType) {
    return this.publication.publishConsents(a.entity);
  }

  commitments(a: AgreementType) {
    return this.commitmentsOf.visibleTo(a.entity, a.scope.membership.partyId);
  }

  async published(slug: string): Promise<PublishedAgreementType> {
    const agreement = await this.publication.publishedOrThrow(slug);
    const [title, signatures, commitments, parties] = await Promise.all([
      this.proposals.titleOf(agreement.proposalId),
      this.signing.signatures(agreement),
      this.commitmentsOf.visibleTo(agreement, null),
      this.agreements.parties(agreement.roomId),
    ]);
    return {
      slug: agreement.publicSlug!,
      title,
      textHash: agreement.textHash,
      clauses: agreementClauses(agreement),
      parties,
      signatures,
      bindingCommitments: commitments,
      publishedAt: agreement.publishedAt!,
    };
  }
}
