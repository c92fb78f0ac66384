import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation } from 'urql';
import { graphql } from '../../gql';
import { plainError } from '../../api/errors';
import { Button, ErrorNote, TextField } from '../../ui/form';
import { when } from '../../ui/words';
import type { AgreementData, AgreementRoom } from './agreement-page';

const ConsentDoc = graphql(`
  mutation ConsentToPublish($agreementId: ID!, $embargoUntil: DateTime) {
    consentToPublish(agreementId: $agreementId, embargoUntil: $embargoUntil) {
      id
    }
  }
`);

interface Props {
  agreement: AgreementData;
  room: AgreementRoom;
  myParty: { id: string; name: string } | null;
  onChange(): void;
}

export function Downloads({ base, note }: { base: string; note?: string }) {
  return (
    <>
      <ul className="download-list">
        <li>
          <a href={`${base}.md`} download>
            Markdown
          </a>
        </li>
        <li>
          <a href={`${base}.pdf`} download>
            PDF
          </a>
        </li>
        <li>
          <a href={`${base}.json`} download>
            JSON bundle (verifiable)
          </a>
        </li>
      </ul>
      {note && <p className="meta">{note}</p>}
      <details className="verify-help">
        <summary>How to verify the bundle</summary>
        <p>
          The bundle holds the text, every hash, each party&apos;s signature and the server&apos;s attestation. Check it offline, with no server or database:
        </p>
        <pre className="code">npm run parley -- verify bundle.json</pre>
        <p>
          It names the first thing that does not match; any changed byte fails. Add <code>--trusted-key key.pem</code> with the server key from{' '}
          <code>/.well-known/parley-signing-key</code> obtained another way to also pin the server.
        </p>
      </details>
    </>
  );
}

export function PublicationSection({ agreement, room, myParty, onChange }: Props) {
  const [consent, consentNow] = useMutation(ConsentDoc);
  const [embargo, setEmbargo] = useState('');
  const consented = new Set(agreement.publishConsents.map((p) => p.id));
  const error = plainError(consent.error);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const embargoUntil = embargo ? new Date(embargo).toISOString() : null;
    const r = await consentNow({ agreementId: agreement.id, embargoUntil });
    if (!r.error) onChange();
  }
  return (
    <section className="card agree-card" aria-labelledby="pub-h">
      <h2 id="pub-h">Publication</h2>
      {agreement.publicSlug ? (
        <p>
          Published {agreement.publishedAt && when(agreement.publishedAt)}: <Link to={`/published/${agreement.publicSlug}`}>the public page</Link>.
        </p>
      ) : (
        <p className="meta">Published only when every party has signed and consented, commitments (if any) are resolved, and the latest embargo has passed.</p>
      )}
      {agreement.embargoUntil && <p>Embargo until {when(agreement.embargoUntil)}.</p>}
      <ul className="consent-list" aria-label="Consent to publish">
        {room.parties.map((p) => (
          <li key={p.id}>
            {p.name}: {consented.has(p.id) ? <span className="badge badge-success">consented</span> : <span className="badge">not yet</span>}
          </li>
        ))}
      </ul>
      {myParty && !consented.has(myParty.id) && !agreement.publicSlug && (
        <form onSubmit={(e) => void submit(e)}>
          <TextField
            label="Not before (optional embargo)"
            type="datetime-local"
            value={embargo}
            onChange={(e) => setEmbargo(e.target.value)}
            hint="Your local time. The latest embargo of all parties applies."
            step={1}
            error={error?.fields.embargoUntil ? `The embargo date ${error.fields.embargoUntil}.` : undefined}
          />
          <ErrorNote error={error && !error.fields.embargoUntil ? error : null} />
          <Button type="submit" variant="primary" busy={consent.fetching}>
            Consent to publish for {myParty.name}
          </Button>
        </form>
      )}
      <h3>Downloads</h3>
      <Downloads
        base={`/api/agreements/${agreement.id}/export`}
        note={agreement.publicSlug ? undefined : 'Until publication the files are marked “not yet published”.'}
      />
    </section>
  );
}
