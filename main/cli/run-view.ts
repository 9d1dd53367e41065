import { describeNamedAction } from '../../src/executor/describe.js';
import type { ExecEvent, Run, RunProgress, Step } from '../../src/executor/types.js';
import type { TerminalUser } from '../node/libvirt/tty-password.js';
import type { CommandIO } from './command.js';
import { formatTime } from '../../src/plan/format.js';

/**
 * How a run looks on a terminal: the plan with its step ids, one line per step state change,
 * throttled progress, re-plan proposals with their difference, and what awaits the operator.
 */

export function describeStep(step: Step): string {
  return `${step.id} ${describeNamedAction(step.action)}`;
}

export function formatSteps(steps: readonly Step[]): string {
  const width = Math.max(3, ...steps.map((s) => s.id.length));
  return steps
    .map((s) => {
      const deps = s.dependsOn.length > 0 ? `  (after ${s.dependsOn.join(', ')})` : '';
      return `${s.id.padEnd(width)}  ${formatTime(s.plannedStart)} to ${formatTime(s.plannedEnd)}  ${describeNamedAction(s.action)}${deps}`;
    })
    .join('\n');
}

export function formatGiB(mib: number): string {
  return mib >= 1024 ? `${(mib / 1024).toFixed(1)} GiB` : `${Math.round(mib)} MiB`;
}

const PROGRESS_EVERY_MS = 5_000;

export class RunView {
  private previous = new Map<string, string>();
  private previousState: string;
  private progressShownAt = new Map<string, number>();
  private replanShown: number | null = null;

  constructor(
    private readonly out: (line: string) => void,
    run: Run,
  ) {
    this.previousState = run.state;
    for (const s of run.steps) this.previous.set(s.id, stateLabel(s));
  }

  /** Prints what changed with this event. */
  update(run: Run, cause: ExecEvent | null, refused: string | undefined, progress: RunProgress): void {
    if (refused !== undefined) {
      this.out(`refused: ${refused}`);
      return;
    }
    const clock = this.clock(run, cause?.at ?? Date.now());
    for (const s of run.steps) {
      const label = stateLabel(s);
      if (this.previous.get(s.id) === label) continue;
      this.previous.set(s.id, label);
      // the executor's reasons may repeat the state ("cancelled: …"): said once
      const why = s.reason && (s.state === 'failed' || s.state === 'held' || s.state === 'skipped' || s.state === 'cancelled') ? `: ${s.reason.replace(new RegExp(`^${s.state}: `), '')}` : '';
      this.out(`[${clock}] ${describeStep(s)}: ${label}${why}`);
    }
    if (run.state !== this.previousState) {
      this.out(`[${clock}] run ${run.state}${run.reason ? `: ${run.reason}` : ''}`);
      this.previousState = run.state;
    }
    if (cause?.type === 'effect-progress') this.showProgress(run, cause.stepId, cause.at, clock);
    if (run.replan && this.replanShown !== run.replan.revision) {
      this.replanShown = run.replan.revision;
      this.showReplan(run);
    }
    if (cause?.type === 'verified' && run.state === 'running') {
      this.out(`[${clock}] ${progress.succeeded + progress.skipped}/${progress.total} done${progress.estimatedEnd !== null ? `, about ${Math.ceil(progress.secondsLeft)} s left` : ''}${progress.fitsWindow === false ? ' (past the window)' : ''}`);
    }
  }

  private clock(run: Run, at: number): string {
    return run.startedAt === null ? "0'00" : formatTime(Math.max(0, Math.floor((at - run.startedAt) / 1000)));
  }

  private showProgress(run: Run, stepId: string, at: number, clock: string): void {
    const step = run.steps.find((s) => s.id === stepId);
    const p = step?.progress;
    if (!step || !p) return;
    if (at - (this.progressShownAt.get(stepId) ?? 0) < PROGRESS_EVERY_MS) return;
    this.progressShownAt.set(stepId, at);
    const data = p.bytesMoved !== undefined && p.bytesTotal !== undefined ? `, ${formatGiB(p.bytesMoved / 2 ** 20)} of ${formatGiB(p.bytesTotal / 2 ** 20)}` : '';
    const left = p.secondsLeft !== undefined && p.secondsLeft !== null ? `, ${Math.ceil(p.secondsLeft)} s left` : '';
    this.out(`[${clock}] ${describeStep(step)}: ${Math.round(p.fraction * 100)} %${data}${left}`);
  }

  private showReplan(run: Run): void {
    const proposal = run.replan;
    if (!proposal) return;
    const current = new Map(run.steps.map((s) => [s.id, s]));
    const proposed = new Map(proposal.steps.map((s) => [s.id, s]));
    this.out(`re-plan proposed (revision ${proposal.revision}): ${proposal.reason}`);
    for (const id of proposal.diff.kept) this.out(`  kept     ${describeStep(current.get(id) ?? (proposed.get(id) as Step))}`);
    for (const id of proposal.diff.dropped) {
      const s = current.get(id);
      if (s) this.out(`  dropped  ${describeStep(s)}`);
    }
    for (const id of proposal.diff.added) {
      const s = proposed.get(id);
      if (s) this.out(`  new      ${describeStep(s)}`);
    }
    this.out("accept with 'y', reject with 'n'");
  }
}

function stateLabel(s: Step): string {
  if (s.state === 'running' && s.phase !== null) return s.phase === 'executing' ? (s.attempts > 1 ? `running (attempt ${s.attempts})` : 'running') : s.phase === 'preflight' ? 'checking the live state' : 'verifying';
  if (s.state === 'ready' && s.approved) return 'approved';
  return s.state;
}

/** What awaits the operator, as one prompt line (empty when nothing does). */
export function pendingDecisions(run: Run): string {
  const parts: string[] = [];
  const awaiting = run.steps.filter((s) => s.state === 'awaiting-approval');
  if (awaiting.length > 0) parts.push(`awaiting approval: ${awaiting.slice(0, 5).map((s) => s.id).join(', ')}${awaiting.length > 5 ? ` and ${awaiting.length - 5} more` : ''}`);
  const failed = run.steps.filter((s) => s.state === 'failed');
  if (failed.length > 0) parts.push(`failed: ${failed.map((s) => s.id).join(', ')} (choose: f ID retry|skip|replan|stop)`);
  const held = run.steps.filter((s) => s.state === 'held');
  if (held.length > 0) parts.push(`held: ${held.map((s) => s.id).join(', ')}`);
  if (run.replan) parts.push(`re-plan revision ${run.replan.revision} awaits: y / n`);
  if (run.state === 'paused') parts.push("paused: 'c' resumes");
  return parts.join('; ');
}

export const RUN_HELP = `commands:
  a [ID ...]         approve the next awaiting step, or these steps
  A                  approve every step that is ready
  u [K]              approve the rest unattended, at most K steps per host (default: the plan's)
  s ID REASON        skip a step (shows the steps it blocks)
  h ID [REASON]      hold a step;  r ID  release it
  f ID CHOICE        after a failure: retry, skip, replan or stop
  y / n              accept / reject a proposed re-plan
  p / c              pause (running steps finish, nothing new starts) / resume
  x [REASON]         abort (running migrations are cancelled)
  l                  list the steps and their states
  b ID               which steps a skip of ID would block
  ?                  this help`;

/**
 * The run's output, held while a password prompt has the terminal (TerminalTurns): a line
 * written then would land in the middle of the question. Held lines come out, in order, when the
 * prompt is done.
 */
export class HeldOutput implements CommandIO, TerminalUser {
  private held: { readonly to: 'out' | 'err'; readonly text: string }[] | null = null;

  constructor(private readonly io: CommandIO) {}

  out(text: string): void {
    if (this.held) this.held.push({ to: 'out', text });
    else this.io.out(text);
  }

  err(text: string): void {
    if (this.held) this.held.push({ to: 'err', text });
    else this.io.err(text);
  }

  suspend(): void {
    this.held ??= [];
  }

  resume(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const line of held) this.io[line.to](line.text);
  }
}
