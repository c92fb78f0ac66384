import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { plainError, type PlainError } from '../../../api/errors';
import { Button, ErrorNote, Notice, TextArea, TextField } from '../../../ui/form';
import { Hunks, wordDiff } from './hunks';
import { CreateProposalMutation, ReviseProposalMutation } from './operations';

export interface DraftClause {
  key: string;
  heading: string;
  text: string;
  // a bracketed clause keeps its text until its bracket is resolved (the server refuses a change)
  bracketed: boolean;
}

interface CurrentText {
  id: string;
  version: number;
  clauses: ReadonlyArray<{ key: string; heading?: string | null; text: string; alternatives: ReadonlyArray<{ text: string }> }>;
}

export const toDraft = (clauses: CurrentText['clauses']): DraftClause[] =>
  clauses.map((c) => ({ key: c.key, heading: c.heading ?? '', text: c.text, bracketed: c.alternatives.length > 0 }));

function nextKey(clauses: DraftClause[]): string {
  const numbers = clauses.map((c) => Number.parseInt(c.key, 10)).filter((n) => Number.isFinite(n));
  return String((numbers.length ? Math.max(...numbers) : 0) + 1);
}

const fieldOf = (error: PlainError | null, name: string): string | undefined => {
  const msg = error?.fields?.[name];
  return msg ? `This ${name.split('.').pop()} ${msg}` : undefined;
};

// The clauses editor: a new proposal (title + clauses), or a revision of the current text
// against the version it started from. A stale revision is refused by the server
// (VERSION_CONFLICT); the person's edit stays here, the current text is shown beside it with
// what saving would change, and they save again against the new version.
export function ProposalEditor({
  roomId,
  current,
  onDone,
  onCancel,
}: {
  roomId: string;
  current?: CurrentText;
  onDone: (proposalId: string) => void;
  onCancel: () => void;
}) {
  const [title, setTitle] = useState('');
  const [clauses, setClauses] = useState<DraftClause[]>(() => (current ? toDraft(current.clauses) : [{ key: '1', heading: '', text: '', bracketed: false }]));
  const [summary, setSummary] = useState('');
  const [baseVersion, setBaseVersion] = useState(current?.version ?? 0);
  const [conflict, setConflict] = useState(false);
  const [created, create] = useMutation(CreateProposalMutation);
  const [revised, revise] = useMutation(ReviseProposalMutation);
  const [error, setError] = useState<PlainError | null>(null);
  const busy = created.fetching || revised.fetching;

  const update = (i: number, patch: Partial<DraftClause>) => setClauses((cs) => cs.map((c, j) => (j === i ? { ...c, ...patch } : c)));

  async function save(expectedVersion: number) {
    setError(null);
    const input = clauses.map((c) => ({ key: c.key.trim(), heading: c.heading.trim() || null, text: c.text }));
    if (!current) {
      const r = await create({ input: { roomId, title, clauses: input } });
      if (r.error) return setError(plainError(r.error));
      if (r.data) onDone(r.data.createProposal.id);
      return;
    }
    const r = await revise({ input: { proposalId: current.id, expectedVersion, clauses: input, summary: summary.trim() || null } });
    if (r.error) {
      const e = plainError(r.error);
      if (e?.code === 'VERSION_CONFLICT') {
        setConflict(true);
        return;
      }
      return setError(e);
    }
    setConflict(false);
    if (r.data) onDone(r.data.reviseProposal.id);
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    void save(baseVersion);
  }

  // the person chose to save their edit over the version that is current now
  function saveAgainstCurrent() {
    if (!current) return;
    setBaseVersion(current.version);
    void save(current.version);
  }

  const label = current ? 'Revise the text' : 'New proposal';
  return (
    <div className={conflict ? 'editor editor-conflict' : 'editor'}>
      <form className="card editor-form" onSubmit={submit} aria-label={label}>
        <h3>{current ? `Revise the text (editing version ${baseVersion})` : 'New proposal'}</h3>
        {!current && (
          <TextField label="Title" value={title} onChange={(e) => setTitle(e.target.value)} error={fieldOf(error, 'title')} required maxLength={300} />
        )}
        {clauses.map((c, i) => (
          <fieldset key={i} className="clause-edit">
            <legend>Clause {i + 1}</legend>
            <div className="clause-edit-head">
              <TextField
                label={`Number of clause ${i + 1}`}
                value={c.key}
                onChange={(e) => update(i, { key: e.target.value })}
                error={fieldOf(error, `clauses[${i}].key`)}
                required
                maxLength={20}
                disabled={c.bracketed}
              />
              <TextField
                label={`Heading of clause ${i + 1}`}
                hint="Optional"
                value={c.heading}
                onChange={(e) => update(i, { heading: e.target.value })}
                error={fieldOf(error, `clauses[${i}].heading`)}
                maxLength={300}
              />
            </div>
            <TextArea
              label={`Text of clause ${i + 1}`}
              hint={c.bracketed ? 'This clause is bracketed: its text changes when a facilitator resolves the bracket.' : undefined}
              value={c.text}
              readOnly={c.bracketed}
              onChange={(e) => update(i, { text: e.target.value })}
              error={fieldOf(error, `clauses[${i}].text`)}
              required
            />
            {clauses.length > 1 && !c.bracketed && (
              <Button type="button" variant="link" onClick={() => setClauses((cs) => cs.filter((_, j) => j !== i))}>
                Remove clause {i + 1}
              </Button>
            )}
          </fieldset>
        ))}
        <p>
          <Button type="button" onClick={() => setClauses((cs) => [...cs, { key: nextKey(cs), heading: '', text: '', bracketed: false }])}>
            Add a clause
          </Button>
        </p>
        {current && (
          <TextField
            label="What changed"
            hint="Optional: a short summary for the version list"
            value={summary}
            onChange={(e) => setSummary(e.target.value)}
            maxLength={1000}
          />
        )}
        <ErrorNote error={error} />
        <div className="btn-row">
          {!conflict && (
            <Button type="submit" variant="primary" busy={busy}>
              {current ? 'Save new version' : 'Create proposal'}
            </Button>
          )}
          <Button type="button" onClick={onCancel}>
            {conflict ? 'Discard my edit' : 'Cancel'}
          </Button>
        </div>
      </form>
      {conflict && current && (
        <section className="card conflict" aria-labelledby="conflict-title">
          <h3 id="conflict-title">Someone else saved a new version</h3>
          <Notice tone="warning">
            Version {current.version} was saved while you were editing version {baseVersion}. Nothing was overwritten and your edit is kept in the editor. Here
            is the current text, marked with what saving your edit would change. Bring in what you need, then save.
          </Notice>
          <ol className="clause-list conflict-text" aria-label={`Current text, version ${current.version}`}>
            {current.clauses.map((c) => {
              const mine = clauses.find((d) => d.key === c.key);
              return (
                <li key={c.key} className="clause">
                  <p className="clause-text">
                    <span className="clause-key">{c.key}.</span> {c.heading && <strong>{c.heading}: </strong>}
                    {c.alternatives.length > 0 ? (
                      <span className="bracket">[{c.alternatives.map((a) => a.text).join(' / ')}]</span>
                    ) : mine && mine.text !== c.text ? (
                      <Hunks hunks={wordDiff(c.text, mine.text)} />
                    ) : (
                      c.text
                    )}
                    {!mine && <span className="badge badge-warning"> not in your edit</span>}
                  </p>
                </li>
              );
            })}
          </ol>
          <div className="btn-row">
            <Button type="button" variant="primary" busy={busy} onClick={saveAgainstCurrent}>
              Save my edit as version {current.version + 1}
            </Button>
            <Button
              type="button"
              onClick={() => {
                setClauses(toDraft(current.clauses));
                setBaseVersion(current.version);
                setConflict(false);
              }}
            >
              Start again from version {current.version}
            </Button>
          </div>
        </section>
      )}
    </div>
  );
}
