// placeholder: built in a later change
export function DiscussionPanel() {
  return <p className="muted">Not built yet.</p>;
}
