import type { Model, NodeId, ShareableResource, VmId } from '../model/index.js';
import { MappingError, NamingService } from '../model/index.js';
import type { Action, Allocate, PlanEvent } from './actions.js';
import { describeAction, describeEvent, formatTime } from './format.js';
import type { Plan } from './plan.js';

/**
 * Replays a plan over its origin, event by event, and checks that it can really be executed:
 * every action's preconditions (BtrPlace's `applyAction`), the exclusive use of each VM and node by
 * one action at a time, and every resource capacity on every node at every instant under the
 * c-slice / d-slice semantics of BtrPlace's scheduler (btrplace-semantics.md §3.3).
 *
 * Event order: at each instant, the ends of the actions ending then are processed first (plan
 * order), then the instantaneous actions (start = end: started, then ended at once, observers
 * seeing both), then the starts. So "A ends at t, B starts at t" never overlaps, as in BtrPlace's
 * ReconfigurationPlanChecker (which, unlike Ferry, visits an instantaneous action's end before
 * its start). Capacities are checked once the ends and instantaneous actions of an instant are
 * done, then after each start.
 *
 * State of the live model handed to observers (it is mutated as the replay advances):
 * - the mapping changes only when an action ends: a migrating VM is still running on its source
 *   in the mapping until its migration ends (then it runs on the destination); a booting VM stays
 *   ready until its boot ends; a node being booted is offline until the boot ends, a node being
 *   shut down online until the shutdown ends;
 * - PRE hooks are applied at the action's start (between `beforeStart` and `afterStart`), POST
 *   hooks at its end (between `beforeEnd` and `afterEnd`);
 * - an Allocate changes the consumption when it ends.
 * Resources, as the solver books them: a migrating VM holds its consumption on the source until
 * the end (c-slice) and its future consumption (after its POST allocate hooks) on the destination
 * from the start (d-slice); a booting or resuming VM books its destination from the start; a VM
 * shutting down, being suspended or killed frees its host at the end; an increasing Allocate
 * books the extra amount from its start, a decreasing one frees at its end. Capacities are the
 * physical ones of the resource views (overbooking ratios are constraints: callers replay a plan
 * whose origin has the overbooked capacities, see checker/overbooking.ts).
 */

export interface ReplayObserver {
  startsWith?(origin: Model): void;
  /** called for each action ending at `time`, before its end effect; model = current state */
  beforeEnd?(action: Action, time: number, model: Model): void;
  afterEnd?(action: Action, time: number, model: Model): void;
  beforeStart?(action: Action, time: number, model: Model): void;
  afterStart?(action: Action, time: number, model: Model): void;
  endsWith?(result: Model): void;
}

export interface ReplayProblem {
  time: number;
  action?: Action;
  /** Operator words with element names, prefixed by the time: `0'02: cannot relocate VM2 to N3: N3 is offline`. */
  message: string;
}

export type ReplayResult = { ok: true; result: Model } | { ok: false; problem: ReplayProblem };

export interface ReplayOptions {
  /**
   * The caller made `plan.origin` for this replay and gives it up: the replay changes it in place
   * (it becomes the result) instead of copying it first. For callers that just copied the origin
   * themselves (the plan checker's overbooked or lifted capacities): a copy of a 40,000-VM model
   * costs milliseconds. Default false.
   */
  readonly consumeOrigin?: boolean;
}

/**
 * Replays `plan` on a clone of its origin (never mutated, unless `options.consumeOrigin`). See the
 * module comment for the semantics.
 */
export function replay(plan: Plan, observer?: ReplayObserver, options?: ReplayOptions): ReplayResult {
  return new Replayer(plan, observer ?? {}, options?.consumeOrigin ?? false).run();
}

// ---------------------------------------------------------------------------------------------
// Instantaneous semantics, shared with the step-by-step monitor (dependencies.ts)
// ---------------------------------------------------------------------------------------------

/** `cannot relocate VM2 to N3`: the operator's phrase for an action that cannot happen. */
export function cannotPhrase(model: Model, a: Action): string {
  const vm = (id: VmId): string => model.vmName(id);
  const node = (id: NodeId): string => model.nodeName(id);
  switch (a.kind) {
    case 'migrateVM':
      return `cannot relocate ${vm(a.vm)} to ${node(a.to)}`;
    case 'bootVM':
      return `cannot boot ${vm(a.vm)} on ${node(a.node)}`;
    case 'shutdownVM':
      return `cannot shut down ${vm(a.vm)}`;
    case 'suspendVM':
      return `cannot suspend ${vm(a.vm)}`;
    case 'resumeVM':
      return `cannot resume ${vm(a.vm)} on ${node(a.to)}`;
    case 'killVM':
      return `cannot kill ${vm(a.vm)}`;
    case 'forgeVM':
      return `cannot forge ${vm(a.vm)}`;
    case 'bootNode':
      return `cannot boot ${node(a.node)}`;
    case 'shutdownNode':
      return `cannot shut down ${node(a.node)}`;
    case 'allocate':
      return `cannot allocate ${a.amount} '${a.rc}' to ${vm(a.vm)}`;
  }
}

/** Where a VM is, in words: `it is ready`, `it is sleeping on N1`, `it does not exist yet`. */
function vmWhereabouts(model: Model, vm: VmId): string {
  const state = model.vmState(vm);
  const host = model.mapping.host(vm);
  switch (state) {
    case 'running':
      return `it is running on ${host === undefined ? '?' : model.nodeName(host)}`;
    case 'sleeping':
      return `it is sleeping on ${host === undefined ? '?' : model.nodeName(host)}`;
    case 'ready':
      return 'it is ready';
    case 'killed':
      return 'it has been killed';
    case 'init':
      return 'it does not exist yet';
  }
}

function nodeMustBeOnline(model: Model, node: NodeId): string | undefined {
  if (!model.mapping.hasNode(node)) return `${model.nodeName(node)} is not in the model`;
  if (!model.mapping.isOnline(node)) return `${model.nodeName(node)} is offline`;
  return undefined;
}

function mustRunOn(model: Model, vm: VmId, node: NodeId): string | undefined {
  if (!model.mapping.isRunning(vm)) return `${model.vmName(vm)} is not running (${vmWhereabouts(model, vm)})`;
  const host = model.mapping.host(vm);
  if (host !== node) return `${model.vmName(vm)} runs on ${host === undefined ? '?' : model.nodeName(host)}, not on ${model.nodeName(node)}`;
  return undefined;
}

/**
 * Why `a` cannot start in `model` (BtrPlace's applyAction preconditions, plus node existence),
 * or undefined when it can. Time-related conditions (an action already under way) are the
 * replay's business.
 */
export function actionPrecondition(model: Model, a: Action): string | undefined {
  const m = model.mapping;
  switch (a.kind) {
    case 'migrateVM':
      if (a.from === a.to) return `the source and the destination are both ${model.nodeName(a.to)}`;
      return mustRunOn(model, a.vm, a.from) ?? nodeMustBeOnline(model, a.to);
    case 'bootVM':
      if (!m.isReady(a.vm)) return `${model.vmName(a.vm)} is not ready (${vmWhereabouts(model, a.vm)})`;
      return nodeMustBeOnline(model, a.node);
    case 'shutdownVM':
      return mustRunOn(model, a.vm, a.node);
    case 'suspendVM':
      return mustRunOn(model, a.vm, a.from) ?? nodeMustBeOnline(model, a.to);
    case 'resumeVM': {
      if (!m.isSleeping(a.vm)) return `${model.vmName(a.vm)} is not sleeping (${vmWhereabouts(model, a.vm)})`;
      const host = m.host(a.vm);
      if (host !== a.from) return `${model.vmName(a.vm)} sleeps on ${host === undefined ? '?' : model.nodeName(host)}, not on ${model.nodeName(a.from)}`;
      return nodeMustBeOnline(model, a.to);
    }
    case 'killVM': {
      // BtrPlace's KillVM only removes the VM from the mapping; Ferry also accepts killing an
      // INIT VM (a legal transition) and checks the recorded host.
      if (model.vmState(a.vm) === 'killed') return `${model.vmName(a.vm)} has already been killed`;
      const host = m.host(a.vm);
      if (host !== undefined && a.node !== null && host !== a.node) return `${model.vmName(a.vm)} is on ${model.nodeName(host)}, not on ${model.nodeName(a.node)}`;
      return undefined;
    }
    case 'forgeVM':
      if (model.vmState(a.vm) !== 'init') return `${model.vmName(a.vm)} already exists (${vmWhereabouts(model, a.vm)})`;
      return undefined;
    case 'bootNode':
      if (!m.hasNode(a.node)) return `${model.nodeName(a.node)} is not in the model`;
      if (!m.isOffline(a.node)) return `${model.nodeName(a.node)} is already online`;
      return undefined;
    case 'shutdownNode': {
      const off = nodeMustBeOnline(model, a.node);
      if (off) return off.endsWith('is offline') ? `${model.nodeName(a.node)} is already offline` : off;
      const hosted = [...m.runningVMs(a.node), ...m.sleepingVMs(a.node)];
      if (hosted.length > 0) return `${listNames(model, hosted)} ${hosted.length > 1 ? 'are' : 'is'} still on it`;
      return undefined;
    }
    case 'allocate':
      if (!model.resource(a.rc)) return `there is no resource '${a.rc}'`;
      if (!Number.isInteger(a.amount) || a.amount < 0) return `the amount must be a non-negative integer`;
      return mustRunOn(model, a.vm, a.node);
  }
}

function listNames(model: Model, vms: readonly VmId[]): string {
  const names = vms.slice(0, 5).map((v) => model.vmName(v));
  const more = vms.length > 5 ? ` and ${vms.length - 5} more` : '';
  if (names.length <= 1) return names.join('');
  return more ? `${names.join(', ')}${more}` : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** Applies the end effect of `a` on the mapping (its preconditions having been checked). */
export function applyActionEffect(model: Model, a: Action): void {
  const m = model.mapping;
  switch (a.kind) {
    case 'migrateVM':
    case 'resumeVM':
      m.addRunningVM(a.vm, a.to);
      return;
    case 'bootVM':
      m.addRunningVM(a.vm, a.node);
      return;
    case 'shutdownVM':
      m.addReadyVM(a.vm);
      return;
    case 'suspendVM':
      m.addSleepingVM(a.vm, a.to);
      return;
    case 'killVM':
      m.remove(a.vm);
      model.killedVMs.add(a.vm);
      return;
    case 'forgeVM':
      m.addReadyVM(a.vm);
      return;
    case 'bootNode':
      m.addOnlineNode(a.node);
      return;
    case 'shutdownNode':
      m.addOfflineNode(a.node);
      return;
    case 'allocate':
      model.resource(a.rc)?.setConsumption(a.vm, a.amount);
      return;
  }
}

/** Why a hooked event cannot be applied to `model`, or undefined. */
export function eventPrecondition(model: Model, e: PlanEvent): string | undefined {
  if (e.kind === 'allocateEvent') {
    if (!model.resource(e.rc)) return `there is no resource '${e.rc}'`;
    if (!Number.isInteger(e.amount) || e.amount < 0) return `the amount of '${e.rc}' must be a non-negative integer`;
    return undefined;
  }
  if (model.vmNames?.nameOf(e.newVm) !== undefined) return `${model.vmName(e.newVm)} already has a name`;
  return undefined;
}

/** Applies a hooked event (AllocateEvent, SubstitutedVMEvent); returns why it cannot, if so. */
export function applyEvent(model: Model, e: PlanEvent): string | undefined {
  const why = eventPrecondition(model, e);
  if (why) return why;
  if (e.kind === 'allocateEvent') {
    model.resource(e.rc)?.setConsumption(e.vm, e.amount);
    return undefined;
  }
  // SubstitutedVMEvent: every view now knows the new VM as the old one (BtrPlace substituteVM):
  // resource consumptions are copied, the name moves.
  const names = model.vmNames;
  for (const r of model.resources.values()) r.setConsumption(e.newVm, r.consumption(e.vm));
  const name = names?.nameOf(e.vm);
  if (names && name !== undefined) {
    const renamed = new NamingService('vm');
    for (const [n, id] of names.entries()) renamed.register(n, id === e.vm ? e.newVm : id);
    model.vmNames = renamed;
  }
  return undefined;
}

/**
 * Applies `a` at once, BtrPlace's `Action.apply`: PRE hooks, the action, POST hooks. Checks
 * everything first: when it returns a reason, the model is unchanged.
 */
export function applyActionNow(model: Model, a: Action): string | undefined {
  for (const e of [...(a.hooks?.pre ?? []), ...(a.hooks?.post ?? [])]) {
    const why = eventPrecondition(model, e);
    if (why) return `${describeEvent(model, e)}: ${why}`;
  }
  const why = actionPrecondition(model, a);
  if (why) return why;
  for (const e of a.hooks?.pre ?? []) applyEvent(model, e);
  applyActionEffect(model, a);
  for (const e of a.hooks?.post ?? []) applyEvent(model, e);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Timed replay
// ---------------------------------------------------------------------------------------------

class ReplayFailure extends Error {
  constructor(readonly problem: ReplayProblem) {
    super(problem.message);
  }
}

/** Resources booked on a node by an action until its end (d-slices, increasing allocations). */
interface Booking {
  readonly node: NodeId;
  readonly amounts: Float64Array;
}

class Replayer {
  private readonly model: Model;
  private readonly rcs: ShareableResource[];
  private readonly rcIds: string[];
  /** per node, the booked amount of each resource (index as in `rcs`) */
  private readonly load = new Map<NodeId, Float64Array>();
  /** the in-flight action of each VM, allocations aside */
  private readonly vmBusy = new Map<VmId, Action>();
  /** in-flight allocations per VM (allocations of distinct resources may overlap) */
  private readonly allocating = new Map<VmId, Allocate[]>();
  /** in-flight BootNode / ShutdownNode per node */
  private readonly nodeBusy = new Map<NodeId, Action>();
  /** in-flight actions touching each node, for shutdown checks and capacity messages */
  private readonly onNode = new Map<NodeId, Set<Action>>();
  private readonly bookings = new Map<Action, Booking>();
  private readonly dirty = new Set<NodeId>();
  /** Nodes each in-flight action was registered on at its start. */
  private readonly touchedBy = new Map<Action, NodeId[]>();

  constructor(
    private readonly plan: Plan,
    private readonly observer: ReplayObserver,
    consumeOrigin: boolean,
  ) {
    this.model = consumeOrigin ? plan.origin : plan.origin.clone();
    this.rcs = [...this.model.resources.values()];
    this.rcIds = this.rcs.map((r) => r.id);
  }

  run(): ReplayResult {
    try {
      this.validateTimes();
      this.initLoads();
      this.observer.startsWith?.(this.model);
      this.events();
      this.observer.endsWith?.(this.model);
      return { ok: true, result: this.model };
    } catch (e) {
      if (e instanceof ReplayFailure) return { ok: false, problem: e.problem };
      throw e;
    }
  }

  private fail(time: number, message: string, action?: Action): never {
    throw new ReplayFailure(action ? { time, action, message } : { time, message });
  }

  private validateTimes(): void {
    for (const a of this.plan.actions) {
      if (Number.isInteger(a.start) && Number.isInteger(a.end) && a.start >= 0 && a.end >= a.start) continue;
      const what = describeAction(this.model, a);
      if (!Number.isInteger(a.start) || !Number.isInteger(a.end)) this.fail(0, `${what}: times must be whole seconds (start ${a.start}, end ${a.end})`, a);
      if (a.start < 0) this.fail(0, `${what}: starts before the plan (${a.start} s)`, a);
      if (a.end < a.start) this.fail(a.start, `${formatTime(a.start)}: ${what} ends (${formatTime(a.end)}) before it starts`, a);
    }
  }

  private initLoads(): void {
    const m = this.model.mapping;
    for (const node of m.nodes()) {
      const amounts = new Float64Array(this.rcs.length);
      if (m.isOnline(node)) {
        this.rcs.forEach((r, i) => (amounts[i] = r.sumConsumption(m.runningVMs(node))));
      }
      this.load.set(node, amounts);
    }
    for (const node of m.onlineNodes()) {
      this.rcs.forEach((r, i) => {
        const used = this.load.get(node)?.[i] ?? 0;
        const cap = r.capacity(node);
        if (used > cap) this.fail(0, `${formatTime(0)}: ${this.model.nodeName(node)} is over '${r.id}' capacity from the start (${used} > ${cap})`);
      });
    }
  }

  private events(): void {
    const actions = this.plan.actions;
    const n = actions.length;
    const starts: number[] = [];
    const ends: number[] = [];
    for (let i = 0; i < n; i++) {
      starts.push(i);
      if ((actions[i] as Action).end > (actions[i] as Action).start) ends.push(i);
    }
    const at = (i: number): Action => actions[i] as Action;
    starts.sort((x, y) => at(x).start - at(y).start || x - y);
    ends.sort((x, y) => at(x).end - at(y).end || x - y);
    let si = 0;
    let ei = 0;
    while (si < starts.length || ei < ends.length) {
      const nextStart = si < starts.length ? at(starts[si] as number).start : Infinity;
      const nextEnd = ei < ends.length ? at(ends[ei] as number).end : Infinity;
      const t = Math.min(nextStart, nextEnd);
      // 1. ends
      while (ei < ends.length && at(ends[ei] as number).end === t) this.end(at(ends[ei++] as number), t);
      // 2. instantaneous actions, which complete at once, like ends
      const firstStart = si;
      for (let k = si; k < starts.length && at(starts[k] as number).start === t; k++) {
        const a = at(starts[k] as number);
        if (a.end === a.start) {
          this.start(a, t);
          this.end(a, t);
        }
      }
      this.checkDirty(t);
      // 3. starts
      for (si = firstStart; si < starts.length && at(starts[si] as number).start === t; si++) {
        const a = at(starts[si] as number);
        if (a.end > a.start) {
          this.start(a, t);
          this.checkDirty(t);
        }
      }
    }
  }

  // ---- bookkeeping ---------------------------------------------------------------------------

  private loadOf(node: NodeId): Float64Array {
    let l = this.load.get(node);
    if (!l) {
      l = new Float64Array(this.rcs.length);
      this.load.set(node, l);
    }
    return l;
  }

  /** Adds (sign 1) or removes (sign -1) the VM's current consumption on a node. */
  private addVm(node: NodeId, vm: VmId, sign: 1 | -1): void {
    const l = this.loadOf(node);
    this.rcs.forEach((r, i) => (l[i] = (l[i] ?? 0) + sign * r.consumption(vm)));
    this.dirty.add(node);
  }

  private book(a: Action, node: NodeId, amounts: Float64Array): void {
    const l = this.loadOf(node);
    for (let i = 0; i < amounts.length; i++) l[i] = (l[i] ?? 0) + (amounts[i] ?? 0);
    this.bookings.set(a, { node, amounts });
    this.dirty.add(node);
  }

  private unbook(a: Action): void {
    const b = this.bookings.get(a);
    if (!b) return;
    const l = this.loadOf(b.node);
    for (let i = 0; i < b.amounts.length; i++) l[i] = (l[i] ?? 0) - (b.amounts[i] ?? 0);
    this.bookings.delete(a);
  }

  /** The VM's consumption once the action's POST allocate hooks have been applied. */
  private futureAmounts(a: Action, vm: VmId): Float64Array {
    const amounts = new Float64Array(this.rcs.length);
    this.rcs.forEach((r, i) => (amounts[i] = r.consumption(vm)));
    for (const e of a.hooks?.post ?? []) {
      if (e.kind !== 'allocateEvent' || e.vm !== vm) continue;
      const i = this.rcIds.indexOf(e.rc);
      if (i >= 0 && Number.isInteger(e.amount) && e.amount >= 0) amounts[i] = e.amount;
    }
    return amounts;
  }

  /** Applies an event, keeping the loads right when it changes a running VM's consumption. */
  private event(e: PlanEvent, a: Action, t: number): void {
    const host = e.kind === 'allocateEvent' && this.model.mapping.isRunning(e.vm) ? this.model.mapping.host(e.vm) : undefined;
    if (host !== undefined) this.addVm(host, e.vm, -1);
    const why = applyEvent(this.model, e);
    if (host !== undefined) this.addVm(host, e.vm, 1);
    if (why) this.fail(t, `${formatTime(t)}: ${describeAction(this.model, a)}: hook ${describeEvent(this.model, e)}: ${why}`, a);
  }

  private touch(a: Action, node: NodeId): void {
    let s = this.onNode.get(node);
    if (!s) {
      s = new Set();
      this.onNode.set(node, s);
    }
    s.add(a);
  }

  private untouch(a: Action, node: NodeId): void {
    this.onNode.get(node)?.delete(a);
  }

  /** Nodes an in-flight action keeps busy: both ends of a move, the node of the others. */
  private nodesOf(a: Action): NodeId[] {
    switch (a.kind) {
      case 'migrateVM':
      case 'suspendVM':
      case 'resumeVM':
        return a.from === a.to ? [a.from] : [a.from, a.to];
      case 'killVM': {
        const host = this.model.mapping.host(a.vm);
        return host === undefined ? [] : [host];
      }
      case 'forgeVM':
        return [];
      default:
        return [a.node];
    }
  }

  // ---- start and end of an action ---------------------------------------------------------------

  private start(a: Action, t: number): void {
    this.observer.beforeStart?.(a, t, this.model);
    const why = this.whyNotStart(a);
    if (why) this.fail(t, `${formatTime(t)}: ${cannotPhrase(this.model, a)}: ${why}`, a);
    for (const e of a.hooks?.pre ?? []) this.event(e, a, t);
    const touched = this.nodesOf(a);
    for (const node of touched) this.touch(a, node);
    this.touchedBy.set(a, touched);
    switch (a.kind) {
      case 'migrateVM':
        this.book(a, a.to, this.futureAmounts(a, a.vm));
        break;
      case 'resumeVM':
        this.book(a, a.to, this.futureAmounts(a, a.vm));
        break;
      case 'bootVM':
        this.book(a, a.node, this.futureAmounts(a, a.vm));
        break;
      case 'allocate': {
        const i = this.rcIds.indexOf(a.rc);
        const extra = a.amount - (this.rcs[i]?.consumption(a.vm) ?? 0);
        if (extra > 0) {
          const amounts = new Float64Array(this.rcs.length);
          amounts[i] = extra;
          this.book(a, a.node, amounts);
        }
        break;
      }
      case 'bootNode':
      case 'shutdownNode':
        this.nodeBusy.set(a.node, a);
        break;
      default:
        break;
    }
    if (a.kind !== 'bootNode' && a.kind !== 'shutdownNode') {
      if (a.kind !== 'allocate') this.vmBusy.set(a.vm, a);
      else {
        const busy = this.allocating.get(a.vm);
        if (busy) busy.push(a);
        else this.allocating.set(a.vm, [a]);
      }
    }
    this.observer.afterStart?.(a, t, this.model);
  }

  private whyNotStart(a: Action): string | undefined {
    const model = this.model;
    if (a.kind !== 'bootNode' && a.kind !== 'shutdownNode') {
      const current = this.vmBusy.get(a.vm);
      const allocations = this.allocating.get(a.vm);
      const other = current ?? (a.kind === 'allocate' ? allocations?.find((x) => x.rc === a.rc) : allocations?.[0]);
      if (other) {
        return `${model.vmName(a.vm)} is already busy with ${describeAction(model, other)} (${formatTime(other.start)} to ${formatTime(other.end)})`;
      }
    }
    // Nodes must be free of node actions: nothing arrives on a node before its boot has ended,
    // nothing happens on a node whose shutdown has started.
    const targets: NodeId[] =
      a.kind === 'migrateVM' || a.kind === 'resumeVM' || a.kind === 'suspendVM' ? [a.to] : a.kind === 'bootVM' ? [a.node] : a.kind === 'bootNode' || a.kind === 'shutdownNode' ? [a.node] : [];
    for (const node of targets) {
      const nodeAction = this.nodeBusy.get(node);
      if (!nodeAction) continue;
      const name = model.nodeName(node);
      if (nodeAction.kind === 'bootNode') return `${name} is still booting (until ${formatTime(nodeAction.end)})`;
      return `${name} is shutting down (since ${formatTime(nodeAction.start)})`;
    }
    if (a.kind === 'shutdownNode' && model.mapping.isOnline(a.node)) {
      // Whatever is still under way on the node: a VM leaving or arriving, a VM shutting down...
      const pending = [...(this.onNode.get(a.node) ?? [])].sort((x, y) => x.end - y.end);
      const first = pending[0];
      if (first?.kind === 'migrateVM' && first.from === a.node) {
        return `${model.vmName(first.vm)} has not left it yet (${describeAction(model, first)} ends at ${formatTime(first.end)})`;
      }
      if (first) return `${describeAction(model, first)} is still under way on it (until ${formatTime(first.end)})`;
    }
    return actionPrecondition(model, a);
  }

  private end(a: Action, t: number): void {
    this.observer.beforeEnd?.(a, t, this.model);
    const m = this.model.mapping;
    const host = a.kind === 'bootNode' || a.kind === 'shutdownNode' || a.kind === 'forgeVM' ? undefined : m.isRunning(a.vm) ? m.host(a.vm) : undefined;
    this.unbook(a);
    // The VM's current consumption leaves its host when it stops running there.
    const leaves = host !== undefined && (a.kind === 'migrateVM' || a.kind === 'shutdownVM' || a.kind === 'suspendVM' || a.kind === 'killVM' || a.kind === 'allocate');
    if (leaves) this.addVm(host, a.vm, -1);
    try {
      applyActionEffect(this.model, a);
    } catch (e) {
      if (e instanceof MappingError) this.fail(t, `${formatTime(t)}: ${describeAction(this.model, a)} cannot end: ${e.message}`, a);
      throw e;
    }
    if (a.kind === 'migrateVM' || a.kind === 'resumeVM') this.addVm(a.to, a.vm, 1);
    else if (a.kind === 'bootVM') this.addVm(a.node, a.vm, 1);
    else if (a.kind === 'allocate' && host !== undefined) this.addVm(host, a.vm, 1);
    else if (a.kind === 'shutdownNode') this.load.set(a.node, new Float64Array(this.rcs.length));
    for (const e of a.hooks?.post ?? []) this.event(e, a, t);
    for (const node of this.touchedBy.get(a) ?? []) this.untouch(a, node);
    this.touchedBy.delete(a);
    if (a.kind === 'bootNode' || a.kind === 'shutdownNode') this.nodeBusy.delete(a.node);
    else {
      if (a.kind !== 'allocate') this.vmBusy.delete(a.vm);
      else {
        const busy = this.allocating.get(a.vm);
        const i = busy ? busy.indexOf(a) : -1;
        if (busy && i >= 0) busy.splice(i, 1);
        if (busy?.length === 0) this.allocating.delete(a.vm);
      }
    }
    this.observer.afterEnd?.(a, t, this.model);
  }

  // ---- capacities -------------------------------------------------------------------------------

  private checkDirty(t: number): void {
    for (const node of this.dirty) {
      const l = this.load.get(node);
      if (!l) continue;
      for (let i = 0; i < this.rcs.length; i++) {
        const r = this.rcs[i] as ShareableResource;
        const used = l[i] ?? 0;
        const cap = r.capacity(node);
        if (used > cap) this.overCapacity(node, r.id, used, cap, t);
      }
    }
    this.dirty.clear();
  }

  private overCapacity(node: NodeId, rc: string, used: number, cap: number, t: number): never {
    const model = this.model;
    const pending = [...(this.onNode.get(node) ?? [])].sort((x, y) => x.start - y.start || x.end - y.end);
    // The overload lasts at least until something leaves the node (arrivals ending change nothing).
    let until = Infinity;
    for (const a of pending) if (this.leaves(a, node) && a.end > t && a.end < until) until = a.end;
    const when = until === Infinity ? formatTime(t) : `${formatTime(t)} to ${formatTime(until)}`;
    const arriving = pending.filter((a) => !this.leaves(a, node));
    const leaving = pending.filter((a) => this.leaves(a, node));
    const reasons = [...arriving, ...leaving].map((a) => this.inFlightWords(a, node)).filter((s): s is string => s !== undefined);
    const shown = reasons.slice(0, 4);
    if (reasons.length > 4) shown.push(`${reasons.length - 4} more action(s) are under way`);
    const context = shown.length === 0 ? '' : ` while ${shown.length === 1 ? shown[0] : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`}`;
    const culprit = pending.find((a) => a.start === t) ?? pending[pending.length - 1];
    this.fail(t, `${when}: ${model.nodeName(node)} over '${rc}' capacity (${used} > ${cap})${context}`, culprit);
  }

  /** Whether the end of an in-flight action frees resources on the node. */
  private leaves(a: Action, node: NodeId): boolean {
    switch (a.kind) {
      case 'migrateVM':
      case 'suspendVM':
        return a.from === node;
      case 'shutdownVM':
      case 'killVM':
        return true;
      case 'allocate':
        return !this.bookings.has(a);
      default:
        return false;
    }
  }

  /** What an in-flight action does to a node, in words (`VM2 arrives`, `VM4 has not left yet`). */
  private inFlightWords(a: Action, node: NodeId): string | undefined {
    const vm = (id: VmId): string => this.model.vmName(id);
    switch (a.kind) {
      case 'migrateVM':
        return a.to === node ? `${vm(a.vm)} arrives` : `${vm(a.vm)} has not left yet`;
      case 'bootVM':
        return `${vm(a.vm)} boots`;
      case 'resumeVM':
        return a.to === node ? `${vm(a.vm)} resumes` : undefined;
      case 'shutdownVM':
        return `${vm(a.vm)} is still shutting down`;
      case 'suspendVM':
        return a.from === node ? `${vm(a.vm)} is still being suspended` : undefined;
      case 'killVM':
        return `${vm(a.vm)} is still being killed`;
      case 'allocate':
        return this.bookings.has(a) ? `${vm(a.vm)} gets more '${a.rc}'` : `${vm(a.vm)} has not released its '${a.rc}' yet`;
      default:
        return undefined;
    }
  }
}

