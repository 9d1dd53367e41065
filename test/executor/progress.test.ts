import { describe, expect, it } from 'vitest';

import { runProgress } from '../../src/executor/index.js';
import type { Run } from '../../src/executor/index.js';
import { OP, mig, ok, okAll, run, step, succeed } from './support.js';

/** s1 [0,10] → s2 [10,30]; s3 [0,5] on its own. */
const plan = (windowSeconds: number | null): Run =>
  run([step('s1', mig('VM1', 'N1', 'N2'), [], 0, 10), step('s2', mig('VM2', 'N2', 'N1'), ['s1'], 10, 30), step('s3', mig('VM3', 'N3', 'N4'), [], 0, 5)], { windowSeconds });

describe('runProgress', () => {
  it('before the start: the longest chain, no end estimate, the window against the planned work', () => {
    expect(runProgress(plan(60), 0)).toEqual({ total: 3, succeeded: 0, skipped: 0, failed: 0, running: 0, remaining: 3, secondsLeft: 30, estimatedEnd: null, fitsWindow: true });
    expect(runProgress(plan(20), 0).fitsWindow).toBe(false);
    expect(runProgress(plan(null), 0).fitsWindow).toBeNull();
  });

  it('while running: a running step counts what its progress says is left', () => {
    const started = (w: number): Run =>
      okAll(plan(w), [
        { type: 'approve', at: 1000, by: OP, stepIds: ['s1', 's2', 's3'] },
        { type: 'start', at: 2000, by: OP },
        { type: 'preflight-ok', at: 3000, stepId: 's1' },
        { type: 'effect-progress', at: 4000, stepId: 's1', progress: { fraction: 0.5 } },
      ]).run;
    const p = runProgress(started(30), 10_000);
    expect(p).toMatchObject({ running: 2, remaining: 3, secondsLeft: 25, estimatedEnd: 35_000, fitsWindow: false });
    expect(runProgress(started(40), 10_000).fitsWindow).toBe(true);
    const after = okAll(succeed(started(40), 's3').run, [
      { type: 'effect-ended', at: 5000, stepId: 's1', outcome: { status: 'succeeded' } },
      { type: 'verified', at: 5000, stepId: 's1', result: 'done', detail: '' },
    ]).run;
    expect(runProgress(after, 20_000)).toMatchObject({ succeeded: 2, running: 1, remaining: 1, secondsLeft: 20, estimatedEnd: 40_000 });
  });

  it('a finished run: nothing left, the estimate is its end', () => {
    const r = ok(plan(60), { type: 'abort', at: 1500, by: OP }).run;
    expect(runProgress(r, 9999)).toMatchObject({ remaining: 0, secondsLeft: 0, estimatedEnd: 1500 });
  });

  it('a dependency cycle (malformed input) does not loop', () => {
    const r = run([step('s1', mig('VM1', 'N1', 'N2'), ['s2'], 0, 10), step('s2', mig('VM2', 'N2', 'N1'), ['s1'], 0, 10)]);
    expect(runProgress(r, 0).secondsLeft).toBe(20);
  });
});
