import { Link } from 'react-router';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { plainError } from '../../api/errors';
import { ErrorNote } from '../../ui/form';
import { Loading, Page } from '../../ui/page';
import { count, roleWords } from '../../ui/words';

const RoomsQuery = graphql(`
  query MyRooms {
    rooms {
      id
      title
      purpose
      archived
      createdAt
      parties {
        id
      }
      myMembership {
        id
        role
        party {
          id
          name
        }
      }
    }
  }
`);

export function RoomsPage() {
  const [{ data, fetching, error }] = useQuery({ query: RoomsQuery });
  return (
    <Page
      title="My rooms"
      actions={
        <Link className="btn btn-primary" to="/rooms/new">
          New room
        </Link>
      }
    >
      <ErrorNote error={plainError(error)} />
      {fetching && !data && <Loading />}
      {data && data.rooms.length === 0 && <p className="muted">You are not in any room yet. Create one, or open an invitation link.</p>}
      {data && data.rooms.length > 0 && (
        <ul className="room-list">
          {data.rooms.map((r) => (
            <li key={r.id} className="card room-card">
              <h2>
                <Link to={`/rooms/${r.id}`}>{r.title}</Link>
              </h2>
              <p className="muted">{r.purpose}</p>
              <p className="meta">
                {roleWords(r.myMembership.role)}
                {r.myMembership.party ? ` for ${r.myMembership.party.name}` : ''} · {count(r.parties.length, 'party', 'parties')}
                {r.archived ? ' · archived' : ''}
              </p>
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}
