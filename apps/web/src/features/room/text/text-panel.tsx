import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { plainError, type PlainError } from '../../../api/errors';
import { Button, ErrorNote, Notice, SelectField } from '../../../ui/form';
import { Loading } from '../../../ui/page';
import { count } from '../../../ui/words';
import { useRoom, useRoomEvents } from '../room-context';
import { ClauseView, type Abilities, type ProposalData } from './clause-view';
import { Hunks } from './hunks';
import { ProposalTextQuery, WithdrawProposalMutation } from './operations';
import { ProposalEditor } from './proposal-editor';
import { VersionDiff } from './version-diff';
import './text.css';

// events after which the text, its brackets, amendments or status may read differently
const TEXT_EVENTS = ['proposal.', 'amendment.', 'bracket.', 'ballot.'];

const STATUS_WORDS: Record<string, string> = {
  DRAFTING: 'Drafting',
  VOTING: 'Voting: text frozen',
  ADOPTED: 'Adopted',
  REJECTED: 'Rejected',
  WITHDRAWN: 'Withdrawn',
};

type View = 'text' | 'compare' | 'revise' | 'new';

// The negotiating text. Which proposal and which view are in the URL
// (?proposal=<id>&view=compare), so each is reachable by link.
export function TextPanel() {
  const { room, me } = useRoom();
  const [params, setParams] = useSearchParams();
  const proposals = room.proposals;
  const live = proposals.filter((p) => p.status !== 'WITHDRAWN');
  const selected = params.get('proposal') ?? (live[live.length - 1] ?? proposals[proposals.length - 1])?.id ?? null;
  const view = (params.get('view') ?? 'text') as View;
  const canDraft = me.role !== 'OBSERVER' && !room.archived;
  const go = (next: { proposal?: string | null; view?: View }) => {
    const p = new URLSearchParams();
    const id = next.proposal === undefined ? selected : next.proposal;
    if (id) p.set('proposal', id);
    if (next.view && next.view !== 'text') p.set('view', next.view);
    setParams(p);
  };

  if (view === 'new' && canDraft) {
    return <ProposalEditor roomId={room.id} onDone={(id) => go({ proposal: id, view: 'text' })} onCancel={() => go({ view: 'text' })} />;
  }
  return (
    <div className="text-panel">
      <div className="text-panel-head">
        {proposals.length > 1 && (
          <SelectField label="Proposal" value={selected ?? ''} onChange={(e) => go({ proposal: e.target.value, view: 'text' })}>
            {proposals.map((p) => (
              <option key={p.id} value={p.id}>
                {p.title} ({STATUS_WORDS[p.status] ?? p.status}, version {p.version})
              </option>
            ))}
          </SelectField>
        )}
        {canDraft && (
          <Button type="button" onClick={() => go({ view: 'new' })}>
            New proposal
          </Button>
        )}
      </div>
      {selected ? (
        <ProposalView key={selected} id={selected} view={view} go={(v) => go({ proposal: selected, view: v })} />
      ) : (
        <>
          <h2>Negotiating text</h2>
          <p className="muted">There is no proposal in this room yet.{canDraft ? ' Start one with “New proposal”.' : ''}</p>
        </>
      )}
    </div>
  );
}

function ProposalView({ id, view, go }: { id: string; view: View; go: (v: View) => void }) {
  const { room, me, isFacilitator } = useRoom();
  const [{ data, error, fetching }, refetch] = useQuery({ query: ProposalTextQuery, variables: { id } });
  const [announce, setAnnounce] = useState('');
  useRoomEvents(TEXT_EVENTS, (e) => {
    refetch({ requestPolicy: 'network-only' });
    setAnnounce(`The text was updated (${e.type.replace('.', ' ').replace('_', ' ')}).`);
  });

  if (error && !data) return <ErrorNote error={plainError(error)} />;
  if (!data) return fetching ? <Loading label="Loading the text…" /> : null;
  const p = data.proposal;
  const editable = p.status === 'DRAFTING' && !room.archived;
  const can: Abilities = { editable, draft: me.role !== 'OBSERVER', facilitate: isFacilitator };
  const openAmendments = p.amendments.filter((a) => a.status === 'OPEN');
  const atStart = openAmendments.filter((a) => a.kind === 'INSERT' && a.clauseKey === '');

  return (
    <article className="proposal" aria-labelledby="proposal-title">
      <header className="proposal-head">
        <h2 id="proposal-title">{p.title}</h2>
        <p className="meta">
          <span className={`badge status-${p.status.toLowerCase()}`}>{STATUS_WORDS[p.status] ?? p.status}</span> Version {p.version} ·{' '}
          {count(p.openBrackets, 'open bracket')} · {count(openAmendments.length, 'open amendment')}
        </p>
        <p className="sr-only" aria-live="polite">
          {announce}
        </p>
      </header>
      <StatusNote proposal={p} roomId={room.id} />
      <nav className="view-switch" aria-label="Text views">
        <Button type="button" variant="link" aria-current={view === 'text' ? 'page' : undefined} onClick={() => go('text')}>
          Text
        </Button>
        <Button type="button" variant="link" aria-current={view === 'compare' ? 'page' : undefined} onClick={() => go('compare')}>
          Compare versions
        </Button>
        {editable && can.draft && (
          <Button type="button" variant="link" aria-current={view === 'revise' ? 'page' : undefined} onClick={() => go('revise')}>
            Revise the text
          </Button>
        )}
        {editable && isFacilitator && <WithdrawProposal id={p.id} onWithdrawn={() => go(view)} />}
      </nav>
      {view === 'compare' && <VersionDiff proposal={p} />}
      {view === 'revise' && editable && can.draft && <ProposalEditor roomId={room.id} current={p} onDone={() => go('text')} onCancel={() => go('text')} />}
      {(view === 'text' || view === 'new' || (view === 'revise' && !(editable && can.draft))) && (
        <>
          {atStart.length > 0 && (
            <aside className="suggestions" aria-label="Amendments inserting a first clause">
              {atStart.map((a) => (
                <p key={a.id} className="suggestion">
                  <span className="meta">Insert at the start · {a.party?.name ?? 'a participant'}: </span>
                  <Hunks hunks={[{ op: 'INSERT', text: a.text ?? '' }]} />
                </p>
              ))}
            </aside>
          )}
          <ol className="clause-list" aria-label={`${p.title}, version ${p.version}`}>
            {p.clauses.map((c) => (
              <ClauseView key={c.key} clause={c} proposal={p} amendments={openAmendments.filter((a) => a.clauseKey === c.key)} can={can} />
            ))}
          </ol>
        </>
      )}
    </article>
  );
}

function StatusNote({ proposal: p, roomId }: { proposal: ProposalData; roomId: string }) {
  if (p.status === 'VOTING')
    return (
      <Notice tone="warning">
        A ballot on the whole text is open, so the text is frozen. <Link to={`/rooms/${roomId}/ballots`}>Go to the ballots</Link>
      </Notice>
    );
  if (p.status === 'ADOPTED')
    return <Notice tone="success">This text was adopted. {p.agreement ? <Link to={`/agreements/${p.agreement.id}`}>Open the agreement</Link> : null}</Notice>;
  if (p.status === 'WITHDRAWN') return <Notice>This proposal was withdrawn; it is kept here to read.</Notice>;
  if (p.status === 'REJECTED') return <Notice>This proposal was rejected; it is kept here to read.</Notice>;
  return null;
}

function WithdrawProposal({ id, onWithdrawn }: { id: string; onWithdrawn: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [r, withdraw] = useMutation(WithdrawProposalMutation);
  const [error, setError] = useState<PlainError | null>(null);
  if (!confirming)
    return (
      <Button type="button" variant="link" className="withdraw-proposal" onClick={() => setConfirming(true)}>
        Withdraw proposal
      </Button>
    );
  return (
    <span className="confirm" role="group" aria-label="Confirm withdrawal">
      <span>Withdraw this proposal for good?</span>
      <Button
        type="button"
        variant="danger"
        busy={r.fetching}
        autoFocus
        onClick={async () => {
          const res = await withdraw({ proposalId: id });
          if (res.error) setError(plainError(res.error));
          else {
            setConfirming(false);
            // keep this proposal in the URL: the default choice skips withdrawn ones
            onWithdrawn();
          }
        }}
      >
        Yes, withdraw
      </Button>
      <Button type="button" onClick={() => setConfirming(false)}>
        Keep it
      </Button>
      <ErrorNote error={error} />
    </span>
  );
}
