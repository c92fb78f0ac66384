import { useState, type FormEvent } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { useClient, useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import { plainError } from '../../api/errors';
import { useSession } from '../../session';
import { Button, ErrorNote, TextField, fieldError } from '../../ui/form';
import { Loading, Page } from '../../ui/page';
import { roleWords, when } from '../../ui/words';
import './accept-invite.css';

// /invite#<token>: the token travels in the fragment, which browsers never send to a server,
// so it stays out of every access log.

const PreviewQuery = graphql(`
  query InvitePreview($token: String!) {
    invitePreview(token: $token) {
      roomTitle
      role
      partyName
      expiresAt
    }
  }
`);

const SignUpMutation = graphql(`
  mutation InviteSignUp($input: SignUpInput!) {
    signUp(input: $input) {
      expiresAt
    }
  }
`);

const InviteLoginMutation = graphql(`
  mutation InviteLogin($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      expiresAt
    }
  }
`);

const AcceptMutation = graphql(`
  mutation AcceptInvite($token: String!) {
    acceptInvite(token: $token) {
      id
    }
  }
`);

const MyMembershipsQuery = graphql(`
  query MyMemberships {
    rooms {
      id
      myMembership {
        id
      }
    }
  }
`);

export default function AcceptInvitePage() {
  const { hash } = useLocation();
  const token = decodeURIComponent(hash.replace(/^#/, ''));
  const { user, refresh } = useSession();
  const navigate = useNavigate();
  const client = useClient();
  const [preview] = useQuery({ query: PreviewQuery, variables: { token }, pause: !token });
  const [signUpResult, signUp] = useMutation(SignUpMutation);
  const [loginResult, login] = useMutation(InviteLoginMutation);
  const [acceptResult, accept] = useMutation(AcceptMutation);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [loginEmail, setLoginEmail] = useState('');
  const [loginPassword, setLoginPassword] = useState('');

  // into the room just joined (found by the membership the invite created)
  async function enter(membershipId: string | null) {
    refresh();
    const rooms = await client.query(MyMembershipsQuery, {}, { requestPolicy: 'network-only' }).toPromise();
    const room = rooms.data?.rooms.find((r) => r.myMembership.id === membershipId) ?? rooms.data?.rooms.at(-1);
    void navigate(room ? `/rooms/${room.id}` : '/rooms', { replace: true });
  }

  async function acceptSignedIn() {
    const r = await accept({ token });
    if (r.data) await enter(r.data.acceptInvite.id);
  }

  async function submitSignUp(e: FormEvent) {
    e.preventDefault();
    const r = await signUp({ input: { displayName: name, email, password, inviteToken: token } });
    if (r.data) await enter(null);
  }

  async function submitLogin(e: FormEvent) {
    e.preventDefault();
    const r = await login({ email: loginEmail, password: loginPassword });
    if (r.error) return;
    const a = await accept({ token });
    if (a.data) await enter(a.data.acceptInvite.id);
    else refresh();
  }

  if (!token) return <InvalidInvite />;
  if (preview.fetching && !preview.data) return <Loading label="Reading the invitation…" />;
  const previewError = plainError(preview.error);
  if (previewError?.code === 'INVITE_INVALID' || previewError?.code === 'BAD_USER_INPUT') return <InvalidInvite />;
  if (!preview.data) return <ErrorNote error={previewError} />;
  const p = preview.data.invitePreview;

  const signUpError = plainError(signUpResult.error);
  const loginError = plainError(loginResult.error);
  const acceptError = plainError(acceptResult.error);
  return (
    <Page title={`Invitation to ${p.roomTitle}`}>
      <dl className="card narrow invite-preview">
        <dt>Room</dt>
        <dd>{p.roomTitle}</dd>
        <dt>Your role</dt>
        <dd>{roleWords(p.role)}</dd>
        {p.partyName && (
          <>
            <dt>Party</dt>
            <dd>{p.partyName}</dd>
          </>
        )}
        <dt>Valid until</dt>
        <dd>{when(p.expiresAt)}</dd>
      </dl>

      {user ? (
        <section className="card narrow" aria-labelledby="accept-heading">
          <h2 id="accept-heading">Join as {user.displayName}</h2>
          <ErrorNote error={acceptError} />
          <Button variant="primary" busy={acceptResult.fetching} onClick={() => void acceptSignedIn()}>
            Accept the invitation
          </Button>
        </section>
      ) : (
        <div className="invite-forms">
          <form className="card" onSubmit={submitSignUp} noValidate aria-labelledby="signup-heading">
            <h2 id="signup-heading">New to Parley: create your account</h2>
            <TextField
              label="Your name"
              autoComplete="name"
              required
              value={name}
              onChange={(e) => setName(e.target.value)}
              error={fieldError(signUpError, 'displayName')}
            />
            <TextField
              label="Email"
              type="email"
              autoComplete="email"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              error={fieldError(signUpError, 'email')}
            />
            <TextField
              label="Password"
              type="password"
              autoComplete="new-password"
              required
              hint="At least 12 characters."
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={fieldError(signUpError, 'password')}
            />
            <ErrorNote error={signUpError} />
            <Button variant="primary" type="submit" busy={signUpResult.fetching}>
              Create account and join
            </Button>
          </form>
          <form className="card" onSubmit={submitLogin} noValidate aria-labelledby="signin-heading">
            <h2 id="signin-heading">Already have an account: sign in</h2>
            <TextField label="Account email" type="email" autoComplete="username" required value={loginEmail} onChange={(e) => setLoginEmail(e.target.value)} />
            <TextField
              label="Account password"
              type="password"
              autoComplete="current-password"
              required
              value={loginPassword}
              onChange={(e) => setLoginPassword(e.target.value)}
            />
            <ErrorNote error={loginError?.code === 'UNAUTHENTICATED' ? { ...loginError, message: 'Wrong email or password.' } : (loginError ?? acceptError)} />
            <Button type="submit" busy={loginResult.fetching || acceptResult.fetching}>
              Sign in and join
            </Button>
          </form>
        </div>
      )}
    </Page>
  );
}

function InvalidInvite() {
  return (
    <Page title="This invitation is not valid">
      <p role="alert">It may have been used already, revoked, or have expired. Ask the room's facilitator for a new link.</p>
    </Page>
  );
}
