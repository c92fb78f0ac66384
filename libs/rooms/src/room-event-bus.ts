import { Injectable } from '@nestjs/common';
import { Subject } from 'rxjs';
import type { RoomEvent } from './rooms.entities';

// Committed room events, in seq order per room. The live gateway is the only subscriber
// that broadcasts; nothing else sends events to clients.
@Injectable()
export class RoomEventBus {
  readonly committed = new Subject<RoomEvent>();
}
