import type { Logger } from '@parley/common';

interface EnginePacket {
  data?: unknown;
}
interface EngineSocket {
  id: string;
  transport: { name: string; writable?: boolean; socket?: { bufferedAmount?: number; terminate?(): void } };
  on(event: 'packetCreate', fn: (packet: EnginePacket) => void): void;
  on(event: 'flush', fn: () => void): void;
  close(discard?: boolean): void;
}
interface Engine {
  on(event: 'connection', fn: (socket: EngineSocket) => void): void;
}

const byteSize = (data: unknown): number =>
  typeof data === 'string' ? Buffer.byteLength(data) : data instanceof ArrayBuffer || ArrayBuffer.isView(data) ? data.byteLength : 0;

// A client that stops reading makes the server hold what it cannot send: first in the
// WebSocket's buffer, then in the engine.io socket's write buffer. Once that backlog passes
// `limit` bytes the connection is cut (terminated, not closed: a close would wait for the
// backlog to drain). One packet bigger than the limit still goes to a client that reads.
export function dropSlowReaders(engine: Engine, limit: number, log: Logger): void {
  // A broadcast hands the same encoded packet to every socket of its room: its size is
  // measured once, not once per socket (the last one measured is remembered, per engine).
  let lastData: unknown = null;
  let lastSize = 0;
  const sizeOf = (data: unknown): number => {
    if (data !== lastData) [lastData, lastSize] = [data, byteSize(data)];
    return lastSize;
  };
  engine.on('connection', (conn) => {
    let queued = 0; // bytes in conn.writeBuffer, i.e. not yet handed to the transport
    let dropped = false;
    conn.on('flush', () => {
      queued = 0;
    });
    conn.on('packetCreate', (packet) => {
      if (dropped) return;
      const backlog = queued + (conn.transport.socket?.bufferedAmount ?? 0);
      // nothing held and the transport free: the packet leaves at once (the flush that sends
      // it sets `queued` back to 0), so its size need not be measured
      if (backlog === 0 && conn.transport.writable === true) return;
      const size = sizeOf(packet.data);
      queued += size;
      if (backlog === 0 || backlog + size <= limit) return;
      dropped = true;
      log.warn({ socket: conn.id, backlogBytes: backlog + size, limitBytes: limit }, 'live socket dropped: it stopped reading');
      setImmediate(() => {
        if (conn.transport.name === 'websocket' && conn.transport.socket?.terminate) conn.transport.socket.terminate();
        else conn.close(true);
      });
    });
  });
}
