import { Injectable } from '@nestjs/common';
import { MessageBatch, type SendOutcome, type SendRequest } from './message-batch';

// a batch never grows past this many messages (one transaction's statements stay small)
export const BATCH_MAX = 256;

interface Pending {
  request: SendRequest;
  resolve(outcome: SendOutcome): void;
  reject(error: unknown): void;
}

// Group commit for message:send, one per instance. A request arriving while no batch is
// being written starts one at once (no wait at low load); requests arriving while a batch
// commits wait and go together in the next, in arrival order: one transaction, one fsync,
// for all of them. Every outcome is handed out only after its batch committed. A batch that
// fails is written again one request at a time, so a request that breaks a statement fails
// alone.
@Injectable()
export class MessageWriter {
  private readonly queue: Pending[] = [];
  private writing = false;

  constructor(private readonly batch: MessageBatch) {}

  write(request: SendRequest): Promise<SendOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    if (this.writing || !this.queue.length) return;
    this.writing = true;
    const batch = this.queue.splice(0, BATCH_MAX);
    void this.commit(batch).finally(() => {
      this.writing = false;
      this.next();
    });
  }

  private async commit(batch: Pending[]): Promise<void> {
    let outcomes: SendOutcome[];
    try {
      outcomes = await this.batch.write(batch.map((p) => p.request));
    } catch (e) {
      if (batch.length === 1) return batch[0].reject(e);
      for (const p of batch) await this.commit([p]);
      return;
    }
    outcomes.forEach((o, i) => batch[i].resolve(o));
  }
}
