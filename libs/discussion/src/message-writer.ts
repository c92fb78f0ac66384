import { Injectable } from '@nestjs/common';
import { GroupCommit } from '@parley/database';
import { MessageBatch, type SendOutcome, type SendRequest } from './message-batch';

// a batch never grows past this many messages (one transaction's statements stay small)
export const BATCH_MAX = 256;

// Group commit for message:send, one queue per instance (see GroupCommit): a send arriving
// while no batch is being written starts one at once; sends arriving while a batch commits
// go together in the next, in arrival order, for every room: one transaction, one fsync.
// Every outcome is handed out only after its batch committed; a batch that fails is written
// again one send at a time, so a send that breaks a statement fails alone.
@Injectable()
export class MessageWriter {
  private readonly sends: GroupCommit<'sends', SendRequest, SendOutcome>;

  constructor(batch: MessageBatch) {
    this.sends = new GroupCommit((_, requests) => batch.write(requests), BATCH_MAX);
  }

  write(request: SendRequest): Promise<SendOutcome> {
    return this.sends.submit('sends', request);
  }
}
