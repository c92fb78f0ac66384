import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { RoomEventPayloads, RoomEventType, SpeakerAttribution, TypedRoomEvent } from '@parley/domain';

export type RoomRole = 'FACILITATOR' | 'NEGOTIATOR' | 'OBSERVER';

@Entity('room')
export class RoomEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text') title: string;
  @Column('text') purpose: string;
  @Column('text', { name: 'speaker_attribution' }) speakerAttribution: SpeakerAttribution;
  @Column('uuid', { name: 'created_by' }) createdBy: string;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'archived_at', nullable: true }) archivedAt: Date | null;
  @Column('integer', { name: 'last_seq', default: 0 }) lastSeq: number;
  @Column('text', { name: 'head_hash' }) headHash: string;
  // events up to this seq were written in format 1 (one chain for every audience)
  @Column('integer', { name: 'chain_v2_from', default: 0 }) chainV2From: number;
}

@Entity('party')
export class PartyEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'room_id' }) roomId: string;
  @Column('text') name: string;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
}

@Entity('membership')
export class MembershipEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'room_id' }) roomId: string;
  @Column('uuid', { name: 'user_id' }) userId: string;
  @Column('text') role: RoomRole;
  @Column('uuid', { name: 'party_id', nullable: true }) partyId: string | null;
  @Column('text', { name: 'display_name' }) displayName: string;
  @Column('timestamptz', { name: 'joined_at', default: () => 'now()' }) joinedAt: Date;
  @Column('timestamptz', { name: 'removed_at', nullable: true }) removedAt: Date | null;
}

@Entity('invite')
export class InviteEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'room_id' }) roomId: string;
  @Column('text') role: RoomRole;
  @Column('uuid', { name: 'party_id', nullable: true }) partyId: string | null;
  @Column('text', { nullable: true }) email: string | null;
  @Column('text', { name: 'token_hash' }) tokenHash: string;
  @Column('uuid', { name: 'created_by' }) createdBy: string;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt: Date;
  @Column('timestamptz', { name: 'used_at', nullable: true }) usedAt: Date | null;
  @Column('uuid', { name: 'used_by', nullable: true }) usedBy: string | null;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt: Date | null;
}

@Entity('room_event')
export class RoomEventEntity {
  @PrimaryColumn('uuid', { name: 'room_id' }) roomId: string;
  // 'room', or 'party:<id>' for one party's private stream; seq is gapless per stream
  @PrimaryColumn('text') stream: string;
  @PrimaryColumn('integer') seq: number;
  @Column('text') type: RoomEventType;
  @Column('uuid', { name: 'actor_membership_id', nullable: true }) actorMembershipId: string | null;
  @Column('uuid', { name: 'audience_party_id', nullable: true }) audiencePartyId: string | null;
  @Column('jsonb') payload: RoomEventPayloads[RoomEventType];
  @Column('timestamptz') at: Date;
  @Column('text', { name: 'prev_hash' }) prevHash: string;
  @Column('text') hash: string;
  @Column('smallint', { default: 1 }) format: number;
  // per part (see eventParts), the salt of its commitment; null in format 1
  @Column('jsonb', { nullable: true }) salts: Record<string, string> | null;
}

// A stored event with its payload narrowed by its type (`if (e.type === 'member.removed')`).
export type RoomEvent = TypedRoomEvent<Omit<RoomEventEntity, 'type' | 'payload'>>;
