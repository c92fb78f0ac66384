// reviseProposal's short path (docs/benchmarks.md, reviseProposal): the revision statement
// reads the convergence figures itself, goes with the room lock on a pipelined transaction
// (rolled back when the lock's checks refuse the caller), and the hot statements go as named
// prepared statements (preparedQuery). Through the services on a real database.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource, QueryFailedError } from 'typeorm';
import { preparedQuery, TransactionRunner } from '@parley/database';
import { AmendmentsService, BallotsService, ProposalsService } from '@parley/negotiation';
import { ProgressService } from '@parley/progress';
import { RoomsService } from '@parley/rooms';
import { codeOf, startMedium, type Medium, type MediumUser } from './support/medium';

describe('reviseProposal statements (medium)', () => {
  let m: Medium;
  beforeAll(async () => {
    m = await startMedium();
  });
  afterAll(async () => {
    await m?.close();
  });

  const progressOf = async (viewer: MediumUser, roomId: string, proposalId: string) => {
    const room = await m.get(RoomsService).room(viewer.auth, roomId);
    return (await m.get(ProgressService).progress(room.scope)).proposals.find((p) => p.proposal.id === proposalId)!;
  };
  const figures = (p: { openBrackets: number; openAmendments: number; supportingParties: number }) => [p.openBrackets, p.openAmendments, p.supportingParties];

  it('a plain revision hands on the figures as they stand: open amendments and supporters kept, no new convergence point', async () => {
    const [proposals, amendments, ballots] = [m.get(ProposalsService), m.get(AmendmentsService), m.get(BallotsService)];
    const room = await m.room();
    const fac = room.facilitator.auth;
    const [a, b, c] = room.negotiators;
    const clauses = [
      { key: '1', text: 'Each lab reports training runs above the threshold.' },
      { key: '2', text: 'Reports go to the facilitator within 30 days.' },
    ];
    const p = await proposals.create(fac, { roomId: room.id, title: 'Compute reporting', clauses });
    const ballot = await ballots.open(fac, { proposalId: p.id, rule: 'UNANIMITY', quorum: 1, secrecy: 'OPEN' } as Parameters<BallotsService['open']>[1]);
    const vote = (who: MediumUser, choice: string) => ballots.castVote(who.auth, { ballotId: ballot.id, choice } as Parameters<BallotsService['castVote']>[1]);
    await vote(a, 'SUPPORT');
    await vote(b, 'SUPPORT');
    await vote(c, 'OPPOSE'); // closes it: FAILED, the proposal drafting again, two supporters
    await amendments.propose(c.auth, { proposalId: p.id, baseVersion: 1, clauseKey: '2', kind: 'REPLACE', text: 'Within 60 days.' } as Parameters<
      AmendmentsService['propose']
    >[1]);
    const before = await progressOf(room.observer, room.id, p.id);
    expect([before.openBrackets, before.openAmendments]).toEqual([0, 1]);
    expect(before.convergence.map(figures).at(-1)).toEqual([0, 1, 2]);

    const revised = await proposals.revise(fac, {
      proposalId: p.id,
      expectedVersion: 1,
      clauses: [clauses[0], { key: '2', text: 'Reports go to the facilitator within 45 days.' }],
    } as Parameters<ProposalsService['revise']>[1]);
    expect(revised.version).toBe(2);
    const after = await progressOf(room.observer, room.id, p.id);
    expect([after.openBrackets, after.openAmendments]).toEqual([0, 1]);
    // figures read wrongly by the revision (an amendment or a supporter missed) would add a point
    expect(after.convergence).toEqual(before.convergence);
    const [revisedEvent] = await m.sql<{ seq: number }>(`SELECT seq FROM room_event WHERE room_id = $1 AND type = 'proposal.revised'`, [room.id]);
    expect(revisedEvent.seq).toBeGreaterThan(before.convergence.at(-1)!.seq);
  });

  it('the revision sent with the lock is written as the caller, and rolled back whenever the lock or the rules refuse it', async () => {
    const proposals = m.get(ProposalsService);
    const room = await m.room();
    const fac = room.facilitator;
    const clauses = [{ key: '1', text: 'Each lab reports training runs above the threshold.' }];
    const p = await proposals.create(fac.auth, { roomId: room.id, title: 'Compute reporting', clauses });
    const revise = (who: MediumUser, expectedVersion: number, proposalId = p.id) =>
      proposals.revise(who.auth, { proposalId, expectedVersion, clauses: [{ key: '1', text: `Revised by ${who.auth.displayName}.` }] } as Parameters<
        ProposalsService['revise']
      >[1]);
    const state = async () => ({
      proposal: (await m.sql(`SELECT version, clauses->0->>'text' AS text FROM proposal WHERE id = $1`, [p.id]))[0],
      versions: (
        await m.sql<{ number: number; author: string }>(
          `SELECT v.number, m.user_id AS author FROM proposal_version v JOIN membership m ON m.id = v.author_membership_id WHERE v.proposal_id = $1 ORDER BY v.number`,
          [p.id],
        )
      ).map((v) => [v.number, v.author]),
      events: (await m.sql<{ type: string }>(`SELECT type FROM room_event WHERE room_id = $1 AND type LIKE 'proposal.%' ORDER BY seq`, [room.id])).map(
        (e) => e.type,
      ),
    });
    const before = await state();
    expect(before.versions).toEqual([[1, fac.auth.id]]);

    // an observer's and a stranger's revision, one against a version long gone, one of no
    // proposal: each refused, and nothing of it left
    const stranger = await m.user();
    expect(await codeOf(revise(room.observer, 1))).toBe('FORBIDDEN');
    expect(await codeOf(revise(stranger, 1))).toBe('NOT_FOUND');
    expect(await codeOf(revise(room.negotiators[0], 7))).toBe('VERSION_CONFLICT');
    expect(await codeOf(revise(room.negotiators[0], 1, '00000000-0000-4000-8000-000000000000'))).toBe('NOT_FOUND');
    expect(await state()).toEqual(before);

    // a negotiator's revision: the version authored by their membership, its event in the log
    const revised = await revise(room.negotiators[1], 1);
    expect(revised.version).toBe(2);
    const after = await state();
    expect(after.proposal).toEqual({ version: 2, text: `Revised by ${room.negotiators[1].auth.displayName}.` });
    expect(after.versions).toEqual([
      [1, fac.auth.id],
      [2, room.negotiators[1].auth.id],
    ]);
    expect(after.events).toEqual(['proposal.created', 'proposal.revised']);

    // the room archived: the lock refuses every write, the revision with it
    await m.get(RoomsService).archiveRoom(fac.auth, room.id);
    expect(await codeOf(revise(fac, 2))).toBe('INVALID_STATE');
    expect(await state()).toEqual(after);
  });

  it('preparedQuery runs in the transaction, answers rows, and fails as TypeORM does (the driver error kept)', async () => {
    const runner = m.get(TransactionRunner);
    const rows = await preparedQuery<{ n: number }>(m.get(DataSource).manager, 'SELECT $1::int + 1 AS n', [41]);
    expect(rows).toEqual([{ n: 42 }]);
    // the same text again on the same pooled connections: the prepared statement is reused
    expect(await preparedQuery<{ n: number }>(m.get(DataSource).manager, 'SELECT $1::int + 1 AS n', [1])).toEqual([{ n: 2 }]);
    const marker = `prepared-${Date.now()}`;
    await expect(
      runner.run(async (tx) => {
        await preparedQuery(tx.em, `CREATE TEMP TABLE IF NOT EXISTS prepared_probe (v text)`, []);
        await preparedQuery(tx.em, `INSERT INTO prepared_probe (v) VALUES ($1) RETURNING v`, [marker]);
        const seen = await preparedQuery<{ v: string }>(tx.em, `SELECT v FROM prepared_probe WHERE v = $1`, [marker]);
        expect(seen).toEqual([{ v: marker }]);
        await preparedQuery(tx.em, `SELECT 1/0 AS boom`, []);
      }),
    ).rejects.toMatchObject({ constructor: QueryFailedError, driverError: expect.objectContaining({ code: '22012' }) });
    // RETURNING rows come back as rows (not TypeORM's [rows, count])
    const returned = await runner.run((tx) =>
      preparedQuery<{ x: number }>(tx.em, `WITH t AS (SELECT 1 AS x) UPDATE room SET title = title WHERE false RETURNING 1 AS x`, []),
    );
    expect(returned).toEqual([]);
  });
});
