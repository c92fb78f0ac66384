// The x axis of the convergence chart: where its ticks go and what they say. The axis is real
// time (points spaced by when they happened); seconds show when the whole series spans less
// than an hour.
export const timeLabel = (spanMs: number) => (t: number) =>
  new Date(t).toLocaleString(
    undefined,
    spanMs < 3600_000 ? { hour: '2-digit', minute: '2-digit', second: '2-digit' } : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' },
  );

// One tick per distinct label (points seconds apart would otherwise repeat the same time), at
// the first point that has it. A lone label goes in the middle of the span: recharts moves the
// first and last of several ticks inwards until their labels fit, but drops a lone tick at the
// left edge whose label does not (a room whose events all fall in one second showed no time).
export function timeTicks(times: number[], label: (t: number) => string): number[] {
  const seen = new Set<string>();
  const distinct = times.filter((t) => {
    const text = label(t); // toLocaleString: once per point
    return !seen.has(text) && !!seen.add(text);
  });
  return distinct.length === 1 ? [(times[0] + times[times.length - 1]) / 2] : distinct;
}
