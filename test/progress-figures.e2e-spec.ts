import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import type { TransactionRunner } from '@parley/database';
import { figureBallots } from '../libs/progress/src/progress-figures';
import { NegotiationFiguresQuery } from '../libs/negotiation/src/negotiation-figures.query';
import { startApp, type TestApp } from './support/harness';
import { newRoom, type TestRoom } from './support/factories';
import { createProposal, PROPOSE_AMENDMENT } from './support/negotiation';

// NegotiationFiguresQuery.roomFigures picks in SQL the ballots that figureBallots picks in memory;
// here both choose from the same random ballot rows (ties in created_at included) in a real
// PostgreSQL, and the proposals, ballots and votes folded into its one statement's JSON must be
// the rows the driver reads from their tables (timestamps truncated to the millisecond alike).
describe('progress figures in SQL', () => {
  let app: TestApp;
  let room: TestRoom;
  let query: NegotiationFiguresQuery;
  let proposals: Array<{ id: string; amendments: string[] }>;
  let facilitatorMembership: string;

  beforeAll(async () => {
    app = await startApp();
    room = await newRoom(app.anon);
    proposals = [];
    for (let i = 0; i < 2; i++) {
      const p = await createProposal(room.facilitator.client, room.id);
      const amendments: string[] = [];
      for (const text of ['Within 60 days.', 'Within 90 days.']) {
        const d = await room.negotiators[i].client.ok(PROPOSE_AMENDMENT, {
          input: { proposalId: p.id, baseVersion: 1, clauseKey: '2', kind: 'REPLACE', text },
        });
        amendments.push(d.proposeAmendment.id);
      }
      proposals.push({ id: p.id, amendments });
    }
    facilitatorMembership = room.membershipIds.get(room.facilitator.id)!;
    // the query on the test's own pool: the same SQL against the same database
    query = new NegotiationFiguresQuery({ manager: { query: (text: string, params: unknown[]) => app.sql(text, params) } } as unknown as TransactionRunner);
  });
  afterAll(async () => {
    await app?.close();
  });

  const ballotArb = fc.record({
    proposal: fc.constantFrom(0, 1),
    amendment: fc.constantFrom(null, 0, 1),
    open: fc.boolean(),
    secret: fc.boolean(),
    second: fc.constantFrom(0, 1, 2), // few distinct creation times: ties are ordered by id
    voters: fc.subarray([0, 1, 2]),
    // the columns come back through JSON: timestamps to the microsecond, fractions, a tally.
    // Deadlines lie far ahead: the app's ballot scheduler closes an open ballot that is due
    // within a second, which raced this test's two reads (a ballot opened in the figures,
    // closed by the time the test read the rows)
    closesInMicros: fc.option(fc.integer({ min: 0, max: 10 ** 9 })),
    threshold: fc.option(fc.constantFrom(2 / 3, 0.75, 0.1 + 0.2)),
  });

  it('chooses the same ballots as figureBallots, with their votes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(ballotArb, { maxLength: 10 }), async (drawn) => {
        await app.sql(`DELETE FROM ballot WHERE room_id = $1`, [room.id]);
        const openKeys = new Set<string>(); // one open ballot per whole text and per amendment
        for (const b of drawn) {
          const p = proposals[b.proposal];
          const amendmentId = b.amendment === null ? null : p.amendments[b.amendment];
          const key = `${p.id}/${amendmentId}`;
          const open = b.open && !openKeys.has(key);
          if (open) openKeys.add(key);
          const id = randomUUID();
          await app.sql(
            `INSERT INTO ballot (id, room_id, proposal_id, amendment_id, version, rule, quorum, secrecy, status, outcome, opened_by, created_at,
                                 closes_at, threshold, tally)
             VALUES ($1, $2, $3, $4, 1, 'MAJORITY', 0.5, $5, $6, $7, $8, '2026-01-01T00:00:00Z'::timestamptz + $9 * interval '1 second',
                     '2099-02-01T00:00:00.999999Z'::timestamptz + $10 * interval '1 microsecond', $11,
                     CASE WHEN $6 = 'CLOSED' THEN '{"support": 1, "oppose": 0, "abstain": 2, "block": 0, "notVoted": 3}'::jsonb END)`,
            [
              id,
              room.id,
              p.id,
              amendmentId,
              b.secret ? 'SECRET_UNTIL_CLOSE' : 'OPEN',
              open ? 'OPEN' : 'CLOSED',
              open ? null : 'FAILED',
              facilitatorMembership,
              b.second,
              b.closesInMicros,
              b.threshold,
            ],
          );
          for (const [n, i] of b.voters.entries()) {
            await app.sql(
              `INSERT INTO vote (ballot_id, party_id, choice, reason, membership_id, cast_at) VALUES ($1, $2, $3, $4, $5, now() - $6 * interval '1 minute')`,
              [id, room.parties[i].id, n % 2 ? 'OPPOSE' : 'SUPPORT', n ? null : 'Because.', room.membershipIds.get(room.negotiators[i].id), i],
            );
          }
        }
        const figures = await query.roomFigures(room.id);
        const proposalRows = await app.sql(
          `SELECT id, room_id AS "roomId", title, status, version, text_hash AS "textHash", clauses, created_by AS "createdBy",
                  created_at AS "createdAt", updated_at AS "updatedAt" FROM proposal WHERE room_id = $1 ORDER BY created_at, id`,
          [room.id],
        );
        expect(figures.proposals).toStrictEqual(proposalRows.map((r) => ({ ...r })));
        for (const p of proposals) {
          const all = await app.sql<{ id: string; amendment_id: string | null; status: string }>(
            `SELECT id, amendment_id, status FROM ballot WHERE proposal_id = $1 ORDER BY created_at, id`,
            [p.id],
          );
          const expected = figureBallots(all.map((b) => ({ id: b.id, amendmentId: b.amendment_id, status: b.status })));
          const got = figures.ballots.get(p.id) ?? [];
          expect(got.map((b) => b.ballot.id)).toEqual(expected.map((b) => b.id));
          for (const { ballot, votes } of got) {
            const [row] = await app.sql(
              `SELECT id, proposal_id AS "proposalId", amendment_id AS "amendmentId", version, rule, threshold, quorum, secrecy, status, outcome, tally,
                      closes_at AS "closesAt" FROM ballot WHERE id = $1`,
              [ballot.id],
            );
            expect(ballot).toStrictEqual({ ...row });
            const rows = await app.sql(`SELECT party_id, choice, reason, cast_at FROM vote WHERE ballot_id = $1 ORDER BY cast_at, party_id`, [ballot.id]);
            expect(votes).toStrictEqual(rows.map((v) => ({ partyId: v.party_id, choice: v.choice, reason: v.reason, castAt: v.cast_at })));
          }
        }
      }),
      { numRuns: 30 },
    );
  });
});
