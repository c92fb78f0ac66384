import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { io } from 'socket.io-client';
import { connectError, connectLive, sleep, startApp, type LiveClient, type TestApp } from '../support/harness';
import { CREATE_ROOM, newRoom, newUser } from '../support/factories';
import { joinRoom, send } from '../support/live';

// What a hostile client found before the fuzzing suite existed, each pinned by a test.
describe('hostile findings', () => {
  let app: TestApp;
  const open: LiveClient[] = [];
  beforeAll(async () => {
    app = await startApp({ PARLEY_SOCKET_EVENTS_PER_10S: '100000', PARLEY_SOCKETS_PER_SESSION: '10', PARLEY_SOCKET_BUFFER_MAX_BYTES: String(2 * 1024 * 1024) });
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await app?.close();
  });
  const live = async (token: string) => {
    const c = await connectLive(app.server.url, token);
    open.push(c);
    return c;
  };

  describe('lone surrogates', () => {
    it('answers BAD_USER_INPUT for createRoom, in variables and in the document, and stores nothing', async () => {
      const u = await newUser(app.anon);
      const before = await app.sql<{ n: string }>('SELECT count(*) AS n FROM room');
      for (const title of ['\uD800', 'a\uDC00b', 'x\uDBFF', '\uDFFF\uD800']) {
        const r = await u.client.gql(CREATE_ROOM, { input: { title, purpose: 'p', speakerAttribution: 'ATTRIBUTED', parties: ['A'] } });
        expect(r.status).toBeLessThan(500);
        expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
        const p = await u.client.gql(CREATE_ROOM, { input: { title: 'ok', purpose: 'p', speakerAttribution: 'ATTRIBUTED', parties: [title] } });
        expect(p.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      }
      const inline = await fetch(`${app.server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${u.client.token}` },
        body: '{"query":"mutation { createRoom(input: {title: \\"\\ud800\\", purpose: \\"p\\", speakerAttribution: ATTRIBUTED, parties: [\\"A\\"]}) { id } }"}',
      });
      expect(inline.status).toBeLessThan(500);
      expect(((await inline.json()) as any).errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(await app.sql('SELECT count(*) AS n FROM room')).toEqual(before);
      // a well-formed pair (an emoji) is fine
      const ok = await u.client.ok(CREATE_ROOM, { input: { title: 'Room \uD83D\uDE00', purpose: 'p', speakerAttribution: 'ATTRIBUTED', parties: ['A'] } });
      expect(ok.createRoom.title).toBe('Room \uD83D\uDE00');
    });

    it('answers BAD_USER_INPUT on a socket and stores nothing', async () => {
      const room = await newRoom(app.anon, { parties: ['A'] });
      const a = await live(room.negotiators[0].client.token!);
      await joinRoom(a, room.id);
      const ack = await a.call('message:send', { roomId: room.id, body: 'bad \uD800 text', clientMsgId: randomUUID() });
      expect(ack).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT' } });
      expect(await app.sql('SELECT count(*)::int AS n FROM message WHERE room_id = $1', [room.id])).toEqual([{ n: 0 }]);
      expect((await send(a, room.id, 'fine')).body).toBe('fine');
    });
  });

  it('answers an unknown persisted query with BAD_USER_INPUT, not a 500', async () => {
    for (const body of [
      { extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } },
      { query: '{ me { id } }', extensions: { persistedQuery: { version: 1, sha256Hash: 'b'.repeat(64) } } },
      { extensions: { persistedQuery: { version: 2, sha256Hash: 'nope' } } },
      { extensions: { persistedQuery: 'x' } },
    ]) {
      const res = await fetch(`${app.server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status).toBeLessThan(500);
      const json = (await res.json()) as any;
      expect(json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    }
    const get = await fetch(
      `${app.server.url}/graphql?extensions=${encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: 'c'.repeat(64) } }))}`,
      {
        headers: { 'apollo-require-preflight': 'true' },
      },
    );
    expect(get.status).toBeLessThan(500);
  });

  it('refuses a 100 KB handshake token at once', async () => {
    const started = Date.now();
    expect(await connectError(app.server.url, { token: 't'.repeat(100_000) })).toBe('UNAUTHENTICATED');
    expect(await connectError(app.server.url, { token: { $ne: null } })).toBe('UNAUTHENTICATED');
    expect(await connectError(app.server.url, { token: 'x'.repeat(201) })).toBe('UNAUTHENTICATED');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('answers an event over 64 KB with an error the client sees, and closes a frame over 1 MB with code 1009', async () => {
    const room = await newRoom(app.anon, { parties: ['A'] });
    const a = await live(room.negotiators[0].client.token!);
    await joinRoom(a, room.id);
    const ack = await a.call('message:send', { roomId: room.id, body: 'x'.repeat(100_000), clientMsgId: randomUUID() });
    expect(ack).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', message: 'The event is larger than 64 KB.' } });
    // without an ack callback the answer comes as an 'error' event
    a.socket.emit('message:send', { roomId: room.id, body: 'y'.repeat(100_000), clientMsgId: randomUUID() });
    expect(await a.waitFor('error', (e) => e.event === 'message:send')).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(a.socket.connected).toBe(true);
    // over the frame limit: the WebSocket layer closes with 1009 "message too big"
    const b = await live(room.negotiators[0].client.token!);
    const closed = new Promise<any>((r) => b.socket.once('disconnect', (reason, details) => r({ reason, details })));
    b.socket.emit('message:send', { roomId: room.id, body: 'z'.repeat(1_100_000), clientMsgId: randomUUID() });
    const { reason, details } = await closed;
    expect(reason).toBe('transport close');
    expect(details?.context?.code ?? details?.context?.target?._closeCode).toBe(1009);
    expect((await send(a, room.id, 'still here')).body).toBe('still here');
    expect(await app.sql('SELECT count(*)::int AS n FROM message WHERE room_id = $1', [room.id])).toEqual([{ n: 1 }]);
  });

  it('caps the sockets of one session with connect_error RATE_LIMITED', async () => {
    const u = await newUser(app.anon);
    const attempts = await Promise.all(Array.from({ length: 14 }, () => connectError(app.server.url, { token: u.client.token })));
    // connectError disconnects at once; hold ten open instead
    expect(attempts.every((m) => m === null || m === 'RATE_LIMITED')).toBe(true);
    const held = await Promise.all(Array.from({ length: 10 }, () => live(u.client.token!)));
    expect(await connectError(app.server.url, { token: u.client.token })).toBe('RATE_LIMITED');
    // another session of the same user is not affected
    const other = await app.anon.ok<{ login: { token: string } }>(`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`, {
      e: u.email,
      p: u.password,
    });
    expect(await connectError(app.server.url, { token: other.login.token })).toBeNull();
    held[0].close();
    for (let i = 0; i < 50 && (await connectError(app.server.url, { token: u.client.token })) !== null; i++) await sleep(100);
    const again = await live(u.client.token!);
    expect(again.socket.connected).toBe(true);
    expect(await connectError(app.server.url, { token: u.client.token })).toBe('RATE_LIMITED');
  });

  it('drops a socket that stops reading before its backlog passes the limit, and others carry on', async () => {
    const room = await newRoom(app.anon, { parties: ['A', 'B'] });
    const writers = await Promise.all([live(room.negotiators[0].client.token!), live(room.negotiators[0].client.token!)]);
    for (const w of writers) await joinRoom(w, room.id);
    // a room log of ~1 MB: 100 messages of 10 000 characters
    await Promise.all(
      writers.map(async (w, i) => {
        for (let k = 0; k < 50; k++) await send(w, room.id, `${i}-${k}-`.padEnd(10_000, 'm'));
      }),
    );
    const healthy = await live(room.negotiators[1].client.token!);
    await joinRoom(healthy, room.id);
    // a raw client that stops reading, then asks for the whole log again and again
    const slow = io(`${app.server.url}/live`, { auth: { token: room.observer.client.token }, transports: ['websocket'], reconnection: false, forceNew: true });
    await new Promise<void>((resolve, reject) => (slow.once('connect', () => resolve()), slow.once('connect_error', reject)));
    open.push({ close: () => slow.disconnect() } as unknown as LiveClient);
    const raw = (slow.io.engine.transport as any).ws._socket as import('node:net').Socket;
    raw.pause();
    for (let i = 0; i < 55; i++) slow.emit('room:join', { roomId: room.id, afterSeq: 0 }, () => undefined);
    let line: string | undefined;
    for (let i = 0; i < 300 && !line; i++) {
      await sleep(100);
      line = app.server.logs.find((l) => l.includes('it stopped reading'));
    }
    expect(line).toBeDefined();
    const { backlogBytes, limitBytes, socket } = JSON.parse(line!);
    // only the slow one
    expect(socket).toBe(slow.io.engine.id);
    expect(app.server.logs.filter((l) => l.includes('it stopped reading'))).toHaveLength(1);
    expect(limitBytes).toBe(2 * 1024 * 1024);
    // the limit plus at most one packet (one join answer of ~1 MB); the default limit is 8 MiB
    expect(backlogBytes).toBeGreaterThan(limitBytes);
    expect(backlogBytes).toBeLessThan(limitBytes + 1.5 * 1024 * 1024);
    // the healthy client still gets events promptly
    const m = await send(writers[0], room.id, 'after the slow one');
    await healthy.waitFor('room:event', (e) => e.seq === m.seq, 5_000);
    expect(writers.every((w) => w.socket.connected)).toBe(true);
    raw.resume();
  });
});
