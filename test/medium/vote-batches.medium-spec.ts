// castVote's group commit and its lock, on a real database: votes arriving together on one
// ballot are written in batches (one transaction each), yet every acknowledged vote is
// counted once, in order, each caller gets its own answer or error, and the rules are judged
// per vote as if each had committed alone.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { BallotsService, ProposalsService } from '@parley/negotiation';
import { codeOf, startMedium, type Medium, type MediumRoom, type MediumUser } from './support/medium';

const clauses = [{ key: '1', heading: null, text: 'Each lab reports training runs above the threshold.' }];

describe('vote batches (medium)', () => {
  let m: Medium;
  let ballots: BallotsService;
  beforeAll(async () => {
    m = await startMedium();
    ballots = m.get(BallotsService);
  });
  afterAll(async () => {
    await m?.close();
  });

  const openBallot = async (room: MediumRoom, over: Record<string, unknown> = {}) => {
    const p = await m.get(ProposalsService).create(room.facilitator.auth, { roomId: room.id, title: 'Reporting', clauses });
    return ballots.open(room.facilitator.auth, { proposalId: p.id, rule: 'MAJORITY', quorum: 0.5, secrecy: 'OPEN', ...over } as Parameters<
      BallotsService['open']
    >[1]);
  };
  const vote = (who: MediumUser, ballotId: string, choice: string, reason?: string) =>
    ballots.castVote(who.auth, { ballotId, choice, reason } as Parameters<BallotsService['castVote']>[1]);
  const voteEvents = (roomId: string) =>
    m.sql<{ seq: number; payload: { partyId: string; choice: string; reason: string | null } }>(
      `SELECT seq, payload FROM room_event WHERE room_id = $1 AND type = 'vote.cast' ORDER BY seq`,
      [roomId],
    );

  it('16 clients voting at once on one ballot: every vote acknowledged and counted once, in the log once, gapless', async () => {
    const names = Array.from({ length: 17 }, (_, i) => `Lab ${i + 1}`);
    const room = await m.room(names);
    const b = await openBallot(room);
    const voters = room.negotiators.slice(0, 16); // the 17th party never votes: the ballot stays open
    const rounds = 3;
    const acks = await Promise.all(
      Array.from({ length: rounds }, (_, r) => voters.map((n, i) => vote(n, b.id, (i + r) % 2 ? 'OPPOSE' : 'SUPPORT', `round ${r} by ${i}`))).flat(),
    );
    expect(acks).toHaveLength(16 * rounds);
    acks.forEach((a, k) => {
      const [r, i] = [Math.floor(k / 16), k % 16];
      expect(a).toMatchObject({ party: room.parties[i], choice: (i + r) % 2 ? 'OPPOSE' : 'SUPPORT', reason: `round ${r} by ${i}` });
    });
    const rows = await m.sql<{ party_id: string; choice: string; reason: string }>(`SELECT party_id, choice, reason FROM vote WHERE ballot_id = $1`, [b.id]);
    expect(rows).toHaveLength(16);
    for (const [i, p] of room.parties.slice(0, 16).entries())
      expect(rows.find((v) => v.party_id === p.id)).toMatchObject({
        choice: (i + rounds - 1) % 2 ? 'OPPOSE' : 'SUPPORT',
        reason: `round ${rounds - 1} by ${i}`,
      });
    const events = await voteEvents(room.id);
    expect(events.map((e) => e.payload.reason).sort()).toEqual(acks.map((a) => a.reason).sort());
    const all = await m.sql<{ seq: number }>(`SELECT seq FROM room_event WHERE room_id = $1 AND stream = 'room' ORDER BY seq`, [room.id]);
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
    // each party's votes are in the log in the order its client sent them
    for (const i of [0, 7, 15])
      expect(events.filter((e) => e.payload.partyId === room.parties[i].id).map((e) => e.payload.reason)).toEqual(
        Array.from({ length: rounds }, (_, r) => `round ${r} by ${i}`),
      );
    expect((await ballots.forProposal(await m.get(ProposalsService).proposal(room.facilitator.auth, b.proposalId)))[0].status).toBe('OPEN');
  });

  it('a refused vote in a batch fails alone: the observer, a stranger and a closed ballot get their own errors', async () => {
    const room = await m.room(['Lab A', 'Lab B', 'Lab C', 'Lab D']);
    const b = await openBallot(room);
    const stranger = await m.user();
    const [a, observer, s, bb, bogus] = await Promise.all([
      vote(room.negotiators[0], b.id, 'SUPPORT'),
      codeOf(vote(room.observer, b.id, 'SUPPORT')),
      codeOf(vote(stranger, b.id, 'SUPPORT')),
      vote(room.negotiators[1], b.id, 'OPPOSE'),
      codeOf(vote(room.negotiators[2], 'not-a-ballot', 'SUPPORT')),
    ]);
    expect([a.choice, observer, s, bb.choice, bogus]).toEqual(['SUPPORT', 'FORBIDDEN', 'NOT_FOUND', 'OPPOSE', 'NOT_FOUND']);
    expect((await voteEvents(room.id)).map((e) => e.payload.choice)).toEqual(['SUPPORT', 'OPPOSE']);
  });

  it('the vote that completes the ballot closes it; a vote after it in the same batch finds it closed and is not written', async () => {
    const room = await m.room(['Lab A', 'Lab B', 'Lab C']);
    const b = await openBallot(room, { rule: 'UNANIMITY', quorum: 1 });
    const [n1, n2, n3] = room.negotiators;
    const results = await Promise.all([
      vote(n1, b.id, 'SUPPORT', 'first'),
      vote(n2, b.id, 'SUPPORT'),
      vote(n3, b.id, 'SUPPORT'),
      codeOf(vote(n1, b.id, 'OPPOSE', 'too late')),
    ]);
    expect(results[3]).toBe('BALLOT_CLOSED');
    const events = await m.sql<{ type: string; payload: Record<string, unknown> }>(
      `SELECT type, payload FROM room_event WHERE room_id = $1 AND type IN ('vote.cast', 'ballot.closed', 'proposal.adopted') ORDER BY seq`,
      [room.id],
    );
    expect(events.map((e) => e.type)).toEqual(['vote.cast', 'vote.cast', 'vote.cast', 'ballot.closed', 'proposal.adopted']);
    expect(events[3].payload).toMatchObject({ cause: 'ALL_VOTED', outcome: 'PASSED' });
    expect(await m.sql(`SELECT choice, reason FROM vote WHERE ballot_id = $1 AND party_id = $2`, [b.id, room.parties[0].id])).toEqual([
      { choice: 'SUPPORT', reason: 'first' },
    ]);
  });

  it('state derived from each vote.cast (the convergence series) sees the votes as they stood after it, as if each committed alone', async () => {
    const room = await m.room(['Lab A', 'Lab B', 'Lab C', 'Lab D', 'Lab E']);
    const b = await openBallot(room);
    await Promise.all(room.negotiators.slice(0, 4).map((n) => vote(n, b.id, 'SUPPORT')));
    const points = await m.sql<{ supporting_parties: number }>(
      `SELECT c.supporting_parties FROM proposal_convergence c JOIN room_event e ON e.room_id = $2 AND e.seq = c.seq AND e.type = 'vote.cast'
        WHERE c.proposal_id = $1 ORDER BY c.seq`,
      [b.proposalId, room.id],
    );
    expect(points.map((p) => p.supporting_parties)).toEqual([1, 2, 3, 4]);
  });

  it('one batch with changed minds: the figures after each vote derived in memory match the series a vote at a time would give', async () => {
    const room = await m.room(['Lab A', 'Lab B', 'Lab C', 'Lab D']);
    const b = await openBallot(room);
    const [a, bb, c] = room.negotiators;
    const runner = m.get(DataSource).createQueryRunner();
    await runner.connect();
    let acks: unknown[];
    try {
      // the room held: the first vote's batch waits for it, and the rest queue for one batch
      await runner.startTransaction();
      await runner.query(`SELECT id FROM room WHERE id = $1 FOR UPDATE`, [room.id]);
      const first = vote(a, b.id, 'SUPPORT', 'a1');
      for (let i = 0; i < 100; i++) {
        const [{ n }] = await m.sql<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`,
        );
        if (n > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const rest = [vote(bb, b.id, 'OPPOSE', 'b1'), vote(a, b.id, 'OPPOSE', 'a2'), vote(c, b.id, 'SUPPORT', 'c1'), vote(bb, b.id, 'SUPPORT', 'b2')];
      await runner.commitTransaction();
      acks = await Promise.all([first, ...rest]);
    } finally {
      await runner.release();
    }
    expect(acks.map((x) => (x as { reason: string }).reason)).toEqual(['a1', 'b1', 'a2', 'c1', 'b2']);
    const events = await voteEvents(room.id);
    expect(events.map((e) => e.payload.reason)).toEqual(['a1', 'b1', 'a2', 'c1', 'b2']);
    // supporters after each vote: 1, 1, 0, 1, 2; a point only when the figure moved
    const points = await m.sql<{ seq: number; supporting_parties: number }>(
      `SELECT c.seq, c.supporting_parties FROM proposal_convergence c JOIN room_event e ON e.room_id = $2 AND e.seq = c.seq AND e.type = 'vote.cast'
        WHERE c.proposal_id = $1 ORDER BY c.seq`,
      [b.proposalId, room.id],
    );
    expect(points).toEqual([0, 2, 3, 4].map((i) => ({ seq: events[i].seq, supporting_parties: [1, 1, 0, 1, 2][i] })));
    const rows = await m.sql<{ party_id: string; choice: string; reason: string }>(`SELECT party_id, choice, reason FROM vote WHERE ballot_id = $1`, [b.id]);
    expect(new Map(rows.map((r) => [r.party_id, `${r.choice} ${r.reason}`]))).toEqual(
      new Map([
        [room.parties[0].id, 'OPPOSE a2'],
        [room.parties[1].id, 'SUPPORT b2'],
        [room.parties[2].id, 'SUPPORT c1'],
      ]),
    );
  });

  it('a member removed while their vote waited for the room lock is refused (the lock statement sees the removal)', async () => {
    const room = await m.room(['Lab A', 'Lab B']);
    const b = await openBallot(room);
    const removed = room.negotiators[0];
    const runner = m.get(DataSource).createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(`SELECT id FROM room WHERE id = $1 FOR UPDATE`, [room.id]);
      await runner.query(`UPDATE membership SET removed_at = now() WHERE room_id = $1 AND user_id = $2`, [room.id, removed.auth.id]);
      const waiting = codeOf(vote(removed, b.id, 'SUPPORT'));
      // the vote's statement is now waiting for the room row
      for (let i = 0; i < 100; i++) {
        const [{ n }] = await m.sql<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`,
        );
        if (n > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await runner.commitTransaction();
      expect(await waiting).toBe('NOT_FOUND');
    } finally {
      await runner.release();
    }
    expect(await voteEvents(room.id)).toEqual([]);
  });
});
