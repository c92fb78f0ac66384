import { Injectable } from '@nestjs/common';
import { validateCommitment } from '@parley/domain';
import { badInput, invalidState, notFound } from '@parley/common';
import type { AuthUser } from '@parley/identity';
import type { Tx } from '@parley/database';
import { RoomWrites, toParty, type MembershipEntity, type PartyEntity } from '@parley/rooms';
import type { AgreementEntity, CommitmentEntity } from './agreement.entities';
import type { CommitmentType } from './agreement.types';
import { AgreementAccessService, type AgreementScope } from './agreement-access.service';
import { AgreementRepository, COMMITMENT } from './agreement.repository';
import { CommitmentResolutionService } from './commitment-resolution.service';
import { PublicationService } from './publication.service';

const ALREADY_RESOLVED = 'Commitments on this agreement are already resolved.';

// Sealed commitments: a party's conditional promise, seen by its own members alone until the
// facilitator (or the last sign-off) resolves them.
@Injectable()
export class CommitmentsService {
  constructor(
    private readonly writes: RoomWrites,
    private readonly agreements: AgreementAccessService,
    private readonly repo: AgreementRepository,
    private readonly resolution: CommitmentResolutionService,
    private readonly publication: PublicationService,
  ) {}

  // Sealed until resolution: a party sees only its own; afterwards everyone sees the
  // BINDING ones, and a party still sees its own LAPSED ones. Nothing else, ever.
  async visibleTo(agreement: AgreementEntity, viewerPartyId: string | null): Promise<CommitmentType[]> {
    const rows = await this.repo.activeCommitments(agreement.id);
    const visible = rows.filter((c) => c.partyId === viewerPartyId || c.status === 'BINDING');
    const parties = await this.agreements.partyMap(agreement.roomId);
    return visible.map((c) => this.view(c, parties));
  }

  private view(c: CommitmentEntity, parties: Map<string, PartyEntity>): CommitmentType {
    return {
      id: c.id,
      party: toParty(parties.get(c.partyId)!),
      statement: c.statement,
      minParties: c.minParties,
      requiredParties: c.requiredPartyIds
        .map((id) => parties.get(id))
        .filter((p): p is PartyEntity => !!p)
        .map(toParty),
      status: c.status,
    };
  }

  async make(
    user: AuthUser,
    input: { agreementId: string; statement: string; minParties?: number | null; requiredPartyIds?: string[] | null },
  ): Promise<CommitmentType> {
    return this.writes.run(async (tx) => {
      const { agreement, access } = await this.agreements.lockScope(tx, user, input.agreementId, 'partyAction');
      if (agreement.commitmentsResolvedAt) throw invalidState(ALREADY_RESOLVED);
      if (agreement.status === 'PUBLISHED') throw invalidState('This agreement is already published.');
      const parties = await this.agreements.partyMap(agreement.roomId, tx);
      const required = input.requiredPartyIds ?? [];
      const bad = validateCommitment({
        statement: input.statement,
        minParties: input.minParties ?? null,
        requiredPartyIds: required,
        partyCount: parties.size,
        selfPartyId: access.partyId,
        knownPartyIds: [...parties.keys()],
      });
      if (Object.keys(bad).length) throw badInput(bad);
      const row = await this.repo.insertCommitment(tx, {
        agreementId: agreement.id,
        partyId: access.partyId,
        membershipId: access.membership.id,
        statement: input.statement.trim(),
        minParties: input.minParties ?? null,
        requiredPartyIds: [...new Set(required.map((id) => id.toLowerCase()))],
      });
      await this.appendSealed(tx, 'commitment.made', agreement, row, access.membership);
      return this.view(row, parties);
    });
  }

  async withdraw(user: AuthUser, commitmentId: string): Promise<CommitmentType> {
    return this.writes.run(async (tx) => {
      // another party's commitment does not exist as far as this caller may know
      const access = await this.writes.lock(tx, user, COMMITMENT, commitmentId, 'partyAction');
      const row = await this.repo.commitmentOrThrow(tx, commitmentId);
      const agreement = await this.repo.lockAgreementOrThrow(tx, row.agreementId);
      // a commitment of another party, or one already withdrawn
      if (row.partyId !== access.partyId || row.withdrawnAt) throw notFound();
      if (agreement.commitmentsResolvedAt) throw invalidState(ALREADY_RESOLVED);
      row.withdrawnAt = new Date();
      await this.repo.withdrawCommitment(tx, row.id, row.withdrawnAt);
      await this.appendSealed(tx, 'commitment.withdrawn', agreement, row, access.membership);
      return this.view(row, await this.agreements.partyMap(agreement.roomId, tx));
    });
  }

  // sealed: only the committing party's members ever see these events
  private async appendSealed(
    tx: Tx,
    type: 'commitment.made' | 'commitment.withdrawn',
    agreement: AgreementEntity,
    row: CommitmentEntity,
    actor: MembershipEntity,
  ): Promise<void> {
    await this.writes.append(tx, {
      roomId: agreement.roomId,
      type,
      actor,
      audiencePartyId: row.partyId,
      payload: { agreementId: agreement.id, commitmentId: row.id },
    });
  }

  // the facilitator's step; publication follows if everything else is in
  async resolve(user: AuthUser, agreementId: string): Promise<AgreementScope> {
    return this.writes.run(async (tx) => {
      const scope = await this.agreements.lockScope(tx, user, agreementId, 'facilitate');
      const { agreement, access } = scope;
      if (agreement.commitmentsResolvedAt) throw invalidState(ALREADY_RESOLVED);
      await this.resolution.resolveLocked(tx, agreement, access.membership);
      await this.publication.maybePublish(tx, agreement);
      return scope;
    });
  }
}
