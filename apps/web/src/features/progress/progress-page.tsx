import { lazy, Suspense, useState } from 'react';
import './progress.css';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import type { RoomProgressQuery } from '../../gql/graphql';
import { codeWords, plainError } from '../../api/errors';
import { Button, ErrorNote, Notice } from '../../ui/form';
import { Loading, NotFoundPage, Page } from '../../ui/page';
import { count, when } from '../../ui/words';

const ConvergenceChart = lazy(() => import('./convergence-chart'));

const ProgressRoleDoc = graphql(`
  query ProgressRole($id: ID!) {
    room(id: $id) {
      id
      title
      myMembership {
        id
        role
      }
    }
  }
`);

const RoomProgressDoc = graphql(`
  query RoomProgress($id: ID!) {
    room(id: $id) {
      id
      parties {
        id
        name
      }
      progress {
        partyCount
        proposals {
          proposal {
            id
            title
            status
            version
            agreement {
              id
            }
          }
          openBrackets
          openAmendments
          latestBallot {
            id
            secrecy
            status
            version
            votedParties {
              id
            }
          }
          positions {
            party {
              id
              name
            }
            choice
          }
          awaitingVote {
            id
            name
          }
          awaitingSignature {
            id
            name
          }
          awaitingPublishConsent {
            id
            name
          }
          convergence {
            seq
            at
            openBrackets
            openAmendments
            supportingParties
          }
        }
      }
    }
  }
`);

const RemindDoc = graphql(`
  mutation RemindParties($ballotId: ID!) {
    remindParties(ballotId: $ballotId)
  }
`);

type ProposalProgress = RoomProgressQuery['room']['progress']['proposals'][number];
type Party = { id: string; name: string };

const CHOICE: Record<string, string> = { SUPPORT: 'Support', OPPOSE: 'Oppose', ABSTAIN: 'Abstain', BLOCK: 'Block' };
const STATUS: Record<string, string> = { DRAFTING: 'drafting', VOTING: 'voting', ADOPTED: 'adopted', REJECTED: 'rejected', WITHDRAWN: 'withdrawn' };

const secretOpen = (p: ProposalProgress) => p.latestBallot?.secrecy === 'SECRET_UNTIL_CLOSE' && p.latestBallot.status === 'OPEN';

// a secret ballot still open shows only who has voted, never a choice
function cell(p: ProposalProgress, party: Party): string {
  if (secretOpen(p)) return p.latestBallot!.votedParties.some((v) => v.id === party.id) ? 'Voted (secret)' : 'Not voted';
  const choice = p.positions.find((x) => x.party.id === party.id)?.choice;
  return choice ? CHOICE[choice] : '—';
}

export default function ProgressPage() {
  const { roomId = '' } = useParams();
  const [role] = useQuery({ query: ProgressRoleDoc, variables: { id: roomId } });
  const isFacilitator = role.data?.room.myMembership.role === 'FACILITATOR';
  const [{ data, error }] = useQuery({ query: RoomProgressDoc, variables: { id: roomId }, pause: !isFacilitator });
  const roleError = plainError(role.error);
  if (roleError) return roleError.code === 'NOT_FOUND' ? <NotFoundPage /> : <ErrorNote error={roleError} />;
  if (!role.data) return <Loading />;
  const room = role.data.room;
  if (!isFacilitator)
    return (
      <Page title="Progress">
        <ErrorNote>{codeWords('FORBIDDEN')} The progress dashboard is for the room&apos;s facilitators.</ErrorNote>
        <Link to={`/rooms/${roomId}`}>Back to the room</Link>
      </Page>
    );
  if (error) return <ErrorNote error={plainError(error)} />;
  if (!data) return <Loading />;
  const { parties, progress } = data.room;
  return (
    <Page
      title={`Progress: ${room.title}`}
      wide
      actions={
        <a className="btn btn-secondary" href={`/api/rooms/${roomId}/progress.csv`} download>
          Download CSV
        </a>
      }
    >
      <p className="meta">
        <Link to={`/rooms/${roomId}`}>Back to the room</Link> · {count(progress.partyCount, 'party', 'parties')} ·{' '}
        {count(progress.proposals.length, 'proposal')}
      </p>
      {progress.proposals.length === 0 ? (
        <p>No proposal yet.</p>
      ) : (
        <>
          <section className="card agree-card" aria-labelledby="matrix-h">
            <h2 id="matrix-h">Latest positions</h2>
            <div className="table-scroll">
              <table className="matrix">
                <caption className="sr-only">Each party&apos;s latest position on each proposal</caption>
                <thead>
                  <tr>
                    <th scope="col">Party</th>
                    {progress.proposals.map((p) => (
                      <th scope="col" key={p.proposal.id}>
                        {p.proposal.title}
                        <span className="meta"> ({STATUS[p.proposal.status]})</span>
                        {secretOpen(p) && <span className="badge badge-private">secret ballot</span>}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {parties.map((party) => (
                    <tr key={party.id}>
                      <th scope="row">{party.name}</th>
                      {progress.proposals.map((p) => {
                        const text = cell(p, party);
                        return (
                          <td key={p.proposal.id} className={`pos pos-${text.split(' ')[0].toLowerCase()}`}>
                            {text}
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          {progress.proposals.map((p) => (
            <ProposalCard key={p.proposal.id} p={p} partyCount={progress.partyCount} />
          ))}
        </>
      )}
    </Page>
  );
}

const names = (ps: Party[]) => (ps.length ? ps.map((x) => x.name).join(', ') : 'nobody');

function ProposalCard({ p, partyCount }: { p: ProposalProgress; partyCount: number }) {
  const [asTable, setAsTable] = useState(false);
  const [remind, remindNow] = useMutation(RemindDoc);
  const id = p.proposal.id;
  const ballotOpen = p.latestBallot?.status === 'OPEN';
  return (
    <section className="card agree-card" aria-labelledby={`p-${id}`}>
      <h2 id={`p-${id}`}>{p.proposal.title}</h2>
      <dl className="facts">
        <dt>Open brackets</dt>
        <dd>{p.openBrackets}</dd>
        <dt>Open amendments</dt>
        <dd>{p.openAmendments}</dd>
        <dt>Not voted{p.latestBallot ? ` (version ${p.latestBallot.version} ballot)` : ''}</dt>
        <dd>{p.latestBallot ? names(p.awaitingVote) : 'no ballot yet'}</dd>
        {p.proposal.agreement && (
          <>
            <dt>Not signed</dt>
            <dd>{names(p.awaitingSignature)}</dd>
            <dt>Not consented to publish</dt>
            <dd>{names(p.awaitingPublishConsent)}</dd>
          </>
        )}
      </dl>
      {p.proposal.agreement && (
        <p>
          <Link to={`/agreements/${p.proposal.agreement.id}`}>Open the agreement</Link>
        </p>
      )}
      {ballotOpen && p.awaitingVote.length > 0 && (
        <div className="btn-row">
          <Button busy={remind.fetching} onClick={() => void remindNow({ ballotId: p.latestBallot!.id })}>
            Remind parties that have not voted
          </Button>
          <span className="meta">At most one reminder per ballot per hour.</span>
        </div>
      )}
      {remind.data && <Notice tone="success">Reminder sent to {names(p.awaitingVote)}.</Notice>}
      {remind.error && (
        <ErrorNote error={plainError(remind.error)}>
          {plainError(remind.error)?.code === 'RATE_LIMITED' ? ' You can send the next one an hour after the last.' : null}
        </ErrorNote>
      )}
      <h3 id={`c-${id}`}>Convergence over time</h3>
      {p.convergence.length === 0 ? (
        <p className="meta">No points yet.</p>
      ) : (
        <>
          <Suspense fallback={<Loading label="Loading the chart…" />}>
            <ConvergenceChart points={p.convergence} partyCount={partyCount} />
          </Suspense>
          <Button variant="link" aria-expanded={asTable} onClick={() => setAsTable((v) => !v)}>
            {asTable ? 'Hide the table' : 'Show as a table'}
          </Button>
          <div className={asTable ? 'table-scroll' : 'sr-only'}>
            <table className="convergence-table" aria-labelledby={`c-${id}`}>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Supporting parties</th>
                  <th scope="col">Open brackets</th>
                  <th scope="col">Open amendments</th>
                </tr>
              </thead>
              <tbody>
                {p.convergence.map((c) => (
                  <tr key={c.seq}>
                    <th scope="row">{when(c.at)}</th>
                    <td>{c.supportingParties}</td>
                    <td>{c.openBrackets}</td>
                    <td>{c.openAmendments}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
