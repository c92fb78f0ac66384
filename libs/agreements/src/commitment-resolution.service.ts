import { Injectable } from '@nestjs/common';
import { resolveCommitments } from '@parley/domain';
import type { Tx } from '@parley/database';
import { RoomWrites, type MembershipEntity } from '@parley/rooms';
import type { AgreementEntity } from './agreement.entities';
import { AgreementRepository } from './agreement.repository';

// Resolving the sealed commitments of an agreement: each becomes BINDING or LAPSED at once.
@Injectable()
export class CommitmentResolutionService {
  constructor(
    private readonly writes: RoomWrites,
    private readonly repo: AgreementRepository,
  ) {}

  // Under the agreement row lock. The same step, with the same event, whether any commitment
  // was made or not: nobody learns from the path to publication that one was.
  async resolveLocked(tx: Tx, agreement: AgreementEntity, actor: MembershipEntity | null): Promise<void> {
    const agreementId = agreement.id;
    const rows = await this.repo.activeCommitments(agreementId, tx);
    const { binding } = resolveCommitments(rows.map((r) => ({ id: r.id, partyId: r.partyId, minParties: r.minParties, requiredPartyIds: r.requiredPartyIds })));
    const bindingSet = new Set(binding);
    await this.repo.settleCommitments(tx, agreementId, binding);
    agreement.commitmentsResolvedAt = new Date();
    await this.repo.updateAgreement(tx, agreementId, { commitmentsResolvedAt: agreement.commitmentsResolvedAt });
    const bound = rows.filter((r) => bindingSet.has(r.id));
    // reveals the binding commitments only; lapsed ones are never mentioned
    await this.writes.append(tx, {
      roomId: agreement.roomId,
      type: 'commitments.resolved',
      actor,
      payload: {
        agreementId,
        binding: bound.map((r) => ({ id: r.id, partyId: r.partyId, statement: r.statement, minParties: r.minParties, requiredPartyIds: r.requiredPartyIds })),
      },
    });
  }
}
