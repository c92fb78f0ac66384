import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../../gql';
import { plainError } from '../../api/errors';
import { Button, ErrorNote, fieldError, TextArea, TextField } from '../../ui/form';
import { when } from '../../ui/words';
import type { AgreementData, AgreementRoom } from './agreement-page';

const MakeCommitmentDoc = graphql(`
  mutation MakeCommitment($input: MakeCommitmentInput!) {
    makeCommitment(input: $input) {
      id
    }
  }
`);
const WithdrawCommitmentDoc = graphql(`
  mutation WithdrawCommitment($id: ID!) {
    withdrawCommitment(id: $id) {
      id
    }
  }
`);
const ResolveCommitmentsDoc = graphql(`
  mutation ResolveCommitments($agreementId: ID!) {
    resolveCommitments(agreementId: $agreementId) {
      id
    }
  }
`);

type Commitment = AgreementData['commitments'][number];

function condition(c: Commitment): string {
  const parts: string[] = [];
  if (c.minParties) parts.push(`at least ${c.minParties} parties commit`);
  if (c.requiredParties.length) parts.push(`${c.requiredParties.map((p) => p.name).join(', ')} also commit`);
  return parts.length ? `if ${parts.join(' and ')}` : 'unconditionally';
}

interface Props {
  agreement: AgreementData;
  room: AgreementRoom;
  myParty: { id: string; name: string } | null;
  onChange(): void;
}

export function CommitmentsSection({ agreement, room, myParty, onChange }: Props) {
  const resolved = !!agreement.commitmentsResolvedAt;
  const isFacilitator = room.myMembership.role === 'FACILITATOR';
  const [res, resolve] = useMutation(ResolveCommitmentsDoc);
  const [wd, withdraw] = useMutation(WithdrawCommitmentDoc);
  const binding = agreement.commitments.filter((c) => c.status === 'BINDING');
  const mine = agreement.commitments.filter((c) => myParty && c.party.id === myParty.id && c.status !== 'BINDING');
  const open = !resolved && agreement.status !== 'PUBLISHED';

  return (
    <section className="card agree-card" aria-labelledby="com-h">
      <h2 id="com-h">Conditional commitments</h2>
      <p className="meta">
        {resolved
          ? `Resolved ${when(agreement.commitmentsResolvedAt!)}. Binding commitments are shown to every member; the others stay sealed forever.`
          : 'A commitment stays sealed: no other party sees it, or even that it exists, until the facilitator resolves them. Then the largest set whose conditions all hold becomes binding.'}
      </p>
      {resolved && (
        <>
          <h3>Binding</h3>
          {binding.length ? (
            <ul className="commitment-list" aria-label="Binding commitments">
              {binding.map((c) => (
                <li key={c.id}>
                  <strong>{c.party.name}</strong> will {c.statement} <span className="meta">({condition(c)})</span>{' '}
                  <span className="badge badge-success">binding</span>
                </li>
              ))}
            </ul>
          ) : (
            <p>No commitment became binding.</p>
          )}
        </>
      )}
      {myParty && (mine.length > 0 || open) && (
        <>
          <h3>{myParty.name}&apos;s own</h3>
          {mine.length ? (
            <ul className="commitment-list" aria-label={`${myParty.name}'s commitments`}>
              {mine.map((c) => (
                <li key={c.id}>
                  We will {c.statement} <span className="meta">({condition(c)})</span>{' '}
                  {c.status === 'SEALED' ? (
                    <>
                      <span className="badge badge-private">sealed</span>{' '}
                      <Button variant="link" busy={wd.fetching} onClick={() => void withdraw({ id: c.id }).then((r) => !r.error && onChange())}>
                        Withdraw<span className="sr-only"> the commitment “{c.statement}”</span>
                      </Button>
                    </>
                  ) : (
                    <span className="badge badge-private">lapsed: visible only to your party</span>
                  )}
                </li>
              ))}
            </ul>
          ) : (
            <p className="meta">Your party has made no commitment.</p>
          )}
          <ErrorNote error={plainError(wd.error)} />
          {open && <CommitmentForm agreementId={agreement.id} parties={room.parties.filter((p) => p.id !== myParty.id)} onChange={onChange} />}
        </>
      )}
      {isFacilitator && open && (
        <div className="btn-row">
          <Button variant="primary" busy={res.fetching} onClick={() => void resolve({ agreementId: agreement.id }).then((r) => !r.error && onChange())}>
            Resolve commitments
          </Button>
          <span className="meta">Final: no commitment can be made or withdrawn afterwards.</span>
        </div>
      )}
      <ErrorNote error={plainError(res.error)} />
    </section>
  );
}

function CommitmentForm({ agreementId, parties, onChange }: { agreementId: string; parties: Array<{ id: string; name: string }>; onChange(): void }) {
  const [made, make] = useMutation(MakeCommitmentDoc);
  const [statement, setStatement] = useState('');
  const [minParties, setMinParties] = useState('');
  const [required, setRequired] = useState<string[]>([]);
  const error = plainError(made.error);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const r = await make({
      input: { agreementId, statement, minParties: minParties ? Number(minParties) : null, requiredPartyIds: required.length ? required : null },
    });
    if (!r.error) {
      setStatement('');
      setMinParties('');
      setRequired([]);
      onChange();
    }
  }
  return (
    <form onSubmit={(e) => void submit(e)} className="commitment-form" aria-labelledby="commit-form-h">
      <h3 id="commit-form-h">Make a sealed commitment</h3>
      <TextArea label="We will…" value={statement} onChange={(e) => setStatement(e.target.value)} rows={2} required error={fieldError(error, 'statement')} />
      <TextField
        label="…if at least this many parties commit (yours included)"
        type="number"
        min={1}
        inputMode="numeric"
        value={minParties}
        onChange={(e) => setMinParties(e.target.value)}
        hint="Leave empty for no minimum."
        error={fieldError(error, 'minParties')}
      />
      {parties.length > 0 && (
        <fieldset className="check-group">
          <legend>…and if these parties also commit</legend>
          {parties.map((p) => (
            <div className="field-check" key={p.id}>
              <input
                id={`req-${p.id}`}
                type="checkbox"
                checked={required.includes(p.id)}
                onChange={(e) => setRequired((r) => (e.target.checked ? [...r, p.id] : r.filter((x) => x !== p.id)))}
              />
              <label htmlFor={`req-${p.id}`}>{p.name}</label>
            </div>
          ))}
        </fieldset>
      )}
      <ErrorNote error={error && !fieldError(error, 'statement') && !fieldError(error, 'minParties') ? error : null} />
      <Button type="submit" variant="primary" busy={made.fetching}>
        Make sealed commitment
      </Button>
    </form>
  );
}
