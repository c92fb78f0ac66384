import { useState } from 'react';
import { useQuery } from 'urql';
import { plainError } from '../../../api/errors';
import { ErrorNote, SelectField } from '../../../ui/form';
import { Loading } from '../../../ui/page';
import { when } from '../../../ui/words';
import { Hunks } from './hunks';
import { ProposalDiffQuery } from './operations';
import type { ProposalData } from './clause-view';

const CHANGE_WORDS = { ADDED: 'added', REMOVED: 'removed', CHANGED: 'changed', UNCHANGED: 'unchanged' } as const;

// Any two versions side by side, word by word (the server's Proposal.diff).
export function VersionDiff({ proposal }: { proposal: ProposalData }) {
  const latest = proposal.version;
  const [from, setFrom] = useState(Math.max(1, latest - 1));
  const [to, setTo] = useState(latest);
  const [showUnchanged, setShowUnchanged] = useState(false);
  const [{ data, error, fetching }] = useQuery({ query: ProposalDiffQuery, variables: { id: proposal.id, from, to }, pause: latest < 2 });
  if (latest < 2) return <p className="muted">There is only one version so far.</p>;
  const options = [...proposal.versions].sort((a, b) => b.number - a.number);
  const label = (v: (typeof options)[number]) => `Version ${v.number}${v.summary ? `: ${v.summary}` : ''} (${when(v.createdAt)})`;
  const diff = data?.proposal.diff ?? [];
  const shown = showUnchanged ? diff : diff.filter((d) => d.change !== 'UNCHANGED');
  return (
    <section className="card version-diff" aria-labelledby="diff-title">
      <h3 id="diff-title">Compare versions</h3>
      <div className="diff-pickers">
        <SelectField label="From version" value={from} onChange={(e) => setFrom(Number(e.target.value))}>
          {options.map((v) => (
            <option key={v.number} value={v.number}>
              {label(v)}
            </option>
          ))}
        </SelectField>
        <SelectField label="To version" value={to} onChange={(e) => setTo(Number(e.target.value))}>
          {options.map((v) => (
            <option key={v.number} value={v.number}>
              {label(v)}
            </option>
          ))}
        </SelectField>
      </div>
      <label className="choice">
        <input type="checkbox" checked={showUnchanged} onChange={(e) => setShowUnchanged(e.target.checked)} /> Show unchanged clauses too
      </label>
      <ErrorNote error={plainError(error)} />
      {fetching && !data && <Loading label="Comparing…" />}
      {data && (
        <div aria-live="polite">
          <p className="meta">
            From version {from} to version {to}: {diff.filter((d) => d.change !== 'UNCHANGED').length} of {diff.length} clauses differ.
          </p>
          <ol className="clause-list diff-list">
            {shown.map((d) => (
              <li key={`${d.change}-${d.key}`} className={`clause diff-${d.change.toLowerCase()}`}>
                <h4 className="clause-title">
                  Clause {d.key} <span className="badge">{CHANGE_WORDS[d.change]}</span>
                </h4>
                <p className="clause-text">
                  <Hunks hunks={d.hunks} />
                </p>
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
