import { useParams } from 'react-router';
import './agreement.css';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { plainError } from '../../api/errors';
import { ErrorNote } from '../../ui/form';
import { Loading, NotFoundPage, Page } from '../../ui/page';
import { when } from '../../ui/words';
import { ClauseList, HashBlock } from './agreement-parts';
import { Downloads } from './publication-section';

const PublishedDoc = graphql(`
  query PublishedAgreement($slug: String!) {
    publishedAgreement(slug: $slug) {
      slug
      title
      textHash
      clauses {
        ...AgreementClause
      }
      parties {
        id
        name
      }
      signatures {
        ...AgreementSignature
      }
      bindingCommitments {
        ...AgreementCommitment
      }
      publishedAt
    }
  }
`);

// No session needed: what every party consented to make public.
export default function PublicAgreementPage() {
  const { slug = '' } = useParams();
  const [{ data, error }] = useQuery({ query: PublishedDoc, variables: { slug } });
  if (error) return plainError(error)?.code === 'NOT_FOUND' ? <NotFoundPage /> : <ErrorNote error={plainError(error)} />;
  if (!data) return <Loading />;
  const a = data.publishedAgreement;
  const signed = new Map(a.signatures.map((s) => [s.party.id, s]));
  return (
    <Page title={a.title}>
      <p className="meta">
        Published {when(a.publishedAt)} with the consent of every party: {a.parties.map((p) => p.name).join(', ')}.
      </p>
      <section className="card agree-card" aria-labelledby="text-h">
        <h2 id="text-h">Text</h2>
        <ClauseList clauses={a.clauses} />
        <HashBlock label="Text hash (SHA-256 of the canonical clauses)" hash={a.textHash} />
      </section>
      <section className="card agree-card" aria-labelledby="sig-h">
        <h2 id="sig-h">Signatures</h2>
        <ul className="signature-list">
          {a.parties.map((p) => {
            const s = signed.get(p.id);
            return (
              <li key={p.id}>
                <strong>{p.name}</strong>:{' '}
                {s ? (
                  <>
                    signed {when(s.signedAt)}
                    {s.partyMade ? ' with its own party key (checked by the bundle)' : ''}
                  </>
                ) : (
                  'not signed'
                )}
              </li>
            );
          })}
        </ul>
      </section>
      {a.bindingCommitments.length > 0 && (
        <section className="card agree-card" aria-labelledby="com-h">
          <h2 id="com-h">Binding commitments</h2>
          <ul className="commitment-list">
            {a.bindingCommitments.map((c) => (
              <li key={c.id}>
                <strong>{c.party.name}</strong> will {c.statement}
              </li>
            ))}
          </ul>
        </section>
      )}
      <section className="card agree-card" aria-labelledby="dl-h">
        <h2 id="dl-h">Downloads</h2>
        <Downloads base={`/public/agreements/${a.slug}`} />
      </section>
    </Page>
  );
}
