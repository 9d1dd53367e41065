import type { Constraint } from '../../catalogue/constraint.js';
import type { BuiltInRules, PlacementContext, PlacementRule } from '../../catalogue/faces/index.js';
import type { Model, NodeId, VmId } from '../../model/index.js';
import { AmongRule, GatherRule, LonelyRule, ResourceCapacityRule, RunningCapacityRule, SplitAmongRule, SplitRule, SpreadRule } from './rules.js';

/**
 * What the reduction (problem.ts) shares with every constraint's placement face: the dense
 * indices, the domain and pin tables, and where rules, reasons and deferred tests go.
 */
export interface ReductionState {
  readonly model: Model;
  readonly nodes: readonly NodeId[];
  readonly nodeIndex: ReadonlyMap<NodeId, number>;
  readonly vmIndex: ReadonlyMap<VmId, number>;
  readonly resources: readonly string[];
  readonly origin: Int32Array;
  readonly originRunning: Uint8Array;
  readonly pinned: Uint8Array;
  readonly onlineAtEnd: Uint8Array;
  readonly deferMaxOnline: boolean;
  wantedOnline(node: NodeId): boolean;
  describe(c: Constraint): string;
  restrict(v: number, allowed: (n: number) => boolean): void;
  readonly rules: PlacementRule[];
  /** Rules that must hold in the source placement (BtrPlace: no solution otherwise). */
  readonly holdsNow: Set<PlacementRule>;
  readonly infeasible: string[];
  readonly afterRules: (() => string | null)[];
}

/**
 * Node groups as a node → group table, built once per partition: the JSON reader shares one
 * partition between constraints (TDSC: 1,722 among over the same 5,000 nodes), identity first,
 * contents else.
 */
export class GroupTables {
  private readonly byParts = new Map<readonly (readonly number[])[], Int32Array>();
  private readonly byKey = new Map<string, { parts: readonly (readonly number[])[]; table: Int32Array }[]>();

  constructor(private readonly nodeIndex: ReadonlyMap<NodeId, number>) {}

  of(ps: readonly (readonly number[])[]): Int32Array {
    const known = this.byParts.get(ps);
    if (known) return known;
    const table = this.lookUp(ps) ?? this.build(ps);
    this.byParts.set(ps, table);
    return table;
  }

  private lookUp(ps: readonly (readonly number[])[]): Int32Array | undefined {
    const same = (x: readonly (readonly number[])[]): boolean =>
      x === ps || (x.length === ps.length && x.every((p, g) => p === ps[g] || (p.length === ps[g]?.length && p.every((n, k) => n === ps[g]?.[k]))));
    return this.byKey.get(keyOf(ps))?.find((e) => same(e.parts))?.table;
  }

  private build(ps: readonly (readonly number[])[]): Int32Array {
    const table = new Int32Array(this.nodeIndex.size).fill(-1);
    ps.forEach((p, g) => {
      for (const id of p) {
        const n = this.nodeIndex.get(id);
        if (n !== undefined) table[n] = g;
      }
    });
    const key = keyOf(ps);
    const list = this.byKey.get(key) ?? [];
    list.push({ parts: ps, table });
    this.byKey.set(key, list);
    return table;
  }
}

function keyOf(ps: readonly (readonly number[])[]): string {
  return ps.map((p) => `${p.length}:${p[0]}:${p[p.length - 1]}`).join('|');
}

/** One constraint's placement context (cheap: the methods live on the prototype). */
export class FaceContext implements PlacementContext, BuiltInRules {
  constructor(
    private readonly s: ReductionState,
    private readonly groups: GroupTables,
    readonly index: number,
    readonly source: Constraint,
  ) {}

  get model(): Model {
    return this.s.model;
  }
  get rules(): BuiltInRules {
    return this;
  }
  get deferMaxOnline(): boolean {
    return this.s.deferMaxOnline;
  }

  vm(id: VmId): number | undefined {
    return this.s.vmIndex.get(id);
  }
  vms(ids: readonly VmId[]): number[] {
    const out: number[] = [];
    for (const id of ids) {
      const v = this.s.vmIndex.get(id);
      if (v !== undefined) out.push(v);
    }
    return out;
  }
  node(id: NodeId): number | undefined {
    return this.s.nodeIndex.get(id);
  }
  nodes(ids: readonly NodeId[]): number[] {
    const out: number[] = [];
    for (const id of ids) {
      const n = this.s.nodeIndex.get(id);
      if (n !== undefined) out.push(n);
    }
    return out;
  }
  origin(v: number): number {
    return this.s.origin[v] ?? -1;
  }
  originRunning(v: number): boolean {
    return this.s.originRunning[v] === 1;
  }
  onlineNow(n: number): boolean {
    return this.s.model.mapping.isOnline(this.s.nodes[n] as NodeId);
  }
  onlineAtEnd(n: number): boolean {
    return this.s.onlineAtEnd[n] === 1;
  }
  wantedOnline(n: number): boolean {
    return this.s.wantedOnline(this.s.nodes[n] as NodeId);
  }
  nodeName(n: number): string {
    return this.s.model.nodeName(this.s.nodes[n] as NodeId);
  }
  vmName(id: VmId): string {
    return this.s.model.vmName(id);
  }
  describe(): string {
    return this.s.describe(this.source);
  }
  restrict(v: number, allowed: (n: number) => boolean): void {
    this.s.restrict(v, allowed);
  }
  pin(v: number): void {
    this.s.pinned[v] = 1;
  }
  pinRunningOn(n: number): void {
    const { origin, originRunning, pinned } = this.s;
    for (let v = 0; v < origin.length; v++) if (origin[v] === n && originRunning[v] === 1) pinned[v] = 1;
  }
  add(rule: PlacementRule, options?: { readonly holdsNow?: boolean }): void {
    this.s.rules.push(rule);
    if (options?.holdsNow === true) this.s.holdsNow.add(rule);
  }
  infeasible(message: string): void {
    this.s.infeasible.push(message);
  }
  afterRules(test: () => string | null): void {
    this.s.afterRules.push(test);
  }

  // ---- the solver's own rules (BuiltInRules) ------------------------------------------------
  spread(vms: readonly VmId[]): PlacementRule {
    return new SpreadRule(this.index, this.source, this.vms(vms));
  }
  gather(vms: readonly VmId[]): PlacementRule {
    return new GatherRule(this.index, this.source, this.vms(vms));
  }
  lonely(vms: readonly VmId[]): PlacementRule {
    return new LonelyRule(this.index, this.source, this.vms(vms));
  }
  among(vms: readonly VmId[], nodeParts: readonly (readonly NodeId[])[]): PlacementRule {
    return new AmongRule(this.index, this.source, this.vms(vms), this.groups.of(nodeParts), nodeParts.length);
  }
  split(vmParts: readonly (readonly VmId[])[]): PlacementRule {
    const groupOf = this.groupOfVms(vmParts);
    return new SplitRule(this.index, this.source, [...groupOf.keys()], groupOf);
  }
  splitAmong(vmParts: readonly (readonly VmId[])[], nodeParts: readonly (readonly NodeId[])[]): PlacementRule {
    const vg = this.groupOfVms(vmParts);
    const pg = new Map<number, number>();
    nodeParts.forEach((p, g) => this.nodes(p).forEach((n) => pg.set(n, g)));
    return new SplitAmongRule(this.index, this.source, [...vg.keys()], vg, pg);
  }
  resourceCapacity(nodes: readonly NodeId[], rc: string, amount: number): PlacementRule {
    return new ResourceCapacityRule(this.index, this.source, this.nodes(nodes), this.s.resources.indexOf(rc), amount);
  }
  runningCapacity(nodes: readonly NodeId[], amount: number): PlacementRule {
    return new RunningCapacityRule(this.index, this.source, this.nodes(nodes), amount);
  }

  /** Dense VM → group index (a VM in two groups keeps the last). */
  private groupOfVms(parts: readonly (readonly VmId[])[]): Map<number, number> {
    const groupOf = new Map<number, number>();
    parts.forEach((p, g) => this.vms(p).forEach((v) => groupOf.set(v, g)));
    return groupOf;
  }
}
