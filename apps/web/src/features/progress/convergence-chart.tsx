import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { timeLabel, timeTicks } from './time-ticks';

export interface ChartPoint {
  seq: number;
  at: string;
  openBrackets: number;
  openAmendments: number;
  supportingParties: number;
}

// Loaded on demand (recharts is the heaviest part of the dashboard). The accessible table next
// to it carries the same figures; the drawing itself is hidden from screen readers.
export default function ConvergenceChart({ points, partyCount }: { points: ChartPoint[]; partyCount: number }) {
  const data = points.map((p) => ({ ...p, t: Date.parse(p.at) }));
  const time = timeLabel(data[data.length - 1].t - data[0].t);
  const ticks = timeTicks(
    data.map((d) => d.t),
    time,
  );
  const top = Math.max(partyCount, ...points.map((p) => Math.max(p.openBrackets, p.openAmendments)));
  return (
    <div className="chart" aria-hidden="true">
      <ResponsiveContainer width="100%" height={240}>
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }} accessibilityLayer={false}>
          <CartesianGrid stroke="#d0d7de" strokeDasharray="3 3" />
          <XAxis
            dataKey="t"
            type="number"
            scale="time"
            domain={['dataMin', 'dataMax']}
            ticks={ticks}
            interval="preserveStartEnd"
            tickFormatter={time}
            minTickGap={40}
            tick={{ fontSize: 12 }}
          />
          <YAxis allowDecimals={false} width={32} domain={[0, top]} tick={{ fontSize: 12 }} />
          <Tooltip labelFormatter={(v) => time(Number(v))} />
          <Legend />
          <Line type="stepAfter" dataKey="supportingParties" name="Supporting parties" stroke="#1a7f37" strokeWidth={2} isAnimationActive={false} />
          <Line type="stepAfter" dataKey="openBrackets" name="Open brackets" stroke="#8a5a00" strokeWidth={2} strokeDasharray="6 3" isAnimationActive={false} />
          <Line
            type="stepAfter"
            dataKey="openAmendments"
            name="Open amendments"
            stroke="#0b5cad"
            strokeWidth={2}
            strokeDasharray="2 3"
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
