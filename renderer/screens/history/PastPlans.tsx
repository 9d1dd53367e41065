import { Button, Title } from '@patternfly/react-core';
import type { ReactNode } from 'react';

import type { PastPlan } from '../../../src/contract/procedures.js';
import { formatTime } from '../../../src/plan/format.js';
import { formatMemory } from '../../../src/text/memory.js';
import { shown } from '../../components/text.js';
import { optimalityText } from '../../plan-view/summary.js';
import { useFerry } from '../../store/index.js';

/**
 * The plans computed, run or not (the journal keeps the last 200): the operator finds "the plan
 * computed at 14:02 with the drain of N4" again, sees its summary and opens it in the Plan screen.
 */
export function PastPlans(): ReactNode {
  const plans = useFerry((s) => s.pastPlans);
  const notes = useFerry((s) => s.planNotes);
  const error = useFerry((s) => s.pastPlansError);
  const status = useFerry((s) => s.historyStatus);
  return (
    <section aria-labelledby="past-plans-title">
      <Title headingLevel="h2" size="lg" id="past-plans-title">
        Past plans
      </Title>
      {error ? <p className="ferry-error">The past plans cannot be listed: {shown(error)}</p> : null}
      {notes.map((note, i) => (
        <p key={i} className="ferry-error" role="note">
          {shown(note)}
        </p>
      ))}
      {status === 'ready' && plans.length === 0 && error === null ? (
        <p className="ferry-muted">No plan yet: every plan computed appears here, run or not.</p>
      ) : (
        <PastPlanTable plans={plans} />
      )}
      <PastPlanDetails />
    </section>
  );
}

function PastPlanTable({ plans }: { readonly plans: readonly PastPlan[] }): ReactNode {
  const selected = useFerry((s) => s.historyPlanId);
  const select = useFerry((s) => s.selectPastPlan);
  return (
    <table className="ferry-table-plain" aria-label="Past plans">
      <thead>
        <tr>
          <th scope="col">Computed</th>
          <th scope="col">Source</th>
          <th scope="col">Status</th>
          <th scope="col">Migrations</th>
          <th scope="col">Duration</th>
          <th scope="col">Optimal/gap</th>
          <th scope="col">Constraints</th>
        </tr>
      </thead>
      <tbody>
        {plans.map((p) => (
          <tr key={p.planId} aria-selected={p.planId === selected}>
            <th scope="row">
              <Button variant="link" isInline onClick={() => void select(p.planId)} aria-label={`Plan ${p.planId}`}>
                {new Date(p.computedAt).toLocaleString()}
              </Button>
            </th>
            <td>{sourceText(p)}</td>
            <td>{statusText(p)}</td>
            <td>{p.migrations ?? '–'}</td>
            <td>{p.durationSeconds === null ? '–' : formatTime(p.durationSeconds)}</td>
            <td>{optimalityText(p)}</td>
            <td title={p.constraintHash}>{shortHash(p.constraintHash)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function PastPlanDetails(): ReactNode {
  const planId = useFerry((s) => s.historyPlanId);
  const detail = useFerry((s) => s.pastPlan);
  const error = useFerry((s) => s.pastPlanError);
  const open = useFerry((s) => s.openPastPlan);
  if (planId === null) return null;
  const plan = detail?.plan.planId === planId ? detail.plan : null;
  return (
    <section aria-label={`Plan ${planId}`} className="ferry-panel">
      <h3>Plan {shown(planId)}</h3>
      {error ? <p className="ferry-error">{shown(error)}</p> : null}
      {plan === null && error === null ? <p className="ferry-muted">Reading the journal…</p> : null}
      {plan ? (
        <>
          <dl className="ferry-figures">
            <Figure label="Computed" value={new Date(plan.computedAt).toLocaleString()} />
            <Figure label="Source" value={sourceText(plan)} />
            <Figure label="Script" value={shown(plan.scriptName)} />
            <Figure label="Status" value={statusText(plan)} />
            <Figure label="Steps" value={String(plan.steps)} />
            <Figure label="Migrations" value={plan.migrations === null ? '–' : String(plan.migrations)} />
            <Figure label="Data moved" value={plan.memoryMovedMiB === null ? '–' : formatMemory(plan.memoryMovedMiB)} />
            <Figure label="Duration" value={plan.durationSeconds === null ? '–' : formatTime(plan.durationSeconds)} />
            <Figure label="Optimality" value={optimalityText(plan)} />
            <Figure label="Constraint hash" value={plan.constraintHash} />
            <Figure label="Runs" value={plan.runIds.length === 0 ? 'never run' : plan.runIds.map(shown).join(', ')} />
          </dl>
          {plan.explanation.length > 0 ? (
            <>
              <h4>Why there is no plan</h4>
              <ul>
                {plan.explanation.map((line, i) => (
                  <li key={i}>{shown(line)}</li>
                ))}
              </ul>
            </>
          ) : null}
          <div className="ferry-toolbar">
            <Button variant="primary" onClick={() => void open(plan.planId)}>
              Open in Plan
            </Button>
          </div>
        </>
      ) : null}
    </section>
  );
}

function Figure({ label, value }: { readonly label: string; readonly value: string }): ReactNode {
  return (
    <>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </>
  );
}

function sourceText(p: PastPlan): string {
  return p.source.kind === 'file' ? `${shown(p.source.name)} (file)` : shown(p.source.name);
}

function statusText(p: PastPlan): string {
  switch (p.status) {
    case 'optimal':
    case 'feasible':
      return `plan of ${p.steps} step${p.steps === 1 ? '' : 's'}`;
    case 'infeasible':
      return 'no plan exists';
    case 'unknown':
      return 'no plan found';
  }
}

/** `sha256:3fa9c2d1e0b7…`: enough to tell two constraint sets apart at a glance. */
function shortHash(hash: string): string {
  const hex = hash.replace(/^sha256:/, '');
  return hex.length > 12 ? `${hex.slice(0, 12)}…` : hex;
}
