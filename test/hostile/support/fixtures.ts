import { expect } from '@jest/globals';
import { Client, type TestApp } from '../../support/harness';
import { newRoom, newUser, type TestRoom, type TestUser } from '../../support/factories';
import { CAST_VOTE, createProposal, openBallot, PROPOSE_AMENDMENT, ballots } from '../../support/negotiation';
import type { IdPool } from './inputs';

export interface HostileWorld {
  rooms: TestRoom[];
  // rooms[0..1] are the callers' rooms; rooms[2] belongs to `outsider` alone
  outsider: TestUser;
  callers: Array<{ name: string; client: Client }>;
  pool: IdPool;
}

// Two rooms with proposals, an amendment, an open ballot and an agreement, and a third
// room of someone else, so that generated ids hit real objects the caller may or may not see.
export async function buildWorld(app: TestApp): Promise<HostileWorld> {
  const a = await newRoom(app.anon, { parties: ['Lab A', 'Lab B'] });
  const b = await newRoom(app.anon, { parties: ['Gov A', 'Gov B'], speakerAttribution: 'ANONYMOUS', facilitator: a.facilitator });
  const outsider = await newUser(app.anon);
  const c = await newRoom(app.anon, { parties: ['Other'], facilitator: outsider });
  const ids: string[] = [];
  for (const room of [a, b, c]) {
    const fac = room.facilitator.client;
    ids.push(room.id, ...room.parties.map((p) => p.id), ...room.membershipIds.values());
    const drafting = await createProposal(fac, room.id);
    const amendment = await fac.ok(PROPOSE_AMENDMENT, {
      input: { proposalId: drafting.id, baseVersion: 1, clauseKey: '1', kind: 'REPLACE', text: 'Amended.' },
    });
    const voting = await createProposal(fac, room.id);
    const open = await openBallot(fac, voting.id, { rule: 'CONSENSUS', quorum: 0.5 });
    const adopted = await createProposal(fac, room.id);
    const passing = await openBallot(fac, adopted.id, { rule: 'UNANIMITY', quorum: 1 });
    for (const n of room.negotiators) await n.client.ok(CAST_VOTE, { input: { ballotId: passing.id, choice: 'SUPPORT' } });
    const agreement = (await ballots(fac, adopted.id)).agreement;
    ids.push(drafting.id, amendment.proposeAmendment.id, voting.id, open.id, adopted.id, passing.id);
    if (agreement) ids.push(agreement.id);
  }
  const callers = [
    { name: 'anonymous', client: app.anon },
    { name: 'facilitator', client: a.facilitator.client },
    { name: 'negotiator', client: a.negotiators[0].client },
    { name: 'negotiator-b', client: b.negotiators[1].client },
    { name: 'observer', client: a.observer.client },
    { name: 'outsider', client: outsider.client },
    { name: 'garbage-token', client: app.anon.as('x') },
    { name: 'long-token', client: app.anon.as('t'.repeat(8_000)) },
  ];
  return { rooms: [a, b, c], outsider, callers, pool: { ids } };
}

// Nothing half-written: every room's log (its room stream: party streams count on their own)
// is gapless and matches its counter, every message
// has its event, every proposal its versions, the hash chains verify; the server logged no
// unexpected error and still answers.
export async function expectIntact(app: TestApp, world: HostileWorld): Promise<void> {
  const gaps = await app.sql(
    `SELECT r.id, r.last_seq, count(e.seq)::int AS n, coalesce(max(e.seq), 0) AS top
       FROM room r LEFT JOIN room_event e ON e.room_id = r.id AND e.stream = 'room'
      GROUP BY r.id HAVING r.last_seq <> count(e.seq) OR r.last_seq <> coalesce(max(e.seq), 0)`,
  );
  expect(gaps).toEqual([]);
  const orphans = await app.sql(`SELECT m.id FROM message m LEFT JOIN room_event e ON e.room_id = m.room_id AND e.seq = m.seq WHERE e.seq IS NULL`);
  expect(orphans).toEqual([]);
  const versionless = await app.sql(`SELECT p.id FROM proposal p WHERE p.version <> (SELECT count(*) FROM proposal_version v WHERE v.proposal_id = p.id)`);
  expect(versionless).toEqual([]);
  for (const room of world.rooms) {
    const r = await room.facilitator.client.ok(`query($r: ID!) { verifyAuditChain(roomId: $r) { valid length firstBrokenSeq } }`, { r: room.id });
    expect(r.verifyAuditChain).toMatchObject({ valid: true, firstBrokenSeq: null });
  }
  const unexpected = app.server.logs.filter((l) => /"level":(50|60)/.test(l));
  expect(unexpected).toEqual([]);
  const me = await world.rooms[0].facilitator.client.ok(`{ me { id } }`);
  expect(me.me.id).toBeTruthy();
  expect((await fetch(`${app.server.url}/healthz`)).status).toBe(200);
}
