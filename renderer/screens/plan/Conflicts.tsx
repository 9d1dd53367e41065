import { Button } from '@patternfly/react-core';
import { type ReactNode, useMemo } from 'react';

import { shown } from '../../components/text.js';
import { type ConflictingConstraint, type ExplainedConflict, conflictLinks } from '../../plan-view/conflicts.js';
import { useFerry } from '../../store/index.js';
import type { ComputedPlan } from '../../store/plan.js';

/** Links one summarised term may have (500 `offline` statements): past them, how many more. */
const MAX_LINKS = 6;

/** No plan: each explanation line, with the constraints it names linked to their script lines. */
export function Conflicts({ plan }: { readonly plan: ComputedPlan }): ReactNode {
  const conflicts = useMemo(() => conflictLinks(plan.result, plan.script), [plan]);
  if (plan.result.status !== 'infeasible' && conflicts.length === 0) return null;
  return (
    <section aria-label="Why there is no plan" className="ferry-panel">
      <h2>{plan.result.status === 'infeasible' ? 'No plan satisfies these constraints together' : 'Explanation'}</h2>
      {conflicts.map((c, i) => (
        <div key={i}>
          <p>{shown(c.sentence)}</p>
          <ConflictList conflict={c} />
        </div>
      ))}
      <p className="ferry-muted">To lift the conflict: remove or toggle off one of these constraints, add a host, or allow a host to boot.</p>
    </section>
  );
}

function ConflictList({ conflict }: { readonly conflict: ExplainedConflict }): ReactNode {
  if (conflict.cause === null) return null;
  if (conflict.cause === 'cluster') {
    return (
      <ul aria-label="Conflicting constraints" className="ferry-conflict-list">
        <li>No constraint involved: the cluster lacks capacity</li>
      </ul>
    );
  }
  return (
    <ul aria-label="Conflicting constraints" className="ferry-conflict-list">
      {conflict.constraints.map((k, j) => (
        <li key={j}>
          <ConstraintLinks constraint={k} />
        </li>
      ))}
      {conflict.more > 0 ? <li>and {conflict.more} more constraints</li> : null}
    </ul>
  );
}

function ConstraintLinks({ constraint }: { readonly constraint: ConflictingConstraint }): ReactNode {
  const focusLine = useFerry((s) => s.focusScriptLine);
  const { text, lines } = constraint;
  if (lines.length === 0) return <span>{shown(text)} (not in the script: the cluster's own)</span>;
  const go = (line: number) => () => focusLine(line);
  if (lines.length === 1) {
    const line = lines[0] as number;
    return (
      <Button variant="link" isInline onClick={go(line)}>
        {shown(text)} — line {line}
      </Button>
    );
  }
  // a summarised set stated on several lines: the term once, then a link per line
  return (
    <>
      {shown(text)}, stated on{' '}
      {lines.slice(0, MAX_LINKS).map((line, i) => (
        <span key={line}>
          {i > 0 ? ', ' : null}
          <Button variant="link" isInline onClick={go(line)} aria-label={`${shown(text)} — line ${line}`}>
            line {line}
          </Button>
        </span>
      ))}
      {lines.length > MAX_LINKS ? <span> and {lines.length - MAX_LINKS} more lines</span> : null}
    </>
  );
}
