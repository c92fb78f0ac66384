import { attribute } from '@parley/domain';
import type { LockedMember, RoomEntity, SpeakerDirectory } from '@parley/rooms';
import type { MessageEntity } from './message.entity';
import type { MessageType } from './discussion.types';

// A message as one member sees it: its speaker as the room's attribution shows them to this
// viewer, its body empty once redacted.
export function toMessage(dir: SpeakerDirectory, viewerMembershipId: string, m: MessageEntity): MessageType {
  const author = dir.members.get(m.authorMembershipId);
  const seen = author
    ? attribute(dir.attribution, { membershipId: m.authorMembershipId, ...author }, viewerMembershipId)
    : { displayName: null, partyId: null };
  return {
    id: m.id,
    roomId: m.roomId,
    seq: m.seq,
    thread: m.thread,
    body: m.redactedAt ? '' : m.body,
    author: seen.displayName,
    party: seen.partyId ? { id: seen.partyId, name: dir.partyNames.get(seen.partyId) ?? '' } : null,
    createdAt: m.createdAt,
    editedAt: m.editedAt,
    redacted: m.redactedAt !== null,
    mine: m.authorMembershipId === viewerMembershipId,
  };
}

// What the author's own ack needs of the room's directory: the author and their party, as
// read under the room lock (no second read of every member and party).
export function authorDirectory(room: RoomEntity, author: LockedMember): SpeakerDirectory {
  return {
    attribution: room.speakerAttribution,
    members: new Map([[author.id, { displayName: author.displayName, partyId: author.partyId, role: author.role }]]),
    partyNames: new Map(author.partyId ? [[author.partyId, author.partyName ?? '']] : []),
  };
}
