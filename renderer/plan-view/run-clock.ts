import type { Run } from '../../src/executor/types.js';

/**
 * Where a run is on its plan's timeline, in plan seconds: the run's own clock, not the wall's. The
 * demo cluster runs FERRY_DEMO_SPEED times faster than the plan's durations, and a real cluster
 * slower or faster than planned, so wall time since the start would put the "now" line where the
 * run is not. The run is as far as its furthest work: a finished step's planned end, a running
 * step's planned start plus the share its progress reports. null: the run has not started, or has
 * ended (its bars say everything).
 */
export function runPlanSeconds(run: Run): number | null {
  if (run.startedAt === null || run.endedAt !== null) return null;
  let reached = 0;
  for (const s of run.steps) {
    // a skipped step did no work: its planned end says nothing of where the run is
    if (s.state === 'succeeded' || s.state === 'failed') reached = Math.max(reached, s.plannedEnd);
    else if (s.state === 'running') {
      const fraction = s.progress !== null && Number.isFinite(s.progress.fraction) ? Math.min(1, Math.max(0, s.progress.fraction)) : 0;
      reached = Math.max(reached, s.plannedStart + fraction * Math.max(0, s.plannedEnd - s.plannedStart));
    }
  }
  return reached;
}
