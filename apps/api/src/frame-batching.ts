// engine.io hands a WebSocket connection's waiting packets to its transport together (a
// flush), and the transport writes each packet as its own frame: each frame is a write(2) of
// its own. The live feed delivers a room's events in bursts (a group commit makes several
// events of one room visible at once, and a socket takes the next packet only once the
// previous write is done), so most flushes hold several packets. Corking the TCP socket while
// one flush is handed over sends its frames in one writev; frames, their order and their
// callbacks are unchanged.

interface RawSocket {
  cork(): void;
  uncork(): void;
}
interface Transport {
  name: string;
  socket?: { _socket?: RawSocket | null };
  send(packets: unknown[]): void;
}
interface EngineSocket {
  transport: Transport;
  on(event: 'upgrade', fn: (transport: Transport) => void): void;
}
interface Engine {
  on(event: 'connection', fn: (socket: EngineSocket) => void): void;
}

const batched = new WeakSet<Transport>();

function batch(transport: Transport): void {
  if (transport.name !== 'websocket' || batched.has(transport)) return;
  batched.add(transport);
  const send = transport.send.bind(transport);
  transport.send = (packets) => {
    const raw = transport.socket?._socket;
    if (packets.length < 2 || typeof raw?.cork !== 'function') return send(packets);
    raw.cork();
    try {
      send(packets);
    } finally {
      raw.uncork();
    }
  };
}

export function batchFrames(engine: Engine): void {
  engine.on('connection', (conn) => {
    batch(conn.transport);
    conn.on('upgrade', batch);
  });
}
