import { useEffect, useState } from 'react';

// The time now as a render input (a render itself stays pure): read when the component mounts,
// then again every `everyMs`, so what depends on it (an invitation expiring) changes on screen.
export function useNow(everyMs = 60_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
}
