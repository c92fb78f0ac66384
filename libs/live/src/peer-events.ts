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
