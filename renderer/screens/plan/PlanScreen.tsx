import { Button, PageSection, TextInput, Title } from '@patternfly/react-core';
import { type ReactNode, useDeferredValue, useEffect, useMemo, useState } from 'react';

import type { RehearsalFault } from '../../../src/contract/procedures.js';
import { namedNodes } from '../../../src/executor/steps.js';
import type { Step } from '../../../src/executor/types.js';
import { formatTime } from '../../../src/plan/format.js';
import { shown } from '../../components/text.js';
import { comparePlans } from '../../plan-view/compare.js';
import type { PlanDigest } from '../../plan-view/plan-digest.js';
import { type SummaryFigures, formatMs, summaryFigures, summaryRows } from '../../plan-view/summary.js';
import { type DigestState, stepsOf, usePlanDigest } from '../../plan-view/use-plan-digest.js';
import '../../plan-view/plan-view.css';
import { useFerry } from '../../store/index.js';
import type { ComputedPlan } from '../../store/plan.js';
import { startKey, whyNotStartable } from '../../store/run.js';
import { Conflicts } from './Conflicts.js';
import { Gantt } from './Gantt.js';
import { PlacementMap } from './PlacementMap.js';
import { PlanSteps } from './PlanSteps.js';
import { UsageCharts } from './UsageCharts.js';

/**
 * The plan, seen: compute (live progress, cancel), the summary first, then the timeline, the
 * steps with their reasons, the placement before and after, each host's resource use over time;
 * the comparison with the previous plan; an infeasible script as its conflicting constraints,
 * each a link to its line. From here the plan is rehearsed or run.
 */
export default function PlanScreen(): ReactNode {
  const current = useFerry((s) => s.currentPlan);
  const fileConstraints = useFerry((s) => (s.source.kind === 'file' ? s.inventory?.constraints : undefined));
  const request = useMemo(() => (current ? { result: current.result, script: current.script, constraints: current.clusterId === null ? (fileConstraints ?? []) : [] } : null), [current, fileConstraints]);
  const digest = usePlanDigest(request);
  return (
    <PageSection aria-labelledby="plan-title">
      <Title headingLevel="h1" id="plan-title">
        Plan
      </Title>
      <ComputeBar />
      <ScriptErrors />
      {current ? <PlanResult plan={current} digest={digest} /> : <p className="ferry-muted">No plan yet: write what must hold in Constraints, then compute a plan.</p>}
    </PageSection>
  );
}

function ComputeBar(): ReactNode {
  const status = useFerry((s) => s.planStatus);
  const progress = useFerry((s) => s.planProgress);
  const startedAt = useFerry((s) => s.planStartedAt);
  const error = useFerry((s) => s.planError);
  const options = useFerry((s) => s.planOptions);
  const setOptions = useFerry((s) => s.setPlanOptions);
  const compute = useFerry((s) => s.computePlan);
  const cancel = useFerry((s) => s.cancelPlan);
  const computing = status === 'computing';
  const elapsed = useElapsed(computing ? startedAt : null);
  return (
    <div>
      <div className="ferry-toolbar">
        <Button variant="primary" onClick={() => void compute()} isDisabled={computing} isLoading={computing}>
          Compute plan
        </Button>
        <Button variant="secondary" onClick={() => void cancel()} isDisabled={!computing}>
          Cancel
        </Button>
        <label htmlFor="plan-time-limit">Time limit (s)</label>
        <div style={{ width: '6em' }}>
          <TextInput id="plan-time-limit" type="number" value={options.timeLimitS ?? ''} onChange={(_e, v) => setOptions(withNumber(options, 'timeLimitS', v))} />
        </div>
        <label htmlFor="plan-window">Window (s)</label>
        <div style={{ width: '6em' }}>
          <TextInput id="plan-window" type="number" value={options.windowSeconds ?? ''} onChange={(_e, v) => setOptions(withNumber(options, 'windowSeconds', v))} placeholder="none" />
        </div>
      </div>
      <div role="status" aria-live="polite" aria-label="Planning progress">
        {computing ? (
          progress ? (
            <span>
              Best plan so far: {progress.migrations} migrations, {progress.steps} steps, objective {round(progress.objective)} (bound {round(progress.lowerBound)}), found by {shown(progress.stage)} at {formatMs(progress.elapsedMs)}; elapsed {formatMs(elapsed)}
            </span>
          ) : (
            <span>Planning… elapsed {formatMs(elapsed)}</span>
          )
        ) : null}
      </div>
      {error ? <p className="ferry-error">{error}</p> : null}
    </div>
  );
}

function withNumber<K extends 'timeLimitS' | 'windowSeconds'>(options: Record<string, unknown>, key: K, text: string) {
  const { [key]: _dropped, ...rest } = options;
  const n = Number(text);
  return text.trim() === '' || !Number.isFinite(n) || n < 0 ? rest : { ...rest, [key]: n };
}

function round(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** Milliseconds since `from`, ticking while it is set. */
function useElapsed(from: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (from === null) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [from]);
  return from === null ? 0 : Math.max(0, now - from);
}

function ScriptErrors(): ReactNode {
  const errors = useFerry((s) => s.planScriptErrors);
  const focusLine = useFerry((s) => s.focusScriptLine);
  if (errors.length === 0) return null;
  return (
    <section aria-label="Script errors" className="ferry-panel">
      <h2>The script has errors</h2>
      <ul>
        {errors.map((d, i) => (
          <li key={i}>
            <Button variant="link" isInline onClick={() => focusLine(d.line)}>
              line {d.line}:{d.column}
            </Button>{' '}
            {d.message}
          </li>
        ))}
      </ul>
    </section>
  );
}

const LAYING_OUT: DigestState = { status: 'pending' };

function PlanResult({ plan, digest }: { readonly plan: ComputedPlan; readonly digest: DigestState }): ReactNode {
  const figures = useMemo(() => summaryFigures(plan.result, plan.windowSeconds), [plan]);
  // The details (timeline, steps, placement, curves: thousands of elements) are drawn in a render
  // of their own that yields to input, after the summary and the comparison are on screen: a
  // what-if's differences, or the screen opened on a big plan, do not wait for them. Until then
  // (and never the previous plan's details under this plan's summary) they are being laid out.
  const deferred = useDeferredValue(digest, LAYING_OUT);
  const details = digest.status === 'none' || deferred === digest ? digest : LAYING_OUT;
  return (
    <>
      <Summary figures={figures} plan={plan} />
      <Conflicts plan={plan} />
      <Compare digest={digest} />
      {details.status === 'pending' ? (
        <p className="ferry-muted" role="status">
          Laying the plan out…
        </p>
      ) : null}
      {details.status === 'done' && !details.result.ok ? <p className="ferry-error">The plan cannot be shown: {details.result.message}</p> : null}
      {details.status === 'done' && details.result.ok ? <PlanDetails digest={details.result.digest} /> : null}
      {plan.result.notes.length > 0 ? (
        <section aria-label="Planner notes" className="ferry-panel">
          <h2>Notes</h2>
          <ul>
            {plan.result.notes.map((n, i) => (
              <li key={i}>{shown(n)}</li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}

function Summary({ figures, plan }: { readonly figures: SummaryFigures; readonly plan: ComputedPlan }): ReactNode {
  const startExecution = useFerry((s) => s.startExecution);
  const creating = useFerry((s) => s.runCreating);
  const startedKey = useFerry((s) => s.startedRequestId);
  const started = startedKey === startKey(plan);
  const navigate = useFerry((s) => s.navigate);
  const blocked = whyNotStartable(plan, startedKey);
  const runnable = blocked === null;
  return (
    <section aria-label="Plan summary" className="ferry-panel">
      <h2>Summary</h2>
      <dl className="ferry-figures">
        {summaryRows(figures).map((r) => (
          <FigureRow key={r.label} label={r.label} value={r.value} />
        ))}
        <FigureRow label="Steps" value={String(figures.steps)} />
        <FigureRow label="Constraint hash" value={plan.constraintHash} />
      </dl>
      <div className="ferry-toolbar">
        <Button variant="primary" isDisabled={!runnable || creating} onClick={() => void startExecution()} aria-describedby="plan-hash-note">
          Start execution
        </Button>
        <span id="plan-hash-note" className="ferry-muted">
          {blocked ?? `approves this plan under ${plan.constraintHash.slice(0, 19)}…`}
        </span>
        {started ? (
          <Button variant="link" onClick={() => navigate('execution')}>
            Go to Execution
          </Button>
        ) : null}
      </div>
      {runnable ? <Rehearse plan={plan} /> : null}
    </section>
  );
}

function FigureRow({ label, value }: { readonly label: string; readonly value: string }): ReactNode {
  return (
    <>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </>
  );
}

const FAULT_KINDS = [
  { kind: 'none', word: 'no fault' },
  { kind: 'fail-migration', word: 'a migration fails' },
  { kind: 'slow-migration', word: 'a migration is 5× slower' },
  { kind: 'host-down', word: 'a host stops answering' },
  { kind: 'stop-vm', word: 'a VM is stopped by hand (drift)' },
] as const;
type FaultKind = (typeof FAULT_KINDS)[number]['kind'];

/** Rehearse: the same plan on a simulated copy of the cluster, with a fault to see how it is handled. */
function Rehearse({ plan }: { readonly plan: ComputedPlan }): ReactNode {
  const rehearse = useFerry((s) => s.rehearse);
  const creating = useFerry((s) => s.runCreating);
  const [kind, setKind] = useState<FaultKind>('none');
  const [target, setTarget] = useState('');
  const targets = useMemo(() => faultTargets(plan, kind), [plan, kind]);
  const chosen = targets.includes(target) ? target : (targets[0] ?? '');
  const fault = faultOf(kind, chosen);
  return (
    <div className="ferry-toolbar" role="group" aria-label="Rehearsal">
      <label htmlFor="rehearse-fault">Fault to inject</label>
      <select id="rehearse-fault" value={kind} onChange={(e) => setKind(e.target.value as FaultKind)}>
        {FAULT_KINDS.map((f) => (
          <option key={f.kind} value={f.kind}>
            {f.word}
          </option>
        ))}
      </select>
      {kind === 'none' ? null : (
        <>
          <label htmlFor="rehearse-target">{kind === 'host-down' ? 'Host' : 'VM'}</label>
          <select id="rehearse-target" value={chosen} onChange={(e) => setTarget(e.target.value)}>
            {targets.map((t) => (
              <option key={t} value={t}>
                {shown(t)}
              </option>
            ))}
          </select>
        </>
      )}
      <Button variant="secondary" isDisabled={creating || (kind !== 'none' && fault === null)} onClick={() => void rehearse(fault ? [fault] : [])}>
        Rehearse
      </Button>
    </div>
  );
}

/** The VMs the plan moves (or the hosts it touches) a fault of this kind can hit. */
function faultTargets(plan: ComputedPlan, kind: FaultKind): string[] {
  const steps = stepsOf(plan.result);
  if (kind === 'host-down') return [...new Set(steps.flatMap((s) => namedNodes(s.action)))];
  if (kind === 'none') return [];
  return [...new Set(steps.flatMap((s) => (s.action.kind === 'migrateVM' ? [s.action.vm] : [])))];
}

function faultOf(kind: FaultKind, target: string): RehearsalFault | null {
  if (kind === 'none' || target === '') return null;
  switch (kind) {
    case 'fail-migration':
      return { kind, vm: target };
    case 'slow-migration':
      return { kind, vm: target, factor: 5 };
    case 'host-down':
      return { kind, node: target };
    case 'stop-vm':
      return { kind, vm: target };
  }
}

/**
 * "Compare with previous": both summaries side by side and the differences spelled out. The
 * current plan's steps are its digest's (worked out off this thread): the comparison waits for
 * it rather than decoding a big plan here.
 */
function Compare({ digest }: { readonly digest: DigestState }): ReactNode {
  const current = useFerry((s) => s.currentPlan);
  const previous = useFerry((s) => s.previousPlan);
  const [open, setOpen] = useState(false);
  const currentSteps = digest.status === 'done' && digest.result.ok ? digest.result.digest.steps : null;
  const comparison = useMemo(() => {
    if (!open || !current || !previous || currentSteps === null) return null;
    const side = (p: ComputedPlan, steps: readonly Step[]) => ({ figures: summaryFigures(p.result, p.windowSeconds), actions: steps.map((s) => s.action) });
    return comparePlans(side(previous, stepsOf(previous.result)), side(current, currentSteps));
  }, [open, current, previous, currentSteps]);
  if (!previous || !current) return null;
  return (
    <section aria-label="Plan comparison" className="ferry-panel">
      <Button variant="secondary" onClick={() => setOpen(!open)} aria-expanded={open}>
        Compare with previous
      </Button>
      {open && digest.status === 'pending' ? <p className="ferry-muted">Comparing once the plan is laid out…</p> : null}
      {open && comparison ? (
        <>
          <div className="ferry-compare">
            <SideSummary title={`Previous (${whatIf(previous)})`} plan={previous} />
            <SideSummary title={`Current (${whatIf(current)})`} plan={current} />
          </div>
          <h3>Differences</h3>
          {comparison.figures.length === 0 && comparison.onlyPrevious.length === 0 && comparison.onlyCurrent.length === 0 ? <p>The two plans are the same.</p> : null}
          <ul aria-label="Differences">
            {comparison.figures.map((f, i) => (
              <li key={i}>{f}</li>
            ))}
            {comparison.onlyPrevious.map((a, i) => (
              <li key={`p${i}`}>only in the previous plan: {a}</li>
            ))}
            {comparison.onlyCurrent.map((a, i) => (
              <li key={`c${i}`}>only in the current plan: {a}</li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

function whatIf(plan: ComputedPlan): string {
  return plan.disabledLines.length === 0 ? 'every constraint' : `without line${plan.disabledLines.length > 1 ? 's' : ''} ${plan.disabledLines.join(', ')}`;
}

function SideSummary({ title, plan }: { readonly title: string; readonly plan: ComputedPlan }): ReactNode {
  const rows = summaryRows(summaryFigures(plan.result, plan.windowSeconds));
  return (
    <div aria-label={title} role="group">
      <h3>{title}</h3>
      <dl className="ferry-figures">
        {rows.map((r) => (
          <FigureRow key={r.label} label={r.label} value={r.value} />
        ))}
      </dl>
    </div>
  );
}

function PlanDetails({ digest }: { readonly digest: PlanDigest }): ReactNode {
  const selected = useFerry((s) => s.selectedStepId);
  const select = useFerry((s) => s.selectStep);
  const reasons = useMemo(() => new Map(digest.reasons), [digest]);
  const moved = useMemo(() => new Set(digest.moved), [digest]);
  const highlightHosts = useMemo(() => {
    const step = digest.steps.find((s) => s.id === selected);
    return new Set(step ? namedNodes(step.action) : []);
  }, [digest, selected]);
  return (
    <>
      <section aria-label="Timeline" className="ferry-panel">
        <h2>Timeline ({formatTime(digest.durationSeconds)})</h2>
        <Gantt steps={digest.steps} hosts={digest.hosts} selected={selected} onSelect={select} />
      </section>
      <section aria-label="Steps" className="ferry-panel">
        <h2>Steps ({digest.steps.length})</h2>
        <PlanSteps steps={digest.steps} reasons={reasons} selected={selected} onSelect={select} />
      </section>
      <section aria-label="Placement" className="ferry-panel">
        <h2>Placement before and after ({moved.size} VMs move)</h2>
        <PlacementMap before={digest.before} after={digest.after} moved={moved} unchangedHosts={digest.unchangedHosts} highlightHosts={highlightHosts} />
      </section>
      <section aria-label="Resource use over time" className="ferry-panel">
        <h2>Resource use over time</h2>
        {digest.overbooked ? <p className="ferry-muted">Capacities include the script's overbooking ratios.</p> : null}
        <UsageCharts hosts={digest.usage} horizon={digest.usageHorizon} highlightHosts={highlightHosts} />
      </section>
    </>
  );
}
