import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { startApp, type Client, type TestApp } from './support/harness';

function demo(env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['dist/apps/cli/src/main.js', 'demo'], { env: { ...process.env, NODE_ENV: 'test', ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

const ROOM = `query($id: ID!) { room(id: $id) { title parties { id name } members { role } proposals { id version openBrackets versions { number }
  amendments { status } ballots { status secrecy outcome votedParties { name } tally { support } } } } }`;
const MESSAGES = `query($r: ID!, $t: String) { messages(roomId: $r, thread: $t, limit: 100) { body thread } }`;

describe('parley demo', () => {
  let app: TestApp;
  let first: { code: number | null; out: string; err: string };
  let roomId: string;
  const as = async (email: string): Promise<Client> => {
    const r = await app.anon.ok(`mutation($e: String!) { login(email: $e, password: "parley-demo-password") { token } }`, { e: email });
    return app.anon.as(r.login.token);
  };

  beforeAll(async () => {
    app = await startApp({ PARLEY_OPEN_SIGNUP: 'false' });
    first = await demo({ DATABASE_URL: app.db.url, PORT: '' });
    roomId = /\/rooms\/([0-9a-f-]{36})/.exec(first.out)?.[1] ?? '';
  });
  afterAll(async () => {
    await app?.close();
  });

  it('makes a room mid-negotiation and prints who can sign in', async () => {
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    for (const who of ['facilitator@', 'aurora@', 'borealis@', 'cirrus@', 'observer@']) expect(first.out).toContain(who);
    expect(first.out).toContain(`http://localhost:3000/rooms/${roomId}`);
    const fac = await as('facilitator@demo.parley.example');
    const { room } = await fac.ok(ROOM, { id: roomId });
    expect(room.parties.map((p: { name: string }) => p.name)).toEqual(['Aurora Labs', 'Borealis AI', 'Cirrus Research']);
    expect(room.members.map((m: { role: string }) => m.role).sort()).toEqual(['FACILITATOR', 'NEGOTIATOR', 'NEGOTIATOR', 'NEGOTIATOR', 'OBSERVER']);
    const [p] = room.proposals;
    expect(p.versions.length).toBeGreaterThanOrEqual(4);
    expect(p.openBrackets).toBe(1);
    expect(p.amendments.map((a: { status: string }) => a.status).sort()).toEqual(['ACCEPTED', 'OPEN']);
    const closed = p.ballots.filter((b: { status: string }) => b.status === 'CLOSED');
    const open = p.ballots.filter((b: { status: string }) => b.status === 'OPEN');
    expect(closed).toHaveLength(1);
    expect(closed[0].outcome).toBe('PASSED');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ secrecy: 'SECRET_UNTIL_CLOSE', tally: null, votedParties: [{ name: 'Borealis AI' }] });

    const roomThread = (await fac.ok(MESSAGES, { r: roomId, t: null })).messages;
    expect(roomThread.length).toBeGreaterThanOrEqual(3);
    const clause = (await fac.ok(MESSAGES, { r: roomId, t: `proposal:${p.id}:clause:3` })).messages;
    expect(clause.length).toBeGreaterThanOrEqual(3);
    const caucus = `party:${room.parties[0].id}`;
    const aurora = await as('aurora@demo.parley.example');
    expect((await aurora.ok(MESSAGES, { r: roomId, t: caucus })).messages.length).toBeGreaterThanOrEqual(1);
    const borealis = await as('borealis@demo.parley.example');
    expect(await borealis.code(MESSAGES, { r: roomId, t: caucus })).toBe('NOT_FOUND');
  });

  it('adds nothing when run again', async () => {
    const count = async () =>
      (await app.sql<{ n: string }>(`SELECT (SELECT count(*) FROM room) + (SELECT count(*) FROM app_user) + (SELECT count(*) FROM room_event) AS n`))[0].n;
    const before = await count();
    // the address printed is where `npm start` listens with the same PORT
    const again = await demo({ DATABASE_URL: app.db.url, PORT: '4123' });
    expect(again.code).toBe(0);
    expect(again.out).toContain('already there');
    expect(again.out).toContain(`http://localhost:4123/rooms/${roomId}`);
    expect(await count()).toBe(before);
  });

  it('refuses to run in production, where its password would be a way in', async () => {
    const prod = await demo({ DATABASE_URL: app.db.url, NODE_ENV: 'production' });
    expect(prod.code).toBe(2);
    expect(prod.err).toMatch(/production/);
  });
});
