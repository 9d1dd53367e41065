import type { Constraint } from '../../catalogue/constraint.js';
import type { PlacementRule, PlacementView } from '../../catalogue/faces/index.js';

export type { PlacementRule, PlacementView } from '../../catalogue/faces/index.js';

/**
 * The solver's own placement rules (BtrPlace's C* classes, for the final state only), which the
 * catalogue's placement faces (`src/catalogue/<id>/faces.ts`) build through `BuiltInRules`: each
 * answers "may VM v end on node n, given where the others are" in O(1) or close, and keeps its
 * own counters up to date as VMs are placed and removed. Indices are dense (see problem.ts). The
 * contract (`PlacementRule`, `PlacementView`) lives in the catalogue, so a new constraint may
 * bring its own rule from its folder.
 */

function bump(map: Map<number, number>, key: number, delta: number): void {
  const next = (map.get(key) ?? 0) + delta;
  if (next === 0) map.delete(key);
  else map.set(key, next);
}

/** The blockers, or null when one of them may not move (no eviction can then help). */
function pinnedOrAll(blockers: number[], view: PlacementView): number[] | null {
  return blockers.some((m) => view.pinned(m)) ? null : blockers;
}

/** spread: members on pairwise distinct hosts. */
export class SpreadRule implements PlacementRule {
  readonly scope = 'vm';
  private readonly perNode = new Map<number, number>();
  constructor(
    readonly constraintIndex: number,
    readonly source: Constraint,
    readonly members: readonly number[],
  ) {}
  allows(_v: number, n: number): boolean {
    return !this.perNode.has(n);
  }
  add(_v: number, n: number): void {
    bump(this.perNode, n, 1);
  }
  remove(_v: number, n: number): void {
    bump(this.perNode, n, -1);
  }
  blockers(v: number, n: number, view: PlacementView): number[] | null {
    const out = this.members.filter((m) => m !== v && view.host[m] === n);
    return out.some((m) => view.pinned(m)) ? null : out;
  }
  repair(view: PlacementView): number[] {
    const seen = new Set<number>();
    const evict: number[] = [];
    // keep pinned members first so the eviction never targets them
    const ordered = [...this.members].sort((a, b) => Number(view.pinned(b)) - Number(view.pinned(a)));
    for (const m of ordered) {
      const h = view.host[m] ?? -1;
      if (h < 0) continue;
      if (seen.has(h)) evict.push(m);
      else seen.add(h);
    }
    return evict;
  }
  lowerBound(view: PlacementView): Map<number, number> {
    const perHost = new Map<number, number>();
    for (const m of this.members) {
      const h = view.host[m] ?? -1;
      if (h >= 0) bump(perHost, h, 1);
    }
    const out = new Map<number, number>();
    for (const [h, c] of perHost) if (c > 1) out.set(h, c - 1);
    return out;
  }
  reset(): void {
    this.perNode.clear();
  }
}

/** gather: members share one host. */
export class GatherRule implements PlacementRule {
  readonly scope = 'vm';
  private readonly perNode = new Map<number, number>();
  constructor(
    readonly constraintIndex: number,
    readonly source: Constraint,
    readonly members: readonly number[],
  ) {}
  allows(_v: number, n: number): boolean {
    return this.perNode.size === 0 || (this.perNode.size === 1 && this.perNode.has(n));
  }
  add(_v: number, n: number): void {
    bump(this.perNode, n, 1);
  }
  remove(_v: number, n: number): void {
    bump(this.perNode, n, -1);
  }
  /** Every member placed elsewhere has to leave for v to land on n. */
  blockers(_v: number, n: number, view: PlacementView): number[] | null {
    return pinnedOrAll(this.members.filter((m) => (view.host[m] ?? -1) >= 0 && view.host[m] !== n), view);
  }
  repair(view: PlacementView): number[] {
    const perHost = new Map<number, number>();
    let pinnedHost = -1;
    for (const m of this.members) {
      const h = view.host[m] ?? -1;
      if (h < 0) continue;
      bump(perHost, h, 1);
      if (view.pinned(m)) pinnedHost = h;
    }
    let keep = pinnedHost;
    if (keep < 0) for (const [h, c] of perHost) if (keep < 0 || c > (perHost.get(keep) ?? 0)) keep = h;
    return this.members.filter((m) => (view.host[m] ?? -1) >= 0 && view.host[m] !== keep);
  }
  reset(): void {
    this.perNode.clear();
  }
}

/** among: members within one group of nodes; nodes outside every group are forbidden. */
export class AmongRule implements PlacementRule {
  readonly scope = 'vm';
  private readonly groupCount: number[];
  private usedGroups = 0;
  constructor(
    readonly constraintIndex: number,
    readonly source: Constraint,
    readonly members: readonly number[],
    /** node → group, -1 outside every group (shared between among constraints with equal parts) */
    private readonly groupOfNode: Int32Array,
    groups: number,
  ) {
    this.groupCount = new Array<number>(groups).fill(0);
  }
  private groupOf(n: number): number | undefined {
    const g = this.groupOfNode[n] ?? -1;
    return g < 0 ? undefined : g;
  }
  allows(_v: number, n: number): boolean {
    const g = this.groupOf(n);
    if (g === undefined) return false;
    return this.usedGroups === 0 || (this.usedGroups === 1 && (this.groupCount[g] ?? 0) > 0);
  }
  add(_v: number, n: number): void {
    const g = this.groupOf(n);
    if (g === undefined) return;
    if ((this.groupCount[g] = (this.groupCount[g] ?? 0) + 1) === 1) this.usedGroups++;
  }
  remove(_v: number, n: number): void {
    const g = this.groupOf(n);
    if (g === undefined) return;
    if ((this.groupCount[g] = (this.groupCount[g] ?? 0) - 1) === 0) this.usedGroups--;
  }
  /** Every member placed in another group has to leave for v to land on n (never: n in no group). */
  blockers(_v: number, n: number, view: PlacementView): number[] | null {
    const g = this.groupOf(n);
    if (g === undefined) return null;
    return pinnedOrAll(
      this.members.filter((m) => {
        const h = view.host[m] ?? -1;
        return h >= 0 && this.groupOf(h) !== g;
      }),
      view,
    );
  }
  /** The group every member sits in now, if there is a single one. */
  currentGroup(): number | undefined {
    if (this.usedGroups !== 1) return undefined;
    return this.groupCount.findIndex((c) => c > 0);
  }
  repair(view: PlacementView): number[] {
    const perGroup = new Map<number, number>();
    for (const m of this.members) {
      const h = view.host[m] ?? -1;
      if (h < 0) continue;
      const g = this.groupOf(h);
      if (g !== undefined) bump(perGroup, g, view.pinned(m) ? 1_000_000 : 1);
    }
    let keep = -1;
    for (const [g, c] of perGroup) if (keep < 0 || c > (perGroup.get(keep) ?? 0)) keep = g;
    return this.members.filter((m) => {
      const h = view.host[m] ?? -1;
      return h >= 0 && this.groupOf(h) !== keep;
    });
  }
  nodeGroup(n: number): number | undefined {
    return this.groupOf(n);
  }
  /** The node → group table (shared). */
  get groupTable(): Int32Array {
    return this.groupOfNode;
  }
  reset(): void {
    this.groupCount.fill(0);
    this.usedGroups = 0;
  }
}

/** split: VMs of different groups never share a node. */
export class SplitRule implements PlacementRule {
  readonly scope = 'vm';
  /** node → group → count */
  private readonly perNode = new Map<number, Map<number, number>>();
  constructor(
    readonly constraintIndex: number,
    readonly source: Constraint,
    readonly members: readonly number[],
    private readonly groupOfVm: ReadonlyMap<number, number>,
  ) {}
  allows(v: number, n: number): boolean {
    const here = this.perNode.get(n);
    if (!here) return true;
    const g = this.groupOfVm.get(v);
    for (const k of here.keys()) if (k !== g) return false;
    return true;
  }
  add(v: number, n: number): void {
    let here = this.perNode.get(n);
    if (!here) this.perNode.set(n, (here = new Map()));
    bump(here, this.groupOfVm.get(v) ?? -1, 1);
  }
  remove(v: number, n: number): void {
    const here = this.perNode.get(n);
    if (!here) return;
    bump(here, this.groupOfVm.get(v) ?? -1, -1);
    if (here.size === 0) this.perNode.delete(n);
  }
  blockers(v: number, n: number, view: PlacementView): number[] | null {
    const g = this.groupOfVm.get(v);
    const out = this.members.filter((m) => view.host[m] === n && this.groupOfVm.get(m) !== g);
    return out.some((m) => view.pinned(m)) ? null : out;
  }
  repair(view: PlacementView): number[] {
    const byNode = new Map<number, number[]>();
    for (const m of this.members) {
      const h = view.host[m] ?? -1;
      if (h < 0) continue;
      let l = byNode.get(h);
      if (!l) byNode.set(h, (l = []));
      l.push(m);
    }
    const evict: number[] = [];
    for (const list of byNode.values()) {
      const perGroup = new Map<number, number>();
      for (const m of list) bump(perGroup, this.groupOfVm.get(m) ?? -1, view.pinned(m) ? 1_000_000 : 1);
      if (perGroup.size < 2) continue;
      let keep = -1;
      for (const [g, c] of perGroup) if (keep < 0 || c > (perGroup.get(keep) ?? 0)) keep = g;
      for (const m of list) if (this.groupOfVm.get(m) !== keep) evict.push(m);
    }
    return evict;
  }
  reset(): void {
    this.perNode.clear();
  }
}

/** splitAmong: each VM group within one node group, and the VM groups in distinct node groups. */
export class SplitAmongRule implements PlacementRule {
  readonly scope = 'vm';
  /** vgroup → pgroup → count */
  private readonly use = new Map<number, Map<number, number>>();
  /** pgroup → vgroup → count */
  private readonly owner = new Map<number, Map<number, number>>();
  constructor(
    readonly constraintIndex: number,
    readonly source: Constraint,
    readonly members: readonly number[],
    private readonly vGroupOf: ReadonlyMap<number, number>,
    private readonly pGroupOf: ReadonlyMap<number, number>,
  ) {}
  allows(v: number, n: number): boolean {
    const pg = this.pGroupOf.get(n);
    const vg = this.vGroupOf.get(v);
    if (pg === undefined || vg === undefined) return false;
    const mine = this.use.get(vg);
    if (mine) for (const k of mine.keys()) if (k !== pg) return false;
    const owners = this.owner.get(pg);
    if (owners) for (const k of owners.keys()) if (k !== vg) return false;
    return true;
  }
  add(v: number, n: number): void {
    const pg = this.pGroupOf.get(n) ?? -1;
    const vg = this.vGroupOf.get(v) ?? -1;
    let u = this.use.get(vg);
    if (!u) this.use.set(vg, (u = new Map()));
    bump(u, pg, 1);
    let o = this.owner.get(pg);
    if (!o) this.owner.set(pg, (o = new Map()));
    bump(o, vg, 1);
  }
  remove(v: number, n: number): void {
    const pg = this.pGroupOf.get(n) ?? -1;
    const vg = this.vGroupOf.get(v) ?? -1;
    const u = this.use.get(vg);
    if (u) {
      bump(u, pg, -1);
      if (u.size === 0) this.use.delete(vg);
    }
    const o = this.owner.get(pg);
    if (o) {
      bump(o, vg, -1);
      if (o.size === 0) this.owner.delete(pg);
    }
  }
  /**
   * For v to land on n: v's group mates in other node groups leave, and so do the members of
   * other VM groups in n's node group (never: n or v in no group).
   */
  blockers(v: number, n: number, view: PlacementView): number[] | null {
    const pg = this.pGroupOf.get(n);
    const vg = this.vGroupOf.get(v);
    if (pg === undefined || vg === undefined) return null;
    return pinnedOrAll(
      this.members.filter((m) => {
        if (m === v) return false;
        const h = view.host[m] ?? -1;
        if (h < 0) return false;
        const mine = this.vGroupOf.get(m) === vg;
        const there = this.pGroupOf.get(h) === pg;
        return mine !== there;
      }),
      view,
    );
  }
  repair(view: PlacementView): number[] {
    // keep, per VM group, its largest node group not already kept by another VM group
    const taken = new Set<number>();
    const evict: number[] = [];
    const byGroup = new Map<number, number[]>();
    for (const m of this.members) {
      if ((view.host[m] ?? -1) < 0) continue;
      const vg = this.vGroupOf.get(m) ?? -1;
      let l = byGroup.get(vg);
      if (!l) byGroup.set(vg, (l = []));
      l.push(m);
    }
    for (const list of byGroup.values()) {
      const per = new Map<number, number>();
      for (const m of list) {
        const pg = this.pGroupOf.get(view.host[m] ?? -1);
        if (pg !== undefined && !taken.has(pg)) bump(per, pg, 1);
      }
      let keep = -1;
      for (const [g, c] of per) if (keep < 0 || c > (per.get(keep) ?? 0)) keep = g;
      if (keep >= 0) taken.add(keep);
      for (const m of list) if (this.pGroupOf.get(view.host[m] ?? -1) !== keep) evict.push(m);
    }
    return evict;
  }
  reset(): void {
    this.use.clear();
    this.owner.clear();
  }
}

/** lonely: a member shares its host only with members. Checked for every VM on every node. */
export class LonelyRule implements PlacementRule {
  readonly scope = 'node';
  readonly members = null;
  private readonly memberSet: ReadonlySet<number>;
  private readonly perNode = new Map<number, number>();
  constructor(
    readonly constraintIndex: number,
    readonly source: Constraint,
    readonly memberList: readonly number[],
  ) {
    this.memberSet = new Set(memberList);
  }
  allows(v: number, n: number, view: PlacementView): boolean {
    const mine = this.perNode.get(n) ?? 0;
    if (this.memberSet.has(v)) return (view.count[n] ?? 0) - mine === 0;
    return mine === 0;
  }
  add(v: number, n: number): void {
    if (this.memberSet.has(v)) bump(this.perNode, n, 1);
  }
  remove(v: number, n: number): void {
    if (this.memberSet.has(v)) bump(this.perNode, n, -1);
  }
  blockers(v: number, n: number, view: PlacementView): number[] | null {
    const isMember = this.memberSet.has(v);
    const out: number[] = [];
    for (const m of view.vmsOn(n)) if (m !== v && this.memberSet.has(m) !== isMember) out.push(m);
    return out.some((m) => view.pinned(m)) ? null : out;
  }
  repair(view: PlacementView): number[] {
    const evict: number[] = [];
    const nodes = new Set<number>();
    for (const m of this.memberList) if ((view.host[m] ?? -1) >= 0) nodes.add(view.host[m] ?? -1);
    for (const n of nodes) {
      const members: number[] = [];
      const others: number[] = [];
      for (const m of view.vmsOn(n)) (this.memberSet.has(m) ? members : others).push(m);
      if (others.length === 0) continue;
      const membersPinned = members.some((m) => view.pinned(m));
      const othersPinned = others.some((m) => view.pinned(m));
      evict.push(...((membersPinned || (!othersPinned && others.length < members.length)) ? others : members));
    }
    return evict;
  }
  isMember(v: number): boolean {
    return this.memberSet.has(v);
  }
  reset(): void {
    this.perNode.clear();
  }
}

/** resourceCapacity: Σ demand of rc over the node set ≤ amount. */
export class ResourceCapacityRule implements PlacementRule {
  readonly scope = 'node';
  private used = 0;
  private readonly nodeSet: ReadonlySet<number>;
  constructor(
    readonly constraintIndex: number,
    readonly source: Constraint,
    readonly members: readonly number[],
    private readonly rc: number,
    readonly amount: number,
  ) {
    this.nodeSet = new Set(members);
  }
  allows(v: number, _n: number, view: PlacementView): boolean {
    return this.rc < 0 || this.used + view.demand(v, this.rc) <= this.amount;
  }
  add(v: number, _n: number, view: PlacementView): void {
    if (this.rc >= 0) this.used += view.demand(v, this.rc);
  }
  remove(v: number, _n: number, view: PlacementView): void {
    if (this.rc >= 0) this.used -= view.demand(v, this.rc);
  }
  blockers(v: number, _n: number, view: PlacementView): number[] | null {
    if (this.members.length !== 1 || this.rc < 0) return null;
    const need = this.used + view.demand(v, this.rc) - this.amount;
    return smallestCover([...view.vmsOn(this.members[0] ?? -1)].filter((m) => m !== v && !view.pinned(m)), need, (m) => view.demand(m, this.rc));
  }
  repair(view: PlacementView): number[] {
    if (this.rc < 0) return [];
    const on: number[] = [];
    let used = 0;
    for (const n of this.nodeSet) for (const m of view.vmsOn(n)) {
      on.push(m);
      used += view.demand(m, this.rc);
    }
    const movable = on.filter((m) => !view.pinned(m));
    return largestFirstCover(movable, used - this.amount, (m) => view.demand(m, this.rc));
  }
  /** Node-local only for a single node (a set-wide count could overlap another node's bound). */
  lowerBound(view: PlacementView): Map<number, number> {
    const out = new Map<number, number>();
    const n = this.members[0];
    if (this.members.length !== 1 || n === undefined || this.rc < 0) return out;
    const evict = this.repair(view);
    if (evict.length > 0) out.set(n, evict.length);
    return out;
  }
  reset(): void {
    this.used = 0;
  }
}

/** runningCapacity: at most `amount` running VMs on the node set. */
export class RunningCapacityRule implements PlacementRule {
  readonly scope = 'node';
  private used = 0;
  constructor(
    readonly constraintIndex: number,
    readonly source: Constraint,
    readonly members: readonly number[],
    readonly amount: number,
  ) {}
  allows(): boolean {
    return this.used + 1 <= this.amount;
  }
  add(): void {
    this.used++;
  }
  remove(): void {
    this.used--;
  }
  repair(view: PlacementView): number[] {
    const on: number[] = [];
    for (const n of this.members) for (const m of view.vmsOn(n)) if (!view.pinned(m)) on.push(m);
    let excess = -this.amount;
    for (const n of this.members) excess += view.count[n] ?? 0;
    return excess > 0 ? on.slice(0, excess) : [];
  }
  reset(): void {
    this.used = 0;
  }
}

/** The fewest items (largest first) whose sizes sum to at least `need`. */
export function largestFirstCover(items: readonly number[], need: number, size: (i: number) => number): number[] {
  if (need <= 0) return [];
  const sorted = [...items].sort((a, b) => size(b) - size(a));
  const out: number[] = [];
  let freed = 0;
  for (const i of sorted) {
    if (freed >= need) break;
    out.push(i);
    freed += size(i);
  }
  return out;
}

/** A small set covering `need`: the single smallest item that suffices, else largest-first. */
export function smallestCover(items: readonly number[], need: number, size: (i: number) => number): number[] | null {
  if (need <= 0) return [];
  let best = -1;
  for (const i of items) if (size(i) >= need && (best < 0 || size(i) < size(best))) best = i;
  if (best >= 0) return [best];
  const cover = largestFirstCover(items, need, size);
  let s = 0;
  for (const i of cover) s += size(i);
  return s >= need ? cover : null;
}
