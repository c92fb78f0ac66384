import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { forbidden, invalidState, isUuid, notFound } from '@parley/common';
import { TransactionRunner, type Tx } from '@parley/database';
import type { AuthUser } from '@parley/identity';
import { MembershipEntity, RoomEntity } from './rooms.entities';

// PRODUCT.md "Who may do what", as the one table every resolver and socket event goes through.
export type RoomAction =
  | 'read' // read the room and everything in it
  | 'message' // post, edit, redact in the discussion
  | 'manage' // addParty, createInvite, revokeInvite, invites, removeMember, archiveRoom
  | 'draft' // createProposal, reviseProposal, addAlternative, proposeAmendment, withdrawAmendment
  | 'facilitate' // resolveBracket, accept/rejectAmendment, open/closeBallot, withdrawProposal, resolveCommitments, remindParties
  | 'partyAction'; // castVote, signAgreement, registerPartyKey, make/withdrawCommitment, consentToPublish

const ALLOWED: Record<RoomAction, (m: MembershipEntity) => boolean> = {
  read: () => true,
  message: () => true,
  manage: (m) => m.role === 'FACILITATOR',
  draft: (m) => m.role === 'FACILITATOR' || m.role === 'NEGOTIATOR',
  facilitate: (m) => m.role === 'FACILITATOR',
  partyAction: (m) => m.role !== 'OBSERVER' && m.partyId !== null,
};

const READ_ONLY: ReadonlySet<RoomAction> = new Set(['read']);

// How to find an object's room: one SELECT of `room_id` and `audience_party_id` (null = the
// whole room; set = only that party's members may know the object) for the id `$1`.
// Each capability declares its own, so this service never names another's tables.
export interface RoomOf {
  readonly sql: string;
}

export interface RoomAccessContext {
  room: RoomEntity;
  membership: MembershipEntity;
}

@Injectable()
export class RoomAccessService {
  constructor(private readonly tx: TransactionRunner) {}

  // Reads: a non-member learns nothing, not even that the room exists.
  async check(user: AuthUser, roomId: string, action: RoomAction): Promise<RoomAccessContext> {
    return this.evaluate(this.tx.manager, user, roomId, action, false);
  }

  // Writes: locks the room row first (every write in a room takes this lock before any
  // other), then re-checks membership and state inside the transaction.
  async lock(tx: Tx, user: AuthUser, roomId: string, action: RoomAction): Promise<RoomAccessContext> {
    return this.evaluate(tx.em, user, roomId, action, true);
  }

  private async evaluate(
    em: TransactionRunner['manager'],
    user: AuthUser,
    roomId: string,
    action: RoomAction,
    lock: boolean,
  ): Promise<RoomAccessContext> {
    if (!isUuid(roomId)) throw notFound();
    const membership = await em.findOne(MembershipEntity, { where: { roomId, userId: user.id, removedAt: IsNull() } });
    if (!membership) throw notFound();
    const room = await em.findOne(RoomEntity, { where: { id: roomId }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!room) throw notFound();
    if (!ALLOWED[action](membership)) {
      throw action === 'partyAction' ? forbidden('Only a member who represents a party can do that.') : forbidden();
    }
    if (!READ_ONLY.has(action) && room.archivedAt) throw invalidState('This room is archived and read-only.');
    return { room, membership };
  }

  // The room of an object, resolved in the same statement as the caller's membership: a
  // non-member (or a member outside the object's audience) gets NOT_FOUND after that one
  // statement whether the object exists or not, so neither the answer nor its timing tells.
  // Role and archive checks follow with check()/lock() on the returned room.
  async roomOfOrThrow(user: AuthUser, source: RoomOf, id: unknown, em: TransactionRunner['manager'] = this.tx.manager): Promise<string> {
    if (!isUuid(id)) throw notFound();
    const rows: Array<{ room_id: string }> = await em.query(
      `SELECT o.room_id FROM (${source.sql}) o
         JOIN membership m ON m.room_id = o.room_id AND m.user_id = $2 AND m.removed_at IS NULL
        WHERE o.audience_party_id IS NULL OR o.audience_party_id = m.party_id
        LIMIT 1`,
      [id, user.id],
    );
    if (!rows.length) throw notFound();
    return rows[0].room_id;
  }

  // A party's caucus (`party:<id>`): only that party's members; everyone else gets NOT_FOUND.
  assertCaucusMember(ctx: RoomAccessContext, partyId: string): void {
    if (ctx.membership.partyId !== partyId) throw notFound();
  }
}
