import { Inject, Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { APP_CONFIG, badInput, Check, invalidState, inviteInvalid, isUuid, notFound, RateLimiter, rateLimited, type AppConfig } from '@parley/common';
import { returnedRows, TransactionRunner, type Tx } from '@parley/database';
import { isEmail, newToken, normaliseEmail, tokenHash, type AuthUser, type InviteRedeemer } from '@parley/identity';
import { InviteEntity, MembershipEntity, PartyEntity, type RoomRole } from './rooms.entities';
import { ROOM, RoomAccessService, type ObjectKind, type RoomAccessContext } from './room-access.service';
import { eventAuthor, RoomEventsService } from './room-events.service';
import { RoomsService, toParty } from './rooms.service';
import type { CreatedInviteType, InvitePreviewType, InviteType, MembershipType } from './rooms.types';

const DEFAULT_HOURS = 72;
const MAX_HOURS = 30 * 24;
const ROLES: RoomRole[] = ['FACILITATOR', 'NEGOTIATOR', 'OBSERVER'];
const LIMIT_WINDOW_MS = 15 * 60_000;

export const INVITE: ObjectKind = { sql: `SELECT room_id, NULL::uuid AS audience_party_id FROM invite WHERE id = $1` };

// An invitation is redeemable only while its maker could still make it: a facilitator who
// is still a member of the room, and the room not archived (`invite` is the outer row).
const CREATOR_STILL_ABLE = `EXISTS (SELECT 1 FROM membership c JOIN room r ON r.id = c.room_id
    WHERE c.id = invite.created_by AND c.room_id = invite.room_id AND c.removed_at IS NULL
      AND c.role = 'FACILITATOR' AND r.archived_at IS NULL)`;

@Injectable()
export class InvitesService implements InviteRedeemer {
  // guessing tokens is hopeless (256 bits), but each try costs a lookup: bounded per client
  // address for previews, per account for acceptances
  private readonly previewsByIp: RateLimiter;
  private readonly acceptsByUser = new RateLimiter(20, LIMIT_WINDOW_MS);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly access: RoomAccessService,
    private readonly events: RoomEventsService,
    private readonly rooms: RoomsService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.previewsByIp = new RateLimiter(config.authRatePerIp, LIMIT_WINDOW_MS);
  }

  private async view(invite: InviteEntity, parties?: Map<string, PartyEntity>): Promise<InviteType> {
    let party: PartyEntity | null | undefined = null;
    if (invite.partyId) {
      party = parties ? parties.get(invite.partyId) : await this.tx.manager.findOne(PartyEntity, { where: { id: invite.partyId } });
    }
    return {
      id: invite.id,
      role: invite.role,
      party: party ? toParty(party) : null,
      email: invite.email,
      expiresAt: invite.expiresAt,
      usedAt: invite.usedAt,
      revokedAt: invite.revokedAt,
    };
  }

  async create(
    user: AuthUser,
    input: { roomId: string; role: string; partyId?: string | null; email?: string | null; expiresInHours?: number | null },
  ): Promise<CreatedInviteType> {
    const c = new Check();
    c.that('role', ROLES.includes(input.role as RoomRole), 'must be FACILITATOR, NEGOTIATOR or OBSERVER');
    const email = input.email == null || input.email === '' ? null : normaliseEmail(c.text('email', input.email, { min: 3, max: 320 }));
    if (email !== null) c.that('email', isEmail(email), 'must be an email address');
    const hours = input.expiresInHours == null ? DEFAULT_HOURS : c.int('expiresInHours', input.expiresInHours, { min: 1, max: MAX_HOURS });
    const role = input.role as RoomRole;
    if (role === 'NEGOTIATOR') c.that('partyId', input.partyId != null, 'a negotiator invitation needs a party');
    if (role === 'OBSERVER') c.that('partyId', input.partyId == null, 'observers do not represent a party');
    if (input.partyId != null) c.that('partyId', isUuid(input.partyId), 'must be a party of this room');
    return this.tx.run(async (tx) => {
      // NOT_FOUND / FORBIDDEN before anything about the input
      const ctx = await this.access.lock(tx, user, ROOM, input.roomId, 'manage');
      c.done();
      let party: PartyEntity | null = null;
      if (input.partyId) {
        party = await tx.em.findOne(PartyEntity, { where: { id: input.partyId, roomId: ctx.room.id } });
        if (!party) throw badInput({ partyId: 'must be a party of this room' });
      }
      const token = newToken();
      const invite = await tx.em.save(
        tx.em.create(InviteEntity, {
          roomId: ctx.room.id,
          role,
          partyId: party?.id ?? null,
          email,
          tokenHash: tokenHash(token),
          createdBy: ctx.membership.id,
          expiresAt: new Date(Date.now() + hours * 3600_000),
        }),
      );
      // the event records that an invitation exists, never its token or address
      await this.events.append(tx, {
        roomId: ctx.room.id,
        type: 'invite.created',
        actor: ctx.membership,
        payload: { inviteId: invite.id, role, partyId: party?.id ?? null },
      });
      return { invite: await this.view(invite, party ? new Map([[party.id, party]]) : undefined), token };
    });
  }

  // Room.invites (the room itself was authorised for reading)
  async list(scope: RoomAccessContext): Promise<InviteType[]> {
    const ctx = this.access.authorize(scope, 'listInvites');
    const [invites, parties] = await Promise.all([
      this.tx.manager.find(InviteEntity, { where: { roomId: ctx.room.id }, order: { createdAt: 'DESC' } }),
      this.rooms.parties(ctx.room.id),
    ]);
    const map = new Map(parties.map((p) => [p.id, p]));
    return Promise.all(invites.map((i) => this.view(i, map)));
  }

  async revoke(user: AuthUser, inviteId: string): Promise<InviteType> {
    return this.tx.run(async (tx) => {
      const ctx = await this.access.lock(tx, user, INVITE, inviteId, 'manage');
      const invite = await tx.em.findOne(InviteEntity, { where: { id: inviteId, roomId: ctx.roomId } });
      if (!invite) throw notFound();
      if (invite.usedAt) throw invalidState('This invitation has already been used.');
      if (!invite.revokedAt) {
        invite.revokedAt = new Date();
        await tx.em.update(InviteEntity, { id: invite.id }, { revokedAt: invite.revokedAt });
        await this.events.append(tx, { roomId: ctx.room.id, type: 'invite.revoked', actor: ctx.membership, payload: { inviteId: invite.id } });
      }
      return this.view(invite);
    });
  }

  private async usable(tokenRaw: unknown): Promise<InviteEntity> {
    if (typeof tokenRaw !== 'string' || tokenRaw.length < 20 || tokenRaw.length > 200) throw inviteInvalid();
    const rows: Array<{ id: string }> = await this.tx.manager.query(
      `SELECT id FROM invite WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now() AND ${CREATOR_STILL_ABLE}`,
      [tokenHash(tokenRaw.trim())],
    );
    const invite = rows.length ? await this.tx.manager.findOne(InviteEntity, { where: { id: rows[0].id } }) : null;
    if (!invite) throw inviteInvalid();
    return invite;
  }

  async preview(token: string, clientIp = 'unknown'): Promise<InvitePreviewType> {
    if (!this.previewsByIp.take(clientIp)) throw rateLimited(undefined, this.previewsByIp.refusedForSeconds(clientIp));
    const invite = await this.usable(token);
    const room = await this.rooms.roomOrThrow(invite.roomId);
    const party = invite.partyId ? await this.tx.manager.findOne(PartyEntity, { where: { id: invite.partyId } }) : null;
    return { roomTitle: room.title, role: invite.role, partyName: party?.name ?? null, expiresAt: invite.expiresAt };
  }

  // for signUp, before any work on the account: usable now, and by this address
  async check(token: string, email: string): Promise<{ boundToEmail: boolean }> {
    const invite = await this.usable(token);
    if (invite.email !== null && invite.email !== email) throw inviteInvalid();
    return { boundToEmail: invite.email !== null };
  }

  // Single use under any concurrency: one conditional UPDATE claims the invite; the loser
  // of a race finds no row and gets INVITE_INVALID like any other unusable token.
  // An invitation bound to an email is redeemed only by an account whose address was proven
  // (created through such an invitation, or by the operator): an account that merely claims
  // the address at an open sign-up cannot take it.
  async redeem(tx: Tx, tokenRaw: string, user: { id: string; email: string; displayName: string; emailVerified: boolean }): Promise<MembershipEntity> {
    if (typeof tokenRaw !== 'string' || tokenRaw.length < 20 || tokenRaw.length > 200) throw inviteInvalid();
    const found = await tx.em.findOne(InviteEntity, { where: { tokenHash: tokenHash(tokenRaw.trim()) } });
    if (!found) throw inviteInvalid();
    // the room row first, as every write in a room takes it, then the claim
    await this.access.lockForSystem(tx, found.roomId, { archived: true });
    const rows = returnedRows<InviteEntity>(
      await tx.em.query(
        `UPDATE invite SET used_at = now(), used_by = $2
          WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()
            AND (email IS NULL OR (email = $3 AND $4::boolean))
            AND ${CREATOR_STILL_ABLE}
          RETURNING id, room_id AS "roomId", role, party_id AS "partyId"`,
        [found.id, user.id, user.email, user.emailVerified],
      ),
    );
    const invite = rows[0];
    if (!invite) throw inviteInvalid();
    const already = await tx.em.exists(MembershipEntity, { where: { roomId: invite.roomId, userId: user.id, removedAt: IsNull() } });
    if (already) throw invalidState('You are already a member of this room.');
    const membership = await tx.em.save(
      tx.em.create(MembershipEntity, { roomId: invite.roomId, userId: user.id, role: invite.role, partyId: invite.partyId, displayName: user.displayName }),
    );
    await this.events.append(tx, {
      roomId: invite.roomId,
      type: 'member.joined',
      actor: membership,
      payload: { role: membership.role, inviteId: invite.id, author: eventAuthor(membership) },
    });
    return membership;
  }

  async accept(user: AuthUser, token: string): Promise<MembershipType> {
    if (!this.acceptsByUser.take(user.id)) throw rateLimited(undefined, this.acceptsByUser.refusedForSeconds(user.id));
    return this.tx.run(async (tx) => {
      const membership = await this.redeem(tx, token, user);
      // everything read on the transaction's own connection: a second one from the pool while
      // this one waits holding the room lock can starve the pool under concurrent accepts
      const room = await this.rooms.roomOrThrow(membership.roomId, tx.em);
      const parties = new Map((await this.rooms.parties(room.id, tx.em)).map((p) => [p.id, p]));
      return this.rooms.membershipView({ room, membership }, membership, parties);
    });
  }
}
