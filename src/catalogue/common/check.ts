import type { Mapping, Model, NodeId, VmId } from '../../model/index.js';
import type { Action, BootVM, MigrateVM, PlanEvent, ResumeVM } from '../../plan/actions.js';
import type { CheckProblem, ConstraintCheck } from '../definition.js';

/** Actions that put a VM running on a node (BtrPlace's RunningVMPlacement). */
export type Placement = MigrateVM | BootVM | ResumeVM;

export function destinationOf(a: Placement): NodeId {
  return a.kind === 'bootVM' ? a.node : a.to;
}

export function problem(message: string, vms: readonly number[] = [], nodes: readonly number[] = []): CheckProblem {
  return { message, vms, nodes };
}

/** "VM1, VM2 and VM3" */
export function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** Verb phrases for actions, used in problems ("VM3 cannot be shut down ..."). */
export function actionWords(a: Action): string {
  switch (a.kind) {
    case 'migrateVM':
      return 'migrated';
    case 'bootVM':
      return 'booted';
    case 'shutdownVM':
      return 'shut down';
    case 'suspendVM':
      return 'suspended';
    case 'resumeVM':
      return 'resumed';
    case 'killVM':
      return 'killed';
    case 'forgeVM':
      return 'forged';
    case 'bootNode':
      return 'booted';
    case 'shutdownNode':
      return 'shut down';
    case 'allocate':
      return 'given a new allocation';
  }
}

/**
 * BtrPlace's AllowAllConstraintChecker: every hook accepts, and subclasses override what their
 * constraint watches. It also plays the plan's events: `pre` hooks before the action starts,
 * `post` hooks after it ends (as ReconfigurationPlanChecker does), and follows a VM renamed by a
 * SubstitutedVMEvent (re-instantiation) in `vms` and in every tracked set.
 *
 * Every hook is called for discrete constraints too: BtrPlace's checkers decide themselves what a
 * discrete constraint watches during the plan (the state constraints deny actions on their VMs,
 * NoDelay checks start times, ...), with `if (continuous)` guards elsewhere.
 */
export class PlanWatcher implements ConstraintCheck {
  protected readonly vms: Set<VmId>;
  protected readonly nodes: Set<NodeId>;
  private readonly tracked: Set<VmId>[] = [];

  constructor(involved: { readonly vms: readonly number[]; readonly nodes: readonly number[] }) {
    this.vms = new Set(involved.vms);
    this.nodes = new Set(involved.nodes);
  }

  /** Keeps `set` up to date when a VM is substituted by its clone. */
  protected track(set: Set<VmId>): Set<VmId> {
    this.tracked.push(set);
    return set;
  }

  startsWith(_origin: Model): CheckProblem | null {
    return null;
  }

  endsWith(_result: Model): CheckProblem | null {
    return null;
  }

  start(action: Action, model: Model): CheckProblem | null {
    for (const e of action.hooks?.pre ?? []) {
      const p = this.consume(e, action, model);
      if (p) return p;
    }
    return this.startAction(action, model);
  }

  end(action: Action, model: Model): CheckProblem | null {
    this.endAction(action, model);
    for (const e of action.hooks?.post ?? []) {
      const p = this.consume(e, action, model);
      if (p) return p;
    }
    return null;
  }

  /** Default: placements go to `startPlacement`, everything else is accepted. */
  protected startAction(action: Action, model: Model): CheckProblem | null {
    switch (action.kind) {
      case 'migrateVM':
      case 'bootVM':
      case 'resumeVM':
        return this.startPlacement(action, model);
      default:
        return null;
    }
  }

  protected startPlacement(_action: Placement, _model: Model): CheckProblem | null {
    return null;
  }

  protected endAction(_action: Action, _model: Model): void {
    // nothing to complain about when an action ends, unless a subclass keeps state
  }

  protected consume(event: PlanEvent, _action: Action, _model: Model): CheckProblem | null {
    if (event.kind === 'substitutedVM') this.substitute(event.vm, event.newVm);
    return null;
  }

  protected substitute(vm: VmId, newVm: VmId): void {
    for (const set of [this.vms, ...this.tracked]) {
      if (set.delete(vm)) set.add(newVm);
    }
  }
}

/**
 * BtrPlace's DenyMyVMsActions: a state constraint's VMs may not be touched by any action except
 * the ones leading to the wanted state (`allowed`); substitutions and allocation events on them are
 * denied too unless allowed.
 */
export class DenyVmActions extends PlanWatcher {
  constructor(
    involved: { readonly vms: readonly number[]; readonly nodes: readonly number[] },
    private readonly allowed: ReadonlySet<Action['kind'] | PlanEvent['kind']>,
    /** the wanted state, for messages: "must end running" */
    private readonly wanted: string,
  ) {
    super(involved);
  }

  protected override startAction(action: Action, model: Model): CheckProblem | null {
    if (action.kind === 'bootNode' || action.kind === 'shutdownNode') return null;
    if (!this.vms.has(action.vm) || this.allowed.has(action.kind)) return null;
    return problem(`${model.vmName(action.vm)} must end ${this.wanted} but is ${actionWords(action)}`, [action.vm]);
  }

  protected override consume(event: PlanEvent, action: Action, model: Model): CheckProblem | null {
    if (this.vms.has(event.vm) && !this.allowed.has(event.kind)) {
      const what = event.kind === 'substitutedVM' ? 'replaced by a clone' : `given a new ${event.rc} allocation`;
      return problem(`${model.vmName(event.vm)} must end ${this.wanted} but is ${what}`, [event.vm]);
    }
    return super.consume(event, action, model);
  }
}

/**
 * Where running VMs are during a plan, slice by slice: a VM placed somewhere occupies its
 * destination from the start of the placement (d-slice) and its source until the end of its
 * departure (c-slice), so a migrating VM sits on two nodes at once. Used by the continuous checks
 * that re-verify a whole placement rule at every step (Split, SplitAmong).
 */
export class SlicedPlacement {
  private readonly hostsOf = new Map<VmId, Set<NodeId>>();
  private readonly runningOn = new Map<NodeId, Set<VmId>>();

  /** `only`: the VMs worth following (the constraint's); the others are ignored. */
  constructor(
    mapping: Mapping,
    private readonly only: ReadonlySet<VmId>,
  ) {
    for (const vm of only) {
      const h = mapping.host(vm);
      if (mapping.isRunning(vm) && h !== undefined) this.add(vm, h);
    }
  }

  hosts(vm: VmId): ReadonlySet<NodeId> {
    return this.hostsOf.get(vm) ?? EMPTY;
  }

  running(node: NodeId): ReadonlySet<VmId> {
    return this.runningOn.get(node) ?? EMPTY;
  }

  /** Call on every action start; true when it placed a followed VM (then re-check the rule). */
  onStart(a: Action): boolean {
    if ((a.kind === 'migrateVM' || a.kind === 'bootVM' || a.kind === 'resumeVM') && this.only.has(a.vm)) {
      this.add(a.vm, destinationOf(a));
      return true;
    }
    return false;
  }

  /** Call on every action end: departures free their source. */
  onEnd(a: Action): void {
    switch (a.kind) {
      case 'migrateVM':
        if (a.from !== a.to) this.remove(a.vm, a.from);
        break;
      case 'shutdownVM':
        this.remove(a.vm, a.node);
        break;
      case 'suspendVM':
        this.remove(a.vm, a.from);
        break;
      case 'killVM':
        for (const h of [...this.hosts(a.vm)]) this.remove(a.vm, h);
        break;
      default:
        break;
    }
  }

  private add(vm: VmId, node: NodeId): void {
    let hs = this.hostsOf.get(vm);
    if (!hs) this.hostsOf.set(vm, (hs = new Set()));
    hs.add(node);
    let on = this.runningOn.get(node);
    if (!on) this.runningOn.set(node, (on = new Set()));
    on.add(vm);
  }

  private remove(vm: VmId, node: NodeId): void {
    this.hostsOf.get(vm)?.delete(node);
    if (this.hostsOf.get(vm)?.size === 0) this.hostsOf.delete(vm);
    this.runningOn.get(node)?.delete(vm);
  }
}

const EMPTY: ReadonlySet<never> = new Set();
