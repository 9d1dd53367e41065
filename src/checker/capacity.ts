import type { Model, NodeId, VmId } from '../model/index.js';
import type { Action } from '../plan/actions.js';
import type { Plan } from '../plan/plan.js';

/**
 * Where a plan overloads a node, instant by instant, with BtrPlace's slice semantics (semantics
 * §3.3): a VM holds its resources on its current host until the end of the action that takes it
 * away (c-slice) and on its next host from the start of the action that brings it there (d-slice),
 * so a migrating VM is counted on both nodes. A slice `[from, to)` holds at the instants
 * `from <= x < to`: an action ending at t and another starting at t never overlap. Sleeping VMs
 * consume nothing.
 *
 * Consumption changes (as the replay books them): an `allocate` action that raises a VM's amount
 * books the new amount from its start, one that lowers it keeps the old amount until its end; an
 * `allocateEvent` hooked before a boot/resume applies from the action start; one hooked after a
 * migration applies on the destination from the start (the d-slice books the future amount) and
 * everywhere from its end.
 *
 * The replay is the authority on whether a plan breaks a capacity; this profile only gives the
 * extent (interval, VMs, actions) of what the replay found, and keeps finding the later overloads
 * the replay stops before.
 */
export interface Overload {
  readonly node: NodeId;
  readonly rc: string;
  readonly capacity: number;
  /** the highest usage seen over the interval */
  readonly peak: number;
  readonly from: number;
  /** first instant the node fits again; null when it never does */
  readonly to: number | null;
  /** VMs holding the resource on the node during the overload */
  readonly vms: readonly VmId[];
  /** actions moving a VM onto or off the node (or resizing one there) during the overload */
  readonly actions: readonly Action[];
}

interface Slice {
  readonly vm: VmId;
  readonly node: NodeId;
  readonly from: number;
  readonly to: number; // Infinity: held until after the plan
}

/** A VM's amount of one resource changes to `amount` at `at` (on `node` only, when given). */
interface AmountChange {
  readonly at: number;
  readonly vm: VmId;
  readonly rc: string;
  readonly amount: number;
  readonly node?: NodeId;
}

export function findOverloads(plan: Plan): Overload[] {
  const origin = plan.origin;
  const { slices, sliceActions } = hostingSlices(plan);
  const changes = amountChanges(plan);
  const overloads: Overload[] = [];
  const slicesByNode = new Map<NodeId, Slice[]>();
  for (const s of slices) {
    const list = slicesByNode.get(s.node) ?? [];
    list.push(s);
    slicesByNode.set(s.node, list);
  }
  const resized = new Set(changes.map((c) => `${c.vm}/${c.rc}`));
  for (const [node, nodeSlices] of slicesByNode) {
    // most nodes of a cluster see no action: held all along by VMs whose amounts never change
    const steady = nodeSlices.every((s) => s.from === 0 && s.to === Infinity);
    for (const resource of origin.resources.values()) {
      const capacity = resource.capacity(node);
      if (steady && (resized.size === 0 || !nodeSlices.some((s) => resized.has(`${s.vm}/${resource.id}`)))) {
        let usage = 0;
        for (const s of nodeSlices) usage += resource.consumption(s.vm);
        if (usage <= capacity) continue; // no overload: the general way below finds none either
      }
      const vmsHere = new Set(nodeSlices.map((s) => s.vm));
      const relevantChanges = changes.filter((c) => c.rc === resource.id && vmsHere.has(c.vm));
      const instants = new Set<number>([0]);
      for (const s of nodeSlices) {
        instants.add(s.from);
        if (Number.isFinite(s.to)) instants.add(s.to);
      }
      for (const c of relevantChanges) instants.add(c.at);
      const sorted = [...instants].sort((a, b) => a - b);
      let open: { from: number; peak: number; vms: Set<VmId> } | null = null;
      const close = (to: number | null): void => {
        if (!open) return;
        const { from, peak, vms } = open;
        // the node's own slices, in the order they were made (a cluster has tens of thousands)
        const actions = nodeSlices
          .filter((s) => vms.has(s.vm) && s.from < (to ?? Infinity) && s.to > from)
          .flatMap((s) => sliceActions.get(s) ?? [])
          .filter((a) => a.start < (to ?? Infinity) && (a.end > from || a.start >= from));
        overloads.push({ node, rc: resource.id, capacity, peak, from, to, vms: [...vms], actions: unique(actions) });
        open = null;
      };
      for (const t of sorted) {
        let usage = 0;
        const holders: VmId[] = [];
        for (const s of nodeSlices) {
          if (s.from <= t && t < s.to) {
            usage += amountAt(origin, resource.id, s.vm, node, t, relevantChanges);
            holders.push(s.vm);
          }
        }
        if (usage > capacity) {
          if (!open) open = { from: t, peak: usage, vms: new Set(holders) };
          else {
            open.peak = Math.max(open.peak, usage);
            for (const v of holders) open.vms.add(v);
          }
        } else close(t);
      }
      close(null);
    }
  }
  return overloads.sort((a, b) => a.from - b.from || a.node - b.node || (a.rc < b.rc ? -1 : a.rc > b.rc ? 1 : 0));
}

/** Does an overload cover instant `t`? */
export function covers(o: Overload, t: number): boolean {
  return o.from <= t && (o.to === null || t < o.to);
}

function amountAt(origin: Model, rc: string, vm: VmId, node: NodeId, t: number, changes: readonly AmountChange[]): number {
  let amount = origin.resource(rc)?.consumption(vm) ?? 0;
  let at = -Infinity;
  for (const c of changes) {
    if (c.vm === vm && c.at <= t && c.at >= at && (c.node === undefined || c.node === node)) {
      amount = c.amount;
      at = c.at;
    }
  }
  return amount;
}

/**
 * Per VM, where it holds resources and which actions open or close each slice (in the order the
 * slices were made; a slice with no action has no entry).
 */
function hostingSlices(plan: Plan): { slices: Slice[]; sliceActions: Map<Slice, Action[]> } {
  const mapping = plan.origin.mapping;
  const byVm = new Map<VmId, Action[]>();
  for (const a of plan.actions) {
    if (a.kind === 'bootNode' || a.kind === 'shutdownNode') continue;
    const list = byVm.get(a.vm) ?? [];
    list.push(a);
    byVm.set(a.vm, list);
  }
  const slices: Slice[] = [];
  const sliceActions = new Map<Slice, Action[]>();
  // the running VMs, then the others the plan acts on (no set of every VM: tens of thousands)
  const vms = mapping.allRunningVMs();
  for (const vm of byVm.keys()) if (!mapping.isRunning(vm)) vms.push(vm);
  for (const vm of vms) {
    const own = byVm.get(vm);
    const host = mapping.isRunning(vm) ? mapping.host(vm) : undefined;
    if (!own) {
      // most VMs of a cluster stay put: held on their host all along, no action involved
      if (host !== undefined) slices.push({ vm, node: host, from: 0, to: Infinity });
      continue;
    }
    const actions = [...own].sort((a, b) => a.start - b.start || a.end - b.end);
    // the slice being built: the VM's current host since `from`, and the actions that shaped it
    const state: { current: { node: NodeId; from: number; actions: Action[] } | null } = {
      current: host === undefined ? null : { node: host, from: 0, actions: [] },
    };
    const closeAt = (to: number, closing: Action[]): void => {
      const c = state.current;
      if (!c) return;
      const s: Slice = { vm, node: c.node, from: c.from, to };
      slices.push(s);
      sliceActions.set(s, [...c.actions, ...closing]);
      state.current = null;
    };
    for (const a of actions) {
      switch (a.kind) {
        case 'migrateVM':
          closeAt(a.end, [a]);
          state.current = { node: a.to, from: a.start, actions: [a] };
          break;
        case 'bootVM':
          state.current = { node: a.node, from: a.start, actions: [a] };
          break;
        case 'resumeVM':
          state.current = { node: a.to, from: a.start, actions: [a] };
          break;
        case 'shutdownVM':
        case 'suspendVM':
        case 'killVM':
          closeAt(a.end, [a]);
          break;
        case 'allocate':
          state.current?.actions.push(a);
          break;
        default:
          break;
      }
    }
    closeAt(Infinity, []);
  }
  return { slices, sliceActions };
}

function amountChanges(plan: Plan): AmountChange[] {
  const changes: AmountChange[] = [];
  const origin = plan.origin;
  // Allocations of one VM apply in time order; each compares with the amount before it.
  const sorted = [...plan.actions].sort((a, b) => a.start - b.start || a.end - b.end);
  const current = new Map<string, number>();
  const amountOf = (vm: VmId, rc: string): number => current.get(`${vm}/${rc}`) ?? origin.resource(rc)?.consumption(vm) ?? 0;
  for (const a of sorted) {
    for (const e of a.hooks?.pre ?? []) {
      if (e.kind !== 'allocateEvent') continue;
      changes.push({ at: a.start, vm: e.vm, rc: e.rc, amount: e.amount });
      current.set(`${e.vm}/${e.rc}`, e.amount);
    }
    if (a.kind === 'allocate') {
      const before = amountOf(a.vm, a.rc);
      changes.push({ at: a.amount >= before ? a.start : a.end, vm: a.vm, rc: a.rc, amount: a.amount });
      current.set(`${a.vm}/${a.rc}`, a.amount);
    }
    for (const e of a.hooks?.post ?? []) {
      if (e.kind !== 'allocateEvent') continue;
      // a migrating VM books its future amount on its destination from the start (d-slice)
      if (a.kind === 'migrateVM' && e.vm === a.vm) changes.push({ at: a.start, vm: e.vm, rc: e.rc, amount: e.amount, node: a.to });
      changes.push({ at: a.end, vm: e.vm, rc: e.rc, amount: e.amount });
      current.set(`${e.vm}/${e.rc}`, e.amount);
    }
  }
  return changes;
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
