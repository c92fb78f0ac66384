import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, createTestDatabase, sleep, startApp, startServer, waitFor, type TestApp } from './support/harness';
import { CAST_VOTE, newRoom, roomEvents as events, vote } from './support/factories';
import { ballots, CLOSE_BALLOT, createProposal, OPEN_BALLOT, openBallot } from './support/negotiation';

describe('ballots', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp();
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  }, 30_000);

  describe('a ballot on the whole text', () => {
    // the rules themselves (latest vote counts, what closes and adopts, open brackets) are
    // the medium tier's: test/medium/ballots.medium-spec.ts
    it('refuses votes from observers, party-less facilitators, unknown ballots and over-long reasons, with the contract codes', async () => {
      const room = await newRoom(app.anon);
      const p = await createProposal(room.facilitator.client, room.id);
      const b = await openBallot(room.facilitator.client, p.id);
      expect(await room.observer.client.code(CAST_VOTE, { input: { ballotId: b.id, choice: 'SUPPORT' } })).toBe('FORBIDDEN');
      expect(await room.facilitator.client.code(CAST_VOTE, { input: { ballotId: b.id, choice: 'SUPPORT' } })).toBe('FORBIDDEN');
      expect(await room.negotiators[0].client.code(CAST_VOTE, { input: { ballotId: 'nope', choice: 'SUPPORT' } })).toBe('NOT_FOUND');
      const r = await room.negotiators[0].client.gql(CAST_VOTE, { input: { ballotId: b.id, choice: 'SUPPORT', reason: 'r'.repeat(2001) } });
      expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0].extensions?.fields).toHaveProperty(['reason']);
      expect((await ballots(room.observer.client, p.id)).ballots[0].votes).toEqual([]);
    });

    it.each([
      [{ quorum: 1.5 }, 'quorum'],
      [{ rule: 'SUPERMAJORITY' }, 'threshold'],
      [{ rule: 'MAJORITY', threshold: 0.7 }, 'threshold'],
      [{ closesAt: new Date(Date.now() - 1000).toISOString() }, 'closesAt'],
      [{ closesAt: new Date(Date.now() + 91 * 86_400_000).toISOString() }, 'closesAt'],
    ])('refuses bad settings %#', async (over, field) => {
      const room = await newRoom(app.anon, { parties: ['A'] });
      const p = await createProposal(room.facilitator.client, room.id);
      const r = await room.facilitator.client.gql(OPEN_BALLOT, { input: { proposalId: p.id, rule: 'MAJORITY', quorum: 0.5, secrecy: 'OPEN', ...over } });
      expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0].extensions?.fields).toHaveProperty([field]);
    });
  });

  describe('secrecy', () => {
    it('reveals no choice and no tally of a sealed ballot to anyone until it closes, by any route', async () => {
      const room = await newRoom(app.anon);
      const p = await createProposal(room.facilitator.client, room.id);
      const b = await openBallot(room.facilitator.client, p.id, { secrecy: 'SECRET_UNTIL_CLOSE', rule: 'MAJORITY' });
      await vote(room.negotiators[0].client, b.id, 'OPPOSE', 'too early');
      await vote(room.negotiators[1].client, b.id, 'SUPPORT', 'fine by us');
      const voted = [room.parties[0], room.parties[1]];

      for (const viewer of [room.facilitator, room.observer, room.negotiators[2]]) {
        const [ballot] = (await ballots(viewer.client, p.id)).ballots;
        expect(ballot).toMatchObject({ status: 'OPEN', outcome: null, tally: null, votes: [], votedParties: voted });
        const raw = JSON.stringify(await events(viewer.client, room.id));
        expect(raw).not.toMatch(/OPPOSE|SUPPORT|too early|fine by us/);
      }
      const [own] = (await ballots(room.negotiators[0].client, p.id)).ballots;
      expect(own.tally).toBeNull();
      expect(own.votes).toEqual([expect.objectContaining({ party: room.parties[0], choice: 'OPPOSE' })]);
      const cast = (await events(room.negotiators[0].client, room.id)).filter((e) => e.type === 'vote.cast');
      expect(cast.map((e) => e.data)).toEqual([
        { ballotId: b.id, partyId: room.parties[0].id },
        { ballotId: b.id, partyId: room.parties[1].id },
      ]);

      await room.facilitator.client.ok(CLOSE_BALLOT, { id: b.id });
      const [closed] = (await ballots(room.observer.client, p.id)).ballots;
      expect(closed).toMatchObject({ status: 'CLOSED', outcome: 'FAILED', tally: { support: 1, oppose: 1, notVoted: 1 } });
      expect(closed.votes.map((v: { choice: string }) => v.choice)).toEqual(['OPPOSE', 'SUPPORT']);
      const revealed = (await events(room.observer.client, room.id)).find((e) => e.type === 'ballot.closed')!.data;
      expect(revealed.votes).toEqual([
        { partyId: room.parties[0].id, choice: 'OPPOSE', reason: 'too early' },
        { partyId: room.parties[1].id, choice: 'SUPPORT', reason: 'fine by us' },
      ]);
    });

    it('shows choices and the running tally of an open ballot', async () => {
      const room = await newRoom(app.anon);
      const p = await createProposal(room.facilitator.client, room.id);
      const b = await openBallot(room.facilitator.client, p.id);
      await vote(room.negotiators[0].client, b.id, 'ABSTAIN');
      const [ballot] = (await ballots(room.observer.client, p.id)).ballots;
      expect(ballot.tally).toEqual({ support: 0, oppose: 0, abstain: 1, block: 0, notVoted: 2 });
      expect((await events(room.observer.client, room.id)).find((e) => e.type === 'vote.cast')?.data).toMatchObject({ choice: 'ABSTAIN' });
    });
  });

  it('200 concurrent votes from three parties leave one vote per party and an exact tally', async () => {
    const room = await newRoom(app.anon, { parties: ['A', 'B', 'C', 'D'] });
    const p = await createProposal(room.facilitator.client, room.id);
    const b = await openBallot(room.facilitator.client, p.id, { rule: 'MAJORITY', quorum: 0.5 });
    const choiceOf = ['SUPPORT', 'OPPOSE', 'BLOCK'];
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        room.negotiators[i % 3].client.gql(CAST_VOTE, { input: { ballotId: b.id, choice: choiceOf[i % 3], reason: `call ${i}` } }),
      ),
    );
    expect(results.filter((r) => r.errors)).toEqual([]);
    const rows = await app.sql(`SELECT party_id, choice FROM vote WHERE ballot_id = $1 ORDER BY party_id`, [b.id]);
    expect(rows).toHaveLength(3);
    const closed = (await room.facilitator.client.ok(CLOSE_BALLOT, { id: b.id })).closeBallot;
    expect(closed.tally).toEqual({ support: 1, oppose: 1, abstain: 0, block: 1, notVoted: 1 });
    expect(closed.outcome).toBe('FAILED');
    expect(closed.votes.map((v: { party: { name: string }; choice: string }) => [v.party.name, v.choice])).toEqual([
      ['A', 'SUPPORT'],
      ['B', 'OPPOSE'],
      ['C', 'BLOCK'],
    ]);
    expect((await events(room.observer.client, room.id)).filter((e) => e.type === 'vote.cast')).toHaveLength(200);
    expect((await room.observer.client.ok(`query($r: ID!) { verifyAuditChain(roomId: $r) { valid } }`, { r: room.id })).verifyAuditChain.valid).toBe(true);
  }, 60_000);

  it('closes a ballot at its closesAt', async () => {
    const room = await newRoom(app.anon, { parties: ['A', 'B'] });
    const p = await createProposal(room.facilitator.client, room.id);
    const b = await openBallot(room.facilitator.client, p.id, { rule: 'MAJORITY', quorum: 0.5, closesAt: new Date(Date.now() + 1500).toISOString() });
    await vote(room.negotiators[0].client, b.id, 'SUPPORT');
    // the proposal and its ballots are read one after the other: wait for both to show the close
    const after = await waitFor(
      () => ballots(room.observer.client, p.id),
      (x) => x.ballots[0].status === 'CLOSED' && x.status !== 'VOTING',
      10_000,
    );
    expect(after.ballots[0]).toMatchObject({ status: 'CLOSED', outcome: 'PASSED' });
    expect(after.status).toBe('ADOPTED');
  }, 30_000);

  it('closes a ballot whose deadline passed while no server was running', async () => {
    const db = await createTestDatabase();
    const env = { DATABASE_URL: db.url, PARLEY_OPEN_SIGNUP: 'true' };
    let server = await startServer(env);
    try {
      const room = await newRoom(new Client(server.url), { parties: ['A', 'B'] });
      const p = await createProposal(room.facilitator.client, room.id);
      const closesAt = Date.now() + 4000;
      const b = await openBallot(room.facilitator.client, p.id, { rule: 'MAJORITY', quorum: 0.5, closesAt: new Date(closesAt).toISOString() });
      await vote(room.negotiators[1].client, b.id, 'OPPOSE');
      await server.stop();
      await sleep(Math.max(0, closesAt - Date.now()) + 500);
      server = await startServer(env);
      const at = (c: Client) => c.as(room.observer.client.token);
      const after = await waitFor(
        () => ballots(at(new Client(server.url)), p.id),
        (x) => x.ballots[0].status === 'CLOSED' && x.status !== 'VOTING',
        20_000,
      );
      expect(after.ballots[0]).toMatchObject({ status: 'CLOSED', outcome: 'FAILED', tally: { support: 0, oppose: 1, notVoted: 1 } });
      expect(after.status).toBe('DRAFTING');
      const closed = (await events(at(new Client(server.url)), room.id)).filter((e) => e.type === 'ballot.closed');
      expect(closed).toHaveLength(1);
      expect(closed[0].data).toMatchObject({ ballotId: b.id, cause: 'DEADLINE' });
    } finally {
      await server.stop();
      await db.drop();
    }
  }, 120_000);
});
