import type { NodeId } from '../model/elements.js';
import type { Model } from '../model/model.js';
import type { Instance, ObjectiveId } from './instance.js';

/** One resource over the whole cluster. */
export interface ResourceSummary {
  readonly id: string;
  /** Σ capacity of the online nodes (what the running VMs can use now). */
  readonly capacity: number;
  /** Σ capacity of the offline nodes (usable only after a boot). */
  readonly offlineCapacity: number;
  /** Σ consumption of the running VMs. */
  readonly demand: number;
  /** demand / capacity; undefined when the capacity is 0. */
  readonly utilisation: number | undefined;
}

export interface NodeResourceLoad {
  readonly rc: string;
  readonly usage: number;
  readonly capacity: number;
}

/** An online node and how full it is. */
export interface NodeLoad {
  readonly node: NodeId;
  readonly name: string;
  readonly runningVMs: number;
  readonly loads: readonly NodeResourceLoad[];
  /** The highest usage / capacity ratio over the resources (Infinity: usage on a 0 capacity). */
  readonly peak: number;
}

export interface ConstraintCount {
  readonly id: string;
  readonly continuous: number;
  readonly discrete: number;
}

/** What `ferry show` prints, as data (the console shows the same). */
export interface InstanceSummary {
  readonly nodes: { readonly total: number; readonly online: number; readonly offline: number };
  readonly vms: { readonly total: number; readonly running: number; readonly sleeping: number; readonly ready: number; readonly init: number };
  readonly resources: readonly ResourceSummary[];
  /** Online nodes, most loaded first. */
  readonly mostLoaded: readonly NodeLoad[];
  /** Online nodes whose usage exceeds a capacity: BtrPlace refuses to plan from such a state. */
  readonly overloaded: readonly NodeLoad[];
  readonly constraints: { readonly total: number; readonly continuous: number; readonly discrete: number; readonly byId: readonly ConstraintCount[] };
  readonly objective: ObjectiveId;
}

export function summarizeInstance(instance: Instance, options: { top?: number } = {}): InstanceSummary {
  const model = instance.model;
  const mapping = model.mapping;
  const online = mapping.onlineNodes();
  const offline = mapping.offlineNodes();
  const running = mapping.allRunningVMs().length;
  const sleeping = mapping.allSleepingVMs().length;
  const ready = mapping.readyVMs().length;
  let init = 0;
  for (const vm of model.knownVMs()) if (!mapping.hasVM(vm) && !model.killedVMs.has(vm)) init++;

  const resources: ResourceSummary[] = [];
  for (const rc of model.resources.values()) {
    let capacity = 0;
    let demand = 0;
    for (const node of online) {
      capacity += rc.capacity(node);
      demand += rc.sumConsumption(mapping.runningVMs(node));
    }
    let offlineCapacity = 0;
    for (const node of offline) offlineCapacity += rc.capacity(node);
    resources.push({ id: rc.id, capacity, offlineCapacity, demand, utilisation: capacity > 0 ? demand / capacity : undefined });
  }

  const loads = online.map((node) => nodeLoad(model, node));
  const overloaded = loads.filter((l) => l.loads.some((r) => r.usage > r.capacity));
  const ranked = [...loads].sort((a, b) => b.peak - a.peak || b.runningVMs - a.runningVMs || a.node - b.node);

  const byId = new Map<string, { continuous: number; discrete: number }>();
  let continuous = 0;
  for (const c of instance.constraints) {
    let count = byId.get(c.id);
    if (!count) {
      count = { continuous: 0, discrete: 0 };
      byId.set(c.id, count);
    }
    if (c.continuous) {
      count.continuous++;
      continuous++;
    } else count.discrete++;
  }

  return {
    nodes: { total: online.length + offline.length, online: online.length, offline: offline.length },
    vms: { total: running + sleeping + ready + init, running, sleeping, ready, init },
    resources,
    mostLoaded: ranked.slice(0, Math.max(0, options.top ?? 5)),
    overloaded,
    constraints: {
      total: instance.constraints.length,
      continuous,
      discrete: instance.constraints.length - continuous,
      byId: [...byId].map(([id, n]) => ({ id, ...n })).sort((a, b) => b.continuous + b.discrete - (a.continuous + a.discrete) || a.id.localeCompare(b.id)),
    },
    objective: instance.objective.id,
  };
}

function nodeLoad(model: Model, node: NodeId): NodeLoad {
  const vms = model.mapping.runningVMs(node);
  const loads: NodeResourceLoad[] = [];
  let peak = 0;
  for (const rc of model.resources.values()) {
    const usage = rc.sumConsumption(vms);
    const capacity = rc.capacity(node);
    loads.push({ rc: rc.id, usage, capacity });
    const ratio = capacity > 0 ? usage / capacity : usage > 0 ? Infinity : 0;
    if (ratio > peak) peak = ratio;
  }
  return { node, name: model.nodeName(node), runningVMs: vms.size, loads, peak };
}
