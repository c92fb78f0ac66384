import { describe, expect, it } from '@jest/globals';
import { timeLabel, timeTicks } from './time-ticks';

const at = (iso: string) => Date.parse(iso);
// a label with minute precision, independent of the machine's locale and time zone
const minute = (t: number) => new Date(t).toISOString().slice(0, 16);

describe('timeTicks', () => {
  it('puts one tick at the first point of each distinct label', () => {
    const times = [at('2026-12-02T10:31:03Z'), at('2026-12-02T10:31:40Z'), at('2026-12-02T10:32:05Z'), at('2026-12-02T10:35:00Z')];
    expect(timeTicks(times, minute)).toEqual([times[0], times[2], times[3]]);
  });

  it('puts a lone label in the middle of the span, not at its left edge', () => {
    const times = [at('2026-12-02T10:31:03.496Z'), at('2026-12-02T10:31:03.536Z'), at('2026-12-02T10:31:03.649Z')];
    const ticks = timeTicks(times, minute);
    expect(ticks).toEqual([(times[0] + times[2]) / 2]);
    expect(minute(ticks[0])).toBe(minute(times[0]));
  });

  it('keeps the one point of a series of one', () => {
    expect(timeTicks([at('2026-12-02T10:31:03Z')], minute)).toEqual([at('2026-12-02T10:31:03Z')]);
  });
});

describe('timeLabel', () => {
  it('shows seconds within an hour and the day beyond it', () => {
    const t = at('2026-12-02T10:31:03Z');
    expect(timeLabel(60_000)(t)).toMatch(/\d{2}:\d{2}:\d{2}/);
    expect(timeLabel(2 * 3600_000)(t)).not.toMatch(/\d{2}:\d{2}:\d{2}/);
    expect(timeLabel(2 * 3600_000)(t)).toMatch(/Dec/);
  });
});
