import type { CancelSignal } from '../../src/cluster/ports.js';

/**
 * Waits `ms`, or less when the signal aborts or `until` settles: the pause between two polls of
 * an effect in flight, which a cancel or the effect's own end must cut short.
 */
export function waitFor(ms: number, signal: CancelSignal, until?: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal.addEventListener('abort', done);
    void until?.then(done, done);
  });
}
