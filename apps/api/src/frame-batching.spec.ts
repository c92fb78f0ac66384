import { describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { io } from 'socket.io-client';
import { batchFrames } from './frame-batching';

const PACKETS = 6;

// A real socket.io server and client over loopback: six packets emitted to one socket in one
// turn of the event loop (the first leaves at once, the other five wait for its write), and
// the write calls its TCP socket made for them.
async function emitBurst(batched: boolean): Promise<{ writes: number; received: number[] }> {
  const http = createServer();
  const server = new Server(http, { serveClient: false });
  if (batched) batchFrames(server.engine as unknown as Parameters<typeof batchFrames>[0]);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const connected = new Promise<Socket>((r) => server.on('connection', r));
  const client = io(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { transports: ['websocket'], reconnection: false, forceNew: true });
  try {
    const socket = await connected;
    await new Promise<void>((r) => (client.connected ? r() : client.once('connect', () => r())));
    const raw = (socket.conn.transport as unknown as { socket: { _socket: NetSocket } }).socket._socket as NetSocket & {
      _write: (...a: unknown[]) => void;
      _writev: (...a: unknown[]) => void;
    };
    let writes = 0;
    const [write, writev] = [raw._write.bind(raw), raw._writev.bind(raw)];
    raw._write = (...a) => (writes++, write(...a));
    raw._writev = (...a) => (writes++, writev(...a));
    const received: number[] = [];
    const all = new Promise<void>((r) =>
      client.on('n', (n: number) => {
        received.push(n);
        if (received.length === PACKETS) r();
      }),
    );
    for (let n = 0; n < PACKETS; n++) socket.emit('n', n);
    await all;
    return { writes, received };
  } finally {
    client.disconnect();
    await server.close();
  }
}

describe('batchFrames', () => {
  it('sends the packets a flush holds in one write, every one of them, in order', async () => {
    const plain = await emitBurst(false);
    const batched = await emitBurst(true);
    const order = [...Array(PACKETS).keys()];
    expect(plain.received).toEqual(order);
    expect(batched.received).toEqual(order);
    // without batching a write per packet; with it, the first alone and the five that waited together
    expect(plain.writes).toBe(PACKETS);
    expect(batched.writes).toBe(2);
  });
});
