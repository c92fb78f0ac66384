import { Page } from '../../ui/page';

// Shown while the install has no users: the first facilitator is made on the server.
export function FirstRunPage() {
  return (
    <Page title="Welcome to Parley">
      <div className="card">
        <p>This Parley install has no users yet. Create the first facilitator on the server, in the folder where Parley runs:</p>
        <pre className="code">
          <code>npm run parley -- user:create --email you@example.org --name "Your Name"</code>
        </pre>
        <p>It asks for a password. Then sign in, create a room and invite the parties.</p>
        <p>
          <a href="/sign-in">Sign in</a>
        </p>
      </div>
    </Page>
  );
}
