// placeholder: built in a later change
export function TextPanel() {
  return <p className="muted">Not built yet.</p>;
}
