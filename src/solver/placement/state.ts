import type { PlacementProblem } from '../problem.js';
import type { PlacementRule, PlacementView } from './rules.js';

/**
 * A (partial) final placement with incremental feasibility: node loads per resource, VM counts,
 * and every rule's counters. `place`/`unplace` are O(resources + rules of the VM and node).
 */
export class Placement implements PlacementView {
  readonly host: Int32Array;
  readonly load: Float64Array;
  readonly count: Int32Array;
  readonly nodeCount: number;
  readonly vmCount: number;
  private readonly on: Set<number>[];

  constructor(readonly problem: PlacementProblem) {
    this.nodeCount = problem.nodes.length;
    this.vmCount = problem.vms.length;
    this.host = new Int32Array(this.vmCount).fill(-1);
    this.load = new Float64Array(problem.resources.length * this.nodeCount);
    this.count = new Int32Array(this.nodeCount);
    this.on = Array.from({ length: this.nodeCount }, () => new Set<number>());
    for (const rule of problem.rules) rule.reset();
  }

  /** A placement holding `hosts` (-1 = unplaced). Resets every rule's counters. */
  static of(problem: PlacementProblem, hosts: Int32Array): Placement {
    const p = new Placement(problem);
    for (let v = 0; v < hosts.length; v++) {
      const n = hosts[v] ?? -1;
      if (n >= 0) p.place(v, n);
    }
    return p;
  }

  demand(v: number, r: number): number {
    return this.problem.demand[r * this.vmCount + v] ?? 0;
  }
  resourceIndex(rc: string): number {
    return this.problem.resources.indexOf(rc);
  }
  vmsOn(n: number): Iterable<number> {
    return this.on[n] ?? [];
  }
  vmsOnCount(n: number): number {
    return this.on[n]?.size ?? 0;
  }
  pinned(v: number): boolean {
    return this.problem.pinned[v] === 1;
  }

  /** Resources only: does v fit in n's free capacity? */
  fits(v: number, n: number): boolean {
    const { resources, capacity, demand } = this.problem;
    const N = this.nodeCount;
    const V = this.vmCount;
    for (let r = 0; r < resources.length; r++) {
      if ((this.load[r * N + n] ?? 0) + (demand[r * V + v] ?? 0) > (capacity[r * N + n] ?? 0)) return false;
    }
    return true;
  }

  /** Static domain and every rule (not capacity). v must be unplaced. */
  allowed(v: number, n: number): boolean {
    if (!this.problem.domainAllows(v, n)) return false;
    const rules = this.problem.rules;
    for (const i of this.problem.vmRules[v] ?? []) if (!(rules[i] as PlacementRule).allows(v, n, this)) return false;
    for (const i of this.problem.nodeRules[n] ?? []) if (!(rules[i] as PlacementRule).allows(v, n, this)) return false;
    for (const i of this.problem.everyNodeRules) if (!(rules[i] as PlacementRule).allows(v, n, this)) return false;
    return true;
  }

  canPlace(v: number, n: number): boolean {
    return this.fits(v, n) && this.allowed(v, n);
  }

  place(v: number, n: number): void {
    const { resources, demand, rules } = this.problem;
    const N = this.nodeCount;
    const V = this.vmCount;
    this.host[v] = n;
    for (let r = 0; r < resources.length; r++) this.load[r * N + n] = (this.load[r * N + n] ?? 0) + (demand[r * V + v] ?? 0);
    // rules first see the VM count without v (lonely compares against it), so bump the count last
    for (const i of this.problem.vmRules[v] ?? []) (rules[i] as PlacementRule).add(v, n, this);
    for (const i of this.problem.nodeRules[n] ?? []) (rules[i] as PlacementRule).add(v, n, this);
    for (const i of this.problem.everyNodeRules) (rules[i] as PlacementRule).add(v, n, this);
    this.count[n] = (this.count[n] ?? 0) + 1;
    this.on[n]?.add(v);
  }

  unplace(v: number): number {
    const n = this.host[v] ?? -1;
    if (n < 0) return n;
    const { resources, demand, rules } = this.problem;
    const N = this.nodeCount;
    const V = this.vmCount;
    this.host[v] = -1;
    for (let r = 0; r < resources.length; r++) this.load[r * N + n] = (this.load[r * N + n] ?? 0) - (demand[r * V + v] ?? 0);
    this.count[n] = (this.count[n] ?? 0) - 1;
    this.on[n]?.delete(v);
    for (const i of this.problem.vmRules[v] ?? []) (rules[i] as PlacementRule).remove(v, n, this);
    for (const i of this.problem.nodeRules[n] ?? []) (rules[i] as PlacementRule).remove(v, n, this);
    for (const i of this.problem.everyNodeRules) (rules[i] as PlacementRule).remove(v, n, this);
    return n;
  }

  /** Free amount of resource r on n. */
  free(r: number, n: number): number {
    return (this.problem.capacity[r * this.nodeCount + n] ?? 0) - (this.load[r * this.nodeCount + n] ?? 0);
  }

  /** Overloaded nodes (load above capacity in some resource). */
  overloaded(): number[] {
    const out: number[] = [];
    const R = this.problem.resources.length;
    for (let n = 0; n < this.nodeCount; n++) {
      for (let r = 0; r < R; r++) {
        if (this.free(r, n) < 0) {
          out.push(n);
          break;
        }
      }
    }
    return out;
  }

  /** Cost of the current hosts under the problem's objective (unplaced VMs are not counted). */
  cost(): number {
    let c = 0;
    for (let v = 0; v < this.vmCount; v++) c += this.problem.moveCost(v, this.host[v] ?? -1);
    return c;
  }
}
