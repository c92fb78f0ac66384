// placeholder: built in a later change
export function PeoplePanel() {
  return <p className="muted">Not built yet.</p>;
}
