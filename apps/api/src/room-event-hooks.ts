import { Module, type OnModuleInit } from '@nestjs/common';
import { AgreementRecorder, AgreementsModule } from '@parley/agreements';
import { ConvergenceService, ProgressModule } from '@parley/progress';
import { RoomsModule, RoomEventsService } from '@parley/rooms';

// Every piece of state derived from room events, in the order it runs: each hook's `record`
// runs inside the transaction that appends an event, after the event row is written, so the
// derived state commits or rolls back with it. Appending before these are registered fails.
//  - AgreementRecorder (agreements): proposal.adopted → the agreement record
//  - ConvergenceService (progress): NEGOTIATION_EVENTS → a point of the convergence series
@Module({ imports: [RoomsModule, AgreementsModule, ProgressModule] })
export class RoomEventHooksModule implements OnModuleInit {
  constructor(
    private readonly events: RoomEventsService,
    private readonly agreementRecorder: AgreementRecorder,
    private readonly convergence: ConvergenceService,
  ) {}

  onModuleInit(): void {
    this.events.registerHooks([this.agreementRecorder, this.convergence]);
  }
}
