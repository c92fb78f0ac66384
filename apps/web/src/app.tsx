import { lazy, Suspense, type ReactNode } from 'react';
import { Link, Navigate, Route, Routes } from 'react-router';
import { useQuery } from 'urql';
import { graphql } from './gql';
import { RequireSession, useSession } from './session';
import { Loading, NotFoundPage } from './ui/page';
import { SignInPage } from './features/auth/sign-in-page';
import { FirstRunPage } from './features/auth/first-run-page';
import { RoomsPage } from './features/rooms/rooms-page';

// Screens past sign-in load on demand, so the first load stays small.
const CreateRoomPage = lazy(() => import('./features/rooms/create-room-page'));
const AcceptInvitePage = lazy(() => import('./features/auth/accept-invite-page'));
const RoomPage = lazy(() => import('./features/room/room-page'));
const AgreementPage = lazy(() => import('./features/agreement/agreement-page'));
const PublicAgreementPage = lazy(() => import('./features/agreement/public-agreement-page'));
const ProgressPage = lazy(() => import('./features/progress/progress-page'));

const SetupQuery = graphql(`
  query Setup {
    setup {
      needsFirstUser
      openSignup
    }
  }
`);

function Home() {
  const { user, loading } = useSession();
  const [setup] = useQuery({ query: SetupQuery });
  if (loading || (!user && !setup.data && !setup.error)) return <Loading />;
  if (user) return <Navigate to="/rooms" replace />;
  if (setup.data?.setup.needsFirstUser) return <Navigate to="/first-run" replace />;
  return <Navigate to="/sign-in" replace />;
}

function Shell({ children }: { children: ReactNode }) {
  const { user, signOut } = useSession();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top-bar">
        <Link to="/" className="brand" aria-label="Parley home">
          Parley
        </Link>
        {user && (
          <nav aria-label="Account" className="top-nav">
            <Link to="/rooms">My rooms</Link>
            <span className="who" aria-label={`Signed in as ${user.displayName}`}>
              {user.displayName}
            </span>
            <button type="button" className="btn btn-link" onClick={() => void signOut()}>
              Sign out
            </button>
          </nav>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>{children}</Suspense>
      </main>
    </>
  );
}

const session = (page: ReactNode) => <RequireSession>{page}</RequireSession>;

export function App() {
  return (
    <Shell>
      <Routes>
        <Route path="/" element={<Home />} />
        <Route path="/sign-in" element={<SignInPage />} />
        <Route path="/first-run" element={<FirstRunPage />} />
        <Route path="/invite" element={<AcceptInvitePage />} />
        <Route path="/published/:slug" element={<PublicAgreementPage />} />
        <Route path="/rooms" element={session(<RoomsPage />)} />
        <Route path="/rooms/new" element={session(<CreateRoomPage />)} />
        <Route path="/rooms/:roomId/progress" element={session(<ProgressPage />)} />
        <Route path="/rooms/:roomId/*" element={session(<RoomPage />)} />
        <Route path="/agreements/:agreementId" element={session(<AgreementPage />)} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </Shell>
  );
}
