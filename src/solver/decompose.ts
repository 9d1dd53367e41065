import type { PlacementProblem, Repair } from './problem.js';
import { Placement } from './placement/state.js';

/**
 * Candidate shortlists and independent sub-problems. Each VM to place gets its K best candidate
 * hosts (allowed, fitting with the room left by the repair, most room first, its source host
 * kept); VMs and nodes linked by a shared constraint or a shared candidate host form one
 * connected component, which can be solved on its own (and in parallel).
 */

export interface SubProblem {
  readonly vms: readonly number[];
  readonly nodes: readonly number[];
}

export interface Decomposition {
  readonly candidates: ReadonlyMap<number, readonly number[]>;
  readonly components: readonly SubProblem[];
}

export function shortlist(problem: PlacementProblem, repair: Repair, k = 32): Map<number, number[]> {
  const state = Placement.of(problem, repair.hosts);
  const N = problem.nodes.length;
  const R = problem.resources.length;
  const out = new Map<number, number[]>();
  for (const v of repair.queue) {
    // the k best so far, sorted by room (descending): a bounded insertion, no full sort
    const scored: { n: number; room: number }[] = [];
    const keep = (n: number, room: number): void => {
      if (scored.length === k && room <= (scored[k - 1]?.room ?? Number.NEGATIVE_INFINITY)) return;
      let i = scored.length;
      while (i > 0 && (scored[i - 1]?.room ?? 0) < room) i--;
      scored.splice(i, 0, { n, room });
      if (scored.length > k) scored.pop();
    };
    for (let n = 0; n < N; n++) {
      if (!state.allowed(v, n)) continue;
      let room = 0;
      let fits = true;
      for (let r = 0; r < R; r++) {
        const cap = problem.capacity[r * N + n] ?? 0;
        const left = state.free(r, n) - state.demand(v, r);
        if (left < 0) fits = false;
        room += cap > 0 ? left / cap : 0;
      }
      // hosts that do not fit now stay candidates at a discount: an eviction may open them
      keep(n, fits ? room : room - R);
    }
    const list = scored.map((s) => s.n);
    const o = problem.origin[v] ?? -1;
    if (o >= 0 && problem.domainAllows(v, o) && !list.includes(o)) list.push(o);
    out.set(v, list);
  }
  return out;
}

export function decompose(problem: PlacementProblem, repair: Repair, k = 32): Decomposition {
  const candidates = shortlist(problem, repair, k);
  const V = problem.vms.length;
  const N = problem.nodes.length;
  // union-find over VMs [0, V) and nodes [V, V + N)
  const parent = new Int32Array(V + N);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      const p = parent[x] as number;
      parent[x] = parent[p] as number;
      x = p;
    }
    return x;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[ra] = rb;
  };
  const queued = new Set(repair.queue);
  for (const [v, list] of candidates) {
    const o = problem.origin[v] ?? -1;
    if (o >= 0) union(v, V + o);
    for (const n of list) union(v, V + n);
  }
  for (const rule of problem.rules) {
    if (rule.scope === 'vm') {
      const members = (rule.members ?? []).filter((m) => queued.has(m));
      for (let i = 1; i < members.length; i++) union(members[0] as number, members[i] as number);
    } else if (rule.members !== null) {
      for (let i = 1; i < rule.members.length; i++) union(V + (rule.members[0] as number), V + (rule.members[i] as number));
    }
  }
  const groups = new Map<number, { vms: number[]; nodes: number[] }>();
  const group = (root: number): { vms: number[]; nodes: number[] } => {
    let g = groups.get(root);
    if (!g) groups.set(root, (g = { vms: [], nodes: [] }));
    return g;
  };
  for (const v of queued) group(find(v)).vms.push(v);
  for (let n = 0; n < N; n++) {
    const root = find(V + n);
    const g = groups.get(root);
    if (g) g.nodes.push(n);
  }
  return { candidates, components: [...groups.values()].filter((g) => g.vms.length > 0) };
}
