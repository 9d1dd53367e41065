import type { Constraint } from '../../src/catalogue/constraint.js';
import { withOverbooking } from '../../src/checker/overbooking.js';
import type { PlanResultWire } from '../../src/contract/events.js';
import { parseScript } from '../../src/dsl/script.js';
import { decodePlan } from '../../src/contract/wire.js';
import { MEMORY_RESOURCES, stepsFromPlan } from '../../src/executor/steps.js';
import type { Step } from '../../src/executor/types.js';
import type { Model, NodeId, VmId } from '../../src/model/index.js';
import type { Plan } from '../../src/plan/plan.js';
import { planDuration } from '../../src/plan/plan.js';
import { applyActionEffect } from '../../src/plan/replay.js';

/**
 * A computed plan as the plan screen shows it: the decoded plan, its steps (the executor's own
 * steps, so ids and dependencies are the ones a run will have), the hosts in model order, and the
 * placement before and after. Built once per result (it decodes and replays the plan), then
 * shared by the Gantt, the placement map and the usage curves.
 */
export interface PlanView {
  readonly plan: Plan;
  /**
   * The plan over an origin whose capacities are the ones it was planned against: the physical
   * ones times the script's `overbook` ratios (the resource curves compare use with these).
   */
  readonly capacityPlan: Plan;
  /** True when some capacity is an overbooked one. */
  readonly overbooked: boolean;
  readonly steps: readonly Step[];
  /** Host names, one Gantt lane each, in the model's node order. */
  readonly hosts: readonly string[];
  readonly durationSeconds: number;
  readonly before: Placement;
  readonly after: Placement;
  /** Names of the VMs whose host differs between before and after. */
  readonly moved: ReadonlySet<string>;
  /** Why a step is there, where the plan's structure says it (a host going offline). */
  readonly reasons: ReadonlyMap<string, string>;
}

export interface PlacedVm {
  readonly name: string;
  readonly memoryMiB: number;
}

export interface PlacedHost {
  readonly name: string;
  readonly online: boolean;
  readonly memoryCapacityMiB: number;
  readonly vms: readonly PlacedVm[];
}

export type Placement = readonly PlacedHost[];

export type PlanViewResult = { readonly ok: true; readonly view: PlanView } | { readonly ok: false; readonly message: string };

/** A result's plan decoded, with its steps: once per result (decoding a 40,000-VM origin is the slow part). */
export type DecodedPlan = { readonly ok: true; readonly plan: Plan; readonly steps: readonly Step[] } | { readonly ok: false; readonly message: string };

const decoded = new WeakMap<Pick<PlanResultWire, 'plan' | 'stepIds'>, DecodedPlan>();

/**
 * The result's plan and steps, decoded on first use and then shared by every view of the same
 * result (the screen, the comparison, the rehearsal's fault targets); null without a plan.
 */
export function decodedPlanOf(result: Pick<PlanResultWire, 'plan' | 'stepIds'>): DecodedPlan | null {
  if (result.plan === null) return null;
  const known = decoded.get(result);
  if (known) return known;
  const read = decodePlan(result.plan, '$.plan');
  const value: DecodedPlan = read.ok ? { ok: true, plan: read.value, steps: withIds(stepsFromPlan(read.value), result.stepIds) } : { ok: false, message: `${read.error.path}: ${read.error.message}` };
  decoded.set(result, value);
  return value;
}

/**
 * `script` is the script the plan was computed under and `constraints` the instance's own (an
 * instance file's): their overbook ratios give the capacities the plan keeps.
 */
export function planViewOf(result: Pick<PlanResultWire, 'plan' | 'stepIds'>, script = '', constraints: readonly Constraint[] = []): PlanViewResult | null {
  const read = decodedPlanOf(result);
  if (read === null) return null;
  if (!read.ok) return read;
  const { plan, steps } = read;
  const before = placementOf(plan.origin);
  const after = placementOf(endState(plan));
  const scripted = script.trim() === '' ? [] : parseScript(script, { model: plan.origin }).constraints;
  const overbooked = withOverbooking(plan, [...constraints, ...scripted]);
  return {
    ok: true,
    view: { plan, capacityPlan: overbooked ?? plan, overbooked: overbooked !== undefined, steps, hosts: before.map((h) => h.name), durationSeconds: planDuration(plan), before, after, moved: movedVms(before, after), reasons: reasonsOf(steps, after) },
  };
}

/**
 * Where everything is once the plan is done: each action's effect applied in order of end. Not a
 * replay: the checker already accepted the plan, and capacities here would be the physical ones,
 * not the overbooked ones the plan was made under.
 */
function endState(plan: Plan): Model {
  const model = plan.origin.clone();
  const byEnd = [...plan.actions].sort((a, b) => a.end - b.end || a.start - b.start);
  for (const a of byEnd) {
    try {
      applyActionEffect(model, a);
    } catch {
      // an action the mapping refuses (a plan of another origin): the map shows what it could apply
    }
  }
  return model;
}

/** The wire's step ids when they are given (a re-plan's ids need not be s1…). */
function withIds(steps: readonly Step[], ids: readonly string[]): Step[] {
  if (ids.length !== steps.length) return [...steps];
  const rename = new Map(steps.map((s, i) => [s.id, ids[i] ?? s.id]));
  return steps.map((s) => ({ ...s, id: rename.get(s.id) ?? s.id, dependsOn: s.dependsOn.map((d) => rename.get(d) ?? d) }));
}

function memoryOf(model: Model): { capacity(node: NodeId): number; consumption(vm: VmId): number } {
  for (const id of MEMORY_RESOURCES) {
    const r = model.resource(id);
    if (r) return r;
  }
  return { capacity: () => 0, consumption: () => 0 };
}

/** Every host with its running VMs, largest first (ties by name, so the map is stable). */
export function placementOf(model: Model): Placement {
  const memory = memoryOf(model);
  const nodes = [...model.mapping.nodes()].sort((a, b) => a - b);
  return nodes.map((node) => ({
    name: model.nodeName(node),
    online: model.mapping.isOnline(node),
    memoryCapacityMiB: memory.capacity(node),
    vms: [...model.mapping.runningVMs(node)]
      .map((vm) => ({ name: model.vmName(vm), memoryMiB: memory.consumption(vm) }))
      .sort((a, b) => b.memoryMiB - a.memoryMiB || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  }));
}

function movedVms(before: Placement, after: Placement): Set<string> {
  const hostOf = new Map<string, string>();
  for (const h of before) for (const vm of h.vms) hostOf.set(vm.name, h.name);
  const moved = new Set<string>();
  for (const h of after) for (const vm of h.vms) if (hostOf.get(vm.name) !== h.name) moved.add(vm.name);
  return moved;
}

/**
 * The reasons the plan's own structure gives: a host that is offline at the end must be emptied,
 * so each VM leaving it and its power-off are there for that. Other steps get no invented reason.
 */
function reasonsOf(steps: readonly Step[], after: Placement): Map<string, string> {
  const offlineAfter = new Set(after.filter((h) => !h.online).map((h) => h.name));
  const reasons = new Map<string, string>();
  for (const s of steps) {
    const a = s.action;
    if ((a.kind === 'migrateVM' || a.kind === 'suspendVM') && offlineAfter.has(a.from) && a.from !== a.to) reasons.set(s.id, `${a.from} goes offline: its VMs must leave it`);
    else if (a.kind === 'shutdownNode') reasons.set(s.id, `${a.node} is offline at the end`);
  }
  return reasons;
}
