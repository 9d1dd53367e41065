import { isFinalRun, isFinalStep, stepIndex } from './steps.js';
import type { Run, RunProgress, Step } from './types.js';

/**
 * Per-run progress: counts, and an end estimate from the longest chain of planned work still to
 * do (a running step counts only what its progress says is left).
 */
export function runProgress(run: Run, now: number): RunProgress {
  const count = (state: Step['state']): number => run.steps.filter((s) => s.state === state).length;
  const secondsLeft = isFinalRun(run) ? 0 : Math.ceil(longestChain(run.steps));
  const estimatedEnd = run.endedAt ?? (run.startedAt === null ? null : now + secondsLeft * 1000);
  return {
    total: run.steps.length,
    succeeded: count('succeeded'),
    skipped: count('skipped'),
    failed: count('failed'),
    running: count('running'),
    remaining: run.steps.filter((s) => !isFinalStep(s)).length,
    secondsLeft,
    estimatedEnd,
    fitsWindow: fitsWindow(run, estimatedEnd, secondsLeft),
  };
}

function fitsWindow(run: Run, estimatedEnd: number | null, secondsLeft: number): boolean | null {
  if (run.windowSeconds === null) return null;
  // before the start, the whole window is ahead
  if (run.startedAt === null || estimatedEnd === null) return secondsLeft <= run.windowSeconds;
  return estimatedEnd <= run.startedAt + run.windowSeconds * 1000;
}

/** Seconds of planned work a step still holds. */
function workLeft(s: Step): number {
  const planned = Math.max(0, s.plannedEnd - s.plannedStart);
  if (s.state !== 'running' || s.progress === null) return planned;
  const done = Math.min(1, Math.max(0, Number.isFinite(s.progress.fraction) ? s.progress.fraction : 0));
  return planned * (1 - done);
}

/**
 * The heaviest path over `dependsOn` among unfinished steps (iterative, so long chains cannot
 * exhaust the stack; an edge closing a cycle is ignored).
 */
function longestChain(steps: readonly Step[]): number {
  const byId = stepIndex(steps);
  const memo = new Map<string, number>();
  const open = new Set<string>();
  const prerequisites = (s: Step): Step[] =>
    s.dependsOn.map((d) => byId.get(d)).filter((d): d is Step => d !== undefined && !isFinalStep(d));
  let longest = 0;
  for (const root of steps) {
    if (isFinalStep(root) || memo.has(root.id)) continue;
    const stack: Step[] = [root];
    while (stack.length > 0) {
      const s = stack[stack.length - 1] as Step;
      if (memo.has(s.id)) {
        stack.pop();
        continue;
      }
      const todo = open.has(s.id) ? [] : prerequisites(s).filter((d) => !memo.has(d.id) && !open.has(d.id));
      if (todo.length > 0) {
        open.add(s.id);
        stack.push(...todo);
        continue;
      }
      open.delete(s.id);
      stack.pop();
      const before = Math.max(0, ...prerequisites(s).map((d) => memo.get(d.id) ?? 0));
      memo.set(s.id, before + workLeft(s));
    }
    longest = Math.max(longest, memo.get(root.id) ?? 0);
  }
  return longest;
}
