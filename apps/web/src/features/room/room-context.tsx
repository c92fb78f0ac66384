import { createContext, useContext, useEffect, useEffectEvent } from 'react';
import type { RoomQuery } from '../../gql/graphql';
import type { RoomEvent } from '../../api/live';

export type RoomData = RoomQuery['room'];

export interface RoomContextValue {
  room: RoomData;
  // my role and party in this room
  me: RoomData['myMembership'];
  isFacilitator: boolean;
  // a negotiator, or a facilitator who also represents a party
  myParty: { id: string; name: string } | null;
  // subscribe to this room's live events (already in seq order, each once)
  subscribe(f: (e: RoomEvent) => void): () => void;
  // reload the room's own data (parties, members, proposals)
  refreshRoom(): void;
  // membership ids online in this room now (the server's presence, per attribution)
  online: string[];
  // who is typing where (thread null = the room thread), as the server attributes it
  subscribeTyping(f: (t: { thread: string | null; who: string }) => void): () => void;
}

export const RoomContext = createContext<RoomContextValue | null>(null);

export function useRoom(): RoomContextValue {
  const v = useContext(RoomContext);
  if (!v) throw new Error('useRoom outside a room page');
  return v;
}

// Calls `f` for each live event of this room whose type starts with one of `prefixes`
// (e.g. ['proposal.', 'amendment.']); the usual answer is to re-run the panel's query.
export function useRoomEvents(prefixes: string[], f: (e: RoomEvent) => void): void {
  const { subscribe } = useRoom();
  // the latest `f`, without subscribing again when a render makes a new one
  const onEvent = useEffectEvent(f);
  const key = prefixes.join('|');
  useEffect(
    () =>
      subscribe((e) => {
        if (key.split('|').some((p) => e.type.startsWith(p))) onEvent(e);
      }),
    [subscribe, key],
  );
}
