import type { Instance } from '../instance/instance.js';
import type { NodeId, VmId } from '../model/index.js';
import { better, ejectionChains } from './placement/ejection.js';
import { type PlacementResult, resultOf } from './placement/ffd.js';
import { largeNeighbourhoodSearch } from './placement/lns.js';
import { CONSTRUCT_RESTARTS, SHORTLIST_SIZE, partConstructUntil } from './pipeline/policy.js';
import type { CancelSignal } from './ports.js';
import type { PlacementObjective, PlacementProblem, Repair } from './problem.js';
import { Placement } from './placement/state.js';

/**
 * Candidate shortlists and independent sub-problems. Each VM to place gets its K best candidate
 * hosts (allowed, fitting with the room left by the repair, most room first, its source host
 * kept): the exact model's domains. VMs and nodes linked by a shared constraint or a host both
 * may use (static domains, not the shortlists) form one part, solved on its own (and in
 * parallel, by a port such as main/node/solver/parallel.ts) with the same `solvePart`.
 *
 * A part is solved on the whole problem seen through a narrower window: its VMs may only use the
 * part's nodes, and the VMs there that share a constraint with another part stay where they are.
 * The other parts' evicted VMs sit on their source hosts meanwhile (never on this part's nodes),
 * so parts solved apart compose. The merged placement is verified against every rule before use.
 */

export interface SubProblem {
  /** The VMs to place (dense indices). */
  readonly vms: readonly number[];
  /** The nodes they may use, and whose VMs may be evicted to make room. */
  readonly nodes: readonly number[];
}

export interface Decomposition {
  readonly candidates: ReadonlyMap<number, readonly number[]>;
  readonly components: readonly SubProblem[];
}

/** One part to solve, in element ids (plain data: it crosses to a worker thread). */
export interface PartTask {
  /** Position of the part in the request. */
  readonly index: number;
  readonly vms: readonly VmId[];
  readonly nodes: readonly NodeId[];
  /** VMs on the part's nodes that must stay put (they share a constraint with another part). */
  readonly pinned: readonly VmId[];
  /** A warm start (`restrictTo`: VM → host for every VM it moves); empty: from scratch. */
  readonly start: readonly (readonly [VmId, NodeId])[];
  /** Valid lower bound on the part's cost: the search stops there. */
  readonly lowerBound: number;
  readonly seed: number;
  /** Search time for the part (ms from when it starts), never past `deadline` (a Date.now() value). */
  readonly budgetMs: number;
  readonly deadline: number;
  /** Prefer hosts receiving few migrations (objective mttr). */
  readonly spreadIncoming: boolean;
}

/** A part's answer: the hosts of its VMs (and of neighbours it evicted) that differ from the repair. */
export interface PartResult {
  readonly index: number;
  readonly hosts: readonly (readonly [VmId, NodeId])[];
  readonly unplaced: readonly VmId[];
  readonly cost: number;
  readonly migrations: number;
  /** 'start' (the warm start was kept), 'construct' or 'lns'. */
  readonly stage: string;
  readonly elapsedMs: number;
}

/** What a worker needs to rebuild the very problem and repair the planner works on. */
export interface PartsContext {
  /** The instance with every constraint (the instance's and the script's). */
  readonly instance: Instance;
  readonly objective: PlacementObjective;
  /** The VMs the repair evicted (the queue); every other VM starts on its source host. */
  readonly evicted: readonly VmId[];
}

/**
 * The port through which the planner has parts solved elsewhere (in parallel). Resolves with the
 * results of the tasks that ran (a cancel may leave some out); rejects with a located error when
 * a part cannot be solved there.
 */
export interface SolveParts {
  /** How many parts run at once at most. */
  readonly workers: number;
  solve(context: PartsContext, tasks: readonly PartTask[], signal?: CancelSignal): Promise<readonly PartResult[]>;
}

/** A problem with its repair, as a worker holds them. */
export interface PlacementProblemAndRepair {
  readonly problem: PlacementProblem;
  readonly repair: Repair;
}

/** The repair a worker rebuilds from the evicted VMs: the same start as the planner's. */
export function repairFromEvicted(problem: PlacementProblem, evicted: readonly VmId[]): Repair {
  const hosts = new Int32Array(problem.origin);
  const queue: number[] = [];
  for (const id of evicted) {
    const v = problem.vmIndex.get(id);
    if (v === undefined) throw new PartTaskError(`evicted VM ${id} does not run at the end of this problem`);
    hosts[v] = -1;
    queue.push(v);
  }
  return { hosts, queue, forced: [], lowerBound: 0, migrationsLowerBound: 0, infeasible: [] };
}

/**
 * The K best hosts of every queued VM. A host's room for v is its free share summed over the
 * resources minus v's demand share, so the free share alone bounds it from above: hosts are
 * scanned by free share, most first, and the scan stops once no host left can enter the list.
 * The rules, the costly part, are only asked about hosts that would enter it.
 */
export function shortlist(problem: PlacementProblem, repair: Repair, k = SHORTLIST_SIZE): Map<number, number[]> {
  const state = Placement.of(problem, repair.hosts);
  const N = problem.nodes.length;
  const R = problem.resources.length;
  const V = problem.vms.length;
  const { capacity, demand } = problem;
  const freeShare = new Float64Array(N);
  const online: number[] = [];
  for (let n = 0; n < N; n++) {
    if (problem.onlineAtEnd[n] !== 1) continue;
    online.push(n);
    let share = 0;
    for (let r = 0; r < R; r++) {
      const cap = capacity[r * N + n] ?? 0;
      if (cap > 0) share += (cap - (state.load[r * N + n] ?? 0)) / cap;
    }
    freeShare[n] = share;
  }
  online.sort((a, b) => (freeShare[b] ?? 0) - (freeShare[a] ?? 0) || a - b);
  const maxCapacity = new Float64Array(R);
  for (let r = 0; r < R; r++) for (const n of online) maxCapacity[r] = Math.max(maxCapacity[r] ?? 0, capacity[r * N + n] ?? 0);
  const out = new Map<number, number[]>();
  const scoredNode = new Int32Array(k + 1);
  const scoredRoom = new Float64Array(k + 1);
  for (const v of repair.queue) {
    // the k best so far, sorted by room (descending): a bounded insertion, no full sort
    let size = 0;
    // v takes at least this share of any host
    let least = 0;
    for (let r = 0; r < R; r++) if ((maxCapacity[r] ?? 0) > 0) least += (demand[r * V + v] ?? 0) / (maxCapacity[r] ?? 1);
    for (const n of online) {
      if (size === k && (freeShare[n] ?? 0) - least <= (scoredRoom[k - 1] ?? 0)) break;
      let room = 0;
      let fits = true;
      for (let r = 0; r < R; r++) {
        const cap = capacity[r * N + n] ?? 0;
        const left = cap - (state.load[r * N + n] ?? 0) - (demand[r * V + v] ?? 0);
        if (left < 0) fits = false;
        room += cap > 0 ? left / cap : 0;
      }
      // hosts that do not fit now stay candidates at a discount: an eviction may open them
      const score = fits ? room : room - R;
      if (size === k && score <= (scoredRoom[k - 1] ?? 0)) continue;
      if (!state.allowed(v, n)) continue;
      let i = size;
      while (i > 0 && (scoredRoom[i - 1] ?? 0) < score) {
        scoredRoom[i] = scoredRoom[i - 1] ?? 0;
        scoredNode[i] = scoredNode[i - 1] ?? 0;
        i--;
      }
      scoredRoom[i] = score;
      scoredNode[i] = n;
      if (size < k) size++;
    }
    const list = Array.from(scoredNode.subarray(0, size));
    const o = problem.origin[v] ?? -1;
    if (o >= 0 && problem.domainAllows(v, o) && !list.includes(o)) list.push(o);
    out.set(v, list);
  }
  return out;
}

export function decompose(problem: PlacementProblem, repair: Repair, k = SHORTLIST_SIZE): Decomposition {
  return { candidates: shortlist(problem, repair, k), components: independentParts(problem, repair) };
}

/**
 * Sub-problems that are independent for certain: VMs and nodes are linked when a queued VM may
 * end on the node (its static domain: fences, bans, among groups, online nodes) or leaves it, and
 * when one constraint binds them. Parts with disjoint domains can be solved apart without losing
 * any solution (the shortlists are a heuristic and would: a VM's way home may not be on them).
 */
export function independentParts(problem: PlacementProblem, repair: Repair): SubProblem[] {
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
  const open = (n: number): boolean => problem.onlineAtEnd[n] === 1 && problem.quarantined[n] !== 1;
  // VMs free to go anywhere share one node set; restricted domains are often shared masks (among)
  let anywhere = -1;
  const maskNode = new Map<Uint8Array, number>();
  const nodeOfMask = (mask: Uint8Array): number => {
    let first = maskNode.get(mask);
    if (first !== undefined) return first;
    first = -1;
    for (let n = 0; n < N; n++) {
      if (mask[n] !== 1 || !open(n)) continue;
      if (first < 0) first = n;
      else union(V + first, V + n);
    }
    maskNode.set(mask, first);
    return first;
  };
  const queued = new Set(repair.queue);
  for (const v of repair.queue) {
    const o = problem.origin[v] ?? -1;
    if (o >= 0) union(v, V + o);
    if (problem.pinned[v] === 1) continue;
    const mask = problem.domains.get(v);
    let linked: number;
    if (mask) linked = nodeOfMask(mask);
    else {
      if (anywhere < 0) {
        for (let n = 0; n < N; n++) {
          if (!open(n)) continue;
          if (anywhere < 0) anywhere = n;
          else union(V + anywhere, V + n);
        }
      }
      linked = anywhere;
    }
    if (linked >= 0) union(v, V + linked);
  }
  for (const rule of problem.rules) {
    if (rule.scope === 'vm') {
      // the first queued member with each later one (no copy: thousands of rules, few queued VMs)
      let first = -1;
      for (const m of rule.members ?? []) {
        if (!queued.has(m)) continue;
        if (first < 0) first = m;
        else union(first, m);
      }
    } else if (rule.members !== null) {
      for (let i = 1; i < rule.members.length; i++) union(V + (rule.members[0] as number), V + (rule.members[i] as number));
    }
  }
  const groups = new Map<number, { vms: number[]; nodes: number[] }>();
  for (const v of repair.queue) {
    const root = find(v);
    let g = groups.get(root);
    if (!g) groups.set(root, (g = { vms: [], nodes: [] }));
    g.vms.push(v);
  }
  for (let n = 0; n < N; n++) groups.get(find(V + n))?.nodes.push(n);
  return [...groups.values()];
}

// ---- parts ------------------------------------------------------------------------------------

/** node → part index (-1: no part), from a decomposition's components. */
export function partOfNodes(problem: PlacementProblem, parts: readonly SubProblem[]): Int32Array {
  const partOf = new Int32Array(problem.nodes.length).fill(-1);
  parts.forEach((p, i) => {
    for (const n of p.nodes) partOf[n] = i;
  });
  return partOf;
}

/**
 * VMs that must stay put inside their part: members of a VM constraint whose members live (or
 * are placed) in several parts, so that two parts never move one constraint's VMs at once.
 */
export function crossPartPins(problem: PlacementProblem, repair: Repair, parts: readonly SubProblem[]): Set<number> {
  const partOf = partOfNodes(problem, parts);
  const queuedPart = new Map<number, number>();
  parts.forEach((p, i) => {
    for (const v of p.vms) queuedPart.set(v, i);
  });
  const pins = new Set<number>();
  for (const rule of problem.rules) {
    if (rule.scope !== 'vm' || rule.members === null) continue;
    let first = -2;
    let spans = false;
    for (const m of rule.members) {
      const n = problem.origin[m] ?? -1;
      const p = queuedPart.get(m) ?? (n >= 0 ? (partOf[n] ?? -1) : -1);
      if (p < 0) continue;
      if (first === -2) first = p;
      else if (p !== first) spans = true;
    }
    if (!spans) continue;
    for (const m of rule.members) if (!queuedPart.has(m) && (repair.hosts[m] ?? -1) >= 0) pins.add(m);
  }
  return pins;
}

/** The valid lower bound of one part: its forced moves plus the node-local bounds of its nodes. */
export function partLowerBound(problem: PlacementProblem, repair: Repair, part: SubProblem): number {
  const inPart = new Set(part.vms);
  let lb = 0;
  for (const v of repair.forced) if (inPart.has(v)) lb += problem.moveCost(v, otherNode(problem, v));
  for (const n of part.nodes) lb += repair.nodeLowerBounds?.get(n)?.cost ?? 0;
  return lb;
}

/** Any node other than v's origin, to price a move. */
function otherNode(problem: PlacementProblem, v: number): number {
  return (problem.origin[v] ?? -1) === 0 ? 1 : 0;
}

/**
 * The whole-problem placement restricted to a part, or undefined when it does not decompose
 * (a VM of the part ends outside the part's nodes, or a VM from elsewhere ends inside them, or a
 * pinned VM moved).
 */
export function restrictTo(problem: PlacementProblem, repair: Repair, part: SubProblem, pins: ReadonlySet<number>, hosts: Int32Array): [VmId, NodeId][] | undefined {
  const inNodes = new Uint8Array(problem.nodes.length);
  for (const n of part.nodes) inNodes[n] = 1;
  const inVms = new Set(part.vms);
  const out: [VmId, NodeId][] = [];
  for (let v = 0; v < hosts.length; v++) {
    const h = hosts[v] ?? -1;
    const before = repair.hosts[v] ?? -1;
    const mine = inVms.has(v) || (before >= 0 && inNodes[before] === 1);
    if (!mine) {
      if (h >= 0 && h !== before && inNodes[h] === 1) return undefined;
      continue;
    }
    if (h < 0 || inNodes[h] !== 1) return undefined;
    if (h !== before) {
      if (pins.has(v)) return undefined;
      out.push([problem.vms[v] as VmId, problem.nodes[h] as NodeId]);
    }
  }
  return out;
}

/** The serialisable tasks of a decomposition. `budgetMs` is set by the caller. */
export function partTasks(
  problem: PlacementProblem,
  repair: Repair,
  parts: readonly SubProblem[],
  options: { readonly start?: Int32Array | undefined; readonly seed: number; readonly spreadIncoming: boolean; readonly deadline: number },
): PartTask[] {
  const pins = crossPartPins(problem, repair, parts);
  return parts.map((part, index) => {
    const nodeSet = new Set(part.nodes);
    const pinned: VmId[] = [];
    for (const v of pins) if (nodeSet.has(repair.hosts[v] ?? -1)) pinned.push(problem.vms[v] as VmId);
    const start = options.start ? restrictTo(problem, repair, part, pins, options.start) : undefined;
    return {
      index,
      vms: part.vms.map((v) => problem.vms[v] as VmId),
      nodes: part.nodes.map((n) => problem.nodes[n] as NodeId),
      pinned,
      start: start ?? [],
      lowerBound: partLowerBound(problem, repair, part),
      seed: options.seed + index,
      budgetMs: 0,
      deadline: options.deadline,
      spreadIncoming: options.spreadIncoming,
    };
  });
}

/** Thrown for a task that does not fit the problem (an unknown VM or node). */
export class PartTaskError extends Error {
  override name = 'PartTaskError';
}

/**
 * Solves one part: ejection chains over the part's window (with restarts), kept against the
 * whole-problem solution when it is given, then large-neighbourhood search down to the part's
 * lower bound or its time. Pure and synchronous: the same code runs in-process and in a worker.
 */
export function solvePart(problem: PlacementProblem, repair: Repair, task: PartTask, shouldStop: () => boolean = () => false): PartResult {
  const t0 = Date.now();
  const deadline = Math.min(task.deadline, t0 + task.budgetMs);
  const V = problem.vms.length;
  const N = problem.nodes.length;
  const vmOf = (id: VmId, what: string): number => {
    const v = problem.vmIndex.get(id);
    if (v === undefined) throw new PartTaskError(`part ${task.index}: ${what} VM ${id} does not run at the end of this problem`);
    return v;
  };
  const nodeOf = (id: NodeId): number => {
    const n = problem.nodeIndex.get(id);
    if (n === undefined) throw new PartTaskError(`part ${task.index}: node ${id} is not in this problem`);
    return n;
  };
  const vms = task.vms.map((id) => vmOf(id, 'queued'));
  const inNodes = new Uint8Array(N);
  for (const id of task.nodes) inNodes[nodeOf(id)] = 1;
  const pinned = new Uint8Array(problem.pinned);
  for (const id of task.pinned) pinned[vmOf(id, 'pinned')] = 1;
  const base = new Int32Array(repair.hosts);
  const inPart = new Uint8Array(V);
  for (const v of vms) inPart[v] = 1;
  // the other parts' VMs wait on their source host, or (booting) on a node outside this part
  let outside = -1;
  for (let n = 0; n < N && outside < 0; n++) if (inNodes[n] !== 1) outside = n;
  for (const v of repair.queue) {
    if (inPart[v] === 1) continue;
    const o = problem.origin[v] ?? -1;
    base[v] = o >= 0 && inNodes[o] !== 1 ? o : outside;
  }
  const window: PlacementProblem = {
    ...problem,
    pinned,
    domainAllows: (v, n) => inNodes[n] === 1 && (pinned[v] !== 1 || problem.origin[v] === n) && problem.domainAllows(v, n),
  };
  const partRepair: Repair = { ...repair, hosts: base, queue: vms, lowerBound: task.lowerBound };

  let best: PlacementResult | undefined;
  let stage = 'start';
  if (task.start.length > 0 || vms.length === 0) {
    const hosts = new Int32Array(base);
    for (const [id, node] of task.start) hosts[vmOf(id, 'started')] = nodeOf(node);
    best = resultOf(window, hosts);
  }
  const atBound = (r: PlacementResult | undefined): boolean => r !== undefined && r.unplaced.length === 0 && r.cost <= task.lowerBound;
  // without a start, one pass runs even when stopped: a part always answers with a placement
  if (!atBound(best) && (!best || !shouldStop())) {
    const constructed = ejectionChains(window, partRepair, {
      seed: task.seed,
      restarts: CONSTRUCT_RESTARTS,
      deadline: partConstructUntil(t0, deadline),
      shouldStop: () => shouldStop() || Date.now() > deadline,
      target: task.lowerBound,
      spreadIncoming: task.spreadIncoming,
    });
    if (!best || better(constructed, best)) {
      best = constructed;
      stage = 'construct';
    }
  }
  if (best && !atBound(best) && best.unplaced.length === 0 && !shouldStop() && Date.now() < deadline) {
    const improved = largeNeighbourhoodSearch(window, best, { lowerBound: task.lowerBound, deadline, seed: task.seed + 7, shouldStop });
    if (better(improved, best)) {
      best = improved;
      stage = 'lns';
    }
  }
  const result = best as PlacementResult;
  const hosts: [VmId, NodeId][] = [];
  const unplaced: VmId[] = [];
  let migrations = 0;
  for (let v = 0; v < V; v++) {
    const h = result.hosts[v] ?? -1;
    if (inPart[v] !== 1 && h === base[v]) continue;
    if (h < 0) {
      if (inPart[v] === 1) unplaced.push(problem.vms[v] as VmId);
      continue;
    }
    hosts.push([problem.vms[v] as VmId, problem.nodes[h] as NodeId]);
    if (problem.originRunning[v] === 1 && problem.origin[v] !== h) migrations++;
  }
  return { index: task.index, hosts, unplaced, cost: result.cost, migrations, stage, elapsedMs: Date.now() - t0 };
}

/**
 * The parts' answers put together over the repair: hosts for every VM, or the first reason they
 * do not compose (an unplaced VM, an overloaded node, a broken rule, a forbidden host).
 */
export function mergeParts(problem: PlacementProblem, repair: Repair, results: readonly PartResult[]): { readonly hosts: Int32Array; readonly problem?: string } {
  const hosts = new Int32Array(repair.hosts);
  for (const r of results) {
    for (const [vm, node] of r.hosts) {
      const v = problem.vmIndex.get(vm);
      const n = problem.nodeIndex.get(node);
      if (v === undefined || n === undefined) return { hosts, problem: `part ${r.index} names VM ${vm} on node ${node}, unknown here` };
      hosts[v] = n;
    }
  }
  const issue = verifyPlacement(problem, hosts);
  return issue === undefined ? { hosts } : { hosts, problem: issue };
}

/** The first reason `hosts` is not a valid final placement, or undefined. */
export function verifyPlacement(problem: PlacementProblem, hosts: Int32Array): string | undefined {
  const name = (v: number): string => problem.model.vmName(problem.vms[v] as VmId);
  for (let v = 0; v < hosts.length; v++) {
    const h = hosts[v] ?? -1;
    if (h < 0) return `${name(v)} has no host`;
    if (h !== problem.origin[v] && !problem.domainAllows(v, h)) return `${name(v)} may not end on ${problem.model.nodeName(problem.nodes[h] as NodeId)}`;
  }
  const state = Placement.of(problem, hosts);
  const overloaded = state.overloaded();
  if (overloaded.length > 0) return `${problem.model.nodeName(problem.nodes[overloaded[0] as number] as NodeId)} is over capacity`;
  for (const rule of problem.rules) {
    const bad = rule.repair(state);
    if (bad.length > 0) return `${rule.source.id} does not hold for ${bad.slice(0, 3).map(name).join(', ')}`;
  }
  return undefined;
}
