import type { Constraint } from '../../src/catalogue/constraint.js';
import { withOverbooking } from '../../src/checker/overbooking.js';
import type { PlanResultWire } from '../../src/contract/events.js';
import { parseScript } from '../../src/dsl/script.js';
import { type PlanJson, decodePlan } from '../../src/contract/wire.js';
import { modelFromJson } from '../../src/instance/json.js';
import { actionsFromJson } from '../../src/plan/json.js';
import { MEMORY_RESOURCES, stepsFromPlan } from '../../src/executor/steps.js';
import type { Step } from '../../src/executor/types.js';
import type { Model, NodeId, VmId } from '../../src/model/index.js';
import type { Plan } from '../../src/plan/plan.js';
import { planDuration } from '../../src/plan/plan.js';
import type { Action } from '../../src/plan/actions.js';

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

/**
 * A result as the plan views read it: the plan whole (the store puts back an origin the answer
 * left out, plan-origin.ts), or none. In the digest worker the origin may be absent: `originKey`
 * then names one decoded before (keptOrigin).
 */
export interface ShownPlan {
  readonly plan: PlanJson | { readonly actions: PlanJson['actions']; readonly origin?: undefined } | null;
  readonly stepIds: PlanResultWire['stepIds'];
}

const decoded = new WeakMap<ShownPlan, DecodedPlan>();

/**
 * The result's plan and steps, decoded on first use and then shared by every view of the same
 * result (the screen, the comparison, the rehearsal's fault targets); null without a plan.
 * `originKey` names the plan's origin (the same key, the same origin): it is decoded once and
 * shared by the plans on it, a what-if's plans on one cluster.
 */
export function decodedPlanOf(result: ShownPlan, originKey?: string): DecodedPlan | null {
  if (result.plan === null) return null;
  const known = decoded.get(result);
  if (known) return known;
  const read = originKey === undefined ? wholePlan(result.plan) : planOnKeptOrigin(result.plan, originKey);
  const value: DecodedPlan = read.ok ? { ok: true, plan: read.plan, steps: withIds(stepsFromPlan(read.plan), result.stepIds) } : read;
  decoded.set(result, value);
  return value;
}

type PlanRead = { readonly ok: true; readonly plan: Plan } | { readonly ok: false; readonly message: string };

function wholePlan(plan: NonNullable<ShownPlan['plan']>): PlanRead {
  if (plan.origin === undefined) return { ok: false, message: '$.plan.origin: missing (the plan came without its origin)' };
  const read = decodePlan(plan as PlanJson, '$.plan');
  return read.ok ? { ok: true, plan: read.value } : { ok: false, message: `${read.error.path}: ${read.error.message}` };
}

function planOnKeptOrigin(plan: NonNullable<ShownPlan['plan']>, originKey: string): PlanRead {
  const origin = keptOrigin(originKey) ?? (plan.origin === undefined ? undefined : keepOrigin(originKey, plan.origin));
  if (origin === undefined) return { ok: false, message: `$.plan.origin: origin ${originKey} is not known here` };
  if (!origin.ok) return origin;
  const actions = actionsFromJson(plan.actions, origin.model, '$.plan.actions');
  return actions.ok ? { ok: true, plan: { origin: origin.model, actions: actions.value } } : { ok: false, message: `${actions.error.path}: ${actions.error.message}` };
}

// ---- decoded origins ----------------------------------------------------------------------

const originKeys = new WeakMap<object, string>();
let lastOriginKey = 0;

/** A key for an origin's JSON, the same for the same object: what the worker keeps it decoded under. */
export function originKeyOf(json: object): string {
  let key = originKeys.get(json);
  if (key === undefined) {
    key = `o${++lastOriginKey}`;
    originKeys.set(json, key);
  }
  return key;
}

/** Origins kept decoded: the last few a plan was shown on (a cluster and a what-if file or two). */
const ORIGINS_KEPT = 3;
type KeptOrigin = { readonly ok: true; readonly model: Model } | { readonly ok: false; readonly message: string };
const origins = new Map<string, KeptOrigin>();

/** The origin decoded under `key`, if still kept (it becomes the most recent). */
export function keptOrigin(key: string): KeptOrigin | undefined {
  const kept = origins.get(key);
  if (kept === undefined) return undefined;
  origins.delete(key);
  origins.set(key, kept);
  return kept;
}

/** Decodes `json` once under `key`; the least recently used origin beyond ORIGINS_KEPT is dropped. Never mutated after. */
export function keepOrigin(key: string, json: unknown): KeptOrigin {
  const read = modelFromJson(json, '$.plan.origin');
  const kept: KeptOrigin = read.ok ? { ok: true, model: read.value } : { ok: false, message: `${read.error.path}: ${read.error.message}` };
  origins.set(key, kept);
  while (origins.size > ORIGINS_KEPT) origins.delete(origins.keys().next().value as string);
  return kept;
}

/**
 * `script` is the script the plan was computed under and `constraints` the instance's own (an
 * instance file's): their overbook ratios give the capacities the plan keeps.
 */
export function planViewOf(result: ShownPlan, script = '', constraints: readonly Constraint[] = [], originKey?: string): PlanViewResult | null {
  const read = decodedPlanOf(result, originKey);
  if (read === null) return null;
  if (!read.ok) return read;
  const { plan, steps } = read;
  const before = placementBefore(plan.origin);
  const after = placementAfter(plan, before);
  const scripted = script.trim() === '' ? [] : parseScript(script, { model: plan.origin }).constraints;
  const overbooked = withOverbooking(plan, [...constraints, ...scripted]);
  return {
    ok: true,
    view: { plan, capacityPlan: overbooked ?? plan, overbooked: overbooked !== undefined, steps, hosts: before.map((h) => h.name), durationSeconds: planDuration(plan), before, after, moved: movedVms(before, after), reasons: reasonsOf(steps, after) },
  };
}

/**
 * Where everything is once the plan is done: each action's effect in order of end, as the
 * mapping applies it (a VM runs where the last action that places it puts it; shut down,
 * suspended, killed or forged, it runs nowhere). Not a replay: the checker already accepted the
 * plan. Only the hosts the plan touches are worked out again; the others are `before`'s own
 * entries (on 2,500 hosts a what-if touches a handful).
 */
function placementAfter(plan: Plan, before: Placement): Placement {
  const { origin } = plan;
  const memory = memoryOf(origin);
  const hostOf = new Map<VmId, NodeId | null>();
  const memoryOverride = new Map<VmId, number>();
  const online = new Map<NodeId, boolean>();
  const touched = new Set<NodeId>();
  const byEnd = [...plan.actions].sort((a, b) => a.end - b.end || a.start - b.start);
  for (const a of byEnd) {
    if (a.kind === 'bootNode' || a.kind === 'shutdownNode') {
      online.set(a.node, a.kind === 'bootNode');
      touched.add(a.node);
      continue;
    }
    const from = origin.mapping.isRunning(a.vm) ? origin.mapping.host(a.vm) : undefined;
    if (from !== undefined && from !== null) touched.add(from);
    if (!hostOf.has(a.vm)) hostOf.set(a.vm, from ?? null);
    const placed = placedBy(a);
    if (placed !== undefined) hostOf.set(a.vm, placed);
    if (placed !== undefined && placed !== null) touched.add(placed);
    if (a.kind === 'allocate' && origin.resource(a.rc) === memory) memoryOverride.set(a.vm, a.amount);
  }
  if (touched.size === 0) return before;
  const stays = (vm: VmId, node: NodeId): boolean => (hostOf.has(vm) ? hostOf.get(vm) === node : true);
  const arriving = new Map<NodeId, VmId[]>();
  for (const [vm, node] of hostOf) if (node !== null && !(origin.mapping.isRunning(vm) && origin.mapping.host(vm) === node)) arriving.set(node, [...(arriving.get(node) ?? []), vm]);
  const redone = new Map<string, PlacedHost>();
  const known = origin.knownNodes();
  for (const node of touched) {
    if (!known.has(node)) continue;
    const vms = [...[...origin.mapping.runningVMs(node)].filter((vm) => stays(vm, node)), ...(arriving.get(node) ?? [])];
    redone.set(origin.nodeName(node), {
      name: origin.nodeName(node),
      online: online.get(node) ?? origin.mapping.isOnline(node),
      memoryCapacityMiB: memory.capacity(node),
      vms: vms.map((vm) => ({ name: origin.vmName(vm), memoryMiB: memoryOverride.get(vm) ?? memory.consumption(vm) })).sort(largestFirst),
    });
  }
  return before.map((h) => redone.get(h.name) ?? h);
}

/** Where an action leaves its VM running: a node, nowhere (null), or unchanged (undefined). */
function placedBy(a: Exclude<Action, { readonly kind: 'bootNode' | 'shutdownNode' }>): NodeId | null | undefined {
  switch (a.kind) {
    case 'migrateVM':
    case 'resumeVM':
      return a.to;
    case 'bootVM':
      return a.node;
    case 'shutdownVM':
    case 'suspendVM':
    case 'killVM':
    case 'forgeVM':
      return null;
    case 'allocate':
      return undefined;
  }
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

/** The origins' placements: plans on one origin (a what-if's) share it. */
const placementsBefore = new WeakMap<Model, Placement>();

function placementBefore(origin: Model): Placement {
  const known = placementsBefore.get(origin);
  if (known) return known;
  const placement = placementOf(origin);
  placementsBefore.set(origin, placement);
  return placement;
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
      .sort(largestFirst),
  }));
}

function largestFirst(a: PlacedVm, b: PlacedVm): number {
  return b.memoryMiB - a.memoryMiB || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** VMs on another host after than before (or on none before): only hosts whose entry changed can hold one. */
function movedVms(before: Placement, after: Placement): Set<string> {
  const changed = after.map((h, i) => [before[i], h] as const).filter(([b, a]) => b !== a);
  const hostOf = new Map<string, string>();
  for (const [b] of changed) if (b) for (const vm of b.vms) hostOf.set(vm.name, b.name);
  const moved = new Set<string>();
  for (const [, h] of changed) for (const vm of h.vms) if (hostOf.get(vm.name) !== h.name) moved.add(vm.name);
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
