import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { SOCKET_FRAME_MAX_BYTES } from '@parley/common';
import { connectLive, sleep, startApp, type LiveClient, type TestApp } from '../support/harness';
import { joinRoom, send } from '../support/live';
import { newRoom, type TestUser } from '../support/factories';
import { buildWorld, expectIntact, type HostileWorld } from './support/fixtures';
import { brief, HOSTILE_RUNS, HOSTILE_SEED, hostileString, pool, problemsOfErrors, wrongType } from './support/inputs';

// The share of the run's inputs this file tries (PARLEY_HOSTILE_RUNS in all, 5 000 by default).
const INPUTS = Math.ceil(HOSTILE_RUNS * 0.3);
const EVENTS = ['room:join', 'room:leave', 'message:send', 'message:edit', 'message:redact', 'typing'];
// the client refuses to emit these itself
const LOGIN = `mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token } }`;
const RESERVED = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);

describe('hostile socket inputs', () => {
  let app: TestApp;
  let world: HostileWorld;
  const sockets: Array<{ name: string; c: LiveClient }> = [];
  beforeAll(async () => {
    app = await startApp();
    world = await buildWorld(app);
    const [a, b] = world.rooms;
    const users = [
      ['facilitator', a.facilitator],
      ['negotiator', a.negotiators[0]],
      ['negotiator-2', a.negotiators[1]],
      ['observer', a.observer],
      ['negotiator-b', b.negotiators[1]],
      ['outsider', world.outsider],
    ] as const;
    // a session per socket: the event limit counts per session (60 in 10 s), and four
    // sockets of one session at 5 events a second each would mostly try the limit, not the
    // handlers (the limit has its own test below)
    const session = async (u: TestUser) => (await app.anon.ok<{ login: { token: string } }>(LOGIN, { email: u.email, password: u.password })).login.token;
    for (const [name, u] of users)
      for (let i = 0; i < 4; i++) sockets.push({ name, c: await connectLive(app.server.url, i === 0 ? u.client.token : await session(u)) });
    // real messages to edit and redact
    for (const room of [a, b]) {
      const c = await connectLive(app.server.url, room.negotiators[0].client.token);
      await joinRoom(c, room.id);
      for (let i = 0; i < 3; i++) world.pool.ids.push((await send(c, room.id, `seed ${i}`)).id);
      world.pool.ids.push(`party:${room.parties[0].id}`);
      c.close();
    }
  }, 180_000);
  afterAll(async () => {
    for (const s of sockets) s.c.close();
    await app?.close();
  });

  const id = () =>
    fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...world.pool.ids) },
      { weight: 2, arbitrary: fc.uuid() },
      { weight: 2, arbitrary: hostileString },
      { weight: 1, arbitrary: wrongType },
    );
  const text = () =>
    fc.oneof({ weight: 5, arbitrary: hostileString }, { weight: 1, arbitrary: wrongType }, { weight: 1, arbitrary: fc.constant('x'.repeat(70_000)) });
  const thread = () =>
    fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      id().map((v) => (typeof v === 'string' && !v.includes(':') ? `proposal:${v}` : v)),
      hostileString,
      wrongType,
    );
  const payloadFor = (event: string): fc.Arbitrary<unknown> => {
    const shapes: Record<string, fc.Arbitrary<unknown>> = {
      'room:join': fc.record(
        { roomId: id(), afterSeq: fc.oneof(fc.integer({ min: -2, max: 50 }), fc.integer(), wrongType), proofs: fc.oneof(fc.boolean(), wrongType) },
        { requiredKeys: [] },
      ),
      'room:leave': fc.record({ roomId: id() }, { requiredKeys: [] }),
      'message:send': fc.record({ roomId: id(), body: text(), thread: thread(), clientMsgId: fc.oneof(fc.uuid(), hostileString) }, { requiredKeys: [] }),
      'message:edit': fc.record({ messageId: id(), body: text() }, { requiredKeys: [] }),
      'message:redact': fc.record({ messageId: id() }, { requiredKeys: [] }),
      typing: fc.record({ roomId: id(), thread: thread() }, { requiredKeys: [] }),
    };
    return fc.oneof({ weight: 8, arbitrary: shapes[event] }, { weight: 1, arbitrary: wrongType }, { weight: 1, arbitrary: fc.constant(undefined) });
  };
  const input = () =>
    fc
      .record({
        event: fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom(...EVENTS) },
          { weight: 1, arbitrary: hostileString.filter((e) => !RESERVED.has(e) && e.length < 5_000) },
          { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'room:event', 'presence', 'error', 'room:committed') },
        ),
        socket: fc.nat(sockets.length - 1),
        ack: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
        extra: fc.oneof({ weight: 9, arbitrary: fc.constant([] as unknown[]) }, { weight: 1, arbitrary: fc.array(wrongType, { maxLength: 3 }) }),
      })
      .chain((r) => payloadFor(EVENTS.includes(r.event) ? r.event : 'room:join').map((payload) => ({ ...r, payload })));

  it(
    `answers ${INPUTS} generated socket events with contract codes only, then is intact`,
    async () => {
      const started = Date.now();
      const inputs = fc.sample(input(), { numRuns: INPUTS, seed: HOSTILE_SEED });
      const problems: string[] = [];
      const answers = new Map<string, number>();
      let tried = 0;
      // each socket sends one event at a time, at most 5 a second (its session's limit is 60 in 10 s)
      const bySocket = sockets.map((_, i) => inputs.filter((x) => x.socket === i));
      const run = async (list: typeof inputs, i: number): Promise<void> => {
        const { c, name } = sockets[i];
        for (const x of list) {
          const t0 = Date.now();
          tried += 1;
          const args = x.payload === undefined ? [...x.extra] : [x.payload, ...x.extra];
          if ((JSON.stringify([x.event, ...args]) ?? '').length > SOCKET_FRAME_MAX_BYTES) {
            // past the frame limit the connection is closed (code 1009); the client reconnects
            const closed = new Promise<unknown>((r) => c.socket.once('disconnect', (_reason, details: any) => r(details?.context?.code)));
            c.socket.emit(x.event, ...args);
            let timer: NodeJS.Timeout | undefined;
            const code = await Promise.race([closed, new Promise((r) => (timer = setTimeout(() => r('still open'), 20_000)))]);
            clearTimeout(timer);
            answers.set(`closed ${code}`, (answers.get(`closed ${code}`) ?? 0) + 1);
            if (code !== 1009 && problems.length < 20) problems.push(`${x.event} of over 1 MB from ${name}: ${String(code)}`);
            sockets[i].c = await connectLive(app.server.url, c.socket.auth && (c.socket.auth as { token: string }).token);
            return run(list.slice(list.indexOf(x) + 1), i);
          }
          if (!x.ack) {
            c.socket.emit(x.event, ...args);
          } else {
            let ack: any;
            try {
              ack = await c.socket.timeout(20_000).emitWithAck(x.event, ...args);
            } catch (e) {
              ack = { timeout: String(e) };
            }
            const outcome = ack?.ok === true ? 'ok' : String(ack?.error?.code);
            answers.set(outcome, (answers.get(outcome) ?? 0) + 1);
            const found =
              ack?.ok === true
                ? []
                : ack?.ok === false
                  ? problemsOfErrors([{ message: ack.error?.message, extensions: { code: ack.error?.code } }])
                  : [`answer ${brief(ack)}`];
            if (found.length && problems.length < 20)
              problems.push(`${x.event} from ${name} with ${brief(args).slice(0, 200)}: ${found.join('; ')} (answer ${brief(ack)})`);
          }
          if (!c.socket.connected && problems.length < 20) problems.push(`${name}'s socket was disconnected after ${x.event} ${brief(args)}`);
          await sleep(Math.max(0, 200 - (Date.now() - t0)));
        }
      };
      await pool(bySocket, sockets.length, run);
      const seconds = (Date.now() - started) / 1000;
      console.log(
        `hostile sockets: ${tried} events on ${sockets.length} sockets in ${seconds.toFixed(1)} s (seed ${HOSTILE_SEED}); answers ${JSON.stringify(Object.fromEntries(answers))}`,
      );
      expect(problems).toEqual([]);
      expect(tried).toBe(INPUTS);
      await expectIntact(app, world);
    },
    Math.max(300_000, HOSTILE_RUNS * 60),
  );

  // The socket event limit counts per session, all its sockets together
  // (PARLEY_SOCKET_EVENTS_PER_10S, 60 here): each storming socket has a session of its own
  // (one login each), so the storm is answered on its merits, and each flooding session is
  // refused past its own limit without slowing anyone else.
  it('survives join/leave storms and floods, with presence right after', async () => {
    // a room of its own: the fuzz above leaves sockets joined to the world's rooms
    const room = await newRoom(app.anon, { parties: ['Storm A', 'Storm B'] });
    const stormer = room.negotiators[1];
    const session = async () => (await app.anon.ok<{ login: { token: string } }>(LOGIN, { email: stormer.email, password: stormer.password })).login.token;
    const storm = await Promise.all(Array.from({ length: 6 }, async () => connectLive(app.server.url, await session())));
    // 6 sockets × 40 join/leave at once (40 per session, under its 60): every join is
    // accepted; a leave that overtook its socket's join is NOT_FOUND
    const calls = storm.flatMap((c) =>
      Array.from({ length: 40 }, (_, i) => ({
        kind: i % 2 ? 'room:leave' : 'room:join',
        ack: c.call(i % 2 ? 'room:leave' : 'room:join', { roomId: room.id }),
      })),
    );
    const acks = await Promise.all(calls.map(async (x) => ({ kind: x.kind, ack: await x.ack })));
    for (const { kind, ack } of acks) {
      if (kind === 'room:join') expect(ack).toMatchObject({ ok: true });
      else expect(ack.ok === true || ack.error?.code === 'NOT_FOUND').toBe(true);
    }
    expect(acks.filter((a) => a.ack.error?.code === 'RATE_LIMITED')).toEqual([]);

    // a bystander in the room, with a session of its own, watching
    const watcher = await connectLive(app.server.url, room.facilitator.client.token);
    await joinRoom(watcher, room.id);
    const speaker = await connectLive(app.server.url, room.negotiators[0].client.token);
    await joinRoom(speaker, room.id);
    // three fresh sessions flood 200 events each, all at once: each gets exactly its own 60
    // (the window opens at its first event), the rest RATE_LIMITED, every one answered
    const flooders = await Promise.all(Array.from({ length: 3 }, async () => connectLive(app.server.url, await session())));
    const t0 = Date.now();
    const flooding = flooders.map((c) => Promise.all(Array.from({ length: 200 }, (_, i) => c.call(i % 2 ? 'typing' : 'room:join', { roomId: room.id }))));
    // meanwhile the bystanders' messages go through and arrive live
    const during = await send(speaker, room.id, `during the flood ${randomUUID()}`);
    await watcher.waitFor('room:event', (e) => e.seq === during.seq, 10_000);
    const floods = await Promise.all(flooding);
    const elapsed = Date.now() - t0;
    for (const flood of floods) {
      expect(flood.every((a) => a.ok === true || a.error?.code === 'RATE_LIMITED')).toBe(true);
      const accepted = flood.filter((a) => a.ok === true).length;
      // a flood that outlasted one 10 s window may get a second window's 60
      if (elapsed < 10_000) expect(accepted).toBe(60);
      else expect(accepted).toBeLessThanOrEqual(120);
      expect(flood.filter((a) => a.error?.code === 'RATE_LIMITED').length).toBe(200 - accepted);
    }
    // a flooded session's other socket is refused too: the limit is the session's
    const again = await connectLive(app.server.url, (flooders[0].socket.auth as { token: string }).token);
    if (elapsed < 9_000) expect((await again.call('room:join', { roomId: room.id })).error?.code).toBe('RATE_LIMITED');
    again.close();

    // presence right after: the stormer's and flooders' sockets close, so the room shows the
    // facilitator and the speaker only; a fresh socket of the stormer shows it again
    for (const c of [...storm, ...flooders]) c.close();
    const membership = (u: TestUser) => room.membershipIds.get(u.id)!;
    const onlineIs = (ids: string[]) => (p: { roomId: string; online: string[]; count: number }) =>
      p.roomId === room.id && p.count === ids.length && [...p.online].sort().join() === [...ids].sort().join();
    const mark = watcher.received.length;
    const after = (ids: string[]) =>
      new Promise<void>((resolve, reject) => {
        const until = Date.now() + 10_000;
        const tick = () => {
          const last = watcher.received
            .slice(mark)
            .filter((r) => r.event === 'presence' && r.data.roomId === room.id)
            .at(-1);
          if (last && onlineIs(ids)(last.data)) return resolve();
          if (Date.now() > until) return reject(new Error(`presence is ${JSON.stringify(last?.data)}, not ${JSON.stringify(ids)}`));
          setTimeout(tick, 100);
        };
        tick();
      });
    await after([membership(room.facilitator), membership(room.negotiators[0])]);
    const fresh = await connectLive(app.server.url, await session());
    await joinRoom(fresh, room.id);
    await after([membership(room.facilitator), membership(room.negotiators[0]), membership(stormer)]);
    const m = await send(fresh, room.id, `after the storm ${randomUUID()}`);
    await watcher.waitFor('room:event', (e) => e.seq === m.seq, 10_000);
    fresh.close();
    await after([membership(room.facilitator), membership(room.negotiators[0])]);
    for (const c of [watcher, speaker]) c.close();
    await expectIntact(app, { ...world, rooms: [...world.rooms, room] });
  });
});
