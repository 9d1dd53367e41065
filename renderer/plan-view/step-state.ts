import type { RunState, StepState } from '../../src/executor/types.js';

/**
 * How a step's and a run's states read: a word (the vocabulary operators see), an icon glyph and
 * a colour token, never colour alone.
 */

export interface StateLook {
  readonly word: string;
  readonly icon: string;
  /** A CSS custom property of the theme (light and dark define it). */
  readonly colour: string;
}

const STEP_LOOKS: Readonly<Record<StepState, StateLook>> = {
  pending: { word: 'pending', icon: '○', colour: 'var(--ferry-muted, #6a6e73)' },
  ready: { word: 'ready', icon: '◔', colour: 'var(--ferry-info, #2b9af3)' },
  'awaiting-approval': { word: 'awaiting approval', icon: '◐', colour: 'var(--ferry-warning, #b98412)' },
  held: { word: 'held', icon: '⏸', colour: 'var(--ferry-warning, #b98412)' },
  running: { word: 'running', icon: '▶', colour: 'var(--ferry-info, #2b9af3)' },
  succeeded: { word: 'succeeded', icon: '✔', colour: 'var(--ferry-success, #3e8635)' },
  failed: { word: 'failed', icon: '✖', colour: 'var(--ferry-danger, #c9190b)' },
  skipped: { word: 'skipped', icon: '⤼', colour: 'var(--ferry-muted, #6a6e73)' },
  cancelled: { word: 'cancelled', icon: '⊘', colour: 'var(--ferry-muted, #6a6e73)' },
};

export function stepLook(state: StepState): StateLook {
  return STEP_LOOKS[state];
}

/** The run's status line: the three final sentences are part of the interface. */
export function runStatusText(state: RunState): string {
  switch (state) {
    case 'succeeded':
      return 'Plan succeeded';
    case 'failed':
      return 'Plan failed';
    case 'cancelled':
      return 'Plan cancelled';
    case 'superseded':
      return 'Plan superseded';
    case 'draft':
      return 'Plan not started';
    case 'approved':
      return 'Plan approved, not started';
    case 'running':
      return 'Plan running';
    case 'paused':
      return 'Plan paused';
  }
}

/** Steps that transitively depend on `stepId` (what skipping it also skips). */
export function dependantsOf(steps: readonly { readonly id: string; readonly dependsOn: readonly string[] }[], stepId: string): string[] {
  const out = new Set<string>();
  let frontier = [stepId];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const s of steps) {
      if (out.has(s.id) || s.id === stepId) continue;
      if (s.dependsOn.some((d) => frontier.includes(d))) {
        out.add(s.id);
        next.push(s.id);
      }
    }
    frontier = next;
  }
  return [...out];
}
