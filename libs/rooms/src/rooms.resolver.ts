import { Args, Context, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentUser, Public, type AuthUser } from '@parley/identity';
import { RoomsService } from './rooms.service';
import { InvitesService } from './invites.service';
import { RoomEventsService } from './room-events.service';
import {
  AuditVerificationType,
  CreatedInviteType,
  CreateInviteInput,
  CreateRoomInput,
  InvitePreviewType,
  InviteType,
  MembershipType,
  PartyType,
  RoomEventType,
  RoomType,
} from './rooms.types';

@Resolver(() => RoomType)
export class RoomsResolver {
  constructor(
    private readonly rooms: RoomsService,
    private readonly invites: InvitesService,
  ) {}

  @Query(() => [RoomType], { name: 'rooms' })
  listRooms(@CurrentUser() user: AuthUser) {
    return this.rooms.listRooms(user);
  }

  @Query(() => RoomType)
  room(@CurrentUser() user: AuthUser, @Args('id', { type: () => ID }) id: string) {
    return this.rooms.room(user, id);
  }

  @Mutation(() => RoomType)
  createRoom(@CurrentUser() user: AuthUser, @Args('input') input: CreateRoomInput) {
    return this.rooms.createRoom(user, input);
  }

  @Mutation(() => PartyType)
  addParty(@CurrentUser() user: AuthUser, @Args('roomId', { type: () => ID }) roomId: string, @Args('name') name: string) {
    return this.rooms.addParty(user, roomId, name);
  }

  @Mutation(() => Boolean)
  removeMember(@CurrentUser() user: AuthUser, @Args('membershipId', { type: () => ID }) membershipId: string) {
    return this.rooms.removeMember(user, membershipId);
  }

  @Mutation(() => RoomType)
  archiveRoom(@CurrentUser() user: AuthUser, @Args('roomId', { type: () => ID }) roomId: string) {
    return this.rooms.archiveRoom(user, roomId);
  }

  @ResolveField(() => MembershipType)
  myMembership(@Parent() room: RoomType) {
    return this.rooms.membershipView(room.scope, room.scope.membership);
  }

  @ResolveField(() => [PartyType])
  async parties(@Parent() room: RoomType) {
    return (await this.rooms.parties(room.id)).map((p) => ({ id: p.id, name: p.name }));
  }

  @ResolveField(() => [MembershipType])
  members(@Parent() room: RoomType) {
    return this.rooms.members(room.scope);
  }

  // facilitators only; the room itself was already authorised for reading
  @ResolveField('invites', () => [InviteType])
  listInvites(@Parent() room: RoomType) {
    return this.invites.list(room.scope);
  }
}

@Resolver()
export class InvitesResolver {
  constructor(private readonly invites: InvitesService) {}

  @Mutation(() => CreatedInviteType)
  createInvite(@CurrentUser() user: AuthUser, @Args('input') input: CreateInviteInput) {
    return this.invites.create(user, input);
  }

  @Mutation(() => InviteType)
  revokeInvite(@CurrentUser() user: AuthUser, @Args('id', { type: () => ID }) id: string) {
    return this.invites.revoke(user, id);
  }

  @Public()
  @Query(() => InvitePreviewType)
  invitePreview(@Args('token') token: string, @Context() ctx: { req: { ip?: string } }) {
    return this.invites.preview(token, ctx.req.ip ?? 'unknown');
  }

  @Mutation(() => MembershipType)
  acceptInvite(@CurrentUser() user: AuthUser, @Args('token') token: string) {
    return this.invites.accept(user, token);
  }
}

@Resolver()
export class RoomEventsResolver {
  constructor(private readonly events: RoomEventsService) {}

  @Query(() => [RoomEventType])
  roomEvents(
    @CurrentUser() user: AuthUser,
    @Args('roomId', { type: () => ID }) roomId: string,
    @Args('afterSeq', { type: () => Int, defaultValue: 0 }) afterSeq: number,
    @Args('limit', { type: () => Int, defaultValue: 100 }) limit: number,
    @Args('stream', { defaultValue: 'room' }) stream: string,
  ) {
    return this.events.listFor(user, roomId, afterSeq, limit, stream);
  }

  @Query(() => AuditVerificationType)
  verifyAuditChain(@CurrentUser() user: AuthUser, @Args('roomId', { type: () => ID }) roomId: string) {
    return this.events.verifyFor(user, roomId);
  }
}
