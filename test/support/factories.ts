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
export async function newRoom(
  anon: Client,
  over: { parties?: string[]; speakerAttribution?: string; facilitator?: TestUser } = {},
): Promise<TestRoom> {
  const facilitator = over.facilitator ?? (await newUser(anon, { displayName: fresh('Facilitator') }));
  const names = over.parties ?? ['Lab A', 'Lab B', 'Lab C'];
  const d = await facilitator.client.ok<{ createRoom: { id: string; parties: Array<{ id: string; name: string }>; myMembership: { id: string } } }>(CREATE_ROOM, {
    input: { title: fresh('Room'), purpose: 'Agree on one task', speakerAttribution: over.speakerAttribution ?? 'ATTRIBUTED', parties: names },
  });
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
