import { createContext, useCallback, useContext, useMemo, type ReactNode } from 'react';
import { useMutation, useQuery } from 'urql';
import { Navigate, useLocation } from 'react-router';
import { graphql } from './gql';
import { errorCode } from './api/errors';
import { Loading } from './ui/page';

const MeQuery = graphql(`
  query Me {
    me {
      id
      email
      displayName
    }
  }
`);

const LogoutMutation = graphql(`
  mutation Logout {
    logout
  }
`);

export interface SessionUser {
  id: string;
  email: string;
  displayName: string;
}

interface Session {
  user: SessionUser | null;
  loading: boolean;
  refresh(): void;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, reexecute] = useQuery({ query: MeQuery, requestPolicy: 'network-only' });
  const [, logout] = useMutation(LogoutMutation);
  const refresh = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  const signOut = useCallback(async () => {
    await logout({});
    // loaded on demand: socket.io stays out of the first load (only room pages need it)
    (await import('./api/live')).closeLive();
    // a full reload drops every cached answer of the signed-out user
    window.location.assign('/sign-in');
  }, [logout]);
  const unauthenticated = errorCode(me.error) === 'UNAUTHENTICATED';
  const value = useMemo<Session>(
    () => ({ user: me.data?.me ?? null, loading: me.fetching && !me.data && !unauthenticated, refresh, signOut }),
    [me.data, me.fetching, unauthenticated, refresh, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

// Screens that need a session send a signed-out visitor to sign in, then back.
export function RequireSession({ children }: { children: ReactNode }) {
  const { user, loading } = useSession();
  const location = useLocation();
  if (loading) return <Loading />;
  if (!user) return <Navigate to={`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  return <>{children}</>;
}
