import { Button, PageSection, TextInput, Title } from '@patternfly/react-core';
import { type KeyboardEvent, type ReactNode, memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';

import { describeNamedAction } from '../../../src/executor/describe.js';
import type { FailureChoice, Run, Step, StepState } from '../../../src/executor/types.js';
import { formatInterval, formatTime } from '../../../src/plan/format.js';
import { nodesOf } from '../../../src/plan/actions.js';
import { shown } from '../../components/text.js';
import { runPlanSeconds } from '../../plan-view/run-clock.js';
import { dependantsOf, runStatusText, stepLook } from '../../plan-view/step-state.js';
import { formatMemory } from '../../../src/text/memory.js';
import '../../plan-view/plan-view.css';
import { useRowVirtualizer } from '../../plan-view/virtual-rows.js';
import { useFerry } from '../../store/index.js';
import { Gantt } from '../plan/Gantt.js';

/**
 * A run, felt: the step list is the primary control (the next step awaiting approval has focus;
 * `a` approves it, `s` skips it, `h` holds it), with Approve all ready, Pause, Resume and Abort;
 * each step's state, progress and log; the re-plan diff when drift held a step; the choices after
 * a failure; the timeline with live states and a "now" line. Everything shown is the services'
 * run: a reload finds it again.
 */
export default function ExecutionScreen(): ReactNode {
  const run = useFerry((s) => s.run);
  const restoreRun = useFerry((s) => s.restoreRun);
  const loading = useFerry((s) => s.runLoading);
  const error = useFerry((s) => s.runError);
  useEffect(() => {
    if (run === null) void restoreRun();
    // only on arrival: a run shown is followed by its events
  }, []);
  return (
    <PageSection aria-labelledby="execution-title">
      <Title headingLevel="h1" id="execution-title">
        Execution
      </Title>
      {error ? (
        <p className="ferry-error" role="alert">
          {shown(error)}
        </p>
      ) : null}
      {run ? <RunView run={run} /> : <p className="ferry-muted">{loading ? 'Looking for runs…' : 'No run yet: compute a plan, then Start execution.'}</p>}
    </PageSection>
  );
}

function RunView({ run }: { readonly run: Run }): ReactNode {
  const [selected, setSelected] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<Confirmation | null>(null);
  const selectedStep = run.steps.find((s) => s.id === selected) ?? null;
  return (
    <>
      <RunHeader run={run} onConfirm={setConfirm} />
      {confirm ? <ConfirmDialog confirmation={confirm} onClose={() => setConfirm(null)} /> : null}
      {run.replan ? <ReplanDiff run={run} /> : null}
      <div className="ferry-split">
        <section aria-label="Steps" className="ferry-panel">
          <h2>Steps</h2>
          <StepList run={run} selected={selected} onSelect={setSelected} onConfirm={setConfirm} />
        </section>
        <section aria-label="Step details" className="ferry-panel">
          {selectedStep ? <StepDetails step={selectedStep} run={run} /> : <p className="ferry-muted">Select a step to see its progress and log.</p>}
        </section>
      </div>
      <section aria-label="Timeline" className="ferry-panel">
        <h2>Timeline</h2>
        <LiveGantt run={run} selected={selected} onSelect={setSelected} />
      </section>
    </>
  );
}

// ---- header: status, progress, run-wide controls ------------------------------------------

function RunHeader({ run, onConfirm }: { readonly run: Run; onConfirm(c: Confirmation): void }): ReactNode {
  const progress = useFerry((s) => s.runProgress);
  const approveAllReady = useFerry((s) => s.approveAllReady);
  const pause = useFerry((s) => s.pauseRun);
  const resume = useFerry((s) => s.resumeRun);
  const send = useFerry((s) => s.sendRunEvent);
  const abort = useFerry((s) => s.abortRun);
  const final = ['succeeded', 'failed', 'cancelled', 'superseded'].includes(run.state);
  const awaiting = run.steps.filter((s) => s.state === 'awaiting-approval' || (s.state === 'pending' && !s.approved));
  const readyNow = run.steps.filter((s) => s.state === 'awaiting-approval');
  const running = run.steps.filter((s) => s.state === 'running');
  const unfinished = run.steps.filter((s) => !['succeeded', 'skipped', 'cancelled', 'failed'].includes(s.state));
  const rehearsal = run.clusterId.startsWith('rehearsal:');
  return (
    <section aria-label="Run" className="ferry-panel">
      <div className="ferry-status" role="status" aria-label="Run status">
        {runStatusText(run.state)}
      </div>
      <p className="ferry-muted">
        Run {shown(run.runId)} on {rehearsal ? 'a simulated copy (rehearsal)' : `cluster ${shown(run.clusterId)}`}, revision {run.revision}, {run.mode} approval
        {run.reason ? ` — ${shown(run.reason)}` : ''}
      </p>
      {progress ? (
        <p aria-label="Run progress">
          {progress.succeeded + progress.skipped}/{progress.total} done{progress.failed > 0 ? `, ${progress.failed} failed` : ''}
          {progress.running > 0 ? `, ${progress.running} running` : ''}
          {final ? '' : `; about ${formatTime(progress.secondsLeft)} left`}
          {progress.estimatedEnd !== null && !final ? `, ends about ${new Date(progress.estimatedEnd).toLocaleTimeString()}` : ''}
          {progress.fitsWindow === null ? '' : progress.fitsWindow ? ' (fits the window)' : ' (beyond the window)'}
        </p>
      ) : null}
      {final ? null : (
        <div className="ferry-toolbar">
          {run.state === 'draft' || run.state === 'approved' ? (
            <Button variant="primary" onClick={() => void send({ type: 'start' })}>
              Start run
            </Button>
          ) : null}
          <Button variant="primary" isDisabled={awaiting.length === 0} onClick={() => void approveAllReady()} aria-describedby="approve-all-preview">
            Approve all ready
          </Button>
          <span id="approve-all-preview" className="ferry-muted">
            {readyNow.length === 0 ? 'nothing awaits approval' : `approves ${summariseIds(readyNow.map((s) => s.id))}`}
          </span>
          <Button variant="secondary" isDisabled={run.state !== 'running' || run.stopping !== null} onClick={() => void pause()}>
            Pause
          </Button>
          <Button variant="secondary" isDisabled={run.state !== 'paused' || run.stopping !== null} onClick={() => void resume()}>
            Resume
          </Button>
          <Button
            variant="danger"
            isDisabled={run.stopping !== null}
            onClick={() =>
              onConfirm({
                title: `Abort run ${run.runId}?`,
                body: `${running.length} running step(s) will be cancelled and ${unfinished.length - running.length} step(s) will not run. Steps already done stay done.`,
                confirmLabel: 'Abort the run',
                act: () => abort('aborted by the operator from the console'),
              })
            }
          >
            Abort
          </Button>
        </div>
      )}
    </section>
  );
}

function summariseIds(ids: readonly string[]): string {
  return ids.length <= 6 ? ids.join(', ') : `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more`;
}

// ---- confirmation --------------------------------------------------------------------------

interface Confirmation {
  readonly title: string;
  readonly body: string;
  readonly confirmLabel: string;
  /** Asks for a reason (Skip): its default text. */
  readonly reason?: string;
  act(reason: string): Promise<unknown>;
}

/** An in-page dialog: what will happen, then the operator confirms or not. */
function ConfirmDialog({ confirmation, onClose }: { readonly confirmation: Confirmation; onClose(): void }): ReactNode {
  const [reason, setReason] = useState(confirmation.reason ?? '');
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => confirmRef.current?.focus(), []);
  const done = (): void => {
    onClose();
    void confirmation.act(reason.trim() === '' ? (confirmation.reason ?? '') : reason);
  };
  return (
    <div role="dialog" aria-modal="true" aria-labelledby="ferry-confirm-title" aria-describedby="ferry-confirm-body" className="ferry-panel" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <h2 id="ferry-confirm-title">{shown(confirmation.title)}</h2>
      <p id="ferry-confirm-body">{confirmation.body}</p>
      {confirmation.reason !== undefined ? <TextInput aria-label="Reason" value={reason} onChange={(_e, v) => setReason(v)} /> : null}
      <div className="ferry-toolbar">
        <Button variant="danger" ref={confirmRef} onClick={done}>
          {confirmation.confirmLabel}
        </Button>
        <Button variant="link" onClick={onClose}>
          Keep going
        </Button>
      </div>
    </div>
  );
}

// ---- the step list -------------------------------------------------------------------------

const ROW_HEIGHT = 40;
const rowHeight = (): number => ROW_HEIGHT;
/** As long as the app's `g` sequence waits for its second key (app/shortcuts.ts). */
const G_SEQUENCE_MS = 1200;

function StepList({ run, selected, onSelect, onConfirm }: { readonly run: Run; readonly selected: string | null; onSelect(id: string): void; onConfirm(c: Confirmation): void }): ReactNode {
  const approve = useFerry((s) => s.approveStep);
  const hold = useFerry((s) => s.holdStep);
  const release = useFerry((s) => s.releaseStep);
  const skip = useFerry((s) => s.skipStep);
  const container = useRef<HTMLDivElement>(null);
  // a stable key function: a new one makes the virtualizer measure every row again (run events come often)
  const key = useCallback((i: number) => run.steps[i]?.id ?? i, [run.steps]);
  const rows = useRowVirtualizer(container, { count: run.steps.length, estimate: rowHeight, key });
  const next = run.steps.find((s) => s.state === 'awaiting-approval') ?? null;
  const nextId = next?.id ?? null;

  const askSkip = useCallback(
    (step: Step) => {
      const dependants = dependantsOf(run.steps, step.id).filter((id) => {
        const s = run.steps.find((x) => x.id === id);
        return s !== undefined && !['succeeded', 'skipped', 'cancelled'].includes(s.state);
      });
      onConfirm({
        title: `Skip ${step.id}?`,
        body:
          dependants.length === 0
            ? `${describeNamedAction(step.action)} will not be done; no other step depends on it.`
            : `${describeNamedAction(step.action)} will not be done. ${dependants.length} step(s) depend on it (${summariseIds(dependants)}) and will never run: the plan will end as failed unless a re-plan replaces them.`,
        confirmLabel: `Skip ${step.id}`,
        reason: 'skipped by the operator',
        act: (reason) => skip(step.id, reason),
      });
    },
    [run.steps, onConfirm, skip],
  );

  // the next step awaiting approval has focus (when focus is in the list or nowhere in particular):
  // it is scrolled into view, then focused once its row is drawn
  const wantFocus = useRef<string | null>(null);
  useEffect(() => {
    if (nextId === null) return;
    const index = run.steps.findIndex((s) => s.id === nextId);
    if (index >= 0) rows.scrollToIndex(index, { align: 'auto' });
    wantFocus.current = nextId;
  }, [nextId]);
  useEffect(() => {
    const id = wantFocus.current;
    if (id === null) return;
    const active = document.activeElement;
    const free = active === null || active === document.body || container.current?.contains(active) === true;
    if (!free) {
      wantFocus.current = null;
      return;
    }
    const row = [...(container.current?.querySelectorAll<HTMLElement>('[data-step-id]') ?? [])].find((el) => el.dataset['stepId'] === id);
    if (!row) return;
    row.focus();
    wantFocus.current = null;
  });

  // `g` then a letter goes to a screen (the app's shortcuts): `g h` must not also hold a step
  const lastG = useRef(0);
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.altKey || e.ctrlKey || e.metaKey || (e.target instanceof HTMLElement && /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName))) return;
    const afterG = Date.now() - lastG.current < G_SEQUENCE_MS;
    lastG.current = e.key === 'g' ? Date.now() : 0;
    if (afterG) return;
    const focusedId = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>('[data-step-id]')?.dataset['stepId'];
    const step = run.steps.find((s) => s.id === focusedId) ?? next;
    if (!step) return;
    if (e.key === 'a' && canApprove(step.state)) {
      e.preventDefault();
      void approve(step.id);
    } else if (e.key === 's' && canSkip(step.state)) {
      e.preventDefault();
      askSkip(step);
    } else if (e.key === 'h' && canHold(step.state)) {
      e.preventDefault();
      void hold(step.id, 'held by the operator');
    }
  };

  const total = rows.getTotalSize();
  return (
    <div ref={container} className="ferry-rows" role="grid" aria-label="Run steps" aria-rowcount={run.steps.length} onKeyDown={onKeyDown} style={{ height: Math.min(480, Math.max(ROW_HEIGHT * 2, total + 2)) }}>
      <div style={{ height: total, position: 'relative' }}>
        {rows.getVirtualItems().map((item) => {
          const step = run.steps[item.index];
          return step ? (
            <StepRow key={item.key} step={step} index={item.index} start={item.start} measure={rows.measureElement} selected={step.id === selected} isNext={step.id === nextId} onSelect={onSelect} onApprove={approve} onHold={hold} onRelease={release} onSkip={askSkip} />
          ) : null;
        })}
      </div>
    </div>
  );
}

function canApprove(state: StepState): boolean {
  return state === 'awaiting-approval' || state === 'pending';
}
function canSkip(state: StepState): boolean {
  return ['pending', 'ready', 'awaiting-approval', 'held', 'failed'].includes(state);
}
function canHold(state: StepState): boolean {
  return ['pending', 'ready', 'awaiting-approval'].includes(state);
}

interface StepRowProps {
  readonly step: Step;
  readonly index: number;
  /** Where the row starts in the list (px). */
  readonly start: number;
  /** Measures the drawn row (a long step text wraps: the row is taller than estimated). */
  measure(element: Element | null): void;
  readonly selected: boolean;
  readonly isNext: boolean;
  onSelect(id: string): void;
  onApprove(id: string): Promise<boolean>;
  onHold(id: string, reason?: string): Promise<boolean>;
  onRelease(id: string): Promise<boolean>;
  onSkip(step: Step): void;
}

const StepRow = memo(function StepRow({ step, index, start, measure, selected, isNext, onSelect, onApprove, onHold, onRelease, onSkip }: StepRowProps): ReactNode {
  const look = stepLook(step.state);
  const what = describeNamedAction(step.action);
  const descId = `step-${step.id}-desc`;
  const fraction = step.progress?.fraction;
  return (
    <div
      ref={measure}
      data-index={index}
      role="row"
      data-step-id={step.id}
      aria-label={`${step.id}: ${what}, ${look.word}`}
      aria-selected={selected}
      aria-current={isNext ? 'step' : undefined}
      tabIndex={isNext ? 0 : -1}
      className="ferry-row ferry-row--wrap"
      style={{ top: 0, transform: `translateY(${start}px)`, minHeight: ROW_HEIGHT }}
      onClick={() => onSelect(step.id)}
    >
      <span role="cell" className="ferry-state" style={{ color: look.colour }}>
        <span aria-hidden="true">{look.icon}</span> {look.word}
      </span>
      <span role="cell" className="ferry-what" id={descId}>
        <span className="ferry-id">{step.id}</span> {what} <span className="ferry-muted">{formatInterval(step.plannedStart, step.plannedEnd)}</span>
      </span>
      <span role="cell">
        {fraction !== undefined && step.state === 'running' ? (
          <span className="ferry-progress" role="progressbar" aria-label={`${step.id} progress`} aria-valuenow={Math.round(fraction * 100)} aria-valuemin={0} aria-valuemax={100}>
            <div style={{ width: `${Math.round(fraction * 100)}%` }} />
          </span>
        ) : null}
      </span>
      <span role="cell" className="ferry-toolbar" style={{ margin: 0 }}>
        <Button size="sm" variant="primary" isDisabled={!canApprove(step.state) || step.approved} aria-describedby={descId} onClick={() => void onApprove(step.id)}>
          Approve
        </Button>
        <Button size="sm" variant="secondary" isDisabled={!canSkip(step.state)} aria-describedby={descId} onClick={() => onSkip(step)}>
          Skip
        </Button>
        {step.state === 'held' ? (
          <Button size="sm" variant="secondary" aria-describedby={descId} onClick={() => void onRelease(step.id)}>
            Release
          </Button>
        ) : (
          <Button size="sm" variant="secondary" isDisabled={!canHold(step.state)} aria-describedby={descId} onClick={() => void onHold(step.id, 'held by the operator')}>
            Hold
          </Button>
        )}
      </span>
    </div>
  );
});

// ---- one step ------------------------------------------------------------------------------

const CHOICES: readonly { readonly choice: FailureChoice; readonly label: string; readonly what: string }[] = [
  { choice: 'retry', label: 'Retry', what: 'try the step again' },
  { choice: 'skip', label: 'Skip it', what: 'go on without it' },
  { choice: 'replan', label: 'Re-plan', what: 'plan the rest again from the cluster as it is' },
  { choice: 'stop', label: 'Stop', what: 'stop the run once running steps end' },
];

function StepDetails({ step, run }: { readonly step: Step; readonly run: Run }): ReactNode {
  const log = useFerry((s) => s.stepLogs[step.id]);
  const choose = useFerry((s) => s.chooseAfterFailure);
  const look = stepLook(step.state);
  const p = step.progress;
  const dependants = useMemo(() => dependantsOf(run.steps, step.id), [run.steps, step.id]);
  return (
    <div aria-label={`Step ${step.id}`} role="group">
      <h2>
        {step.id}: {describeNamedAction(step.action)}
      </h2>
      <p style={{ color: look.colour }}>
        <span aria-hidden="true">{look.icon}</span> {look.word}
        {step.phase ? ` (${step.phase})` : ''}
        {step.attempts > 1 ? `, attempt ${step.attempts}` : ''}
        {step.approvedBy ? `, approved by ${shown(step.approvedBy)}` : ''}
      </p>
      {step.reason ? <p>Why: {shown(step.reason)}</p> : null}
      {step.heldBy ? <p>Held by {shown(step.heldBy)}</p> : null}
      <p className="ferry-muted">
        Planned {formatInterval(step.plannedStart, step.plannedEnd)}
        {step.memoryMiB > 0 ? `, moves ${formatMemory(step.memoryMiB)}` : ''}
        {step.dependsOn.length > 0 ? `; after ${step.dependsOn.join(', ')}` : ''}
        {dependants.length > 0 ? `; ${dependants.length} step(s) wait for it` : ''}
      </p>
      {p && step.state === 'running' ? (
        <p aria-label="Step progress">
          {Math.round(p.fraction * 100)} %{p.bytesMoved !== undefined && p.bytesTotal !== undefined ? `, ${formatMemory(p.bytesMoved / 1048576)} of ${formatMemory(p.bytesTotal / 1048576)}` : ''}
          {p.secondsLeft !== undefined && p.secondsLeft !== null ? `, about ${formatTime(p.secondsLeft)} left` : ''}
          {p.message ? ` — ${shown(p.message)}` : ''}
        </p>
      ) : null}
      {step.lastOutcome && step.lastOutcome.status !== 'succeeded' && 'error' in step.lastOutcome ? <p className="ferry-error">{shown(step.lastOutcome.error)}</p> : null}
      {step.state === 'failed' ? (
        <div role="group" aria-label="After the failure" className="ferry-toolbar">
          {CHOICES.map((c) => (
            <Button key={c.choice} variant={c.choice === 'stop' ? 'danger' : 'secondary'} onClick={() => void choose(step.id, c.choice)} title={c.what}>
              {c.label}
            </Button>
          ))}
        </div>
      ) : null}
      <h3>Log</h3>
      {log && log.length > 0 ? (
        <ol className="ferry-log" aria-label={`Log of ${step.id}`}>
          {log.map((line, i) => (
            <li key={i}>
              {new Date(line.at).toLocaleTimeString()} {shown(line.text)}
            </li>
          ))}
        </ol>
      ) : (
        <p className="ferry-muted">Nothing yet.</p>
      )}
    </div>
  );
}

// ---- re-plan -------------------------------------------------------------------------------

function ReplanDiff({ run }: { readonly run: Run }): ReactNode {
  const accept = useFerry((s) => s.acceptReplan);
  const reject = useFerry((s) => s.rejectReplan);
  const proposal = run.replan;
  if (!proposal) return null;
  const proposed = new Map(proposal.steps.map((s) => [s.id, s]));
  const current = new Map(run.steps.map((s) => [s.id, s]));
  const words = (id: string, from: Map<string, Step>): string => {
    const s = from.get(id);
    return s ? `${id}: ${describeNamedAction(s.action)}` : id;
  };
  return (
    <section aria-label="Re-plan" className="ferry-panel">
      <h2>A re-plan is proposed (revision {proposal.revision})</h2>
      <p>{shown(proposal.reason)}</p>
      <div className="ferry-panels">
        <DiffList title="Kept" items={proposal.diff.kept.map((id) => words(id, proposed))} />
        <DiffList title="Dropped" items={proposal.diff.dropped.map((id) => words(id, current))} />
        <DiffList title="New" items={proposal.diff.added.map((id) => words(id, proposed))} />
      </div>
      <div className="ferry-toolbar">
        <Button variant="primary" onClick={() => void accept()}>
          Accept re-plan
        </Button>
        <Button variant="secondary" onClick={() => void reject()}>
          Reject re-plan
        </Button>
      </div>
    </section>
  );
}

function DiffList({ title, items }: { readonly title: string; readonly items: readonly string[] }): ReactNode {
  return (
    <div>
      <h3>
        {title} ({items.length})
      </h3>
      <ul aria-label={`${title} steps`}>
        {items.map((t, i) => (
          <li key={i}>{t}</li>
        ))}
      </ul>
    </div>
  );
}

// ---- live timeline -------------------------------------------------------------------------

function LiveGantt({ run, selected, onSelect }: { readonly run: Run; readonly selected: string | null; onSelect(id: string): void }): ReactNode {
  // the layout depends on the plan (the steps' actions and times), which changes only with the run
  // or its revision; the steps' states change at every event and only recolour the bars
  const planKey = `${run.runId}/${run.revision}`;
  const steps = useMemo(() => run.steps, [planKey]); // run.steps left out on purpose: see above
  const hosts = useMemo(() => [...new Set(steps.flatMap((s) => nodesOf<string>(s.action)))].sort(), [steps]);
  const states = useMemo(() => new Map(run.steps.map((s) => [s.id, s.state])), [run.steps]);
  // the run's own clock (its steps' progress), not the wall's: the demo runs FERRY_DEMO_SPEED times faster
  const nowSeconds = runPlanSeconds(run);
  return <Gantt steps={steps} hosts={hosts} selected={selected} onSelect={onSelect} states={states} nowSeconds={nowSeconds} />;
}

