import { Injectable } from '@nestjs/common';
import { In, IsNull, type EntityManager } from 'typeorm';
import { attributedLabel } from '@parley/domain';
import { badInput, Check, invalidState, isUuid, notFound } from '@parley/common';
import { returnedRows, TransactionRunner } from '@parley/database';
import type { AuthUser } from '@parley/identity';
import { MembershipEntity, PartyEntity, RoomEntity } from './rooms.entities';
import { ROOM, RoomAccessService, type ObjectKind, type RoomAccessContext } from './room-access.service';
import { RoomEventsService } from './room-events.service';
import type { MembershipType, PartyType, RoomType } from './rooms.types';

const MAX_PARTIES = 100;

export const MEMBERSHIP: ObjectKind = { sql: `SELECT room_id, NULL::uuid AS audience_party_id FROM membership WHERE id = $1` };
const ATTRIBUTIONS = ['ATTRIBUTED', 'PARTY_ONLY', 'ANONYMOUS'];

export const toParty = (p: PartyEntity): PartyType => ({ id: p.id, name: p.name });

export function toRoom(ctx: RoomAccessContext): RoomType {
  const { room } = ctx;
  return {
    id: room.id,
    title: room.title,
    purpose: room.purpose,
    speakerAttribution: room.speakerAttribution,
    archived: room.archivedAt !== null,
    createdAt: room.createdAt,
    lastSeq: room.lastSeq,
    scope: ctx,
  };
}

@Injectable()
export class RoomsService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly access: RoomAccessService,
    private readonly events: RoomEventsService,
  ) {}

  private validateParties(c: Check, names: unknown, field = 'parties'): string[] {
    if (!Array.isArray(names)) {
      c.that(field, false, 'must be a list');
      return [];
    }
    c.that(field, names.length <= MAX_PARTIES, `at most ${MAX_PARTIES} parties`);
    const cleaned = names.map((n, i) => c.text(`${field}[${i}]`, n, { min: 1, max: 100 }));
    const lower = cleaned.map((n) => n.toLowerCase());
    c.that(field, new Set(lower).size === lower.length, 'party names must be unique');
    return cleaned;
  }

  async createRoom(user: AuthUser, input: { title: string; purpose: string; speakerAttribution: string; parties: string[] }): Promise<RoomType> {
    const c = new Check();
    const title = c.text('title', input.title, { min: 1, max: 200 });
    const purpose = c.text('purpose', input.purpose, { max: 5000 });
    c.that('speakerAttribution', ATTRIBUTIONS.includes(input.speakerAttribution), 'must be ATTRIBUTED, PARTY_ONLY or ANONYMOUS');
    const parties = this.validateParties(c, input.parties);
    c.done();
    return this.tx.run(async (tx) => {
      const room = await tx.em.save(
        tx.em.create(RoomEntity, {
          title,
          purpose,
          speakerAttribution: input.speakerAttribution as RoomEntity['speakerAttribution'],
          createdBy: user.id,
          headHash: '0'.repeat(64),
        }),
      );
      const savedParties = parties.length ? await tx.em.save(parties.map((name) => tx.em.create(PartyEntity, { roomId: room.id, name }))) : [];
      const membership = await tx.em.save(
        tx.em.create(MembershipEntity, { roomId: room.id, userId: user.id, role: 'FACILITATOR', partyId: null, displayName: user.displayName }),
      );
      const event = await this.events.append(tx, {
        roomId: room.id,
        type: 'room.created',
        actor: membership,
        payload: {
          title,
          purpose,
          speakerAttribution: room.speakerAttribution,
          parties: savedParties.map(toParty),
          facilitator: { membershipId: membership.id },
        },
      });
      room.lastSeq = event.seq;
      room.headHash = event.hash;
      return toRoom({ room, membership });
    });
  }

  async listRooms(user: AuthUser): Promise<RoomType[]> {
    const memberships = await this.tx.manager.find(MembershipEntity, { where: { userId: user.id, removedAt: IsNull() }, order: { joinedAt: 'DESC' } });
    if (!memberships.length) return [];
    const rooms = await this.tx.manager.find(RoomEntity, { where: { id: In(memberships.map((m) => m.roomId)) } });
    const byId = new Map(rooms.map((r) => [r.id, r]));
    return memberships.filter((m) => byId.has(m.roomId)).map((m) => toRoom({ room: byId.get(m.roomId)!, membership: m }));
  }

  async room(user: AuthUser, roomId: string): Promise<RoomType> {
    return toRoom(await this.access.check(user, roomId, 'read'));
  }

  async roomOrThrow(id: string, em: EntityManager = this.tx.manager): Promise<RoomEntity> {
    const room = isUuid(id) ? await em.findOne(RoomEntity, { where: { id } }) : null;
    if (!room) throw notFound();
    return room;
  }

  // of `roomIds`, those of rooms that are not archived (an archived room is read-only: nothing
  // in it changes by itself)
  async unarchivedRoomIds(roomIds: string[]): Promise<Set<string>> {
    if (!roomIds.length) return new Set();
    const rooms = await this.tx.manager.find(RoomEntity, { where: { id: In(roomIds), archivedAt: IsNull() }, select: { id: true } });
    return new Set(rooms.map((r) => r.id));
  }

  // `em`: a caller's transaction, so a write never waits on a second pool connection
  async parties(roomId: string, em: EntityManager = this.tx.manager): Promise<PartyEntity[]> {
    return em.find(PartyEntity, { where: { roomId }, order: { createdAt: 'ASC', name: 'ASC' } });
  }

  async membershipView(ctx: RoomAccessContext, m: MembershipEntity, parties?: Map<string, PartyEntity>): Promise<MembershipType> {
    const partyMap = parties ?? new Map((await this.parties(ctx.room.id)).map((p) => [p.id, p]));
    const sameViewer = m.id === ctx.membership.id;
    const attribution = ctx.room.speakerAttribution;
    const showParty = sameViewer || attribution !== 'ANONYMOUS';
    const party = m.partyId && showParty ? partyMap.get(m.partyId) : undefined;
    return {
      id: m.id,
      role: m.role,
      party: party ? toParty(party) : null,
      displayName: attributedLabel(
        attribution,
        { membershipId: m.id, displayName: m.displayName, partyId: m.partyId },
        ctx.membership.id,
        (id) => partyMap.get(id)?.name,
      ),
      joinedAt: m.joinedAt,
    };
  }

  async members(ctx: RoomAccessContext): Promise<MembershipType[]> {
    const [members, parties] = await Promise.all([
      this.tx.manager.find(MembershipEntity, { where: { roomId: ctx.room.id, removedAt: IsNull() }, order: { joinedAt: 'ASC' } }),
      this.parties(ctx.room.id),
    ]);
    const partyMap = new Map(parties.map((p) => [p.id, p]));
    return Promise.all(members.map((m) => this.membershipView(ctx, m, partyMap)));
  }

  // the user id of a removed membership's user when they are left in no room, else null
  async userLeftWithoutRooms(membershipId: string): Promise<string | null> {
    const m = await this.tx.manager.findOne(MembershipEntity, { where: { id: membershipId } });
    if (!m) return null;
    const active = await this.tx.manager.count(MembershipEntity, { where: { userId: m.userId, removedAt: IsNull() } });
    return active === 0 ? m.userId : null;
  }

  async addParty(user: AuthUser, roomId: string, name: string): Promise<PartyType> {
    const c = new Check();
    const clean = c.text('name', name, { min: 1, max: 100 });
    c.done();
    return this.tx.run(async (tx) => {
      const ctx = await this.access.lock(tx, user, ROOM, roomId, 'manage');
      const existing = await tx.em.find(PartyEntity, { where: { roomId } });
      if (existing.length >= MAX_PARTIES) throw badInput({ name: `a room holds at most ${MAX_PARTIES} parties` });
      if (existing.some((p) => p.name.toLowerCase() === clean.toLowerCase())) throw badInput({ name: 'a party with this name is already in the room' });
      const party = await tx.em.save(tx.em.create(PartyEntity, { roomId, name: clean }));
      await this.events.append(tx, { roomId, type: 'party.added', actor: ctx.membership, payload: { party: toParty(party) } });
      return toParty(party);
    });
  }

  async removeMember(user: AuthUser, membershipId: string): Promise<boolean> {
    return this.tx.run(async (tx) => {
      const ctx = await this.access.lock(tx, user, MEMBERSHIP, membershipId, 'manage');
      const current = await tx.em.findOne(MembershipEntity, { where: { id: membershipId, roomId: ctx.roomId } });
      if (!current || current.removedAt) throw notFound();
      if (current.role === 'FACILITATOR') {
        const facilitators = await tx.em.count(MembershipEntity, { where: { roomId: current.roomId, role: 'FACILITATOR', removedAt: IsNull() } });
        if (facilitators <= 1) throw invalidState('A room keeps at least one facilitator; invite another before removing this one.');
      }
      await tx.em.update(MembershipEntity, { id: membershipId }, { removedAt: new Date() });
      await this.events.append(tx, {
        roomId: current.roomId,
        type: 'member.removed',
        actor: ctx.membership,
        payload: { membershipId: current.id },
      });
      // removal is final: the invitations this member made die with the membership
      const revoked = returnedRows<{ id: string }>(
        await tx.em.query(
          `UPDATE invite SET revoked_at = now() WHERE room_id = $1 AND created_by = $2 AND used_at IS NULL AND revoked_at IS NULL RETURNING id`,
          [current.roomId, current.id],
        ),
      );
      for (const { id } of revoked) {
        await this.events.append(tx, { roomId: current.roomId, type: 'invite.revoked', actor: ctx.membership, payload: { inviteId: id } });
      }
      return true;
    });
  }

  async archiveRoom(user: AuthUser, roomId: string): Promise<RoomType> {
    return this.tx.run(async (tx) => {
      const ctx = await this.access.lock(tx, user, ROOM, roomId, 'manage');
      ctx.room.archivedAt = new Date();
      await tx.em.update(RoomEntity, { id: roomId }, { archivedAt: ctx.room.archivedAt });
      const event = await this.events.append(tx, { roomId, type: 'room.archived', actor: ctx.membership, payload: {} });
      ctx.room.lastSeq = event.seq;
      return toRoom(ctx);
    });
  }
}
