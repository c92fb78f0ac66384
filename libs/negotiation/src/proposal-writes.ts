import { Injectable } from '@nestjs/common';
import { TransactionRunner, type Tx } from '@parley/database';
import type { AuthUser } from '@parley/identity';
import { RoomAccessService, type RoomAccessContext, type RoomAction } from '@parley/rooms';
import type { ProposalEntity } from './negotiation.entities';
import { PROPOSAL_ROOM, ProposalRepository } from './proposal.repository';

// One write on a proposal: resolve its room (NOT_FOUND for strangers), open the transaction,
// lock the room row first as every write does, then the proposal row.
@Injectable()
export class ProposalWrites {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly repo: ProposalRepository,
    private readonly access: RoomAccessService,
  ) {}

  async run<T>(user: AuthUser, proposalId: string, action: RoomAction, work: (tx: Tx, ctx: RoomAccessContext, p: ProposalEntity) => Promise<T>): Promise<T> {
    const roomId = await this.access.roomOfOrThrow(user, PROPOSAL_ROOM, proposalId);
    return this.tx.run(async (tx) => {
      const ctx = await this.access.lock(tx, user, roomId, action);
      const p = await this.repo.lockProposalOrThrow(tx, proposalId);
      return work(tx, ctx, p);
    });
  }
}
