import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TransactionModule } from '@parley/database';
import { RoomsModule } from '@parley/rooms';
import { AmendmentsService } from './amendments.service';
import { BallotScheduler } from './ballot.scheduler';
import { BallotsService } from './ballots.service';
import { NEGOTIATION_ENTITIES } from './negotiation.entities';
import { NegotiationFiguresQuery } from './negotiation-figures.query';
import { AmendmentsResolver, BallotsResolver, ProposalsResolver, RoomProposalsResolver } from './negotiation.resolver';
import { ProposalWrites } from './proposal-writes';
import { ProposalRepository } from './proposal.repository';
import { ProposalsService } from './proposals.service';

@Module({
  imports: [RoomsModule, TransactionModule, TypeOrmModule.forFeature(NEGOTIATION_ENTITIES)],
  providers: [
    ProposalRepository,
    ProposalWrites,
    ProposalsService,
    AmendmentsService,
    BallotsService,
    BallotScheduler,
    NegotiationFiguresQuery,
    ProposalsResolver,
    RoomProposalsResolver,
    AmendmentsResolver,
    BallotsResolver,
  ],
  exports: [ProposalsService, AmendmentsService, BallotsService, NegotiationFiguresQuery],
})
export class NegotiationModule {}
