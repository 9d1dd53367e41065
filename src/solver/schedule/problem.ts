import type { BounceRule } from '../../catalogue/faces/index.js';
import type { Model, NodeId, ShareableResource, VmId } from '../../model/index.js';
import { ACTION_KINDS, type ActionKind, type Hooks } from '../../plan/actions.js';
import { type Network, type Route, UNLIMITED_CAPACITY } from '../../plan/network.js';
import type { Target } from '../target.js';

/**
 * The scheduling problem in flat arrays: tasks (one per action, plus zero-length barriers that
 * only carry ordering), resource pools (capacity + amount in use), and "end before start" edges.
 *
 * Resource semantics (btrplace-semantics.md §3.3): a task *demands* its amounts when it starts
 * and never gives them back (d-slice: a VM arriving, booting, resuming, an Allocate growing);
 * it *releases* amounts when it ends (c-slice: a VM leaving, shutting down, suspended, killed).
 * A migration does both, on different nodes, so it holds room on its source and its destination
 * for its whole duration. Holding a slot (per-host migration cap, Serialize) is a demand plus a
 * release of the same pool.
 */

export const MIGRATE = 0;
export const BOOT_VM = 1;
export const SHUTDOWN_VM = 2;
export const SUSPEND_VM = 3;
export const RESUME_VM = 4;
export const KILL_VM = 5;
export const FORGE_VM = 6;
export const BOOT_NODE = 7;
export const SHUTDOWN_NODE = 8;
export const ALLOCATE = 9;
/** Zero-length ordering helper, never printed. */
export const BARRIER = 10;

/** Kind codes above are indices into ACTION_KINDS (same order). */
export const KIND_NAMES: readonly ActionKind[] = ACTION_KINDS;

/** Why no plan exists, with the elements to highlight. */
export interface ScheduleFailure {
  readonly ok: false;
  readonly reason: string;
  readonly vms?: VmId[];
  readonly nodes?: NodeId[];
}

export function failure(reason: string, vms?: readonly VmId[], nodes?: readonly NodeId[]): ScheduleFailure {
  const f: { ok: false; reason: string; vms?: VmId[]; nodes?: NodeId[] } = { ok: false, reason };
  if (vms && vms.length > 0) f.vms = [...new Set(vms)];
  if (nodes && nodes.length > 0) f.nodes = [...new Set(nodes)];
  return f;
}

/**
 * Duration of an action over an element, or an error sentence; `move` gives a migration's source
 * and destination (the network model needs them).
 */
export type DurationLookup = (kind: ActionKind, element: number, move?: { readonly src: NodeId; readonly dst: NodeId }) => number | string;

/** Pool kinds, for messages. */
export const POOL_NODE_RC = 0;
export const POOL_SLOTS = 1;
export const POOL_GROUP = 2;

/** A continuous placement constraint a temporary bounce must respect (stated by the schedule faces). */
export type { BounceRule } from '../../catalogue/faces/index.js';


export interface ProblemOptions {
  readonly maxConcurrentMigrationsPerHost: number;
  /** Seconds since midnight when the plan starts, to read absolute Deadline timestamps. */
  readonly clockSeconds?: number;
}

export class Problem {
  readonly nodeIds: NodeId[] = [];
  readonly nodeIndex = new Map<NodeId, number>();
  readonly rcs: ShareableResource[];
  readonly R: number;
  /** Index of the resource used to rank VMs by size (memory when there is one). */
  readonly weightRc: number;

  // ---- pools
  readonly cap: number[] = [];
  readonly used: number[] = [];
  private readonly poolKind: number[] = [];
  private readonly poolRef: number[] = [];
  private readonly groupLabels: string[] = [];
  slotBase = 0;
  /** per node index, the group pools covering it: resource index, or -1 for the online count */
  readonly groupsOfNode = new Map<number, { pool: number; rc: number }[]>();
  readonly serializePools = new Map<VmId, number[]>();
  /**
   * The `net` view, when the model has one: each link direction and each blocking switch is a pool
   * (BtrPlace's CNetwork cumulatives) that a migration holds, for its whole duration, by its
   * path's bandwidth. Pools `linkPoolBase + 2 × link index` (up) and `+ 1` (down).
   */
  network: Network | undefined;
  linkPoolBase = -1;
  readonly switchPools = new Map<number, number>();
  /** Bandwidth given to each migration task (Mbit/s), with a network. */
  readonly bandwidth = new Map<number, number>();
  /** Durations, for the legs of a bounce (set by buildProblem). */
  durationOf: DurationLookup | undefined;

  // ---- tasks (struct of arrays)
  readonly kind: number[] = [];
  readonly vm: number[] = [];
  readonly src: number[] = [];
  readonly dst: number[] = [];
  readonly dur: number[] = [];
  readonly weight: number[] = [];
  readonly deadline: number[] = [];
  readonly demFrom: number[] = [];
  readonly demTo: number[] = [];
  readonly relFrom: number[] = [];
  readonly relTo: number[] = [];
  readonly demPool: number[] = [];
  readonly demAmt: number[] = [];
  readonly relPool: number[] = [];
  readonly relAmt: number[] = [];
  readonly hooks = new Map<number, Hooks>();
  readonly allocation = new Map<number, { rc: string; amount: number }>();
  /** The VM's life-cycle or placement task. */
  readonly vmTask = new Map<VmId, number>();
  /** For a VM routed through a third node at build time: its second migration. */
  readonly lastLeg = new Map<VmId, number>();
  /** VMs routed through a third node at build time (continuous spread rings). */
  readonly plannedBounces: { vm: VmId; via: NodeId }[] = [];
  /** The third node each bounced VM goes through (build-time and scheduling-time bounces). */
  readonly viaOf = new Map<VmId, NodeId>();
  /** Actions decided at t=0 without waiting (decreasing allocations), as [0,0] actions. */
  readonly instantAllocations: { vm: VmId; node: NodeId; rc: string; amount: number }[] = [];
  readonly noDelayTasks: number[] = [];
  readonly deadlineWhere = new Map<number, string>();

  // ---- edges: end(from) <= start(to)
  readonly edgeFrom: number[] = [];
  readonly edgeTo: number[] = [];

  // ---- sync groups
  readonly syncGroups: { members: number[]; postCopy: boolean }[] = [];
  syncOf: number[] = [];

  // ---- bounces
  /** Built on first use (see ParsedConstraints.bounceRules). */
  private bounceRuleMap: Map<VmId, BounceRule[]> | undefined;
  private bounceRuleSource: (() => Map<VmId, BounceRule[]>) | undefined;
  get bounceRules(): Map<VmId, BounceRule[]> {
    this.bounceRuleMap ??= this.bounceRuleSource?.() ?? new Map<VmId, BounceRule[]>();
    return this.bounceRuleMap;
  }
  set bounceRules(rules: Map<VmId, BounceRule[]>) {
    this.bounceRuleMap = rules;
  }
  /** The bounce rules, built by `source` when first asked for. */
  setBounceRuleSource(source: () => Map<VmId, BounceRule[]>): void {
    this.bounceRuleMap = undefined;
    this.bounceRuleSource = source;
  }
  quarantined = new Set<NodeId>();
  /** final node state, per node index */
  readonly finalOnline: boolean[] = [];
  readonly originOnline: boolean[] = [];
  /** final host of every VM the target moves or places (for bounce rules) */
  readonly finalHost = new Map<VmId, NodeId | null>();
  migrationCount = 0;

  /** consumption per resource, before and after, of VMs with a task (cached) */
  private readonly oldCons = new Map<VmId, Float64Array>();
  private readonly newCons = new Map<VmId, Float64Array>();

  constructor(
    readonly origin: Model,
    readonly target: Target,
  ) {
    this.rcs = [...origin.resources.values()];
    this.R = this.rcs.length;
    let w = this.rcs.findIndex((r) => /^(mem|memory|ram)$/i.test(r.id));
    if (w < 0) w = this.rcs.findIndex((r) => /mem|ram/i.test(r.id));
    this.weightRc = w;
  }

  nodePool(nodeIdx: number, rc: number): number {
    return nodeIdx * this.R + rc;
  }
  slotPool(nodeIdx: number): number {
    return this.slotBase + nodeIdx;
  }

  poolLabel(p: number): string {
    const kind = this.poolKind[p];
    const ref = this.poolRef[p] ?? 0;
    if (kind === POOL_NODE_RC) {
      const node = this.nodeIds[Math.floor(ref / this.R)] as NodeId;
      return `'${this.rcs[ref % this.R]?.id ?? '?'}' on ${this.origin.nodeName(node)}`;
    }
    if (kind === POOL_SLOTS) return `migration slots of ${this.origin.nodeName(this.nodeIds[ref] as NodeId)}`;
    return this.groupLabels[ref] ?? `pool ${p}`;
  }

  /** The node a pool belongs to, if it is a per-node pool. */
  poolNode(p: number): NodeId | undefined {
    const kind = this.poolKind[p];
    const ref = this.poolRef[p] ?? 0;
    if (kind === POOL_NODE_RC) return this.nodeIds[Math.floor(ref / this.R)];
    if (kind === POOL_SLOTS) return this.nodeIds[ref];
    return undefined;
  }

  isNodeResourcePool(p: number): boolean {
    return this.poolKind[p] === POOL_NODE_RC;
  }

  addPool(cap: number, kind: number, ref: number): number {
    const p = this.cap.length;
    this.cap.push(cap);
    this.used.push(0);
    this.poolKind.push(kind);
    this.poolRef.push(ref);
    return p;
  }

  addGroupPool(cap: number, label: string, nodes: readonly NodeId[], rc: number): number {
    const p = this.addPool(cap, POOL_GROUP, this.groupLabels.length);
    this.groupLabels.push(label);
    for (const n of new Set(nodes)) {
      const i = this.nodeIndex.get(n);
      if (i === undefined) continue;
      let list = this.groupsOfNode.get(i);
      if (!list) {
        list = [];
        this.groupsOfNode.set(i, list);
      }
      list.push({ pool: p, rc });
    }
    return p;
  }

  // ---- tasks -------------------------------------------------------------------------------

  addTask(kind: number, vm: number, src: number, dst: number, dur: number): number {
    const t = this.kind.length;
    this.kind.push(kind);
    this.vm.push(vm);
    this.src.push(src);
    this.dst.push(dst);
    this.dur.push(dur);
    this.weight.push(0);
    this.deadline.push(Infinity);
    this.demFrom.push(this.demPool.length);
    this.demTo.push(this.demPool.length);
    this.relFrom.push(this.relPool.length);
    this.relTo.push(this.relPool.length);
    this.syncOf.push(-1);
    return t;
  }

  /**
   * Splits migration `t` (src → dst) into a bounce: `t` now goes src → via, and a new leg via → dst
   * carries the VM's final demand, its hooks, its weight and its deadline (the VM arrives with the
   * leg). Returns the leg; the caller orders it after `t`.
   */
  bounce(t: number, via: number): number {
    const vm = this.vm[t] as number;
    const from = this.src[t] as number;
    const to = this.dst[t] as number;
    let legDur = this.dur[t] as number;
    if (this.network) {
      // with a network the duration depends on the path: each leg gets its own
      const first = this.migrationDuration(vm, from, via, this.dur[t] as number);
      const second = this.migrationDuration(vm, via, to, this.dur[t] as number);
      if (typeof first === 'number') this.dur[t] = first;
      if (typeof second === 'number') legDur = second;
    }
    const leg = this.addTask(MIGRATE, vm, via, to, legDur);
    this.setMigrationBookings(leg, vm, via, to, this.consBefore(vm), this.consAfter(vm));
    this.setMigrationBookings(t, vm, from, via, this.consBefore(vm), this.consBefore(vm));
    this.dst[t] = via;
    const hooks = this.hooks.get(t);
    if (hooks) {
      this.hooks.set(leg, hooks);
      this.hooks.delete(t);
    }
    this.weight[leg] = this.weight[t] as number;
    this.deadline[leg] = this.deadline[t] as number;
    this.deadline[t] = Infinity;
    const where = this.deadlineWhere.get(t);
    if (where !== undefined) {
      this.deadlineWhere.set(leg, where);
      this.deadlineWhere.delete(t);
    }
    this.migrationCount++;
    return leg;
  }

  /** Starts a fresh demand/release list for `t` (appended; older entries become garbage). */
  openLists(t: number): void {
    this.demFrom[t] = this.demPool.length;
    this.demTo[t] = this.demPool.length;
    this.relFrom[t] = this.relPool.length;
    this.relTo[t] = this.relPool.length;
  }
  demand(t: number, pool: number, amount: number): void {
    if (amount <= 0) return;
    this.demPool.push(pool);
    this.demAmt.push(amount);
    this.demTo[t] = this.demPool.length;
  }
  release(t: number, pool: number, amount: number): void {
    if (amount <= 0) return;
    this.relPool.push(pool);
    this.relAmt.push(amount);
    this.relTo[t] = this.relPool.length;
  }

  /** Books `cons` on a node: its resource pools and the group pools covering it. */
  demandOnNode(t: number, nodeIdx: number, cons: Float64Array): void {
    for (let r = 0; r < this.R; r++) this.demand(t, this.nodePool(nodeIdx, r), cons[r] ?? 0);
    for (const g of this.groupsOfNode.get(nodeIdx) ?? []) if (g.rc >= 0) this.demand(t, g.pool, cons[g.rc] ?? 0);
  }
  releaseOnNode(t: number, nodeIdx: number, cons: Float64Array): void {
    for (let r = 0; r < this.R; r++) this.release(t, this.nodePool(nodeIdx, r), cons[r] ?? 0);
    for (const g of this.groupsOfNode.get(nodeIdx) ?? []) if (g.rc >= 0) this.release(t, g.pool, cons[g.rc] ?? 0);
  }

  /**
   * (Re)writes the bookings of migration `t` of `vm` from `from` to `to` (node indices): `leave`
   * is freed on the source at the end, `arrive` booked on the destination from the start, one
   * migration slot held on both hosts and on the VM's Serialize pools.
   */
  setMigrationBookings(t: number, vm: VmId, from: number, to: number, leave: Float64Array, arrive: Float64Array): void {
    this.openLists(t);
    this.demandOnNode(t, to, arrive);
    this.demand(t, this.slotPool(from), 1);
    this.demand(t, this.slotPool(to), 1);
    this.releaseOnNode(t, from, leave);
    this.release(t, this.slotPool(from), 1);
    this.release(t, this.slotPool(to), 1);
    for (const p of this.serializePools.get(vm) ?? []) {
      this.demand(t, p, 1);
      this.release(t, p, 1);
    }
    const route = this.route(from, to);
    if (route === undefined || typeof route === 'string') return;
    this.bandwidth.set(t, route.bandwidth);
    for (const pool of this.networkPools(route)) {
      this.demand(t, pool, route.bandwidth);
      this.release(t, pool, route.bandwidth);
    }
  }

  /** The network route between two node indices (undefined without a network). */
  route(from: number, to: number): Route | string | undefined {
    if (!this.network) return undefined;
    return this.network.route(this.nodeIds[from] as NodeId, this.nodeIds[to] as NodeId);
  }

  /** The pools a migration over `route` holds: one per link direction, one per blocking switch. */
  networkPools(route: Route): number[] {
    const pools: number[] = [];
    for (const h of route.hops) {
      // a link of unlimited bandwidth (a negative capacity in the JSON) constrains nothing
      if (h.link.capacity !== UNLIMITED_CAPACITY) pools.push(this.linkPoolBase + 2 * h.link.index + (h.direction === 'up' ? 0 : 1));
    }
    for (const s of route.switches) {
      const pool = this.switchPools.get(s.id);
      if (pool !== undefined) pools.push(pool);
    }
    return pools;
  }

  /** The duration of migrating `vm` between two node indices, or why it cannot be computed. */
  migrationDuration(vm: VmId, from: number, to: number, fallback: number): number | string {
    if (!this.durationOf) return fallback;
    const d = this.durationOf('migrateVM', vm, { src: this.nodeIds[from] as NodeId, dst: this.nodeIds[to] as NodeId });
    if (typeof d === 'string') return d;
    return Number.isInteger(d) && d > 0 ? d : `the duration of migrateVM for ${this.vmName(vm)} is ${d}`;
  }

  /** Whether `vm` may migrate between two node indices at all (a route, a computable duration). */
  canMigrate(vm: VmId, from: number, to: number): boolean {
    if (!this.network) return true;
    const route = this.route(from, to);
    if (route === undefined || typeof route === 'string') return false;
    if (this.networkPools(route).some((pool) => (this.cap[pool] as number) < route.bandwidth)) return false;
    return typeof this.migrationDuration(vm, from, to, 1) === 'number';
  }

  edge(from: number, to: number): void {
    if (from === to || from < 0 || to < 0) return;
    this.edgeFrom.push(from);
    this.edgeTo.push(to);
  }

  consBefore(vm: VmId): Float64Array {
    let c = this.oldCons.get(vm);
    if (!c) {
      c = new Float64Array(this.R);
      for (let r = 0; r < this.R; r++) c[r] = (this.rcs[r] as ShareableResource).consumption(vm);
      this.oldCons.set(vm, c);
    }
    return c;
  }
  consAfter(vm: VmId): Float64Array {
    let c = this.newCons.get(vm);
    if (!c) {
      const wanted = this.target.consumption.get(vm);
      c = Float64Array.from(this.consBefore(vm));
      if (wanted) for (let r = 0; r < this.R; r++) c[r] = wanted.get((this.rcs[r] as ShareableResource).id) ?? (c[r] as number);
      this.newCons.set(vm, c);
    }
    return c;
  }
  weightOf(cons: Float64Array): number {
    if (this.weightRc >= 0) return cons[this.weightRc] ?? 0;
    let s = 0;
    for (let r = 0; r < this.R; r++) s += cons[r] ?? 0;
    return s;
  }

  vmName(vm: VmId): string {
    return this.origin.vmName(vm);
  }
  nodeName(node: NodeId): string {
    return this.origin.nodeName(node);
  }
  /** `migrate VM1 N1→N2` and the like, for explanations. */
  describeTask(t: number): string {
    const k = this.kind[t] as number;
    const vm = this.vm[t] as number;
    const src = this.src[t] as number;
    const dst = this.dst[t] as number;
    const node = (i: number): string => (i >= 0 ? this.nodeName(this.nodeIds[i] as NodeId) : '?');
    switch (k) {
      case MIGRATE:
        return `migrate ${this.vmName(vm)} ${node(src)}→${node(dst)}`;
      case BOOT_VM:
        return `boot ${this.vmName(vm)} on ${node(dst)}`;
      case RESUME_VM:
        return `resume ${this.vmName(vm)} on ${node(dst)}`;
      case BOOT_NODE:
        return `boot ${node(dst)}`;
      case SHUTDOWN_NODE:
        return `shut down ${node(src)}`;
      case ALLOCATE:
        return `allocate '${this.allocation.get(t)?.rc ?? '?'}' to ${this.vmName(vm)} on ${node(dst)}`;
      case BARRIER:
        return 'ordering barrier';
      default:
        return `${KIND_NAMES[k] ?? 'action'} ${this.vmName(vm)}`;
    }
  }
}
