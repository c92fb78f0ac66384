import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startApp, type TestApp } from './support/harness';
import { newRoom } from './support/factories';
import { createProposal, openBallot } from './support/negotiation';

// a room's proposals and what hangs off them load in a fixed number of statements
describe('query batching', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ PARLEY_COUNT_SQL: 'true' });
  });
  afterAll(async () => {
    await app?.close();
  });

  async function statements(token: string, roomId: string): Promise<number> {
    const res = await fetch(`${app.server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: `query($id: ID!) { room(id: $id) { proposals { id ballots { id votes { choice } tally { support } } agreement { id signatures { textHash } } } progress { partyCount } } }`,
        variables: { id: roomId },
      }),
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
});
