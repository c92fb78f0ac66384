import { Page } from '../../ui/page';

// placeholder: built in a later change
export default function Placeholder() {
  return (
    <Page title="agreement-page">
      <p>Not built yet.</p>
    </Page>
  );
}
