import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { useClient, useQuery } from 'urql';
import { graphql } from '../../../gql';
import type { ThreadMessagesQuery } from '../../../gql/graphql';
import { codeWords, plainError } from '../../../api/errors';
import { live, type Ack } from '../../../api/live';
import { Button, ErrorNote } from '../../../ui/form';
import { when } from '../../../ui/words';
import { useRoom, useRoomEvents } from '../room-context';
import './discussion.css';

// The room's discussion beside the text.
//
// Which thread is open lives in the URL: `?thread=<name>` on the room's page, e.g.
//   /rooms/<roomId>?thread=proposal:<proposalId>:clause:<key>   a clause's thread
//   /rooms/<roomId>?thread=party:<partyId>                      the party's caucus
//   /rooms/<roomId>                                              the room thread
// so the text panel opens a clause's discussion with a plain link:
//   <Link to={{ search: `?thread=${encodeURIComponent(clauseThread(proposalId, key))}` }}>Discuss</Link>

export const clauseThread = (proposalId: string, clauseKey: string) => `proposal:${proposalId}:clause:${clauseKey}`;

type Message = ThreadMessagesQuery['messages'][number];

const MessagesQuery = graphql(`
  query ThreadMessages($roomId: ID!, $thread: String, $beforeSeq: Int, $limit: Int) {
    messages(roomId: $roomId, thread: $thread, beforeSeq: $beforeSeq, limit: $limit) {
      id
      seq
      thread
      body
      author
      party {
        id
        name
      }
      createdAt
      editedAt
      redacted
      mine
    }
  }
`);

const MembersQuery = graphql(`
  query RoomMembers($id: ID!) {
    room(id: $id) {
      id
      members {
        id
        displayName
        role
        party {
          id
          name
        }
      }
    }
  }
`);

const PAGE = 50;

interface Queued {
  clientMsgId: string;
  thread: string | null;
  body: string;
  error?: string;
}

export function DiscussionPanel() {
  const { room, myParty, online, subscribeTyping } = useRoom();
  const [params, setParams] = useSearchParams();
  const thread = params.get('thread') || null;
  const caucus = myParty ? `party:${myParty.id}` : null;
  const [unread, setUnread] = useState<Record<string, number>>({});
  const [seenThreads, setSeenThreads] = useState<string[]>([]);
  const [typing, setTyping] = useState<Record<string, { who: string; until: number }>>({});
  const [queued, setQueued] = useState<Queued[]>([]);

  const key = (t: string | null) => t ?? '';
  const threads = useMemo(() => {
    const list: Array<string | null> = [null];
    if (caucus) list.push(caucus);
    for (const t of [...seenThreads, thread]) if (t && !list.includes(t)) list.push(t);
    return list;
  }, [caucus, seenThreads, thread]);

  const label = useCallback(
    (t: string | null) => {
      if (t === null) return 'Room';
      if (t === caucus) return `${myParty!.name} caucus`;
      const clause = /^proposal:([^:]+):clause:(.+)$/.exec(t);
      if (clause) {
        const p = room.proposals.find((x) => x.id === clause[1]);
        return `Clause ${clause[2]}${p && room.proposals.length > 1 ? ` of ${p.title}` : ''}`;
      }
      if (t.startsWith('proposal:')) return room.proposals.find((x) => `proposal:${x.id}` === t)?.title ?? 'Proposal';
      return 'Thread';
    },
    [caucus, myParty, room.proposals],
  );

  // unread marks: a message in a thread that is not the open one
  useRoomEvents(['message.posted'], (e) => {
    const t = (JSON.parse(e.payload) as { thread?: string | null }).thread ?? null;
    if (t !== thread) {
      setUnread((u) => ({ ...u, [key(t)]: (u[key(t)] ?? 0) + 1 }));
      if (t && !seenThreads.includes(t)) setSeenThreads((s) => [...s, t]);
    }
  });

  useEffect(
    () =>
      subscribeTyping((t) => {
        setTyping((all) => ({ ...all, [key(t.thread)]: { who: t.who, until: Date.now() + 4000 } }));
        window.setTimeout(() => setTyping((all) => ((all[key(t.thread)]?.until ?? 0) <= Date.now() ? omit(all, key(t.thread)) : all)), 4100);
      }),
    [subscribeTyping],
  );

  function open(t: string | null) {
    setUnread((u) => omit(u, key(t)));
    const next = new URLSearchParams(params);
    if (t) next.set('thread', t);
    else next.delete('thread');
    setParams(next, { replace: true });
  }

  const [membersResult, refetchMembers] = useQuery({ query: MembersQuery, variables: { id: room.id } });
  useRoomEvents(['member.'], () => refetchMembers({ requestPolicy: 'network-only' }));
  const onlineNames = (membersResult.data?.room.members ?? []).filter((m) => online.includes(m.id)).map((m) => m.displayName);

  const typingHere = typing[key(thread)];
  const isCaucus = thread !== null && thread === caucus;
  return (
    <div className="discussion">
      <div className="presence" aria-live="polite">
        <span className="presence-dot" aria-hidden="true" /> Online now: {onlineNames.length ? onlineNames.join(', ') : 'only you'}
      </div>
      <div role="tablist" aria-label="Discussion threads" className="thread-tabs">
        {threads.map((t) => (
          <button
            key={key(t)}
            type="button"
            role="tab"
            id={`tab-${key(t) || 'room'}`}
            aria-selected={t === thread}
            aria-controls="thread-panel"
            className={t === thread ? 'thread-tab active' : 'thread-tab'}
            onClick={() => open(t)}
          >
            {label(t)}
            {t !== null && t === caucus && <span className="badge badge-private">private</span>}
            {(unread[key(t)] ?? 0) > 0 && (
              <span className="badge unread">
                {unread[key(t)]}
                <span className="sr-only"> unread</span>
              </span>
            )}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="thread-panel" aria-labelledby={`tab-${key(thread) || 'room'}`} className={isCaucus ? 'thread caucus' : 'thread'}>
        {isCaucus && (
          <p className="private-note">
            <span className="badge badge-private">Private</span> Only {myParty!.name} sees this caucus. Facilitators and other parties do not.
          </p>
        )}
        <Thread key={key(thread)} thread={thread} label={label(thread)} queued={queued.filter((q) => q.thread === thread)} setQueued={setQueued} />
        <p className="typing" aria-live="polite">
          {typingHere ? `${typingHere.who} is typing…` : ''}
        </p>
      </div>
    </div>
  );
}

function Thread({
  thread,
  label,
  queued,
  setQueued,
}: {
  thread: string | null;
  label: string;
  queued: Queued[];
  setQueued: (f: (q: Queued[]) => Queued[]) => void;
}) {
  const { room } = useRoom();
  const client = useClient();
  const [{ data, error, fetching }, refetch] = useQuery({ query: MessagesQuery, variables: { roomId: room.id, thread, limit: PAGE } });
  const [older, setOlder] = useState<Message[]>([]);
  const [olderDone, setOlderDone] = useState(false);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [body, setBody] = useState('');
  const [actionError, setActionError] = useState<string | null>(null);
  const lastTyping = useRef(0);

  useRoomEvents(['message.'], (e) => {
    const t = (JSON.parse(e.payload) as { thread?: string | null }).thread ?? null;
    if (t === thread) refetch({ requestPolicy: 'network-only' });
  });

  // newest page from the query, older pages appended; shown oldest first, each once
  const messages = useMemo(() => {
    const byId = new Map<string, Message>();
    for (const m of [...older, ...(data?.messages ?? [])]) byId.set(m.id, m);
    return [...byId.values()].sort((a, b) => a.seq - b.seq);
  }, [older, data]);

  async function loadOlder() {
    const oldest = messages[0]?.seq;
    if (!oldest) return;
    setLoadingOlder(true);
    const r = await client.query(MessagesQuery, { roomId: room.id, thread, beforeSeq: oldest, limit: PAGE }, { requestPolicy: 'network-only' }).toPromise();
    setLoadingOlder(false);
    if (r.data) {
      setOlder((o) => [...r.data!.messages, ...o]);
      if (r.data.messages.length < PAGE) setOlderDone(true);
    }
  }

  async function send(e: FormEvent) {
    e.preventDefault();
    const text = body.trim();
    if (!text) return;
    setBody('');
    const q: Queued = { clientMsgId: crypto.randomUUID(), thread, body: text };
    setQueued((all) => [...all, q]);
    // queued by the connection while offline; the same clientMsgId makes a retry harmless
    const ack = await live().send<Ack>('message:send', { roomId: room.id, body: text, thread, clientMsgId: q.clientMsgId });
    if (ack.ok) {
      setQueued((all) => all.filter((x) => x.clientMsgId !== q.clientMsgId));
      refetch({ requestPolicy: 'network-only' });
    } else {
      setQueued((all) => all.map((x) => (x.clientMsgId === q.clientMsgId ? { ...x, error: ack.error?.message ?? codeWords(ack.error?.code ?? '') } : x)));
    }
  }

  function typed(value: string) {
    setBody(value);
    if (Date.now() - lastTyping.current > 2500) {
      lastTyping.current = Date.now();
      live().volatile('typing', { roomId: room.id, thread });
    }
  }

  async function act(event: 'message:edit' | 'message:redact', payload: Record<string, unknown>): Promise<boolean> {
    setActionError(null);
    const ack = await live().send<Ack>(event, payload);
    if (!ack.ok) setActionError(ack.error?.code === 'BAD_USER_INPUT' && ack.error.message ? ack.error.message : codeWords(ack.error?.code ?? ''));
    else refetch({ requestPolicy: 'network-only' });
    return ack.ok;
  }

  return (
    <>
      <ErrorNote error={plainError(error)} />
      {data && data.messages.length >= PAGE && !olderDone && (
        <Button type="button" variant="link" busy={loadingOlder} onClick={() => void loadOlder()}>
          Show older messages
        </Button>
      )}
      {fetching && !data && <p className="muted">Loading messages…</p>}
      <div role="log" aria-label={`Messages: ${label}`}>
        <ol className="messages">
          {messages.map((m) => (
            <MessageItem key={m.id} m={m} act={act} />
          ))}
          {queued.map((q) => (
            <li key={q.clientMsgId} className="message queued">
              <div className="message-body">{q.body}</div>
              <div className="meta">{q.error ? <span className="field-error">Not sent: {q.error}</span> : 'Waiting to send…'}</div>
            </li>
          ))}
        </ol>
      </div>
      {data && messages.length === 0 && queued.length === 0 && <p className="muted">No messages yet.</p>}
      {actionError && <ErrorNote>{actionError}</ErrorNote>}
      {!room.archived && (
        <form className="compose" onSubmit={(e) => void send(e)}>
          <label htmlFor="compose-body">Message to {label}</label>
          <textarea
            id="compose-body"
            rows={2}
            value={body}
            onChange={(e) => typed(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send(e);
            }}
            aria-describedby="compose-hint"
          />
          <div className="btn-row">
            <Button type="submit" variant="primary">
              Send
            </Button>
            <span id="compose-hint" className="hint">
              Ctrl+Enter sends. Messages written while offline are sent when the connection returns.
            </span>
          </div>
        </form>
      )}
    </>
  );
}

function MessageItem({ m, act }: { m: Message; act: (event: 'message:edit' | 'message:redact', payload: Record<string, unknown>) => Promise<boolean> }) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(m.body);
  const who = m.author ?? (m.party ? `Delegate of ${m.party.name}` : 'Anonymous participant');
  return (
    <li className={m.mine ? 'message mine' : 'message'} data-seq={m.seq}>
      <div className="meta">
        <strong>{m.mine ? 'You' : who}</strong>
        {m.author && m.party && !m.mine ? ` (${m.party.name})` : ''} · <time dateTime={m.createdAt}>{when(m.createdAt)}</time>
        {m.editedAt && !m.redacted && ' · edited'}
      </div>
      {m.redacted ? (
        <div className="message-body muted">This message was redacted.</div>
      ) : editing ? (
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            if (await act('message:edit', { messageId: m.id, body: draft })) setEditing(false);
          }}
        >
          <label htmlFor={`edit-${m.id}`} className="sr-only">
            Edit your message
          </label>
          <textarea id={`edit-${m.id}`} rows={2} value={draft} onChange={(e) => setDraft(e.target.value)} autoFocus />
          <div className="btn-row">
            <Button type="submit" variant="primary">
              Save
            </Button>
            <Button type="button" onClick={() => setEditing(false)}>
              Cancel
            </Button>
          </div>
        </form>
      ) : (
        <div className="message-body">{m.body}</div>
      )}
      {m.mine && !m.redacted && !editing && (
        <div className="btn-row message-actions">
          <Button
            type="button"
            variant="link"
            onClick={() => {
              setDraft(m.body);
              setEditing(true);
            }}
          >
            Edit<span className="sr-only"> your message</span>
          </Button>
          <Button type="button" variant="link" onClick={() => void act('message:redact', { messageId: m.id })}>
            Redact<span className="sr-only"> your message</span>
          </Button>
        </div>
      )}
    </li>
  );
}

function omit<T>(o: Record<string, T>, k: string): Record<string, T> {
  const { [k]: _, ...rest } = o;
  return rest;
}
