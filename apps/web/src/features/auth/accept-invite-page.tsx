import { Page } from '../../ui/page';

// placeholder: built in a later change
export default function Placeholder() {
  return (
    <Page title="accept-invite-page">
      <p>Not built yet.</p>
    </Page>
  );
}
