import { Identity1764000000000 } from './1764000000000-identity';
import { Rooms1764000000001 } from './1764000000001-rooms';
import { Negotiation1764000000002 } from './1764000000002-negotiation';
import { Discussion1764000000003 } from './1764000000003-discussion';
import { ServerKey1764000000004 } from './1764000000004-server-key';
import { Agreements1764000000005 } from './1764000000005-agreements';
import { Progress1764000000006 } from './1764000000006-progress';
import { Sessions1764000000007 } from './1764000000007-sessions';
import { EventStreams1764000000008 } from './1764000000008-event-streams';
import { EventIndexes1764000000009 } from './1764000000009-event-indexes';

// Every migration, in order. A merged migration is never edited: add a new one.
export const migrations = [
  Identity1764000000000,
  Rooms1764000000001,
  Negotiation1764000000002,
  Discussion1764000000003,
  ServerKey1764000000004,
  Agreements1764000000005,
  Progress1764000000006,
  Sessions1764000000007,
  EventStreams1764000000008,
  EventIndexes1764000000009,
];
