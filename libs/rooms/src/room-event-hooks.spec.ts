import { describe, expect, it } from '@jest/globals';
import type { Tx, TransactionRunner } from '@parley/database';
import { RoomEventBus } from './room-event-bus';
import type { RoomAccessService } from './room-access.service';
import { RoomEventsService } from './room-events.service';

// a transaction that fails the test if anything is read or written through it
const untouchable = new Proxy({} as Tx, {
  get: () => {
    throw new Error('the transaction was used');
  },
});

const service = () => new RoomEventsService({} as TransactionRunner, new RoomEventBus(), {} as RoomAccessService);

describe('room event hooks', () => {
  it('refuses to append before the hooks are registered, touching nothing', async () => {
    await expect(service().append(untouchable, { roomId: 'r', type: 'room.archived', actor: null, payload: {} })).rejects.toThrow(/hooks are not registered/);
  });

  it('takes its hooks once', () => {
    const events = service();
    events.registerHooks([]);
    expect(() => events.registerHooks([])).toThrow(/registered once/);
  });
});
