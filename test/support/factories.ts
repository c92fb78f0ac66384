import { randomBytes } from 'node:crypto';
import type { Client } from './harness';

export const fresh = (prefix = 'x') => `${prefix}-${randomBytes(4).toString('hex')}`;

export const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { token expiresAt user { id email displayName } } }`;

export interface TestUser {
  client: Client;
  id: string;
  email: string;
  password: string;
  displayName: string;
}

export async function newUser(anon: Client, over: { displayName?: string; inviteToken?: string; email?: string } = {}): Promise<TestUser> {
  const email = over.email ?? `${fresh('user')}@example.org`;
  const password = 'correct horse battery staple';
  const displayName = over.displayName ?? fresh('Name');
  const data = await anon.ok<{ signUp: { token: string; user: { id: string } } }>(SIGN_UP, {
    input: { email, password, displayName, inviteToken: over.inviteToken },
  });
  return { client: anon.as(data.signUp.token), id: data.signUp.user.id, email, password, displayName };
}

export const CREATE_ROOM = `mutation($input: CreateRoomInput!) { createRoom(input: $input) { id title parties { id name } myMembership { id role } } }`;
export const CREATE_INVITE = `mutation($input: CreateInviteInput!) { createInvite(input: $input) { token invite { id role party { id name } email expiresAt } } }`;
export const ACCEPT_INVITE = `mutation($token: String!) { acceptInvite(token: $token) { id role party { id name } displayName } }`;

export interface TestRoom {
  id: string;
  parties: Array<{ id: string; name: string }>;
  facilitator: TestUser;
  // negotiators by party index
  negotiators: TestUser[];
  observer: TestUser;
  membershipIds: Map<string, string>;
}

export async function invite(fac: Client, roomId: string, role: string, partyId?: string, email?: string): Promise<string> {
  const d = await fac.ok<{ createInvite: { token: string } }>(CREATE_INVITE, { input: { roomId, role, partyId, email } });
  return d.createInvite.token;
}

export async function join(anon: Client, fac: Client, roomId: string, role: string, partyId?: string, over: { displayName?: string } = {}) {
  const token = await invite(fac, roomId, role, partyId);
  const user = await newUser(anon, { ...over });
  const m = await user.client.ok<{ acceptInvite: { id: string } }>(ACCEPT_INVITE, { token });
  return { user, membershipId: m.acceptInvite.id };
}

// A room with parties, a facilitator, one negotiator per party and an observer.
export async function newRoom(anon: Client, over: { parties?: string[]; speakerAttribution?: string; facilitator?: TestUser } = {}): Promise<TestRoom> {
  const facilitator = over.facilitator ?? (await newUser(anon, { displayName: fresh('Facilitator') }));
  const names = over.parties ?? ['Lab A', 'Lab B', 'Lab C'];
  const d = await facilitator.client.ok<{ createRoom: { id: string; parties: Array<{ id: string; name: string }>; myMembership: { id: string } } }>(
    CREATE_ROOM,
    {
      input: { title: fresh('Room'), purpose: 'Agree on one task', speakerAttribution: over.speakerAttribution ?? 'ATTRIBUTED', parties: names },
    },
  );
  const room = d.createRoom;
  const membershipIds = new Map<string, string>([[facilitator.id, room.myMembership.id]]);
  const negotiators: TestUser[] = [];
  for (const p of room.parties) {
    const { user, membershipId } = await join(anon, facilitator.client, room.id, 'NEGOTIATOR', p.id, { displayName: fresh(`Delegate of ${p.name}`) });
    negotiators.push(user);
    membershipIds.set(user.id, membershipId);
  }
  const obs = await join(anon, facilitator.client, room.id, 'OBSERVER', undefined, { displayName: fresh('Observer') });
  membershipIds.set(obs.user.id, obs.membershipId);
  return { id: room.id, parties: room.parties, facilitator, negotiators, observer: obs.user, membershipIds };
}

// ---- votes, agreements and the room's events: what many test files need set up ----

export const CAST_VOTE = `mutation($input: CastVoteInput!) { castVote(input: $input) { party { id name } choice reason castAt } }`;

export async function vote(client: Client, ballotId: string, choice = 'SUPPORT', reason?: string) {
  const d = await client.ok<{ castVote: { party: { id: string; name: string }; choice: string; reason: string | null; castAt: string } }>(CAST_VOTE, {
    input: { ballotId, choice, reason },
  });
  return d.castVote;
}

export interface AdoptedAgreement {
  room: TestRoom;
  proposalId: string;
  ballotId: string;
  agreementId: string;
  textHash: string;
}

// A proposal adopted by a ballot, so its agreement exists: by default a unanimous open ballot
// every negotiator supports. `voters` and `ballot` change who votes and by which rule; `close`
// has the facilitator close it if it is still open (not every party voted).
export async function adoptedAgreement(
  room: TestRoom,
  over: { texts?: string[]; voters?: TestUser[]; ballot?: Record<string, unknown>; close?: boolean } = {},
): Promise<AdoptedAgreement> {
  const fac = room.facilitator.client;
  const texts = over.texts ?? ['Each lab reports training runs above the threshold.', 'Reports go to the facilitator within 30 days.'];
  const p = await fac.ok<{ createProposal: { id: string } }>(`mutation($i: CreateProposalInput!) { createProposal(input: $i) { id } }`, {
    i: { roomId: room.id, title: 'Compute reporting', clauses: texts.map((text, i) => ({ key: String(i + 1), text })) },
  });
  const proposalId = p.createProposal.id;
  const b = await fac.ok<{ openBallot: { id: string } }>(`mutation($i: OpenBallotInput!) { openBallot(input: $i) { id } }`, {
    i: { proposalId, rule: 'UNANIMITY', quorum: 1, secrecy: 'OPEN', ...over.ballot },
  });
  const ballotId = b.openBallot.id;
  for (const n of over.voters ?? room.negotiators) await vote(n.client, ballotId);
  const state = `query($id: ID!) { proposal(id: $id) { status agreement { id textHash } } }`;
  let q = await fac.ok(state, { id: proposalId });
  // (a ballot every party has voted on is closed already)
  if (over.close && q.proposal.status === 'VOTING') {
    await fac.ok(`mutation($b: ID!) { closeBallot(ballotId: $b) { id } }`, { b: ballotId });
    q = await fac.ok(state, { id: proposalId });
  }
  if (q.proposal.status !== 'ADOPTED' || !q.proposal.agreement) throw new Error(`the proposal was not adopted: ${JSON.stringify(q.proposal)}`);
  return { room, proposalId, ballotId, agreementId: q.proposal.agreement.id, textHash: q.proposal.agreement.textHash };
}

export const SIGN_AGREEMENT = `mutation($a: ID!, $h: String!, $s: String) { signAgreement(agreementId: $a, textHash: $h, signature: $s) { party { id } textHash partyMade } }`;
export const CONSENT_TO_PUBLISH = `mutation($a: ID!, $e: DateTime) { consentToPublish(agreementId: $a, embargoUntil: $e) { id status publicSlug } }`;

// Every one of `parties` (a negotiator each) signs and consents: the agreement is published.
export async function publishedAgreement(agreement: { agreementId: string; textHash: string }, parties: TestUser[]): Promise<string> {
  for (const n of parties) {
    await n.client.ok(SIGN_AGREEMENT, { a: agreement.agreementId, h: agreement.textHash });
    await n.client.ok(CONSENT_TO_PUBLISH, { a: agreement.agreementId });
  }
  const d = await parties[0].client.ok(`query($id: ID!) { agreement(id: $id) { status publicSlug } }`, { id: agreement.agreementId });
  if (d.agreement.status !== 'PUBLISHED') throw new Error(`the agreement was not published: ${JSON.stringify(d.agreement)}`);
  return d.agreement.publicSlug as string;
}

// One stream of a room's event log as a member reads it: the room's own by default, or a
// party's (`party:<id>`, its caucus). `data` is the parsed payload.
export const ROOM_EVENTS = `query($roomId: ID!, $stream: String! = "room", $afterSeq: Int! = 0, $limit: Int! = 1000) {
  roomEvents(roomId: $roomId, stream: $stream, afterSeq: $afterSeq, limit: $limit) { stream seq type at actor payload hash prevHash proof }
}`;

export interface TestEvent {
  stream: string;
  seq: number;
  type: string;
  at: string;
  actor: string | null;
  payload: string;
  hash: string;
  prevHash: string;
  proof: string | null;
  data: Record<string, any>;
}

export async function roomEvents(client: Client, roomId: string, over: { stream?: string; afterSeq?: number; limit?: number } = {}): Promise<TestEvent[]> {
  const d = await client.ok<{ roomEvents: Array<Omit<TestEvent, 'data'>> }>(ROOM_EVENTS, { roomId, ...over });
  return d.roomEvents.map((e) => ({ ...e, data: JSON.parse(e.payload) }));
}
