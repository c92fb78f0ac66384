import { Injectable } from '@nestjs/common';
import type { Tx } from '@parley/database';
import type { AuthUser } from '@parley/identity';
import { RoomWrites, type Actor, type ActorFor, type Locked, type RoomAction } from '@parley/rooms';
import type { ProposalEntity } from './negotiation.entities';
import { PROPOSAL, ProposalRepository } from './proposal.repository';

// One write on a proposal: the room lock idiom on the proposal, then the proposal row.
@Injectable()
export class ProposalWrites {
  constructor(
    private readonly writes: RoomWrites,
    private readonly repo: ProposalRepository,
  ) {}

  async run<T, A extends RoomAction>(
    user: AuthUser,
    proposalId: string,
    action: A,
    work: (tx: Tx, actor: Locked<ActorFor<A> & Actor>, p: ProposalEntity) => Promise<T>,
  ): Promise<T> {
    return this.writes.run(async (tx) => {
      const actor = await this.writes.lock(tx, user, PROPOSAL, proposalId, action);
      const p = await this.repo.lockProposalOrThrow(tx, proposalId);
      return work(tx, actor, p);
    });
  }
}
