import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface ChartPoint {
  seq: number;
  at: string;
  openBrackets: number;
  openAmendments: number;
  supportingParties: number;
}

const time = (iso: string) => new Date(iso).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

// Loaded on demand (recharts is the heaviest part of the dashboard). The accessible table next
// to it carries the same figures; the drawing itself is hidden from screen readers.
export default function ConvergenceChart({ points }: { points: ChartPoint[] }) {
  return (
    <div className="chart" aria-hidden="true">
      <ResponsiveContainer width="100%" height={240}>
        <LineChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 0 }} accessibilityLayer={false}>
          <CartesianGrid stroke="#d0d7de" strokeDasharray="3 3" />
          <XAxis dataKey="at" tickFormatter={time} minTickGap={40} tick={{ fontSize: 12 }} />
          <YAxis allowDecimals={false} width={32} tick={{ fontSize: 12 }} />
          <Tooltip labelFormatter={(v) => time(String(v))} />
          <Legend />
          <Line type="stepAfter" dataKey="supportingParties" name="Supporting parties" stroke="#1a7f37" strokeWidth={2} isAnimationActive={false} />
          <Line type="stepAfter" dataKey="openBrackets" name="Open brackets" stroke="#8a5a00" strokeWidth={2} strokeDasharray="6 3" isAnimationActive={false} />
          <Line type="stepAfter" dataKey="openAmendments" name="Open amendments" stroke="#0b5cad" strokeWidth={2} strokeDasharray="2 3" isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
