import { Module, type OnModuleInit } from '@nestjs/common';
import { AgreementRecorder, AgreementsModule } from '@parley/agreements';
import { BallotsService, NegotiationModule } from '@parley/negotiation';
import { ConvergenceService, ProgressModule } from '@parley/progress';
import { RoomsModule, RoomEventsService } from '@parley/rooms';

// Every piece of state derived from room events, in the order it runs: each hook's `record`
// runs inside the transaction that appends an event, after the event row is written, so the
// derived state commits or rolls back with it. Appending before these are registered fails.
//  - AgreementRecorder (agreements): proposal.adopted → the agreement record
//  - ConvergenceService (progress): NEGOTIATION_EVENTS → a point of the convergence series,
//    except the ballot's events (FIGURES_HANDED_BY_WRITER in libs/negotiation), whose writer
//    hands their figures to the same service as its ConvergenceSink, registered here too
//    (negotiation does not depend on progress; castVote's path never comes back to it)
@Module({ imports: [RoomsModule, NegotiationModule, AgreementsModule, ProgressModule] })
export class RoomEventHooksModule implements OnModuleInit {
  constructor(
    private readonly events: RoomEventsService,
    private readonly ballots: BallotsService,
    private readonly agreementRecorder: AgreementRecorder,
    private readonly convergence: ConvergenceService,
  ) {}

  onModuleInit(): void {
    this.events.registerHooks([this.agreementRecorder, this.convergence]);
    this.ballots.useConvergence(this.convergence);
  }
}
