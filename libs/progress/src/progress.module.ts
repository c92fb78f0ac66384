import { Module } from '@nestjs/common';
import { NegotiationModule } from '@parley/negotiation';
import { ConvergenceService } from './convergence.service';
import { ProgressCsvController } from './progress-csv.controller';
import { ProgressRepository } from './progress.repository';
import { RoomProgressResolver } from './progress.resolver';
import { ProgressService } from './progress.service';

@Module({
  imports: [NegotiationModule],
  providers: [ProgressRepository, ConvergenceService, ProgressService, RoomProgressResolver],
  controllers: [ProgressCsvController],
  exports: [ProgressService],
})
export class ProgressModule {}
