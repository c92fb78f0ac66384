// placeholder: built in a later change
export function BallotsPanel() {
  return <p className="muted">Not built yet.</p>;
}
