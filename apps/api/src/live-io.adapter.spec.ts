import { describe, expect, it } from '@jest/globals';
import { closeWithin } from './live-io.adapter';

// a Redis client whose close() settles as told (or never)
function client(close: () => Promise<void>) {
  const calls = { destroyed: 0 };
  return { calls, close, destroy: () => void calls.destroyed++ };
}

describe('closeWithin', () => {
  it('closes a client that closes in time, and does not drop it', async () => {
    const c = client(() => Promise.resolve());
    expect(await closeWithin(c, 1_000)).toBe('closed');
    expect(c.calls.destroyed).toBe(0);
  });

  it('counts a close that fails as done', async () => {
    const c = client(() => Promise.reject(new Error('connection lost')));
    expect(await closeWithin(c, 1_000)).toBe('closed');
    expect(c.calls.destroyed).toBe(0);
  });

  it('drops a client whose close never settles, once the time is up', async () => {
    const c = client(() => new Promise<void>(() => undefined));
    const t0 = Date.now();
    expect(await closeWithin(c, 50)).toBe('dropped');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
    expect(c.calls.destroyed).toBe(1);
  });
});
