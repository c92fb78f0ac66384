import { AgreementsModule } from '@parley/agreements';
import { IdentityModule } from '@parley/identity';
import { NegotiationModule } from '@parley/negotiation';
import { RoomsModule } from '@parley/rooms';
import { DiscussionModule } from '@parley/discussion';
import { LiveModule } from '@parley/live';
import { ProgressModule } from '@parley/progress';
import { InviteRedemptionModule } from './invite-redemption';
import { RoomEventHooksModule } from './room-event-hooks';

// The capability modules that make up the API, in one list for the server, the CLI and the
// schema printer. The last two connect capabilities that do not import each other: the state
// derived from room events, and the invitation redeemed at sign-up.
export const FEATURE_MODULES = [
  IdentityModule,
  RoomsModule,
  DiscussionModule,
  LiveModule,
  NegotiationModule,
  AgreementsModule,
  ProgressModule,
  RoomEventHooksModule,
  InviteRedemptionModule,
];
