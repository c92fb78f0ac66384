import { useRef, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useMutation } from 'urql';
import { graphql } from '../../gql';
import type { SpeakerAttribution } from '../../gql/graphql';
import { plainError } from '../../api/errors';
import { Button, ErrorNote, TextArea, TextField, fieldError } from '../../ui/form';
import { Page } from '../../ui/page';
import { attributionWords } from '../../ui/words';
import './create-room.css';

const CreateRoomMutation = graphql(`
  mutation CreateRoom($input: CreateRoomInput!) {
    createRoom(input: $input) {
      id
    }
  }
`);

const EXPLAIN: Record<SpeakerAttribution, string> = {
  ATTRIBUTED: 'Everyone sees who said what and for which party.',
  PARTY_ONLY: 'Everyone sees which party spoke, never which person.',
  ANONYMOUS: 'Nobody sees who spoke or for which party. Useful for frank first rounds.',
};

export default function CreateRoomPage() {
  const navigate = useNavigate();
  const [result, create] = useMutation(CreateRoomMutation);
  const [title, setTitle] = useState('');
  const [purpose, setPurpose] = useState('');
  const [attribution, setAttribution] = useState<SpeakerAttribution>('ATTRIBUTED');
  const [parties, setParties] = useState<string[]>(['', '']);
  const partyInputs = useRef<Array<HTMLInputElement | null>>([]);

  function setParty(i: number, name: string) {
    setParties((ps) => ps.map((p, j) => (j === i ? name : p)));
  }
  function addParty() {
    setParties((ps) => [...ps, '']);
    // focus the new field once it exists, so keyboard users can type straight away
    requestAnimationFrame(() => partyInputs.current.at(-1)?.focus());
  }
  function removeParty(i: number) {
    setParties((ps) => ps.filter((_, j) => j !== i));
    requestAnimationFrame(() => partyInputs.current[Math.max(0, i - 1)]?.focus());
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const r = await create({ input: { title, purpose, speakerAttribution: attribution, parties: parties.map((p) => p.trim()).filter(Boolean) } });
    if (r.data) void navigate(`/rooms/${r.data.createRoom.id}`);
  }

  const error = plainError(result.error);
  return (
    <Page title="New room">
      <form className="card narrow create-room" onSubmit={submit} noValidate>
        <TextField label="Title" required value={title} onChange={(e) => setTitle(e.target.value)} error={fieldError(error, 'title')} />
        <TextArea
          label="Purpose"
          hint="The one task this room is meant to agree on."
          required
          rows={3}
          value={purpose}
          onChange={(e) => setPurpose(e.target.value)}
          error={fieldError(error, 'purpose')}
        />

        <fieldset className="field">
          <legend>Parties at the table</legend>
          <p className="hint">Each party has one vote, whatever the number of its negotiators. You can add parties later.</p>
          <ul className="party-inputs">
            {parties.map((p, i) => (
              <li key={i}>
                <label htmlFor={`party-${i}`} className="sr-only">
                  Party {i + 1}
                </label>
                <input
                  id={`party-${i}`}
                  ref={(el) => void (partyInputs.current[i] = el)}
                  value={p}
                  placeholder={`Party ${i + 1}`}
                  onChange={(e) => setParty(i, e.target.value)}
                />
                <Button type="button" variant="link" onClick={() => removeParty(i)} aria-label={`Remove party ${i + 1}${p ? ` (${p})` : ''}`}>
                  Remove
                </Button>
              </li>
            ))}
          </ul>
          {fieldError(error, 'parties') && <div className="field-error">{fieldError(error, 'parties')}</div>}
          <Button type="button" onClick={addParty}>
            Add a party
          </Button>
        </fieldset>

        <fieldset className="field">
          <legend>Who is shown as the speaker</legend>
          <p className="hint">The server applies this to every message, event and export, not only on screen. It cannot be changed later.</p>
          {(Object.keys(EXPLAIN) as SpeakerAttribution[]).map((a) => (
            <div className="radio" key={a}>
              <input
                type="radio"
                id={`attr-${a}`}
                name="attribution"
                value={a}
                checked={attribution === a}
                onChange={() => setAttribution(a)}
                aria-describedby={`attr-${a}-hint`}
              />
              <label htmlFor={`attr-${a}`}>{attributionWords(a)}</label>
              <div className="hint" id={`attr-${a}-hint`}>
                {EXPLAIN[a]}
              </div>
            </div>
          ))}
        </fieldset>

        <ErrorNote error={error} />
        <Button variant="primary" type="submit" busy={result.fetching}>
          Create the room
        </Button>
      </form>
    </Page>
  );
}
