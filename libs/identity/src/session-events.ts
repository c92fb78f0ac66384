import { Injectable } from '@nestjs/common';
import { Subject } from 'rxjs';

// Sessions ended by logout; the live gateway disconnects their sockets.
@Injectable()
export class SessionEvents {
  readonly revoked = new Subject<{ sessionId: string; userId: string }>();
}
