import { Injectable } from '@nestjs/common';
import { DomainError, forbidden, invalidState, isUuid, notFound } from '@parley/common';
import { preparedQuery, TransactionRunner, type Tx } from '@parley/database';
import type { AuthUser } from '@parley/identity';
import { MembershipEntity, RoomEntity, type PartyEntity, type RoomRole } from './rooms.entities';
import type { RoomScope } from './rooms.types';

// PRODUCT.md "Who may do what", as the one table every resolver and socket event goes through.
export type RoomAction =
  | 'read' // read the room and everything in it
  | 'message' // post in the discussion
  | 'manage' // addParty, createInvite, revokeInvite, removeMember, archiveRoom
  | 'listInvites' // the room's `invites` (a read, for facilitators)
  | 'draft' // createProposal, reviseProposal, addAlternative, proposeAmendment
  | 'withdrawAmendment' // the proposing party's members, or any facilitator
  | 'facilitate' // resolveBracket, accept/rejectAmendment, open/closeBallot, withdrawProposal, resolveCommitments, remindParties
  | 'partyAction' // castVote, signAgreement, registerPartyKey, make/withdrawCommitment, consentToPublish
  | 'editMessage' // its author only
  | 'redactMessage'; // its author or a facilitator

// What the object an action is on says about who may act on it (see ObjectKind).
export interface Subject {
  partyId: string | null; // the party it belongs to (an amendment's proposing party)
  userId: string | null; // the user who wrote it (a message's author)
}

const NO_SUBJECT: Subject = { partyId: null, userId: null };

const facilitator = (m: MembershipEntity) => m.role === 'FACILITATOR';

const ALLOWED: Record<RoomAction, (m: MembershipEntity, s: Subject) => boolean> = {
  read: () => true,
  message: () => true,
  manage: facilitator,
  listInvites: facilitator,
  draft: (m) => m.role === 'FACILITATOR' || m.role === 'NEGOTIATOR',
  withdrawAmendment: (m, s) => facilitator(m) || (m.role === 'NEGOTIATOR' && s.partyId !== null && s.partyId === m.partyId),
  facilitate: facilitator,
  partyAction: (m) => m.role !== 'OBSERVER' && m.partyId !== null,
  editMessage: (m, s) => s.userId !== null && s.userId === m.userId,
  redactMessage: (m, s) => facilitator(m) || (s.userId !== null && s.userId === m.userId),
};

const DENIED: Partial<Record<RoomAction, string>> = {
  partyAction: 'Only a member who represents a party can do that.',
  withdrawAmendment: 'Only the proposing party or a facilitator can withdraw an amendment.',
  editMessage: 'Only its author can edit a message.',
  redactMessage: 'Only its author or a facilitator can redact a message.',
};

// allowed in an archived room
const READ_ONLY: ReadonlySet<RoomAction> = new Set<RoomAction>(['read', 'listInvites']);

// How to find an object's room: one SELECT, for the id `$1`, of `room_id` and
// `audience_party_id` (null = the whole room; set = only that party's members may know the
// object), and, for actions that depend on the object, `subject_party_id` and
// `subject_user_id` (see Subject; they must never change once the object exists: the
// locking statement does not read them again after waiting for the room). Each capability declares its own kinds, so this
// service never names another's tables.
export interface ObjectKind {
  readonly sql: string;
}

// the caller's active membership in the room `r` (the caller's user id is `$2`)
const MEMBER_OF_ROOM = `m.room_id = r.id AND m.user_id = $2 AND m.removed_at IS NULL`;

export const ROOM: ObjectKind = { sql: `SELECT id AS room_id, NULL::uuid AS audience_party_id FROM room WHERE id = $1` };

// Who acts, as the policy let them: their membership as read after the room lock.
export interface Actor extends RoomScope {
  userId: string;
  roomId: string;
  role: RoomRole;
}

// A party action's actor always has a party.
export interface PartyActor extends Actor {
  partyId: string;
  membership: MembershipEntity & { partyId: string };
}

// A write's actor, with the database's clock for this transaction (`now()`, the same value
// every statement of the transaction sees): the one clock of deadlines and rules at a time.
export type Locked<A extends Actor = Actor> = A & { now: Date };

export type ActorFor<A extends RoomAction> = A extends 'partyAction' ? PartyActor : Actor;

// Kept for callers that only need the room and the membership.
export type RoomAccessContext = RoomScope;

@Injectable()
export class RoomAccessService {
  private selected: string | null = null;

  constructor(private readonly tx: TransactionRunner) {}

  // Reads: a non-member learns nothing, not even that the room exists (one statement).
  async check<A extends RoomAction>(user: AuthUser, roomId: string, action: A): Promise<ActorFor<A>> {
    if (!isUuid(roomId)) throw notFound();
    const [row] = await preparedQuery(this.tx.manager, `SELECT ${this.columns()} FROM room r JOIN membership m ON ${MEMBER_OF_ROOM} WHERE r.id = $1`, [
      roomId,
      user.id,
    ]);
    if (!row) throw notFound();
    return this.authorize(this.scopeOf(row), action);
  }

  // The one idiom of every write in a room, keyed by the object written, in one statement:
  //  - the object's room found together with the caller's membership (a stranger, or a member
  //    outside the object's audience, gets NOT_FOUND from it whether the object exists or not,
  //    so neither the answer nor its timing tells);
  //  - the room row locked (every write in a room takes it before any other row) and the
  //    membership row share-locked: when the statement had to wait for the room, PostgreSQL
  //    rechecks both rows in their latest committed versions (READ COMMITTED's recheck of
  //    locked rows), so a removal that committed while we waited is seen;
  //  - the transaction's clock (`now()`), the one clock of deadlines and rules at a time.
  // Then the action is checked in the table above, and the room not archived.
  async lock<A extends RoomAction>(tx: Tx, user: AuthUser, kind: ObjectKind, id: unknown, action: A, subject?: Subject): Promise<Locked<ActorFor<A>>> {
    const [actor] = await this.lockEach(tx, [user], kind, id, action, subject);
    if (actor instanceof DomainError) throw actor;
    return actor;
  }

  // The same for several callers at once (a batch of writes on one object), in the same one
  // statement: for each user in turn, their actor, or the error lock() would throw for them.
  async lockEach<A extends RoomAction>(
    tx: Tx,
    users: AuthUser[],
    kind: ObjectKind,
    id: unknown,
    action: A,
    subject?: Subject,
  ): Promise<Array<Locked<ActorFor<A>> | DomainError>> {
    if (!isUuid(id)) return users.map(() => notFound());
    const rows = await preparedQuery(
      tx.em,
      `SELECT o.*, now() AS now, ${this.columns()} FROM (${kind.sql}) o
         JOIN room r ON r.id = o.room_id
         JOIN membership m ON m.room_id = r.id AND m.user_id = ANY($2::uuid[]) AND m.removed_at IS NULL
        WHERE o.audience_party_id IS NULL OR o.audience_party_id = m.party_id
        FOR UPDATE OF r FOR SHARE OF m`,
      [id, [...new Set(users.map((u) => u.id))]],
    );
    const byUser = new Map(rows.map((row) => [row['m.userId'] as string, row]));
    return users.map((user) => {
      const row = byUser.get(user.id);
      if (!row) return notFound();
      const found = { partyId: (row.subject_party_id as string | undefined) ?? null, userId: (row.subject_user_id as string | undefined) ?? null };
      try {
        return Object.assign(this.authorize(this.scopeOf(row), action, subject ?? found), { now: row.now as Date });
      } catch (e) {
        if (e instanceof DomainError) return e;
        throw e;
      }
    });
  }

  // Writes nobody asked for (the schedulers' deadlines and embargoes, an invitation being
  // redeemed): the room row locked, as every write takes it first; null when the room is
  // gone or, unless `archived`, archived (read-only: nothing in it changes by itself).
  async lockForSystem(tx: Tx, roomId: string, opts: { archived?: boolean } = {}): Promise<RoomEntity | null> {
    const room = await tx.em.findOne(RoomEntity, { where: { id: roomId }, lock: { mode: 'pessimistic_write' } });
    return room && (opts.archived || !room.archivedAt) ? room : null;
  }

  // The room of an object, NOT_FOUND unless `user` may know it: for reads of one object,
  // followed by check() on the returned room.
  async roomOfOrThrow(user: AuthUser, kind: ObjectKind, id: unknown): Promise<string> {
    if (!isUuid(id)) throw notFound();
    const [row]: Array<{ room_id: string }> = await this.tx.manager.query(
      `SELECT o.room_id FROM (${kind.sql}) o
         JOIN membership m ON m.room_id = o.room_id AND m.user_id = $2 AND m.removed_at IS NULL
        WHERE o.audience_party_id IS NULL OR o.audience_party_id = m.party_id
        LIMIT 1`,
      [id, user.id],
    );
    if (!row) throw notFound();
    return row.room_id;
  }

  // The table: may this member do `action` (on an object saying `subject`)? The actor, or
  // FORBIDDEN; INVALID_STATE for a write in an archived room.
  authorize<A extends RoomAction>(scope: RoomScope, action: A, subject: Subject = NO_SUBJECT): ActorFor<A> {
    const { room, membership } = scope;
    if (!ALLOWED[action](membership, subject)) throw forbidden(DENIED[action]);
    if (!READ_ONLY.has(action) && room.archivedAt) throw invalidState('This room is archived and read-only.');
    return {
      room,
      membership,
      userId: membership.userId,
      roomId: room.id,
      role: membership.role,
      ...(membership.partyId !== null ? { partyId: membership.partyId } : {}),
    } as ActorFor<A>;
  }

  // A party's caucus (`party:<id>`): only that party's members; everyone else gets NOT_FOUND.
  assertCaucusMember(scope: RoomScope, partyId: string): void {
    if (scope.membership.partyId !== partyId) throw notFound();
  }

  // The room's parties inside a write, after its room lock (a party added by a write this one
  // waited for is seen).
  // the same, for the room of the object `id` of `kind` (a read issued with the lock, before
  // its answer names the room)
  partiesOfRoomOf(tx: Tx, kind: ObjectKind, id: string): Promise<PartyEntity[]> {
    return tx.em.query(
      `SELECT id, room_id AS "roomId", name, created_at AS "createdAt" FROM party WHERE room_id = (SELECT room_id FROM (${kind.sql}) o) ORDER BY created_at, name`,
      [id],
    );
  }

  partiesIn(tx: Tx, roomId: string): Promise<PartyEntity[]> {
    return tx.em.query(`SELECT id, room_id AS "roomId", name, created_at AS "createdAt" FROM party WHERE room_id = $1 ORDER BY created_at, name`, [roomId]);
  }

  // the room's and the membership's columns, as `r.<column> AS "r.<property>"` and `m.… AS "m.…"`
  private columns(): string {
    if (this.selected) return this.selected;
    const cols = (entity: typeof RoomEntity | typeof MembershipEntity, alias: string) =>
      this.tx.manager.connection
        .getMetadata(entity)
        .columns.map((c) => `${alias}.${c.databaseName} AS "${alias}.${c.propertyName}"`)
        .join(', ');
    return (this.selected = `${cols(RoomEntity, 'r')}, ${cols(MembershipEntity, 'm')}`);
  }

  private scopeOf(row: Record<string, unknown>): RoomScope {
    const room: Record<string, unknown> = {};
    const membership: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(row)) {
      if (key.startsWith('r.')) room[key.slice(2)] = value;
      else if (key.startsWith('m.')) membership[key.slice(2)] = value;
    }
    return { room: room as unknown as RoomEntity, membership: membership as unknown as MembershipEntity };
  }
}
