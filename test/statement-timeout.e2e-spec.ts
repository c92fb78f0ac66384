import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { connectLive, startApp, type TestApp } from './support/harness';
import { newRoom } from './support/factories';
import { joinRoom, send } from './support/live';

jest.setTimeout(60_000);
const ME = `{ me { id } }`;
const CREATE_ROOM = `mutation($input: CreateRoomInput!) { createRoom(input: $input) { id } }`;

// A statement that runs past PARLEY_STATEMENT_TIMEOUT_MS is cancelled by PostgreSQL: the
// caller gets a plain error, the connection goes back to the pool, and the server goes on.
describe('statement timeout', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ PARLEY_STATEMENT_TIMEOUT_MS: '1000' });
  }, 90_000);
  afterAll(async () => {
    await app?.close();
  }, 90_000);

  it('cancels a statement stuck behind a lock with a clean error, and the server goes on', async () => {
    const room = await newRoom(app.anon);
    const fac = room.facilitator.client;
    const live = await connectLive(app.server.url, room.negotiators[0].client.token);
    await joinRoom(live, room.id);
    // another session holds the room table: every write in a room waits for it
    const locker = new pg.Client({ connectionString: app.db.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE room IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      // more stuck requests than the pool has connections: none may wedge it
      const stuck = await Promise.all(
        Array.from({ length: 25 }, () =>
          fac.gql(CREATE_ROOM, { input: { title: 'blocked', purpose: 'p', speakerAttribution: 'ATTRIBUTED', parties: ['A', 'B'] } }),
        ),
      );
      const elapsed = Date.now() - started;
      for (const r of stuck) {
        expect(r.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
        expect(r.errors?.[0]?.message).toBe('The request took too long and was cancelled; try again.');
        expect(JSON.stringify(r.errors)).not.toMatch(/canceling statement|SELECT|INSERT|room_event|at .*\.js/);
      }
      expect(elapsed).toBeLessThan(30_000);
      const ack = await live.call('message:send', { roomId: room.id, body: 'while locked', clientMsgId: 'locked-1' });
      expect(ack).toEqual({ ok: false, error: { code: 'INTERNAL_SERVER_ERROR', message: 'The request took too long and was cancelled; try again.' } });
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
    // the server goes on: reads, writes and live messages work again
    expect((await fac.ok(ME)).me.id).toBe(room.facilitator.id);
    expect(
      (await fac.ok(CREATE_ROOM, { input: { title: 'after', purpose: 'p', speakerAttribution: 'ATTRIBUTED', parties: ['A', 'B'] } })).createRoom.id,
    ).toBeTruthy();
    const m = await send(live, room.id, 'after the lock');
    expect(m.body).toBe('after the lock');
    expect(await app.sql('SELECT count(*)::int AS n FROM message WHERE client_msg_id = $1', ['locked-1'])).toEqual([{ n: 0 }]);
    live.close();
  });

  // pg-pool's default closes a connection idle for 10 s: a burst's connections then ended all
  // at once, which stalled every room's messages for 100-200 ms (docs/benchmarks.md)
  it("keeps the connections a burst opened, past pg-pool's 10 idle seconds", async () => {
    const room = await newRoom(app.anon);
    const fac = room.facilitator.client;
    const serverBackends = async () =>
      (
        await app.sql<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
        )
      )[0].n;
    // a held lock makes the burst's writes wait side by side, each on a connection of its own
    const locker = new pg.Client({ connectionString: app.db.url });
    await locker.connect();
    let burst: Promise<unknown>;
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE room IN ACCESS EXCLUSIVE MODE');
      burst = Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          fac.ok(CREATE_ROOM, { input: { title: `burst ${i}`, purpose: 'p', speakerAttribution: 'ATTRIBUTED', parties: ['A', 'B'] } }),
        ),
      );
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    await burst;
    const opened = await serverBackends();
    expect(opened).toBeGreaterThanOrEqual(12);
    await new Promise((r) => setTimeout(r, 11_500));
    expect(await serverBackends()).toBeGreaterThanOrEqual(opened);
  });

  it('refuses an invalid PARLEY_STATEMENT_TIMEOUT_MS or PARLEY_DB_POOL_SIZE at start', async () => {
    const result = await promisify(execFile)(process.execPath, ['dist/apps/api/src/main.js'], {
      env: { ...process.env, PARLEY_STATEMENT_TIMEOUT_MS: '5s', PARLEY_DB_POOL_SIZE: '0' },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/PARLEY_STATEMENT_TIMEOUT_MS must be an integer from 100 to 3600000/);
    expect(result.stderr).toMatch(/PARLEY_DB_POOL_SIZE must be an integer from 1 to 100/);
  });
});
