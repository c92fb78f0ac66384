import { AgreementsModule } from '@parley/agreements';
import { IdentityModule } from '@parley/identity';
import { RoomsModule } from '@parley/rooms';

// The capability modules that make up the API, in one list for the server and for the
// schema printer.
export const FEATURE_MODULES = [IdentityModule, RoomsModule, AgreementsModule];
