// Invitation redemption through the services on a real database: single use under
// concurrent accepts, binding to an address, and sign-up through an invitation as one write.
// (Uniform INVITE_INVALID answers and previews over GraphQL are the e2e tier's: rooms.e2e-spec.ts.)
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IdentityService } from '@parley/identity';
import { fresh } from '../support/factories';
// not exported by the lib (it is the lib's own): the medium tier reaches it by its file
import { InvitesService } from '../../libs/rooms/src/invites.service';
import { codeOf, startMedium, type Medium } from './support/medium';

describe('invite redemption (medium)', () => {
  let m: Medium;
  let invites: InvitesService;
  let identity: IdentityService;
  beforeAll(async () => {
    m = await startMedium();
    [invites, identity] = [m.get(InvitesService), m.get(IdentityService)];
  });
  afterAll(async () => {
    await m?.close();
  });

  const membershipsOf = (email: string) =>
    m.sql<{ room_id: string; role: string; party_id: string | null }>(
      `SELECT m.room_id, m.role, m.party_id FROM membership m JOIN app_user u ON u.id = m.user_id WHERE u.email = $1`,
      [email.toLowerCase()],
    );

  it('is single-use under a dozen simultaneous accepts', async () => {
    const room = await m.room(['A']);
    const { token } = await invites.create(room.facilitator.auth, { roomId: room.id, role: 'OBSERVER' });
    const users = await Promise.all(Array.from({ length: 12 }, () => m.user()));
    const results = await Promise.allSettled(users.map((u) => invites.accept(u.auth, token)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused.map((r) => (r.reason as { code?: string }).code)).toEqual(Array(11).fill('INVITE_INVALID'));
    const rows = await m.sql(`SELECT count(*)::int AS n FROM membership WHERE room_id = $1 AND role = 'OBSERVER'`, [room.id]);
    expect(rows[0].n).toBe(2); // the room's own observer and the one winner
  });

  it('binds an invite to an email, in any case: redeemed by signing up with that address through it', async () => {
    const room = await m.room(['A']);
    const email = `${fresh('bound')}@example.org`;
    const { token } = await invites.create(room.facilitator.auth, { roomId: room.id, role: 'OBSERVER', email: email.toUpperCase() });
    const someoneElse = await m.user();
    expect(await codeOf(invites.accept(someoneElse.auth, token))).toBe('INVITE_INVALID');
    await identity.signUp({ email, password: 'correct horse battery staple', displayName: 'Bound', inviteToken: token });
    expect(await membershipsOf(email)).toEqual([{ room_id: room.id, role: 'OBSERVER', party_id: null }]);
  });

  it('signUp with an invite creates the account and the membership together, or neither', async () => {
    const room = await m.room(['A', 'B']);
    const { token } = await invites.create(room.facilitator.auth, { roomId: room.id, role: 'NEGOTIATOR', partyId: room.parties[0].id });
    const email = `${fresh('first')}@example.org`;
    await identity.signUp({ email, password: 'correct horse battery staple', displayName: 'First', inviteToken: token });
    expect(await membershipsOf(email)).toEqual([{ room_id: room.id, role: 'NEGOTIATOR', party_id: room.parties[0].id }]);
    const late = `${fresh('late')}@example.org`;
    expect(await codeOf(identity.signUp({ email: late, password: 'correct horse battery staple', displayName: 'Late', inviteToken: token }))).toBe(
      'INVITE_INVALID',
    );
    expect((await m.sql(`SELECT count(*)::int AS n FROM app_user WHERE email = $1`, [late]))[0].n).toBe(0);
  });
});
