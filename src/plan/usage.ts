import type { NodeId, VmId } from '../model/index.js';
import type { Action } from './actions.js';
import type { Plan } from './plan.js';
import { planDuration } from './plan.js';

/**
 * Each node's use of each resource across a plan, as a step function, with the same slice
 * semantics as the replay and the checker (btrplace-semantics.md §3.3): a VM holds its consumption
 * on its host until the end of the action that takes it away (c-slice) and on its next host from
 * the start of the action that brings it there (d-slice), so a migrating VM counts on both.
 * Sleeping VMs consume nothing. An `allocate` that raises an amount books it from its start, one
 * that lowers it at its end (the resize's own hooks are not modelled: the curve is for people).
 *
 * Capacities are the model's (physical): an operator compares use with what the host has.
 */

export interface UsagePoint {
  /** Seconds from the start of the plan. */
  readonly t: number;
  /** Use from `t` until the next point's `t` (or the end of the plan). */
  readonly used: number;
}

export interface UsageCurve {
  readonly node: NodeId;
  readonly rc: string;
  readonly capacity: number;
  /** Starts at t = 0; one point per instant the use changes. */
  readonly points: readonly UsagePoint[];
  /** The highest use at any instant, and the first instant it is reached. */
  readonly peak: number;
  readonly peakAt: number;
  /** The least room left at any instant (capacity − peak; negative when overloaded). */
  readonly minHeadroom: number;
}

interface Slice {
  readonly vm: VmId;
  readonly node: NodeId;
  readonly from: number;
  /** Infinity: held past the end of the plan. */
  readonly to: number;
}

interface AmountChange {
  readonly at: number;
  readonly vm: VmId;
  readonly rc: string;
  readonly amount: number;
}

/**
 * The use curves of every node known to the plan's origin, for every resource (declaration order).
 * A VM no action touches holds the same amount on its host throughout: it is summed once per node
 * (a what-if on 40,000 VMs moves a few dozen), and only the VMs the plan acts on are followed.
 */
export function usageOverTime(plan: Plan): UsageCurve[] {
  const origin = plan.origin;
  const acted = vmsActedOn(plan);
  const slices = hostingSlices(plan, acted);
  const changes = amountChanges(plan);
  const byNode = new Map<NodeId, Slice[]>();
  for (const s of slices) {
    const list = byNode.get(s.node);
    if (list) list.push(s);
    else byNode.set(s.node, [s]);
  }
  const nodes = [...origin.mapping.nodes()].sort((a, b) => a - b);
  const end = planDuration(plan);
  const curves: UsageCurve[] = [];
  for (const node of nodes) {
    const nodeSlices = byNode.get(node) ?? [];
    const still = [...origin.mapping.runningVMs(node)].filter((vm) => !acted.has(vm));
    for (const resource of origin.resources.values()) {
      const amount = (vm: VmId, t: number): number => amountAt(changes, resource.id, vm, t, resource.consumption(vm));
      let held = 0;
      for (const vm of still) held += resource.consumption(vm);
      const instants = new Set<number>([0]);
      for (const s of nodeSlices) {
        if (s.from <= end) instants.add(s.from);
        if (Number.isFinite(s.to) && s.to <= end) instants.add(s.to);
      }
      for (const c of changes) if (c.rc === resource.id && c.at <= end) instants.add(c.at);
      const points: UsagePoint[] = [];
      for (const t of [...instants].sort((a, b) => a - b)) {
        let used = held;
        for (const s of nodeSlices) if (s.from <= t && t < s.to) used += amount(s.vm, t);
        // consecutive instants with the same use are one step
        if (points.at(-1)?.used !== used) points.push({ t, used });
      }
      curves.push(curveOf(node, resource.id, resource.capacity(node), points));
    }
  }
  return curves;
}

function curveOf(node: NodeId, rc: string, capacity: number, points: readonly UsagePoint[]): UsageCurve {
  let peak = 0;
  let peakAt = 0;
  for (const p of points) {
    if (p.used > peak) {
      peak = p.used;
      peakAt = p.t;
    }
  }
  return { node, rc, capacity, points, peak, peakAt, minHeadroom: capacity - peak };
}

/** The use a curve gives at instant `t` (the last point at or before it). */
export function usageAt(curve: UsageCurve, t: number): number {
  let used = 0;
  for (const p of curve.points) {
    if (p.t > t) break;
    used = p.used;
  }
  return used;
}

/** The VMs some action of the plan is about. */
function vmsActedOn(plan: Plan): Set<VmId> {
  const vms = new Set<VmId>();
  for (const a of plan.actions) if (a.kind !== 'bootNode' && a.kind !== 'shutdownNode') vms.add(a.vm);
  return vms;
}

/**
 * Where each VM of `acted` holds resources: its origin host until it leaves, each destination from
 * the start of the action bringing it.
 */
function hostingSlices(plan: Plan, acted: ReadonlySet<VmId>): Slice[] {
  const mapping = plan.origin.mapping;
  const byVm = new Map<VmId, Action[]>();
  for (const a of plan.actions) {
    if (a.kind === 'bootNode' || a.kind === 'shutdownNode') continue;
    const list = byVm.get(a.vm);
    if (list) list.push(a);
    else byVm.set(a.vm, [a]);
  }
  const slices: Slice[] = [];
  for (const vm of acted) {
    const actions = [...(byVm.get(vm) ?? [])].sort((a, b) => a.start - b.start || a.end - b.end);
    let current: { node: NodeId; from: number } | null = mapping.isRunning(vm) ? { node: mapping.host(vm) as NodeId, from: 0 } : null;
    const close = (to: number): void => {
      if (current) slices.push({ vm, node: current.node, from: current.from, to });
      current = null;
    };
    for (const a of actions) {
      switch (a.kind) {
        case 'migrateVM':
          close(a.end);
          current = { node: a.to, from: a.start };
          break;
        case 'bootVM':
          current = { node: a.node, from: a.start };
          break;
        case 'resumeVM':
          current = { node: a.to, from: a.start };
          break;
        case 'shutdownVM':
        case 'suspendVM':
        case 'killVM':
          close(a.end);
          break;
        default:
          break;
      }
    }
    close(Infinity);
  }
  return slices;
}

/** Resizes in time order: a rise from the action's start, a fall at its end. */
function amountChanges(plan: Plan): AmountChange[] {
  const sorted = [...plan.actions].sort((a, b) => a.start - b.start || a.end - b.end);
  const current = new Map<string, number>();
  const changes: AmountChange[] = [];
  for (const a of sorted) {
    if (a.kind !== 'allocate') continue;
    const key = JSON.stringify([a.vm, a.rc]);
    const before = current.get(key) ?? plan.origin.resource(a.rc)?.consumption(a.vm) ?? 0;
    changes.push({ at: a.amount >= before ? a.start : a.end, vm: a.vm, rc: a.rc, amount: a.amount });
    current.set(key, a.amount);
  }
  return changes;
}

function amountAt(changes: readonly AmountChange[], rc: string, vm: VmId, t: number, initial: number): number {
  let amount = initial;
  for (const c of changes) if (c.vm === vm && c.rc === rc && c.at <= t) amount = c.amount;
  return amount;
}
