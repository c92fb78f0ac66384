// The SQL that mirrors libs/domain's ballot rules (BALLOT_RULES_SQL) agrees with the rules
// themselves, on real PostgreSQL and its clock: generated ballots go in as rows, and each
// expression's answer is compared with its function's. No server: only the database.
import fc from 'fast-check';
import pg from 'pg';
import { acceptsVotes, ballotDue, ballotSealed, latestWholeTextBallot, partiesAwaiting, type BallotSecrecy, type BallotStatus } from '@parley/domain';
import { BALLOT_RULES_SQL } from '@parley/negotiation';
import { createTestDatabase } from './support/harness';

interface Row {
  id: string;
  proposal_id: string;
  amendment_id: string | null;
  status: BallotStatus;
  secrecy: BallotSecrecy;
  closes_at: string | null;
  created_at: string;
}

const BALLOT_ROWS = `ballot_rows AS (SELECT * FROM jsonb_to_recordset($1::jsonb)
  AS x(id uuid, proposal_id uuid, amendment_id uuid, status text, secrecy text, closes_at timestamptz, created_at timestamptz))`;
const uuid = fc.uuid().map((u) => u.toLowerCase());
const PROPOSALS = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];

describe('ballot rules in SQL', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let client: pg.Client;
  // the transaction's clock, as Locked.now carries it (milliseconds; PostgreSQL keeps µs)
  let now: Date;

  beforeAll(async () => {
    db = await createTestDatabase();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query('BEGIN');
    now = (await client.query<{ now: Date }>('SELECT now() AS now')).rows[0].now;
  });

  afterAll(async () => {
    await client?.query('ROLLBACK');
    await client?.end();
    await db?.drop();
  });

  // deadlines around the database's now, to the millisecond (as clients send them), or none
  const row = fc.record({
    id: uuid,
    proposal_id: fc.constantFrom(...PROPOSALS),
    amendment_id: fc.option(uuid, { nil: null }),
    status: fc.constantFrom<BallotStatus>('OPEN', 'CLOSED'),
    secrecy: fc.constantFrom<BallotSecrecy>('OPEN', 'SECRET_UNTIL_CLOSE'),
    closes_at: fc.option(fc.integer({ min: -3, max: 3 }), { nil: null }),
    created_at: fc.integer({ min: 0, max: 3 }),
  });
  const rows = fc.uniqueArray(row, { selector: (r) => r.id, minLength: 1, maxLength: 10 }).map((list) =>
    list.map((r): Row => ({
      ...r,
      closes_at: r.closes_at === null ? null : new Date(now.getTime() + r.closes_at).toISOString(),
      created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, r.created_at)).toISOString(),
    })),
  );
  const date = (iso: string | null) => (iso === null ? null : new Date(iso));

  it('acceptsVotes, ballotDue and ballotSealed answer as their SQL does', async () => {
    await fc.assert(
      fc.asyncProperty(rows, async (list) => {
        const { rows: answers } = await client.query<{ id: string; accepts: boolean; due: boolean | null; sealed: boolean }>(
          `WITH ${BALLOT_ROWS} SELECT b.id, ${BALLOT_RULES_SQL.acceptsVotes('b')} AS accepts, ${BALLOT_RULES_SQL.due('b')} AS due,
             ${BALLOT_RULES_SQL.sealed('b')} AS sealed FROM ballot_rows b`,
          [JSON.stringify(list)],
        );
        expect(answers).toHaveLength(list.length);
        for (const a of answers) {
          const r = list.find((x) => x.id === a.id)!;
          const b = { status: r.status, secrecy: r.secrecy, closesAt: date(r.closes_at) };
          expect({ id: a.id, accepts: a.accepts, due: a.due === true, sealed: a.sealed }).toEqual({
            id: r.id,
            accepts: acceptsVotes(b, now),
            due: ballotDue(b, now),
            sealed: ballotSealed(b),
          });
        }
      }),
      { numRuns: 60 },
    );
  });

  it('latestWholeTextBallot picks the ballot its SQL picks', async () => {
    await fc.assert(
      fc.asyncProperty(rows, async (list) => {
        for (const proposalId of PROPOSALS) {
          const { rows: picked } = await client.query<{ id: string }>(
            `WITH ${BALLOT_ROWS} SELECT id FROM (${BALLOT_RULES_SQL.latestWholeText('$2::uuid', 'ballot_rows')}) w`,
            [JSON.stringify(list), proposalId],
          );
          const own = list
            .filter((r) => r.proposal_id === proposalId)
            .map((r) => ({ id: r.id, amendmentId: r.amendment_id, createdAt: new Date(r.created_at) }));
          expect(picked[0]?.id ?? null).toBe(latestWholeTextBallot(own)?.id ?? null);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('partiesAwaiting names the parties its SQL names', async () => {
    const ballotId = '00000000-0000-4000-8000-0000000000bb';
    const otherBallot = '00000000-0000-4000-8000-0000000000cc';
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(uuid, { maxLength: 6 }), fc.array(fc.tuple(fc.boolean(), fc.nat()), { maxLength: 8 }), async (parties, picks) => {
        // votes by some of the parties (some twice), some on another ballot, some by strangers
        const votes = picks.map(([same, i]) => ({
          ballot_id: same ? ballotId : otherBallot,
          party_id: parties.length && i % 3 ? parties[i % parties.length] : '00000000-0000-4000-8000-0000000000ff',
        }));
        const { rows: awaited } = await client.query<{ id: string }>(
          `WITH p AS (SELECT unnest($1::uuid[]) AS id),
                vote_rows AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS x(ballot_id uuid, party_id uuid)),
                b AS (SELECT $3::uuid AS id)
           SELECT p.id FROM p, b WHERE ${BALLOT_RULES_SQL.awaiting('p', 'b', 'vote_rows')}`,
          [parties, JSON.stringify(votes), ballotId],
        );
        const voted = votes.filter((v) => v.ballot_id === ballotId).map((v) => v.party_id);
        expect(awaited.map((r) => r.id).sort()).toEqual([...partiesAwaiting(parties, voted)].sort());
      }),
      { numRuns: 60 },
    );
  });
});
