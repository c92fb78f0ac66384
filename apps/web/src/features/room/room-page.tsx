import { useCallback, useEffect, useMemo, useState } from 'react';
import { NavLink, Route, Routes, useParams } from 'react-router';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { errorCode, plainError } from '../../api/errors';
import { live, type LiveStatus, type RoomEvent } from '../../api/live';
import { ErrorNote } from '../../ui/form';
import { Loading, NotFoundPage, Page } from '../../ui/page';
import { attributionWords, roleWords } from '../../ui/words';
import { RoomContext, type RoomContextValue } from './room-context';
import { TextPanel } from './text/text-panel';
import { DiscussionPanel } from './discussion/discussion-panel';
import { BallotsPanel } from './ballots/ballots-panel';
import { PeoplePanel } from './people/people-panel';

const RoomQueryDoc = graphql(`
  query Room($id: ID!) {
    room(id: $id) {
      id
      title
      purpose
      speakerAttribution
      archived
      lastSeq
      myMembership {
        id
        role
        displayName
        party {
          id
          name
        }
      }
      parties {
        id
        name
      }
      proposals {
        id
        title
        status
        version
        agreement {
          id
        }
      }
    }
  }
`);

// events that change what the room query shows
const ROOM_EVENTS = ['party.', 'member.', 'proposal.', 'room.', 'agreement.'];

export default function RoomPage() {
  const { roomId = '' } = useParams();
  const [{ data, error, fetching }, refetch] = useQuery({ query: RoomQueryDoc, variables: { id: roomId } });
  const [removed, setRemoved] = useState(false);
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const [online, setOnline] = useState<string[]>([]);
  // the panels' listeners: one set each for the page's life (never replaced, so not a render input)
  const [listeners] = useState(() => new Set<(e: RoomEvent) => void>());
  const [typingListeners] = useState(() => new Set<(t: { thread: string | null; who: string }) => void>());
  const refreshRoom = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  const lastSeq = data?.room.lastSeq;
  const ready = lastSeq !== undefined;

  useEffect(() => {
    if (!ready) return;
    const connection = live();
    const offStatus = connection.onStatus(setStatus);
    const unwatch = connection.watch(roomId, lastSeq, {
      event: (e) => {
        listeners.forEach((f) => f(e));
        if (ROOM_EVENTS.some((p) => e.type.startsWith(p))) refreshRoom();
      },
      removed: () => setRemoved(true),
      presence: setOnline,
      typing: (t) => typingListeners.forEach((f) => f(t)),
    });
    return () => {
      offStatus();
      unwatch();
    };
    // lastSeq only seeds the first watch; later events move it inside the connection
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [roomId, ready, refreshRoom]);

  const subscribe = useCallback(
    (f: (e: RoomEvent) => void) => {
      listeners.add(f);
      return () => listeners.delete(f);
    },
    [listeners],
  );

  const subscribeTyping = useCallback(
    (f: (t: { thread: string | null; who: string }) => void) => {
      typingListeners.add(f);
      return () => typingListeners.delete(f);
    },
    [typingListeners],
  );

  const value = useMemo<RoomContextValue | null>(() => {
    if (!data) return null;
    const me = data.room.myMembership;
    return { room: data.room, me, isFacilitator: me.role === 'FACILITATOR', myParty: me.party ?? null, subscribe, refreshRoom, online, subscribeTyping };
  }, [data, subscribe, refreshRoom, online, subscribeTyping]);

  if (removed) {
    return (
      <Page title="You no longer have access to this room">
        <p role="alert">A facilitator removed you from this room. What you had open here is no longer available.</p>
        <p>
          <a href="/rooms">Go to my rooms</a>
        </p>
      </Page>
    );
  }
  // a non-member sees exactly what a missing room shows
  if (errorCode(error) === 'NOT_FOUND') return <NotFoundPage />;
  if (!value) return fetching ? <Loading label="Opening the room…" /> : <ErrorNote error={plainError(error)} />;
  const { room, me } = value;
  return (
    <RoomContext.Provider value={value}>
      <Page title={room.title} wide>
        <div className="room-head">
          <p className="muted room-purpose">{room.purpose}</p>
          <p className="meta">
            You are {roleWords(me.role).toLowerCase()}
            {me.party ? ` for ${me.party.name}` : ''} · {attributionWords(room.speakerAttribution)}
            {room.archived && <span className="badge badge-warning"> Archived: read-only</span>}
            <span className={`live-status live-${status}`} role="status">
              {status === 'online'
                ? ' · Live'
                : status === 'offline'
                  ? ' · Offline: changes are kept and sent when the connection returns'
                  : status === 'connecting'
                    ? ' · Connecting…'
                    : ''}
            </span>
          </p>
        </div>
        <nav className="room-tabs" aria-label="Room sections">
          <NavLink end to={`/rooms/${room.id}`}>
            Text and discussion
          </NavLink>
          <NavLink to={`/rooms/${room.id}/ballots`}>Ballots</NavLink>
          <NavLink to={`/rooms/${room.id}/people`}>People</NavLink>
          {value.isFacilitator && <NavLink to={`/rooms/${room.id}/progress`}>Progress</NavLink>}
        </nav>
        <Routes>
          <Route
            index
            element={
              <div className="room-layout">
                <JumpToDiscussion />
                <section className="room-text" aria-label="Negotiating text">
                  <TextPanel />
                </section>
                <section id="discussion" tabIndex={-1} className="room-discussion" aria-label="Discussion">
                  <DiscussionPanel />
                </section>
              </div>
            }
          />
          <Route path="ballots" element={<BallotsPanel />} />
          <Route path="people" element={<PeoplePanel />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </Page>
    </RoomContext.Provider>
  );
}

// On a narrow screen the discussion comes after the whole text: one link at the top gets there
// (scrolled to and focused, the address unchanged). Hidden where the two sit side by side.
function JumpToDiscussion() {
  return (
    <a
      className="jump-link"
      href="#discussion"
      onClick={(e) => {
        const target = document.getElementById('discussion');
        if (!target) return;
        e.preventDefault();
        target.scrollIntoView();
        target.focus({ preventScroll: true });
      }}
    >
      Go to the discussion
    </a>
  );
}
