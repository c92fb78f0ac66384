import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import type { ProposalTextQuery } from '../../../gql/graphql';
import { plainError, type PlainError } from '../../../api/errors';
import { Button, ErrorNote, FormActions, SelectField, TextArea } from '../../../ui/form';
import { count } from '../../../ui/words';
import { useRoom } from '../room-context';
import { Hunks, wordDiff } from './hunks';
import {
  AcceptAmendmentMutation,
  AddAlternativeMutation,
  ProposeAmendmentMutation,
  RejectAmendmentMutation,
  ResolveBracketMutation,
  WithdrawAmendmentMutation,
} from './operations';

export type ProposalData = ProposalTextQuery['proposal'];
type ClauseData = ProposalData['clauses'][number];
type AmendmentData = ProposalData['amendments'][number];

export interface Abilities {
  // the text can change (drafting, room not archived)
  editable: boolean;
  draft: boolean;
  facilitate: boolean;
}

const fieldError = (e: PlainError | null, name: string) => (e?.fields?.[name] ? `This ${name} ${e.fields[name]}` : undefined);
const partyLabel = (p: { name: string } | null | undefined, fallback: string) => (p ? p.name : fallback);

// one clause of the negotiating text: its number and heading, the text or its open bracket
// "[A / B]", the amendments suggested on it, and the actions the person's role allows
export function ClauseView({ clause, proposal, amendments, can }: { clause: ClauseData; proposal: ProposalData; amendments: AmendmentData[]; can: Abilities }) {
  const [open, setOpen] = useState<null | 'alternative' | 'resolve' | 'amend'>(null);
  const bracketed = clause.alternatives.length > 0;
  const here = amendments.filter((a) => a.kind !== 'INSERT');
  const after = amendments.filter((a) => a.kind === 'INSERT');
  const toggle = (what: typeof open) => setOpen((o) => (o === what ? null : what));
  const titleId = `clause-${clause.key}-title`;

  return (
    <li className="clause" id={`clause-${clause.key}`} aria-labelledby={titleId}>
      <div className="clause-main">
        <h3 className="clause-title" id={titleId}>
          <span className="clause-key">Clause {clause.key}</span>
          {clause.heading && <span className="clause-heading"> · {clause.heading}</span>}
        </h3>
        {bracketed ? (
          <p className="clause-text">
            <span className="bracket">
              <span className="sr-only">Open bracket with {count(clause.alternatives.length, 'option')}: </span>
              <span aria-hidden="true">[</span>
              {clause.alternatives.map((a, i) => (
                <span key={a.id}>
                  {i > 0 && (
                    <span className="bracket-sep">
                      {' / '}
                      <span className="sr-only">or </span>
                    </span>
                  )}
                  <span className="alternative">{a.text}</span> <span className="alt-party">({partyLabel(a.party, 'earlier text')})</span>
                </span>
              ))}
              <span aria-hidden="true">]</span>
            </span>
          </p>
        ) : (
          <p className="clause-text">{clause.text}</p>
        )}
        {can.editable && (can.draft || (can.facilitate && bracketed)) && (
          <div className="btn-row clause-actions">
            {can.draft && (
              <Button type="button" variant="link" aria-expanded={open === 'alternative'} onClick={() => toggle('alternative')}>
                Add an alternative<span className="sr-only"> to clause {clause.key}</span>
              </Button>
            )}
            {can.facilitate && bracketed && (
              <Button type="button" variant="link" aria-expanded={open === 'resolve'} onClick={() => toggle('resolve')}>
                Resolve the bracket<span className="sr-only"> in clause {clause.key}</span>
              </Button>
            )}
            {can.draft && (
              <Button type="button" variant="link" aria-expanded={open === 'amend'} onClick={() => toggle('amend')}>
                Suggest an amendment<span className="sr-only"> to clause {clause.key}</span>
              </Button>
            )}
          </div>
        )}
        {open === 'alternative' && <AlternativeForm clause={clause} proposal={proposal} done={() => setOpen(null)} />}
        {open === 'resolve' && <ResolveForm clause={clause} proposal={proposal} done={() => setOpen(null)} />}
        {open === 'amend' && <AmendmentForm clause={clause} proposal={proposal} done={() => setOpen(null)} />}
      </div>
      {(here.length > 0 || after.length > 0) && (
        <aside className="suggestions" aria-label={`Amendments to clause ${clause.key}`}>
          {[...here, ...after].map((a) => (
            <AmendmentCard key={a.id} amendment={a} clause={clause} proposal={proposal} can={can} />
          ))}
        </aside>
      )}
    </li>
  );
}

function AlternativeForm({ clause, proposal, done }: { clause: ClauseData; proposal: ProposalData; done: () => void }) {
  const [text, setText] = useState('');
  const [r, add] = useMutation(AddAlternativeMutation);
  const [error, setError] = useState<PlainError | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const res = await add({ proposalId: proposal.id, clauseKey: clause.key, text, expectedVersion: proposal.version });
    if (res.error) return setError(plainError(res.error));
    done();
  }
  return (
    <form className="inline-form" onSubmit={submit} aria-label={`Add an alternative to clause ${clause.key}`}>
      <TextArea
        label={`Alternative text for clause ${clause.key}`}
        value={text}
        onChange={(e) => setText(e.target.value)}
        error={fieldError(error, 'text')}
        required
        autoFocus
      />
      <FormActions error={error} submit="Add alternative" busy={r.fetching} onCancel={done} />
    </form>
  );
}

function ResolveForm({ clause, proposal, done }: { clause: ClauseData; proposal: ProposalData; done: () => void }) {
  const [chosen, setChosen] = useState(clause.alternatives[0]?.id ?? '');
  const [r, resolve] = useMutation(ResolveBracketMutation);
  const [error, setError] = useState<PlainError | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const res = await resolve({ proposalId: proposal.id, clauseKey: clause.key, alternativeId: chosen, expectedVersion: proposal.version });
    if (res.error) return setError(plainError(res.error));
    done();
  }
  return (
    <form className="inline-form" onSubmit={submit}>
      <fieldset>
        <legend>Keep which option in clause {clause.key}?</legend>
        {clause.alternatives.map((a) => (
          <label key={a.id} className="choice">
            <input type="radio" name={`resolve-${clause.key}`} value={a.id} checked={chosen === a.id} onChange={() => setChosen(a.id)} />
            <span>
              {a.text} <span className="alt-party">({partyLabel(a.party, 'earlier text')})</span>
            </span>
          </label>
        ))}
      </fieldset>
      <FormActions error={error} submit="Resolve with this option" busy={r.fetching} onCancel={done} />
    </form>
  );
}

function AmendmentForm({ clause, proposal, done }: { clause: ClauseData; proposal: ProposalData; done: () => void }) {
  const [kind, setKind] = useState<'REPLACE' | 'INSERT' | 'DELETE'>('REPLACE');
  const [text, setText] = useState(clause.text);
  const [rationale, setRationale] = useState('');
  const [r, propose] = useMutation(ProposeAmendmentMutation);
  const [error, setError] = useState<PlainError | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const res = await propose({
      input: {
        proposalId: proposal.id,
        baseVersion: proposal.version,
        clauseKey: clause.key,
        kind,
        text: kind === 'DELETE' ? null : text,
        rationale: rationale.trim() || null,
      },
    });
    if (res.error) return setError(plainError(res.error));
    done();
  }
  return (
    <form className="inline-form" onSubmit={submit} aria-label={`Suggest an amendment to clause ${clause.key}`}>
      <SelectField
        label="Kind of change"
        value={kind}
        onChange={(e) => {
          const k = e.target.value as typeof kind;
          setKind(k);
          if (k === 'INSERT' && text === clause.text) setText('');
        }}
      >
        <option value="REPLACE">Replace the text of clause {clause.key}</option>
        <option value="INSERT">Insert a new clause after clause {clause.key}</option>
        <option value="DELETE">Delete clause {clause.key}</option>
      </SelectField>
      {kind !== 'DELETE' && (
        <TextArea
          label={kind === 'INSERT' ? 'Text of the new clause' : 'Suggested text'}
          value={text}
          onChange={(e) => setText(e.target.value)}
          error={fieldError(error, 'text')}
          required
        />
      )}
      <TextArea
        label="Rationale"
        hint="Optional: why this change"
        value={rationale}
        onChange={(e) => setRationale(e.target.value)}
        error={fieldError(error, 'rationale')}
        maxLength={2000}
      />
      <FormActions error={error} submit="Propose amendment" busy={r.fetching} onCancel={done} />
    </form>
  );
}

const KIND_WORDS = { REPLACE: 'Replace the text', INSERT: 'Insert a clause after', DELETE: 'Delete the clause' } as const;

function AmendmentCard({ amendment: a, clause, proposal, can }: { amendment: AmendmentData; clause: ClauseData; proposal: ProposalData; can: Abilities }) {
  const { myParty } = useRoom();
  const [, withdraw] = useMutation(WithdrawAmendmentMutation);
  const [, accept] = useMutation(AcceptAmendmentMutation);
  const [, reject] = useMutation(RejectAmendmentMutation);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<PlainError | null>(null);
  const own = !!myParty && a.party?.id === myParty.id;
  const by = a.party ? a.party.name : 'a participant';

  async function act(what: string, run: () => Promise<{ error?: Parameters<typeof plainError>[0] }>) {
    setBusy(what);
    setError(null);
    const res = await run();
    setBusy(null);
    if (res.error) {
      const e = plainError(res.error);
      // accepting over a changed clause: the server names the clause; say it plainly
      setError(e && e.code === 'VERSION_CONFLICT' ? { ...e, message: `${res.error.graphQLErrors[0]?.message ?? e.message}` } : e);
    }
  }

  return (
    <article className="suggestion" aria-label={`Amendment by ${by}: ${KIND_WORDS[a.kind].toLowerCase()} ${clause.key}`}>
      <p className="meta">
        <strong>{KIND_WORDS[a.kind]}</strong> {a.kind === 'INSERT' ? `clause ${clause.key}` : ''} · {by} · on version {a.baseVersion}
      </p>
      <p className="suggestion-text">
        {a.kind === 'REPLACE' && <Hunks hunks={wordDiff(clause.text, a.text ?? '')} />}
        {a.kind === 'DELETE' && <Hunks hunks={[{ op: 'DELETE', text: clause.text }]} />}
        {a.kind === 'INSERT' && <Hunks hunks={[{ op: 'INSERT', text: a.text ?? '' }]} />}
      </p>
      {a.rationale && (
        <p className="rationale">
          <span className="muted">Rationale: </span>
          {a.rationale}
        </p>
      )}
      {can.editable && (
        <div className="btn-row btn-row-small">
          {can.facilitate && (
            <>
              <Button
                type="button"
                variant="primary"
                busy={busy === 'accept'}
                onClick={() => void act('accept', () => accept({ id: a.id, expectedVersion: proposal.version }))}
              >
                Accept
              </Button>
              <Button type="button" busy={busy === 'reject'} onClick={() => void act('reject', () => reject({ id: a.id }))}>
                Reject
              </Button>
            </>
          )}
          {(can.facilitate || own) && (
            <Button type="button" variant="danger" busy={busy === 'withdraw'} onClick={() => void act('withdraw', () => withdraw({ id: a.id }))}>
              Withdraw
            </Button>
          )}
        </div>
      )}
      <ErrorNote error={error} />
    </article>
  );
}
