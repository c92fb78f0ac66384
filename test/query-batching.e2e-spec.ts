import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startApp, type TestApp } from './support/harness';
import { newRoom, vote } from './support/factories';
import { createProposal, openBallot, REVISE_PROPOSAL } from './support/negotiation';

// a room's proposals and what hangs off them load in a fixed number of statements
describe('query batching', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ PARLEY_COUNT_SQL: 'true' });
  });
  afterAll(async () => {
    await app?.close();
  });

  const ROOM_QUERY = `query($id: ID!) { room(id: $id) { proposals { id ballots { id votes { choice } tally { support } } agreement { id signatures { textHash } } } progress { partyCount } } }`;
  // every field of room { progress }, as bench/progress.bench.mjs asks it
  const PROGRESS_QUERY = `query($id: ID!) { room(id: $id) { progress {
    partyCount
    proposals {
      proposal { id title status version openBrackets }
      openBrackets openAmendments
      latestBallot { id amendmentId status secrecy outcome votedParties { id } votes { party { id } choice } tally { support oppose abstain block notVoted } }
      positions { party { id name } choice }
      awaitingVote { id name } awaitingSignature { id name } awaitingPublishConsent { id name }
      convergence { seq at openBrackets openAmendments supportingParties }
    }
  } } }`;

  async function statements(token: string, roomId: string, query = ROOM_QUERY): Promise<number> {
    const res = await fetch(`${app.server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables: { id: roomId } }),
    });
    const body = (await res.json()) as { errors?: unknown };
    expect(body.errors).toBeUndefined();
    return Number(res.headers.get('x-sql-count'));
  }

  it('does not grow with the number of proposals', async () => {
    const room = await newRoom(app.anon);
    const fac = room.facilitator.client;
    const p = await createProposal(fac, room.id);
    await openBallot(fac, p.id);
    const one = await statements(fac.token!, room.id);
    for (let i = 0; i < 5; i++) await openBallot(fac, (await createProposal(fac, room.id)).id);
    const six = await statements(fac.token!, room.id);
    expect(one).toBeGreaterThan(0);
    expect(six).toBe(one);
  });

  // issue 15: the session, the access check, then progress's four reads (parties; proposals with
  // their figure ballots and votes; sign-offs; the convergence series), whatever the room holds
  it('answers room { progress } in at most six statements, however many proposals, ballots, votes and versions', async () => {
    const room = await newRoom(app.anon);
    const fac = room.facilitator.client;
    const empty = await statements(fac.token!, room.id, PROGRESS_QUERY);
    const p = await createProposal(fac, room.id);
    const ballot = await openBallot(fac, p.id, { secrecy: 'SECRET_UNTIL_CLOSE' });
    await vote(room.negotiators[0].client, ballot.id);
    const one = await statements(fac.token!, room.id, PROGRESS_QUERY);
    for (let i = 0; i < 3; i++) {
      const q = await createProposal(fac, room.id);
      await fac.ok(REVISE_PROPOSAL, { input: { proposalId: q.id, expectedVersion: 1, clauses: [{ key: '1', heading: null, text: `Revised ${i}.` }] } });
      const b = await openBallot(fac, q.id);
      for (const n of room.negotiators) await vote(n.client, b.id, 'OPPOSE');
    }
    const more = await statements(fac.token!, room.id, PROGRESS_QUERY);
    const negotiator = await statements(room.negotiators[0].client.token!, room.id, PROGRESS_QUERY);
    expect(empty).toBeGreaterThan(0);
    expect(Math.max(empty, one, more, negotiator)).toBeLessThanOrEqual(6);
    expect([more, negotiator]).toEqual([one, one]);
  });
});
