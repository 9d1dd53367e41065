import { type ReactNode, useEffect, useState } from 'react';

import { ago } from './text.js';

/** "read 12 s ago", updated every second; "not read yet" before the first read. */
export function Ago({ at, prefix = 'read' }: { readonly at: number | null; readonly prefix?: string }): ReactNode {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  if (at === null) return <span>not read yet</span>;
  const stale = now - at > 5 * 60_000;
  return (
    <span className={stale ? 'ferry-stale' : undefined} title={new Date(at).toLocaleString()}>
      {prefix} {ago(now - at)}
      {stale ? ' (stale)' : ''}
    </span>
  );
}
