import { Field, GraphQLISODateTime, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { SpeakerAttribution } from '@parley/domain';
import type { MembershipEntity, RoomEntity, RoomRole } from './rooms.entities';

export const RoomRoleEnum = { FACILITATOR: 'FACILITATOR', NEGOTIATOR: 'NEGOTIATOR', OBSERVER: 'OBSERVER' } as const;
export const SpeakerAttributionEnum = { ATTRIBUTED: 'ATTRIBUTED', PARTY_ONLY: 'PARTY_ONLY', ANONYMOUS: 'ANONYMOUS' } as const;
registerEnumType(RoomRoleEnum, { name: 'RoomRole' });
registerEnumType(SpeakerAttributionEnum, { name: 'SpeakerAttribution' });

@ObjectType('Party')
export class PartyType {
  @Field(() => ID) id: string;
  @Field() name: string;
}

@ObjectType('Membership')
export class MembershipType {
  @Field(() => ID) id: string;
  @Field(() => RoomRoleEnum) role: RoomRole;
  @Field(() => PartyType, { nullable: true }) party: PartyType | null;
  @Field() displayName: string;
  @Field(() => GraphQLISODateTime) joinedAt: Date;
}

// What every room-scoped answer carries besides its fields: who is looking.
export interface RoomScope {
  room: RoomEntity;
  membership: MembershipEntity;
}

@ObjectType('Room')
export class RoomType {
  @Field(() => ID) id: string;
  @Field() title: string;
  @Field() purpose: string;
  @Field(() => SpeakerAttributionEnum) speakerAttribution: SpeakerAttribution;
  @Field() archived: boolean;
  @Field(() => GraphQLISODateTime) createdAt: Date;
  @Field(() => Int) lastSeq: number;
  scope: RoomScope;
}

@ObjectType('Invite')
export class InviteType {
  @Field(() => ID) id: string;
  @Field(() => RoomRoleEnum) role: RoomRole;
  @Field(() => PartyType, { nullable: true }) party: PartyType | null;
  @Field(() => String, { nullable: true }) email: string | null;
  @Field(() => GraphQLISODateTime) expiresAt: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) usedAt: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) revokedAt: Date | null;
}

@ObjectType('CreatedInvite')
export class CreatedInviteType {
  @Field(() => InviteType) invite: InviteType;
  @Field() token: string;
}

@ObjectType('InvitePreview')
export class InvitePreviewType {
  @Field() roomTitle: string;
  @Field(() => RoomRoleEnum) role: RoomRole;
  @Field(() => String, { nullable: true }) partyName: string | null;
  @Field(() => GraphQLISODateTime) expiresAt: Date;
}

@ObjectType('RoomEvent')
export class RoomEventType {
  // 'room', or 'party:<id>' for the caller's party's private stream; seq counts per stream
  @Field() stream: string;
  @Field(() => Int) seq: number;
  @Field() type: string;
  @Field(() => GraphQLISODateTime) at: Date;
  @Field(() => String, { nullable: true }) actor: string | null;
  @Field() payload: string;
  @Field() hash: string;
  @Field() prevHash: string;
  // JSON {v:2, stream, disclosed:[[salt,path,value]], hidden:[digest]}: recompute the hash from it; null for events before format 2
  @Field(() => String, { nullable: true }) proof: string | null;
}

@ObjectType('StreamVerification')
export class StreamVerificationType {
  @Field() stream: string;
  @Field() valid: boolean;
  @Field(() => Int) length: number;
  @Field() head: string;
  @Field(() => Int, { nullable: true }) firstBrokenSeq: number | null;
}

// the room stream's figures; valid covers the caller's party stream too
@ObjectType('AuditVerification')
export class AuditVerificationType {
  @Field() valid: boolean;
  @Field(() => Int) length: number;
  @Field() head: string;
  @Field(() => Int, { nullable: true }) firstBrokenSeq: number | null;
  @Field(() => StreamVerificationType, { nullable: true }) partyStream: StreamVerificationType | null;
}

@InputType()
export class CreateRoomInput {
  @Field() title: string;
  @Field() purpose: string;
  @Field(() => SpeakerAttributionEnum) speakerAttribution: SpeakerAttribution;
  @Field(() => [String]) parties: string[];
}

@InputType()
export class CreateInviteInput {
  @Field(() => ID) roomId: string;
  @Field(() => RoomRoleEnum) role: RoomRole;
  @Field(() => ID, { nullable: true }) partyId?: string | null;
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field(() => Int, { nullable: true }) expiresInHours?: number | null;
}
