import type { RoomEvent } from '@parley/rooms';

// A committed event as it travels to other instances with the 'room:committed' notice
// (through the Redis adapter), so they deliver it from memory instead of reading it back.
export interface PeerEvent {
  roomId: string;
  stream: string;
  seq: number;
  type: string;
  actorMembershipId: string | null;
  audiencePartyId: string | null;
  payload: Record<string, unknown>;
  at: string;
  prevHash: string;
  hash: string;
  format: number;
  salts: Record<string, string> | null;
}

export const toPeer = (e: RoomEvent): PeerEvent => ({
  roomId: e.roomId,
  stream: e.stream,
  seq: e.seq,
  type: e.type,
  actorMembershipId: e.actorMembershipId,
  audiencePartyId: e.audiencePartyId,
  payload: e.payload as Record<string, unknown>,
  at: e.at.toISOString(),
  prevHash: e.prevHash,
  hash: e.hash,
  format: e.format,
  salts: e.salts,
});

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const idOrNull = (v: unknown) => v === null || typeof v === 'string';

// The event of a notice, when it is well formed and the one the notice names; null
// otherwise (the instance then reads the log, as for a notice without one).
export function fromPeer(row: unknown, roomId: string, seq: number, stream: string): RoomEvent | null {
  if (!isObject(row) || row.roomId !== roomId || row.seq !== seq || row.stream !== stream) return null;
  const at = typeof row.at === 'string' ? new Date(row.at) : null;
  const wellFormed =
    typeof row.type === 'string' &&
    idOrNull(row.actorMembershipId) &&
    idOrNull(row.audiencePartyId) &&
    isObject(row.payload) &&
    at !== null &&
    !Number.isNaN(at.getTime()) &&
    typeof row.prevHash === 'string' &&
    typeof row.hash === 'string' &&
    Number.isInteger(row.format) &&
    (row.salts === null || isObject(row.salts));
  return wellFormed ? ({ ...row, at } as unknown as RoomEvent) : null;
}

// At most this many events in one notice: a group commit's events leave in one notice (or a
// few), not one notice each.
export const NOTICE_MAX = 100;

// What a 'room:committed' notice says, event by event: a list of peer events (one notice per
// group commit: the other instances take them in one turn, so each room's events of the commit
// go to their sockets as one delivery, one write per socket), or the single (roomId, seq,
// stream, row) that instances sent before, so a notice from one not yet upgraded is still
// understood. The other way round it is not: an instance from before the list ignores it, and
// its sockets get those events only at the stream's next single-form notice or when they
// reconnect (afterSeq), so upgrade every instance together. Nothing here is trusted: each
// entry goes through remoteCommit's checks and fromPeer's; entries beyond NOTICE_MAX are
// dropped (their streams are read from the log at the next notice).
export function noticeEntries(args: unknown[]): Array<[roomId: unknown, seq: unknown, stream: unknown, row: unknown]> {
  const [first] = args;
  if (!Array.isArray(first)) return [[args[0], args[1], args[2], args[3]]];
  return first
    .slice(0, NOTICE_MAX)
    .flatMap((row: unknown) => (isObject(row) ? [[row.roomId, row.seq, row.stream, row] as [unknown, unknown, unknown, unknown]] : []));
}
