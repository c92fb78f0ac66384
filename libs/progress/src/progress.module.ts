import { Module } from '@nestjs/common';
import { AgreementsModule } from '@parley/agreements';
import { TransactionModule } from '@parley/database';
import { NegotiationModule } from '@parley/negotiation';
import { RoomsModule } from '@parley/rooms';
import { ConvergenceService } from './convergence.service';
import { ProgressCsvController } from './progress-csv.controller';
import { ProgressRepository } from './progress.repository';
import { RoomProgressResolver } from './progress.resolver';
import { ProgressService } from './progress.service';

@Module({
  imports: [RoomsModule, NegotiationModule, AgreementsModule, TransactionModule],
  providers: [ProgressRepository, ConvergenceService, ProgressService, RoomProgressResolver],
  controllers: [ProgressCsvController],
  exports: [ProgressService, ConvergenceService],
})
export class ProgressModule {}
