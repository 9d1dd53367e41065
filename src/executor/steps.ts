import type { Constraint } from '../catalogue/constraint.js';
import type { NamedAction } from '../cluster/ports.js';
import type { Model, ShareableResource } from '../model/index.js';
import { type Action, nodesOf } from '../plan/actions.js';
import { extractDependencies } from '../plan/dependencies.js';
import type { Plan } from '../plan/plan.js';
import { orderingDependencies } from './ordering.js';
import { FINAL_RUN_STATES, FINAL_STEP_STATES } from './types.js';
import type { ApprovalMode, Run, Step } from './types.js';

/**
 * Steps: the plan's actions by names, with their dependencies and execution state. Names, not
 * ids, because the numeric ids of a `Model` are local to one snapshot while a run outlives many
 * reads of the cluster.
 */

/** The action by names (hooks are dropped: an effector is asked for the action itself). */
export function namedAction(model: Model, a: Action): NamedAction {
  const vm = (id: number): string => model.vmName(id);
  const node = (id: number): string => model.nodeName(id);
  switch (a.kind) {
    case 'migrateVM':
      return { kind: 'migrateVM', vm: vm(a.vm), from: node(a.from), to: node(a.to) };
    case 'bootVM':
      return { kind: 'bootVM', vm: vm(a.vm), node: node(a.node) };
    case 'shutdownVM':
      return { kind: 'shutdownVM', vm: vm(a.vm), node: node(a.node) };
    case 'suspendVM':
      return { kind: 'suspendVM', vm: vm(a.vm), from: node(a.from), to: node(a.to) };
    case 'resumeVM':
      return { kind: 'resumeVM', vm: vm(a.vm), from: node(a.from), to: node(a.to) };
    case 'killVM':
      return { kind: 'killVM', vm: vm(a.vm), node: a.node === null ? null : node(a.node) };
    case 'forgeVM':
      return { kind: 'forgeVM', vm: vm(a.vm) };
    case 'bootNode':
      return { kind: 'bootNode', node: node(a.node) };
    case 'shutdownNode':
      return { kind: 'shutdownNode', node: node(a.node) };
    case 'allocate':
      return { kind: 'allocate', vm: vm(a.vm), node: node(a.node), rc: a.rc, amount: a.amount };
  }
}

/** The VM a named action is about, null for node actions. */
export function namedVm(a: NamedAction): string | null {
  return a.kind === 'bootNode' || a.kind === 'shutdownNode' ? null : a.vm;
}

/** Every node a named action names (both ends of a migration, once each). */
export function namedNodes(a: NamedAction): string[] {
  return nodesOf<string>(a);
}

/**
 * The canonical identity of an action, for diffs between plan revisions: the kind and every
 * field in a fixed order (JSON, so that no name can forge a separator).
 */
export function stepKey(a: NamedAction): string {
  switch (a.kind) {
    case 'migrateVM':
    case 'suspendVM':
    case 'resumeVM':
      return JSON.stringify([a.kind, a.vm, a.from, a.to]);
    case 'bootVM':
    case 'shutdownVM':
    case 'killVM':
      return JSON.stringify([a.kind, a.vm, a.node]);
    case 'forgeVM':
      return JSON.stringify([a.kind, a.vm]);
    case 'bootNode':
    case 'shutdownNode':
      return JSON.stringify([a.kind, a.node]);
    case 'allocate':
      return JSON.stringify([a.kind, a.vm, a.node, a.rc, a.amount]);
  }
}

/** Resources tried, in order, for the memory a migration moves when none is named. */
export const MEMORY_RESOURCES: readonly string[] = ['mem', 'memory', 'ram'];

export interface StepsOptions {
  /** Number of the first step id (`s<firstId>`); default 1. Re-plans continue after the run's ids. */
  readonly firstId?: number;
  /** The resource whose consumption is the memory a migration moves (MiB). */
  readonly memoryResource?: string;
  /**
   * The constraints the plan was checked against: the continuous ones add the planned order
   * among the actions they involve to the dependencies (src/executor/ordering.ts).
   */
  readonly constraints?: readonly Constraint[];
}

/** A fresh step: nothing has happened to it yet. */
export function freshStep(init: Pick<Step, 'id' | 'action' | 'plannedStart' | 'plannedEnd' | 'dependsOn' | 'memoryMiB'>): Step {
  return {
    ...init,
    state: 'pending',
    phase: null,
    approved: false,
    approvedBy: null,
    attempts: 0,
    reason: null,
    heldBy: null,
    progress: null,
    startedAt: null,
    endedAt: null,
    lastOutcome: null,
  };
}

/**
 * One step per action, in plan order (start, then end; stable for ties), each depending on the
 * steps of the actions that must end before it may start, including the previous action of the
 * same VM (committing a VM's actions out of order can only fail) and, with `constraints`, the
 * planned order among the actions a continuous constraint involves.
 */
export function stepsFromPlan(plan: Plan, options: StepsOptions = {}): Step[] {
  const firstId = options.firstId ?? 1;
  const ordered = plan.actions.map((action, index) => ({ action, index })).sort((x, y) => x.action.start - y.action.start || x.action.end - y.action.end || x.index - y.index);
  const idOf = new Map<Action, string>();
  ordered.forEach(({ action }, k) => idOf.set(action, `s${firstId + k}`));
  const deps = extractDependencies(plan, { sameVm: true });
  const ordering = orderingDependencies(plan, options.constraints ?? []);
  const memory = memoryResource(plan.origin, options.memoryResource);
  return ordered.map(({ action }, k) => {
    const dependsOn = new Set<string>();
    for (const p of [...(deps.get(action) ?? []), ...(ordering.get(action) ?? [])]) {
      const id = idOf.get(p);
      if (id !== undefined) dependsOn.add(id);
    }
    return freshStep({
      id: `s${firstId + k}`,
      action: namedAction(plan.origin, action),
      plannedStart: action.start,
      plannedEnd: action.end,
      dependsOn: [...dependsOn],
      memoryMiB: action.kind === 'migrateVM' && memory ? memory.consumption(action.vm) : 0,
    });
  });
}

function memoryResource(model: Model, id: string | undefined): ShareableResource | undefined {
  if (id !== undefined) return model.resource(id);
  for (const candidate of MEMORY_RESOURCES) {
    const r = model.resource(candidate);
    if (r) return r;
  }
  return undefined;
}

export interface NewRunInit {
  readonly runId: string;
  readonly clusterId: string;
  readonly steps: readonly Step[];
  readonly constraintHash: string;
  readonly maxPerHost: number;
  readonly windowSeconds: number | null;
  readonly createdAt: number;
  readonly mode?: ApprovalMode;
}

/** A draft run (revision 1); in unattended mode its steps are approved when the plan is. */
export function newRun(init: NewRunInit): Run {
  return {
    runId: init.runId,
    clusterId: init.clusterId,
    revision: 1,
    state: 'draft',
    mode: init.mode ?? 'manual',
    maxPerHost: init.maxPerHost,
    steps: [...init.steps],
    constraintHash: init.constraintHash,
    windowSeconds: init.windowSeconds,
    createdAt: init.createdAt,
    startedAt: null,
    endedAt: null,
    stopping: null,
    replan: null,
    reason: null,
  };
}

export function isFinalStep(step: Step): boolean {
  return FINAL_STEP_STATES.includes(step.state);
}

export function isFinalRun(run: Run): boolean {
  return FINAL_RUN_STATES.includes(run.state);
}

/** The number after the largest numeric step id of the run (`s7` → 8): where a re-plan's ids start. */
export function nextStepNumber(run: Run): number {
  let max = 0;
  for (const s of run.steps) {
    const m = /^s(\d+)$/.exec(s.id);
    if (m?.[1] !== undefined) max = Math.max(max, Number(m[1]));
  }
  return max + 1;
}

/** The steps of each id, for lookups in O(1). */
export function stepIndex(steps: readonly Step[]): Map<string, Step> {
  return new Map(steps.map((s) => [s.id, s]));
}
