import { useState, type FormEvent } from 'react';
import { Navigate, useSearchParams } from 'react-router';
import { useMutation } from 'urql';
import { graphql } from '../../gql';
import { plainError } from '../../api/errors';
import { useSession } from '../../session';
import { Button, ErrorNote, TextField } from '../../ui/form';
import { Page } from '../../ui/page';

const LoginMutation = graphql(`
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      expiresAt
      user {
        id
      }
    }
  }
`);

// only paths of this app: never an open redirect
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/rooms';
}

export function SignInPage() {
  const { user, refresh } = useSession();
  const [params] = useSearchParams();
  const [result, login] = useMutation(LoginMutation);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const next = safeNext(params.get('next'));
  if (user) return <Navigate to={next} replace />;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const r = await login({ email, password });
    if (!r.error) refresh();
  }

  const error = plainError(result.error);
  return (
    <Page title="Sign in">
      <form className="card narrow" onSubmit={submit} noValidate>
        <TextField label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <TextField label="Password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <ErrorNote error={error?.code === 'UNAUTHENTICATED' ? { ...error, message: 'Wrong email or password.' } : error} />
        <Button variant="primary" type="submit" busy={result.fetching}>
          Sign in
        </Button>
      </form>
      <p className="muted">Parley is invite-only: to join a room, open the invitation link you were sent.</p>
    </Page>
  );
}
