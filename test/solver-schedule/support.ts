import { expect } from 'vitest';

import type { Constraint } from '../../src/catalogue/constraint.js';
import { Model, NamingService, type NodeId, type NodeState, ShareableResource, type VmId, type VmState } from '../../src/model/index.js';
import type { Action } from '../../src/plan/actions.js';
import type { Plan } from '../../src/plan/plan.js';
import { replay } from '../../src/plan/replay.js';
import { type ScheduleOptions, type ScheduleResult, type ScheduleStats, schedule } from '../../src/solver/schedule/index.js';
import type { Target } from '../../src/solver/target.js';

/**
 * Small named clusters for scheduler tests: `VM<n>` has id n, `N<n>` has id n.
 */
export interface ClusterSpec {
  /** online node → running VMs */
  readonly on: Readonly<Record<string, readonly string[]>>;
  readonly off?: readonly string[];
  readonly ready?: readonly string[];
  readonly sleeping?: Readonly<Record<string, readonly string[]>>;
  /** resource → capacity (default or per node) and consumption (default or per VM) */
  readonly rc?: Readonly<Record<string, { readonly cap: number | Readonly<Record<string, number>>; readonly cons: number | Readonly<Record<string, number>> }>>;
  /** element attributes, e.g. { VM2: { migrate: 2 } } */
  readonly attrs?: Readonly<Record<string, Readonly<Record<string, number | boolean | string>>>>;
}

export function id(name: string): number {
  const m = /(\d+)$/.exec(name);
  if (!m?.[1]) throw new Error(`no id in ${name}`);
  return Number(m[1]);
}

export function cluster(spec: ClusterSpec): Model {
  const model = new Model({ vmNames: new NamingService('vm'), nodeNames: new NamingService('node') });
  const vm = (name: string): number => {
    model.vmNames?.register(name, id(name));
    return id(name);
  };
  const node = (name: string): number => {
    model.nodeNames?.register(name, id(name));
    return id(name);
  };
  for (const [n, vms] of Object.entries(spec.on)) {
    model.mapping.addOnlineNode(node(n));
    for (const v of vms) model.mapping.addRunningVM(vm(v), id(n));
  }
  for (const n of spec.off ?? []) model.mapping.addOfflineNode(node(n));
  for (const [n, vms] of Object.entries(spec.sleeping ?? {})) for (const v of vms) model.mapping.addSleepingVM(vm(v), node(n));
  for (const v of spec.ready ?? []) model.mapping.addReadyVM(vm(v));
  for (const [rcId, r] of Object.entries(spec.rc ?? {})) {
    const res = new ShareableResource(rcId, typeof r.cap === 'number' ? r.cap : 0, typeof r.cons === 'number' ? r.cons : 0);
    if (typeof r.cap !== 'number') for (const [n, c] of Object.entries(r.cap)) res.setCapacity(id(n), c);
    if (typeof r.cons !== 'number') for (const [v, c] of Object.entries(r.cons)) res.setConsumption(id(v), c);
    model.addResource(res);
  }
  for (const [name, attrs] of Object.entries(spec.attrs ?? {})) {
    const kind = name.startsWith('VM') ? 'vm' : 'node';
    for (const [k, v] of Object.entries(attrs)) model.attributes.put(kind, id(name), k, v);
  }
  return model;
}

export interface TargetSpec {
  /** VM → node name (running there), or a state for hostless states */
  readonly vms?: Readonly<Record<string, string | { state: VmState; on?: string }>>;
  readonly nodes?: Readonly<Record<string, NodeState>>;
  readonly consumption?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export function target(spec: TargetSpec): Target {
  const vms = new Map<VmId, { state: VmState; host: NodeId | null }>();
  for (const [v, t] of Object.entries(spec.vms ?? {})) {
    if (typeof t === 'string') vms.set(id(v), { state: 'running', host: id(t) });
    else vms.set(id(v), { state: t.state, host: t.on === undefined ? null : id(t.on) });
  }
  const nodes = new Map<NodeId, NodeState>();
  for (const [n, s] of Object.entries(spec.nodes ?? {})) nodes.set(id(n), s);
  const consumption = new Map<VmId, Map<string, number>>();
  for (const [v, byRc] of Object.entries(spec.consumption ?? {})) consumption.set(id(v), new Map(Object.entries(byRc)));
  return { vms, nodes, consumption };
}

/** Builds a constraint the way the catalogue's JSON form gives it. */
export function cstr(cid: string, args: Record<string, unknown>, continuous = true): Constraint {
  return { id: cid, continuous, args };
}

export function ok(result: ScheduleResult): { plan: Plan; stats: ScheduleStats } {
  if (!result.ok) throw new Error(`expected a plan, got: ${result.reason}`);
  return result;
}

export function run(origin: Model, t: Target, constraints: Constraint[] = [], options: ScheduleOptions = {}): { plan: Plan; stats: ScheduleStats } {
  const out = ok(schedule(origin, t, constraints, options));
  assertSound(out.plan, t, options.maxConcurrentMigrationsPerHost ?? 2);
  return out;
}

/** The only action of a VM of a given kind. */
export function actionOf(plan: Plan, vm: string, kind: Action['kind'] = 'migrateVM'): Action {
  const found = plan.actions.filter((a) => a.kind === kind && 'vm' in a && a.vm === id(vm));
  expect(found, `${kind} of ${vm}`).toHaveLength(1);
  return found[0] as Action;
}
export function nodeAction(plan: Plan, node: string, kind: 'bootNode' | 'shutdownNode'): Action {
  const found = plan.actions.filter((a) => a.kind === kind && a.node === id(node));
  expect(found, `${kind} of ${node}`).toHaveLength(1);
  return found[0] as Action;
}

/**
 * Everything a scheduled plan must satisfy: the colleague's replay (preconditions, c/d slices,
 * capacities at every instant), our own independent capacity sweep, at most `k` migrations per
 * host at once, and a final model equal to the target.
 */
export function assertSound(plan: Plan, t: Target, k: number): void {
  const r = replay(plan);
  if (!r.ok) throw new Error(`replay failed: ${r.problem.message}`);
  expect(capacityProblems(plan)).toEqual([]);
  expect(maxMigrationsPerHost(plan)).toBeLessThanOrEqual(k);
  expect(targetMismatches(r.result, plan.origin, t)).toEqual([]);
}

export function targetMismatches(result: Model, origin: Model, t: Target): string[] {
  const out: string[] = [];
  for (const v of new Set([...origin.mapping.vms(), ...t.vms.keys()])) {
    const want = t.vms.get(v) ?? { state: origin.vmState(v), host: origin.mapping.host(v) ?? null };
    const state = result.vmState(v);
    const host = result.mapping.host(v) ?? null;
    if (state !== want.state || host !== want.host) out.push(`${origin.vmName(v)}: ${state}@${host} instead of ${want.state}@${want.host}`);
  }
  for (const n of origin.mapping.nodes()) {
    const want = t.nodes.get(n) ?? origin.mapping.nodeState(n);
    if (result.mapping.nodeState(n) !== want) out.push(`${origin.nodeName(n)}: ${result.mapping.nodeState(n)} instead of ${want}`);
  }
  for (const [v, byRc] of t.consumption) {
    for (const [rc, amount] of byRc) {
      const got = result.resource(rc)?.consumption(v);
      if (got !== amount) out.push(`${origin.vmName(v)} ${rc}: ${got} instead of ${amount}`);
    }
  }
  return out;
}

/** Most migrations touching one host at the same instant (intervals are half-open [start, end)). */
export function maxMigrationsPerHost(plan: Plan): number {
  const events: { time: number; node: number; delta: number }[] = [];
  for (const a of plan.actions) {
    if (a.kind !== 'migrateVM' || a.end === a.start) continue;
    for (const node of [a.from, a.to]) {
      events.push({ time: a.start, node, delta: 1 }, { time: a.end, node, delta: -1 });
    }
  }
  events.sort((x, y) => x.time - y.time || x.delta - y.delta);
  const now = new Map<number, number>();
  let worst = 0;
  for (const e of events) {
    const c = (now.get(e.node) ?? 0) + e.delta;
    now.set(e.node, c);
    if (c > worst) worst = c;
  }
  return worst;
}

/**
 * An independent sweep of c-slices and d-slices: a migration books its destination from its
 * start and frees its source at its end; boots and resumes book from the start; shutdowns,
 * suspends and kills free at the end; allocations book growth from the start and free shrinkage
 * at the end. Ends come before starts at the same instant.
 */
export function capacityProblems(plan: Plan): string[] {
  const origin = plan.origin;
  const rcs = [...origin.resources.values()];
  const load = new Map<string, number>();
  const key = (node: number, rc: string): string => `${node}|${rc}`;
  const add = (node: number, rc: string, amount: number): void => {
    load.set(key(node, rc), (load.get(key(node, rc)) ?? 0) + amount);
  };
  for (const n of origin.mapping.onlineNodes()) for (const v of origin.mapping.runningVMs(n)) for (const r of rcs) add(n, r.id, r.consumption(v));
  const after = (a: Action, vm: number, rc: string): number => {
    for (const e of [...(a.hooks?.pre ?? []), ...(a.hooks?.post ?? [])]) if (e.kind === 'allocateEvent' && e.vm === vm && e.rc === rc) return e.amount;
    return origin.resource(rc)?.consumption(vm) ?? 0;
  };
  type Ev = { time: number; isEnd: boolean; apply: () => void };
  const evs: Ev[] = [];
  for (const a of plan.actions) {
    for (const r of rcs) {
      switch (a.kind) {
        case 'migrateVM':
          evs.push({ time: a.start, isEnd: false, apply: () => add(a.to, r.id, after(a, a.vm, r.id)) });
          evs.push({ time: a.end, isEnd: true, apply: () => add(a.from, r.id, -(origin.resource(r.id)?.consumption(a.vm) ?? 0)) });
          break;
        case 'bootVM':
          evs.push({ time: a.start, isEnd: false, apply: () => add(a.node, r.id, after(a, a.vm, r.id)) });
          break;
        case 'resumeVM':
          evs.push({ time: a.start, isEnd: false, apply: () => add(a.to, r.id, after(a, a.vm, r.id)) });
          break;
        case 'shutdownVM':
        case 'suspendVM':
        case 'killVM': {
          const node = a.kind === 'suspendVM' ? a.from : a.node;
          if (node !== null && origin.mapping.isRunning(a.vm)) evs.push({ time: a.end, isEnd: true, apply: () => add(node, r.id, -r.consumption(a.vm)) });
          break;
        }
        case 'allocate':
          if (a.rc === r.id) {
            const delta = a.amount - r.consumption(a.vm);
            if (delta > 0) evs.push({ time: a.start, isEnd: false, apply: () => add(a.node, r.id, delta) });
            else evs.push({ time: a.end, isEnd: true, apply: () => add(a.node, r.id, delta) });
          }
          break;
        default:
          break;
      }
    }
  }
  evs.sort((x, y) => x.time - y.time || Number(y.isEnd) - Number(x.isEnd));
  const problems: string[] = [];
  for (let i = 0; i < evs.length; ) {
    const t = (evs[i] as Ev).time;
    for (; i < evs.length && (evs[i] as Ev).time === t; i++) (evs[i] as Ev).apply();
    for (const [k, used] of load) {
      const [node, rc] = k.split('|') as [string, string];
      const cap = origin.resource(rc)?.capacity(Number(node)) ?? 0;
      if (used > cap) problems.push(`${t}: ${origin.nodeName(Number(node))} ${rc} ${used} > ${cap}`);
    }
  }
  return problems;
}
