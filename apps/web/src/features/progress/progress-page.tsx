import { Page } from '../../ui/page';

// placeholder: built in a later change
export default function Placeholder() {
  return (
    <Page title="progress-page">
      <p>Not built yet.</p>
    </Page>
  );
}
