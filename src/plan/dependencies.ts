import type { Model, NodeId, VmId } from '../model/index.js';
import { actionVm } from './actions.js';
import type { Action } from './actions.js';
import { describeAction, formatTime } from './format.js';
import type { Plan } from './plan.js';
import { applyActionNow, cannotPhrase } from './replay.js';

/**
 * Dependencies between the actions of a plan (BtrPlace's DependenciesExtractor) and the
 * step-by-step execution built on them (DefaultReconfigurationPlanMonitor): the base of
 * operator approval one action at a time.
 *
 * Per node, actions are *freeing* (MigrateVM on its source, ShutdownVM, SuspendVM on its source,
 * KillVM, BootNode, an Allocate that does not increase the origin consumption) or *demanding*
 * (MigrateVM on its destination, BootVM, ResumeVM on its destination, ShutdownNode, an Allocate
 * that increases it). A demanding action depends on every freeing action of its node that ends no
 * later than it starts. ForgeVM has no dependency.
 */

export interface DependencyOptions {
  /**
   * Also make an action depend on the previous action of the same VM (the latest one ending no
   * later than it starts): a forge before the boot, a suspend before the resume elsewhere.
   * BtrPlace does not (default false here); the monitor turns it on, because committing a VM's
   * actions out of order can only fail.
   */
  readonly sameVm?: boolean;
}

export type Dependencies = ReadonlyMap<Action, readonly Action[]>;

/** Every action of the plan → its prerequisites (empty when none), sorted by end then start. */
export function extractDependencies(plan: Plan, options: DependencyOptions = {}): Map<Action, readonly Action[]> {
  const freeing = new Map<NodeId, Action[]>();
  const demanding: [Action, NodeId][] = [];
  const addFreeing = (node: NodeId, a: Action): void => {
    const list = freeing.get(node);
    if (list) list.push(a);
    else freeing.set(node, [a]);
  };
  for (const a of plan.actions) {
    switch (a.kind) {
      case 'migrateVM':
        addFreeing(a.from, a);
        demanding.push([a, a.to]);
        break;
      case 'bootVM':
        demanding.push([a, a.node]);
        break;
      case 'resumeVM':
        demanding.push([a, a.to]);
        break;
      case 'shutdownNode':
        demanding.push([a, a.node]);
        break;
      case 'shutdownVM':
      case 'bootNode':
        addFreeing(a.node, a);
        break;
      case 'suspendVM':
        addFreeing(a.from, a);
        break;
      case 'killVM':
        if (a.node !== null) addFreeing(a.node, a);
        break;
      case 'allocate': {
        const rc = plan.origin.resource(a.rc);
        if (!rc) break;
        if (a.amount > rc.consumption(a.vm)) demanding.push([a, a.node]);
        else addFreeing(a.node, a);
        break;
      }
      case 'forgeVM':
        break;
    }
  }
  const byEnd = (x: Action, y: Action): number => x.end - y.end || x.start - y.start;
  for (const list of freeing.values()) list.sort(byEnd);

  const deps = new Map<Action, Action[]>();
  for (const a of plan.actions) deps.set(a, []);
  for (const [a, node] of demanding) {
    const list = freeing.get(node);
    if (!list) continue;
    const count = countEndingBy(list, a.start);
    const pre = deps.get(a) as Action[];
    for (let i = 0; i < count; i++) {
      const f = list[i] as Action;
      if (f !== a) pre.push(f);
    }
  }
  if (options.sameVm) {
    const byVm = new Map<VmId, Action[]>();
    for (const a of plan.actions) {
      const vm = actionVm(a);
      if (vm === undefined) continue;
      const list = byVm.get(vm);
      if (list) list.push(a);
      else byVm.set(vm, [a]);
    }
    for (const list of byVm.values()) {
      if (list.length < 2) continue;
      list.sort(byEnd);
      for (const a of list) {
        const count = countEndingBy(list, a.start);
        // the latest action of the VM ending by a's start (not a itself: a ends after it starts,
        // unless instantaneous, in which case it sorts among the candidates)
        for (let i = count - 1; i >= 0; i--) {
          const prev = list[i] as Action;
          if (prev === a) continue;
          const pre = deps.get(a) as Action[];
          if (!pre.includes(prev)) pre.push(prev);
          break;
        }
      }
    }
  }
  for (const pre of deps.values()) pre.sort(byEnd);
  return deps;
}

/** How many actions of `sortedByEnd` end no later than `time`. */
function countEndingBy(sortedByEnd: readonly Action[], time: number): number {
  let lo = 0;
  let hi = sortedByEnd.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sortedByEnd[mid] as Action).end <= time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The actions that may be executed now: not committed yet, and every prerequisite committed.
 * Sorted by start, then end (plan order for ties).
 */
export function executableActions(deps: Dependencies, committed: ReadonlySet<Action>): Action[] {
  const ready: Action[] = [];
  for (const [a, pre] of deps) {
    if (committed.has(a)) continue;
    if (pre.every((p) => committed.has(p))) ready.push(a);
  }
  return ready.sort((x, y) => x.start - y.start || x.end - y.end);
}

export type CommitResult = { readonly ok: true; readonly unblocked: readonly Action[] } | { readonly ok: false; readonly message: string };

/**
 * Simulated step-by-step execution (DefaultReconfigurationPlanMonitor): commit the actions one by
 * one as they complete; each commit applies the action to the current model and returns the
 * actions it unblocked. Unlike BtrPlace, committing a blocked action, an action twice, or an
 * action that cannot be applied is refused with a message, and the model is left unchanged.
 */
export class PlanMonitor {
  private readonly deps: Map<Action, readonly Action[]>;
  /** action → the actions waiting for it */
  private readonly dependents = new Map<Action, Action[]>();
  private readonly committed = new Set<Action>();
  private readonly model: Model;

  constructor(
    readonly plan: Plan,
    options: DependencyOptions = { sameVm: true },
  ) {
    this.deps = extractDependencies(plan, options);
    for (const [a, pre] of this.deps) {
      for (const p of pre) {
        const list = this.dependents.get(p);
        if (list) list.push(a);
        else this.dependents.set(p, [a]);
      }
    }
    this.model = plan.origin.clone();
  }

  /** A copy of the model after the committed actions. */
  currentModel(): Model {
    return this.model.clone();
  }

  committedCount(): number {
    return this.committed.size;
  }

  isCommitted(a: Action): boolean {
    return this.committed.has(a);
  }

  /** The prerequisites of `a` not committed yet. */
  waitingFor(a: Action): Action[] {
    return (this.deps.get(a) ?? []).filter((p) => !this.committed.has(p));
  }

  isBlocked(a: Action): boolean {
    return this.waitingFor(a).length > 0;
  }

  /** Actions that may be executed now. */
  executable(): Action[] {
    return executableActions(this.deps, this.committed);
  }

  isDone(): boolean {
    return this.committed.size === this.deps.size;
  }

  commit(a: Action): CommitResult {
    const model = this.model;
    if (!this.deps.has(a)) return { ok: false, message: `${describeAction(model, a)} is not part of this plan` };
    if (this.committed.has(a)) return { ok: false, message: `${describeAction(model, a)} has already been committed` };
    const waiting = this.waitingFor(a);
    if (waiting.length > 0) {
      const list = waiting.map((w) => `${describeAction(model, w)} (${formatTime(w.start)} to ${formatTime(w.end)})`).join(', ');
      return { ok: false, message: `${describeAction(model, a)} waits for ${list}` };
    }
    const why = applyActionNow(model, a);
    if (why) return { ok: false, message: `${cannotPhrase(model, a)}: ${why}` };
    this.committed.add(a);
    const unblocked = (this.dependents.get(a) ?? []).filter((d) => !this.committed.has(d) && !this.isBlocked(d));
    return { ok: true, unblocked };
  }
}
