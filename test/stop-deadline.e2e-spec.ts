import { afterAll, describe, expect, it } from '@jest/globals';
import { connect, type Socket } from 'node:net';
import { createTestDatabase, sleep, startServer, type ServerHandle } from './support/harness';

// A stop (SIGTERM) always ends the process: whatever closing the app waits for, past
// PARLEY_STOP_DEADLINE_MS the server stops anyway, with exit code 1 and a line saying so.
// What holds the close here: a request whose body never finishes arriving (the HTTP server
// waits for it: about 11 s on its own, and then exits with 0; a clean stop's exit code 0 is
// checked in embedded-lifecycle and crash-safety).
describe('a stop that cannot close in time', () => {
  let db: { url: string; drop(): Promise<void> } | undefined;
  let server: ServerHandle | undefined;
  let socket: Socket | undefined;
  afterAll(async () => {
    socket?.destroy();
    await server?.stop('SIGKILL');
    await db?.drop();
  });

  it('ends at the deadline with exit code 1, and says why', async () => {
    db = await createTestDatabase();
    server = await startServer({ DATABASE_URL: db.url, PARLEY_STOP_DEADLINE_MS: '1000' });
    socket = connect(server.port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise<void>((r) => socket!.once('connect', () => r()));
    socket.write('POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
    await sleep(300);
    const t0 = Date.now();
    const code = await server.stop('SIGTERM');
    const ms = Date.now() - t0;
    expect(code).toBe(1);
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(6_000);
    expect(server.logs.join('\n')).toContain('the app did not close in time; stopping anyway');
  }, 60_000);
});
