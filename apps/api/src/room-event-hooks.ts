import { Module, type OnModuleInit } from '@nestjs/common';
import { AgreementRecorder, AgreementsModule } from '@parley/agreements';
import { NegotiationModule, ProposalsService } from '@parley/negotiation';
import { ConvergenceService, ProgressModule } from '@parley/progress';
import { RoomsModule, RoomEventsService } from '@parley/rooms';

// Every piece of state derived from room events, in the order it runs, each inside the
// transaction that appends its event, so the derived state commits or rolls back with it.
// Appending before these are registered fails.
//  - AgreementRecorder (agreements), a room event hook: proposal.adopted → the agreement record
//  - ConvergenceService (progress), negotiation's ConvergenceSink: after each negotiation event
//    (NEGOTIATION_EVENTS), its writer (ProposalWrites) reads the proposal's figures under the
//    room lock and hands them on → a point of the convergence series (negotiation does not
//    depend on progress; a write's path never comes back into negotiation)
@Module({ imports: [RoomsModule, NegotiationModule, AgreementsModule, ProgressModule] })
export class RoomEventHooksModule implements OnModuleInit {
  constructor(
    private readonly events: RoomEventsService,
    private readonly proposals: ProposalsService,
    private readonly agreementRecorder: AgreementRecorder,
    private readonly convergence: ConvergenceService,
  ) {}

  onModuleInit(): void {
    this.events.registerHooks([this.agreementRecorder]);
    this.proposals.useConvergence(this.convergence);
  }
}
