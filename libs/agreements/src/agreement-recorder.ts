import { Injectable } from '@nestjs/common';
import type { Tx } from '@parley/database';
import { ProposalsService } from '@parley/negotiation';
import type { RoomEvent, RoomEventHook } from '@parley/rooms';
import { AgreementRepository } from './agreement.repository';

// A passed whole-text ballot appends proposal.adopted; the agreement record is made from it
// in that same transaction, so negotiation never touches this capability's tables and an
// adoption without its agreement cannot exist. A room event hook (apps/api/src/room-event-hooks.ts).
@Injectable()
export class AgreementRecorder implements RoomEventHook<'proposal.adopted'> {
  readonly types = new Set(['proposal.adopted'] as const);

  constructor(
    private readonly proposals: ProposalsService,
    private readonly repo: AgreementRepository,
  ) {}

  async record(tx: Tx, event: Extract<RoomEvent, { type: 'proposal.adopted' }>): Promise<void> {
    const { proposalId, version, agreementId } = event.payload;
    const adopted = await this.proposals.versionIn(tx, proposalId, version);
    if (!adopted) throw new Error(`proposal ${proposalId} has no version ${version} to adopt`);
    await this.repo.insertAgreement(tx, {
      id: agreementId,
      roomId: event.roomId,
      proposalId,
      version: adopted.number,
      textHash: adopted.textHash,
      clauses: adopted.clauses,
      status: 'AWAITING_SIGNATURES',
      adoptedHeadSeq: event.seq,
      adoptedHeadHash: event.hash,
    });
  }
}
