import type { Constraint } from '../catalogue/constraint.js';
import type { Instance } from '../instance/instance.js';
import type { NodeId, VmId } from '../model/index.js';
import { type InfeasibilityReason, nameList, quickInfeasibility } from './bounds.js';
import { type AnyFaces, facesOf, hooksOf } from './faces.js';
import { describeConstraint } from '../catalogue/describe.js';
import { type PlacementObjective, type PlacementProblem, isMemoryResource, reduce } from './problem.js';

/**
 * The power pass: which nodes Ferry powers off or boots by itself, before the placement.
 *
 * BtrPlace leaves node states free and lets the MinMTTR objective (node actions included) power
 * nodes on or off only when a constraint or the capacity needs it. Ferry keeps node states fixed
 * in the placement, the scheduler and the exact model, so this pass chooses them first and hands
 * them over as plain `offline` / `online` constraints (one per decision, with a reason for the
 * operator); the reduction is then re-run with them and the whole pipeline stays consistent.
 *
 * - A discrete maxOnline with too many nodes online at the end: power off the nodes cheapest to
 *   empty (fewest VMs to migrate, least memory; least capacity on ties) among those that may go
 *   off (no `online` constraint, no sleeping VM staying asleep, no root or quarantined VM), in the
 *   sets of the most violated maxOnline first, while the VMs still fit elsewhere (a first-fit
 *   packing of those that must move, their domains included, preferred to totals alone). When no
 *   single node may go, a growing set of them does if the spares their shutdowns let boot take
 *   the load (a swap); a greedy pass ending in a dead end is retried keeping its first choice on.
 *   A choice is "vouched for" when a packing of the VMs that must move, or a repacking of every
 *   VM, finds a placement with those nodes off, in an order the boots allow (the VMs of a node
 *   whose shutdown a continuous maxOnline boot waits for must fit on nodes online now, and never
 *   on that booting node). On small problems an unvouched greedy pass is retried too, and with
 *   at most EXHAUSTIVE_SHUTDOWN_NODES nodes every set of them is tried before an unvouched choice
 *   is kept: a heuristic choice is what the planner's later proofs rest on.
 *   A continuous maxOnline must already hold at the start; one over its limit at the end (an
 *   `online` node to boot in a full set) gets the same shutdowns, which the scheduler orders
 *   before the boot.
 * - Capacity short (resource totals, a VM with nowhere to go, a spread without enough hosts, or a
 *   search that leaves VMs unplaced): boot the fewest offline nodes, those covering the most of
 *   the shortage, the ones the homeless VMs may use, then the largest (a spare too small for the
 *   VMs left unplaced still boots when it can take VMs that make room; boots that still leave
 *   the capacity short, or no repacking, are tried again without the first of them, as a
 *   maxOnline may let only one spare boot); never a node under an
 *   `offline` constraint, never one that would break a maxOnline. When maxOnline constraints at
 *   their limit keep the spares off, trade: online nodes of theirs power off (one in all of them,
 *   else one in each), the spare boots; from the node states after the boots, else from those
 *   before them (a boot may fill the set the spare needs); the first trade a repacking vouches
 *   for, else the first the quick capacity proof lets through. A continuous maxOnline makes the
 *   spare boot after the shutdown: only a node whose VMs can leave first (for the nodes online
 *   now or booting at once) is traded.
 * - A choice no packing vouches for is kept only as a last resort and marked
 *   (`shutdownsUnvouched`): a proof under it covers those node states, not every plan.
 */

export interface PowerDecision {
  readonly node: NodeId;
  /** The node's state at the end: 'offline' is a shutdown, 'online' a boot. */
  readonly state: 'online' | 'offline';
  /** For the operator: `N7 boots: 12 GiB of mem short on the nodes online`. */
  readonly reason: string;
}

export interface PowerPlan {
  readonly decisions: readonly PowerDecision[];
  /** The caller's extra constraints followed by one `online`/`offline` constraint per decision. */
  readonly extra: readonly Constraint[];
  /** The reduced problem with the decisions applied. */
  readonly problem: PlacementProblem;
  /** Why a maxOnline cannot hold whatever Ferry powers off (operator words); empty otherwise. */
  readonly infeasible: readonly string[];
  /**
   * True when the nodes powered off are a greedy choice no packing vouched for (another choice
   * may have a placement): an 'infeasible' proven under these node states speaks for them only.
   */
  readonly shutdownsUnvouched?: true;
}

interface Group {
  readonly constraint: Constraint;
  readonly continuous: boolean;
  /** Node indices, each once. */
  readonly members: readonly number[];
  readonly amount: number;
}

/** Most boot rounds the pass tries on the quick capacity proof. */
const MAX_BOOT_ROUNDS = 32;
/** How many of the cheapest nodes to power off get the packing test before totals alone decide. */
const PACKED_CANDIDATES = 8;
/** Most node-for-spare trades tried when a maxOnline at its limit keeps the spares off. */
const MAX_TRADES = 16;
/**
 * Up to this many VMs × nodes, a choice of shutdowns the packing tests cannot vouch for is tried
 * again with other nodes (and the repacking of every movable VM is one of the tests): a few
 * passes over every VM per candidate, milliseconds at this size.
 */
const REPACK_MAX_WORK = 200_000;
/**
 * Placements a repacking's depth-first search tries once both first-fit orders fail: enough for
 * the tiny problems where first fit misses a tight placement, a fraction of a millisecond each.
 */
const REPACK_SEARCH_STEPS = 2_000;
/** Spares tried first, each in turn, when a swap of nodes for spares is weighed (beyond the largest-first set). */
const SPARE_CHOICES = 8;
/** Up to this many nodes, when no greedy choice of shutdowns is vouched for, every set of them is tried. */
const EXHAUSTIVE_SHUTDOWN_NODES = 10;
/** Other first boots tried when the boots chosen still leave the capacity short. */
const MAX_BOOT_ALTERNATIVES = 4;

/** Decides the node states the instance needs (see the module comment). */
export function decidePower(instance: Instance, extra: readonly Constraint[], objective: PlacementObjective): PowerPlan {
  const base = reduce(instance, { objective, extraConstraints: extra, deferMaxOnline: true });
  const groups = maxOnlineGroups(base);
  const excess = groups.some((g) => !g.continuous && onlineIn(base, g, new Set()).length > g.amount);
  const decisions: PowerDecision[] = [];
  let problem = base;
  let unvouched = false;
  if (base.infeasible.length > 0) {
    // a continuous maxOnline over its limit at the end (a node to boot, its set full): powering
    // nodes of the set off first may be the answer, when that clears every problem
    const swapped = groups.some((g) => g.continuous && onlineIn(base, g, new Set()).length > g.amount) ? chooseShutdowns(base, groups, true) : undefined;
    const next = swapped && swapped.infeasible.length === 0 ? reduce(instance, { objective, extraConstraints: withDecisions(extra, swapped.decisions) }) : undefined;
    // other problems come first; without the deferral the maxOnline excess is reported too
    if (!swapped || !next || next.infeasible.length > 0) return { decisions: [], extra, problem: excess ? reduce(instance, { objective, extraConstraints: extra }) : base, infeasible: [] };
    decisions.push(...swapped.decisions);
    unvouched = swapped.unvouched === true;
    problem = next;
  } else if (excess) {
    const off = chooseShutdowns(base, groups);
    if (off.infeasible.length > 0) return { decisions: [], extra, problem: base, infeasible: off.infeasible };
    decisions.push(...off.decisions);
    unvouched = off.unvouched === true;
    problem = reduce(instance, { objective, extraConstraints: withDecisions(extra, decisions) });
  }
  // boots only when the capacity is provably short and some node could boot
  const beforeBoots = { problem, decisions: decisions.slice() };
  ({ problem } = bootsWithAlternatives(instance, objective, extra, decisions, problem, groups));
  // still short, and the spares are kept off by a maxOnline at its limit: trade a node for one
  // (and boot the free spares the trade still needs); when the boots just chosen fill a maxOnline
  // the spare needs, trade from the node states before them
  if (problem.infeasible.length === 0 && groups.length > 0 && quickInfeasibility(problem).length > 0) {
    const starts = decisions.length > beforeBoots.decisions.length ? [{ problem, decisions: decisions.slice() }, beforeBoots] : [{ problem, decisions: decisions.slice() }];
    const traded = starts.map((from) => firstTrade(instance, objective, extra, from.decisions, from.problem, groups)).find((t) => t !== undefined);
    if (traded) {
      decisions.splice(0, decisions.length, ...traded.decisions);
      problem = traded.problem;
      if (traded.unvouched) unvouched = true;
    }
  }
  return { decisions, extra: withDecisions(extra, decisions), problem, infeasible: [], ...(unvouched ? { shutdownsUnvouched: true as const } : {}) };
}

/**
 * The first trade (tradesFor) after which, with the boots it still needs, the quick capacity
 * proof finds nothing and (small problems) a repacking finds a placement; else the first the quick
 * proof alone lets through, marked unvouched (the emptiest node to trade may be the only home of
 * a VM that must leave another); or undefined.
 */
function firstTrade(instance: Instance, objective: PlacementObjective, extra: readonly Constraint[], decisions: readonly PowerDecision[], problem: PlacementProblem, groups: readonly Group[]): { decisions: PowerDecision[]; problem: PlacementProblem; unvouched: boolean } | undefined {
  let fallback: { decisions: PowerDecision[]; problem: PlacementProblem; unvouched: boolean } | undefined;
  for (const trade of tradesFor(problem, groups, MAX_TRADES)) {
    const chosen = [...decisions, ...trade];
    const next = bootRounds(instance, objective, extra, chosen, reduce(instance, { objective, extraConstraints: withDecisions(extra, chosen) }), groups);
    if (next.problem.infeasible.length > 0 || quickInfeasibility(next.problem).length > 0) continue;
    if (repackable(next.problem, new Set())) return { decisions: chosen, problem: next.problem, unvouched: false };
    fallback ??= { decisions: chosen, problem: next.problem, unvouched: true };
  }
  return fallback;
}

/**
 * bootRounds, and when its boots still leave the capacity short (a maxOnline let only one of the
 * spares boot, and the one chosen is not the one the VMs need), again with its first boot kept
 * off, a few times: the first choice that clears the quick capacity proof, else the first.
 */
function bootsWithAlternatives(instance: Instance, objective: PlacementObjective, extra: readonly Constraint[], decisions: PowerDecision[], start: PlacementProblem, groups: readonly Group[]): { problem: PlacementProblem } {
  const before = decisions.length;
  const first = bootRounds(instance, objective, extra, decisions, start, groups);
  // short: the quick proof says so, or (small problems) no repacking finds a placement
  const short = (p: PlacementProblem): boolean => p.infeasible.length > 0 || quickInfeasibility(p).length > 0 || (p.vms.length * p.nodes.length <= REPACK_MAX_WORK && !repackable(p, new Set()));
  if (decisions.length === before || !short(first.problem)) return first;
  const keepOff = new Set<NodeId>();
  let tried = decisions.slice(before);
  for (let round = 0; round < MAX_BOOT_ALTERNATIVES; round++) {
    const boot = tried[0];
    if (boot === undefined) break;
    keepOff.add(boot.node);
    const chosen = decisions.slice(0, before);
    const next = bootRounds(instance, objective, extra, chosen, start, groups, keepOff);
    if (!short(next.problem) && chosen.length > before) {
      decisions.splice(0, decisions.length, ...chosen);
      return next;
    }
    tried = chosen.slice(before);
  }
  return first;
}

/**
 * Boots nodes while the quick capacity proof says the nodes online are short and some node may
 * boot (`keepOff`: nodes not to boot); `decisions` grows with the boots. Returns the problem with them applied.
 */
function bootRounds(instance: Instance, objective: PlacementObjective, extra: readonly Constraint[], decisions: PowerDecision[], start: PlacementProblem, groups: readonly Group[], keepOff: ReadonlySet<NodeId> = new Set()): { problem: PlacementProblem } {
  let problem = start;
  for (let round = 0; round < MAX_BOOT_ROUNDS; round++) {
    if (problem.infeasible.length > 0 || bootable(problem, groups).length === 0) break;
    const reason = quickInfeasibility(problem)[0];
    if (!reason) break;
    const boots = bootsFor(problem, groups, reason, keepOff);
    if (boots.length === 0) break;
    decisions.push(...boots);
    problem = reduce(instance, { objective, extraConstraints: withDecisions(extra, decisions) });
  }
  return { problem };
}

/**
 * After a search that left `unplaced` VMs (dense indices into `power.problem`): the pass with
 * more boots, enough nodes to hold those VMs' demand; undefined when no node may boot for them.
 * `named`: the VMs the reason names (those that had to move, when the search evicted others).
 */
export function bootForUnplaced(instance: Instance, power: PowerPlan, objective: PlacementObjective, unplaced: readonly number[], named: readonly number[] = unplaced, why = 'no placement was found for'): PowerPlan | undefined {
  const problem = power.problem;
  const groups = maxOnlineGroups(problem);
  const candidates = bootable(problem, groups);
  if (unplaced.length === 0) return undefined;
  if (candidates.length === 0) return tradeForUnplaced(instance, power, objective, groups);
  const R = problem.resources.length;
  const V = problem.vms.length;
  const caps = capacitiesIfOnline(problem);
  const want = new Float64Array(R);
  for (const v of unplaced) for (let r = 0; r < R; r++) want[r] = (want[r] ?? 0) + (problem.demand[r * V + v] ?? 0);
  const names = nameList(
    (named.length > 0 ? named : unplaced).map((v) => problem.model.vmName(problem.vms[v] as VmId)),
    4,
  );
  const chosen: number[] = [];
  const left = new Set(candidates);
  const extraOnline = new Map<Group, number>();
  for (;;) {
    let best = -1;
    let bestKey: number[] = [];
    for (const n of left) {
      if (!groupsAllow(problem, groups, n, extraOnline)) continue;
      const hosts = unplaced.filter((v) => allowedIfOnline(problem, v, n) && fitsAlone(problem, caps, v, n)).length;
      // a spare too small for the VMs left unplaced may still take VMs that make room for them
      if (hosts === 0 && !hostsSomeVm(problem, caps, n)) continue;
      const key = [hosts > 0 ? 1 : 0, coverage(problem, caps, want, n), hosts, scarceCapacity(problem, caps, want, n), -n];
      if (best < 0 || greater(key, bestKey)) {
        best = n;
        bestKey = key;
      }
    }
    if (best < 0) break;
    chosen.push(best);
    left.delete(best);
    for (const g of groups) if (g.members.includes(best)) extraOnline.set(g, (extraOnline.get(g) ?? 0) + 1);
    let covered = true;
    for (let r = 0; r < R; r++) {
      want[r] = Math.max(0, (want[r] ?? 0) - (caps[r * problem.nodes.length + best] ?? 0));
      if ((want[r] ?? 0) > 0) covered = false;
    }
    if (covered) break;
  }
  if (chosen.length === 0) return tradeForUnplaced(instance, power, objective, groups);
  const boots = chosen.map((n) => ({ node: problem.nodes[n] as NodeId, state: 'online' as const, reason: `${problem.model.nodeName(problem.nodes[n] as NodeId)} boots: ${why} ${names} on the nodes online` }));
  const decisions = [...power.decisions, ...boots];
  const extra = [...power.extra, ...boots.map(toConstraint)];
  return { decisions, extra, problem: reduce(instance, { objective, extraConstraints: extra }), infeasible: [], ...unvouchedOf(power) };
}

/**
 * No spare may boot for the VMs a search left unplaced, but a maxOnline at its limit keeps some
 * off: the pass with the first node-for-spare trade (tradesFor) that passes the quick capacity
 * proof, or undefined.
 */
function tradeForUnplaced(instance: Instance, power: PowerPlan, objective: PlacementObjective, groups: readonly Group[]): PowerPlan | undefined {
  let fallback: PowerPlan | undefined;
  for (const trade of tradesFor(power.problem, groups, MAX_TRADES)) {
    const extra = [...power.extra, ...trade.map(toConstraint)];
    const next = reduce(instance, { objective, extraConstraints: extra });
    if (next.infeasible.length > 0 || quickInfeasibility(next).length > 0) continue;
    const traded = { decisions: [...power.decisions, ...trade], extra, problem: next, infeasible: [] };
    // the first trade a repacking vouches for, else the first the quick proof lets through
    if (repackable(next, new Set())) return { ...traded, ...unvouchedOf(power) };
    fallback ??= { ...traded, shutdownsUnvouched: true };
  }
  return fallback;
}

/**
 * The pass with every node that may boot booted (maxOnline permitting, largest first): the most
 * capacity Ferry could get, for feasibility proofs. Undefined when no node may boot.
 */
export function withAllBoots(instance: Instance, power: PowerPlan, objective: PlacementObjective): PowerPlan | undefined {
  const problem = power.problem;
  const groups = maxOnlineGroups(problem);
  const caps = capacitiesIfOnline(problem);
  const N = problem.nodes.length;
  const size = (n: number): number => problem.resources.reduce((s, _, r) => s + (caps[r * N + n] ?? 0) / Math.max(1, totalCapacity(problem, caps, r)), 0);
  const candidates = bootable(problem, groups).sort((a, b) => size(b) - size(a) || a - b);
  const extraOnline = new Map<Group, number>();
  const chosen: number[] = [];
  for (const n of candidates) {
    if (!groupsAllow(problem, groups, n, extraOnline)) continue;
    chosen.push(n);
    for (const g of groups) if (g.members.includes(n)) extraOnline.set(g, (extraOnline.get(g) ?? 0) + 1);
  }
  if (chosen.length === 0) return undefined;
  const boots = chosen.map((n) => ({ node: problem.nodes[n] as NodeId, state: 'online' as const, reason: `${problem.model.nodeName(problem.nodes[n] as NodeId)} boots (every node that may boot)` }));
  const extra = [...power.extra, ...boots.map(toConstraint)];
  return { decisions: [...power.decisions, ...boots], extra, problem: reduce(instance, { objective, extraConstraints: extra }), infeasible: [], ...unvouchedOf(power) };
}

/** A pass with more boots keeps the standing of the shutdowns it starts from. */
function unvouchedOf(power: PowerPlan): { shutdownsUnvouched?: true } {
  return power.shutdownsUnvouched ? { shutdownsUnvouched: true } : {};
}

/**
 * True when some offline node could still boot: no offline constraint on it, and no maxOnline at
 * its limit, or one whose online nodes include one that may power off in its place (a trade).
 */
export function canBoot(problem: PlacementProblem): boolean {
  const groups = maxOnlineGroups(problem);
  return bootable(problem, groups).length > 0 || tradesFor(problem, groups, 1).length > 0;
}

/**
 * Offline nodes Ferry may not boot and why, for explanations: `N5 (offline(N5))`,
 * `N6 (maxOnline({N1, N6}, 1))`. Empty when every offline node is free to boot or none exists.
 */
export function sparesKeptOff(problem: PlacementProblem): string[] {
  const groups = maxOnlineGroups(problem);
  const wanted = wantedStates(problem);
  const out: string[] = [];
  problem.nodes.forEach((node, n) => {
    if (problem.onlineAtEnd[n] === 1 || !problem.model.mapping.isOffline(node)) return;
    const name = problem.model.nodeName(node);
    const w = wanted.get(n);
    if (w) {
      out.push(`${name} (${describeConstraint(problem.model, w.constraint)})`);
      return;
    }
    const full = groups.find((g) => g.members.includes(n) && onlineIn(problem, g, new Set()).length + 1 > g.amount);
    if (full) out.push(`${name} (${describeConstraint(problem.model, full.constraint)})`);
  });
  return out;
}

/** The explanation line about spare nodes Ferry did not boot, if any. */
export function sparesLine(problem: PlacementProblem): string[] {
  const kept = sparesKeptOff(problem);
  return kept.length === 0 ? [] : [`offline node(s) Ferry may not boot to make room: ${nameList(kept, 6)}`];
}

// ---- shutdowns ---------------------------------------------------------------------------------

/**
 * The nodes to power off so that every discrete maxOnline (and every continuous one too, with
 * `continuousToo`) holds at the end.
 */
function chooseShutdowns(problem: PlacementProblem, groups: readonly Group[], continuousToo = false): { decisions: PowerDecision[]; infeasible: string[]; unvouched?: true } {
  const { model, nodes, vms, origin, resources } = problem;
  const N = nodes.length;
  const V = vms.length;
  const R = resources.length;
  const mr = problem.memoryResource;
  const residents: number[][] = Array.from({ length: N }, () => []);
  for (let v = 0; v < V; v++) {
    const o = origin[v] ?? -1;
    if (o >= 0) residents[o]?.push(v);
  }
  const wanted = wantedStates(problem);
  const blocked = (n: number): string | undefined => powerOffBlocker(problem, wanted, residents[n] ?? [], n);
  // VMs that leave their node whatever Ferry powers off (ban, fence, their node going offline):
  // they need a home among the nodes left on, like the residents of the nodes powered off, and
  // they cost nothing more when their node is the one to go
  const leaving: number[] = [];
  for (let v = 0; v < V; v++) {
    const o = origin[v] ?? -1;
    if (o < 0 || !problem.domainAllows(v, o)) leaving.push(v);
  }
  const leavesAnyway = new Set(leaving);
  const movedCost = (n: number): number => {
    let c = 0;
    for (const v of residents[n] ?? []) if (problem.originRunning[v] === 1 && !leavesAnyway.has(v)) c += problem.objective === 'memory' ? Math.max(1, mr >= 0 ? (problem.demand[mr * V + v] ?? 0) : 0) : 1;
    return c;
  };
  const memory = (n: number): number => {
    let m = 0;
    if (mr >= 0) for (const v of residents[n] ?? []) if (problem.originRunning[v] === 1 && !leavesAnyway.has(v)) m += problem.demand[mr * V + v] ?? 0;
    return m;
  };
  const need = new Float64Array(R);
  for (let r = 0; r < R; r++) for (let v = 0; v < V; v++) need[r] = (need[r] ?? 0) + (problem.demand[r * V + v] ?? 0);
  const caps = capacitiesIfOnline(problem);
  const relSize = (n: number): number => resources.reduce((s, _, r) => s + (problem.capacity[r * N + n] ?? 0) / Math.max(1, totalCapacity(problem, caps, r)), 0);

  const late = lateBoots(problem, groups);
  /** May v land on h, as far as the order goes (not a VM leaving a node whose shutdown h's boot waits for)? */
  const inTime = (v: number, h: number, without: ReadonlySet<number>): boolean => {
    const gates = late.get(h);
    if (gates === undefined) return true;
    const o = origin[v] ?? -1;
    return o < 0 || !gates.some((g) => g.members.includes(o) && (problem.onlineAtEnd[o] !== 1 || without.has(o)));
  };
  /**
   * A first-fit-decreasing packing of the VMs that must find a home (those leaving anyway and the
   * residents of `without`) into the room left on the other nodes and the spares: stronger than
   * `fits` (totals and one VM at a time), so a choice it accepts is preferred.
   */
  const packs = (without: ReadonlySet<number>, spares: readonly number[]): boolean => {
    const homes: number[] = [];
    for (let m = 0; m < N; m++) if (problem.onlineAtEnd[m] === 1 && !without.has(m)) homes.push(m);
    homes.push(...spares);
    const homeless = new Set<number>(leaving);
    for (const n of without) for (const v of residents[n] ?? []) homeless.add(v);
    const room = new Float64Array(R * N);
    for (const m of homes) for (let r = 0; r < R; r++) room[r * N + m] = (problem.onlineAtEnd[m] === 1 ? problem.capacity[r * N + m] : caps[r * N + m]) ?? 0;
    for (let v = 0; v < V; v++) {
      const o = origin[v] ?? -1;
      if (o >= 0 && !homeless.has(v)) for (let r = 0; r < R; r++) room[r * N + o] = (room[r * N + o] ?? 0) - (problem.demand[r * V + v] ?? 0);
    }
    const size = (v: number): number => {
      let s = 0;
      for (let r = 0; r < R; r++) s = Math.max(s, (problem.demand[r * V + v] ?? 0) / Math.max(1, need[r] ?? 0));
      return s;
    };
    const spareSet = new Set(spares);
    for (const v of [...homeless].sort((a, b) => size(b) - size(a) || a - b)) {
      const m = homes.find((h) => (spareSet.has(h) ? allowedIfOnline(problem, v, h) : problem.domainAllows(v, h)) && inTime(v, h, without) && problem.resources.every((_, r) => (problem.demand[r * V + v] ?? 0) <= (room[r * N + h] ?? 0)));
      if (m === undefined) return false;
      for (let r = 0; r < R; r++) room[r * N + m] = (room[r * N + m] ?? 0) - (problem.demand[r * V + v] ?? 0);
    }
    return true;
  };
  /**
   * A first-fit-decreasing repacking of every VM with `without` off, each preferring its own node:
   * the placement that needs VMs that could have stayed to move too (packs only moves the homeless).
   * A placement it finds exists, so a choice it accepts is as good as one packs accepts.
   */
  const repacks = (without: ReadonlySet<number>): boolean => repackable(problem, without, (v, h) => inTime(v, h, without));
  /**
   * Nodes of a continuous maxOnline set that boot only after a shutdown of the set: the VMs of
   * the nodes of that set going off must first find room on the nodes online now and staying
   * online, beside the VMs there (else the boot waits for a shutdown that waits for the boot).
   */
  const emptiesFirst = (without: ReadonlySet<number>): boolean => {
    if (late.size === 0) return true;
    const gates = new Set([...late.values()].flat());
    const homes: number[] = [];
    for (let m = 0; m < N; m++) if (problem.onlineAtEnd[m] === 1 && !without.has(m) && !late.has(m) && problem.model.mapping.isOnline(nodes[m] as NodeId)) homes.push(m);
    const room = Float64Array.from(problem.capacity);
    for (let v = 0; v < V; v++) {
      const o = origin[v] ?? -1;
      if (o >= 0 && (problem.onlineAtEnd[o] === 1 && !without.has(o))) for (let r = 0; r < R; r++) room[r * N + o] = (room[r * N + o] ?? 0) - (problem.demand[r * V + v] ?? 0);
    }
    for (const g of gates) {
      for (const n of g.members) {
        if (problem.onlineAtEnd[n] === 1 && !without.has(n)) continue;
        for (const v of residents[n] ?? []) {
          const h = homes.find((m) => problem.domainAllows(v, m) && problem.resources.every((_, r) => (problem.demand[r * V + v] ?? 0) <= (room[r * N + m] ?? 0)));
          if (h === undefined) return false;
          for (let r = 0; r < R; r++) room[r * N + h] = (room[r * N + h] ?? 0) - (problem.demand[r * V + v] ?? 0);
        }
      }
    }
    return true;
  };
  /** A choice the packing tests vouch for: a placement exists with `without` off, in an order the boots allow. */
  const vouched = (without: ReadonlySet<number>): boolean => emptiesFirst(without) && (packs(without, []) || repacks(without));
  /** Would the VMs still fit with `without` off (the spares that may boot counted when asked)? */
  const fits = (without: ReadonlySet<number>, spares: readonly number[]): boolean => {
    for (let r = 0; r < R; r++) {
      let offer = 0;
      for (let m = 0; m < N; m++) if (problem.onlineAtEnd[m] === 1 && !without.has(m)) offer += problem.capacity[r * N + m] ?? 0;
      for (const m of spares) offer += caps[r * N + m] ?? 0;
      if (offer < (need[r] ?? 0)) return false;
    }
    const homeless = [...leaving];
    for (const n of without) for (const v of residents[n] ?? []) homeless.push(v);
    for (const v of homeless) {
      let home = false;
      for (let m = 0; m < N && !home; m++) {
        if (without.has(m)) continue;
        if (problem.onlineAtEnd[m] === 1) home = problem.domainAllows(v, m) && fitsAlone(problem, problem.capacity, v, m);
      }
      for (const m of spares) if (!home) home = allowedIfOnline(problem, v, m) && fitsAlone(problem, caps, v, m);
      if (!home) return false;
    }
    return true;
  };
  /**
   * One greedy pass: the cheapest node to empty first, while the VMs still fit; `keepOn`: nodes it
   * may not choose (the first choices of earlier passes that led to a dead end).
   */
  const attempt = (keepOn: ReadonlySet<number>): { decisions: PowerDecision[]; vouched: boolean; first: number | undefined } | { infeasible: string; first: number | undefined } => {
    const off = new Set<number>();
    let sure = true;
    const violated = (): Group[] => groups.filter((g) => (continuousToo || !g.continuous) && onlineIn(problem, g, off).length > g.amount);
    const decisions: PowerDecision[] = [];
    for (let guard = 0; guard <= N; guard++) {
      const now = violated();
      if (now.length === 0) break;
      const candidates = new Set<number>();
      for (const g of now) for (const n of onlineIn(problem, g, off)) if (blocked(n) === undefined && !keepOn.has(n)) candidates.add(n);
      const ranked = [...candidates].sort((a, b) => {
        const hits = (n: number): number => now.filter((g) => g.members.includes(n)).length;
        return hits(b) - hits(a) || movedCost(a) - movedCost(b) || memory(a) - memory(b) || relSize(a) - relSize(b) || a - b;
      });
      // first what packs on the nodes online, else what fits there (the search may still place
      // it), else what fits once some spare boots (the boot pass does it)
      // (packing costs a pass over every VM: only the few cheapest candidates get it)
      let pick = ranked.slice(0, PACKED_CANDIDATES).find((n) => fits(new Set([...off, n]), []) && vouched(new Set([...off, n])));
      if (pick === undefined) sure = false;
      pick ??= ranked.find((n) => fits(new Set([...off, n]), []));
      if (pick === undefined) {
        // the spares that may boot once these nodes are off (a node powered off makes room in its
        // maxOnline groups): "cannot hold" only when even they would not make the VMs fit
        pick = ranked.find((n) => {
          const without = new Set([...off, n]);
          return someSpares(problem, groups, without, (spares) => fits(without, spares));
        });
      }
      if (pick === undefined) {
        // a swap: powering off more of the set lets a spare of the set boot in their place
        const swap = swapShutdowns(ranked, off, (without) => someSpares(problem, groups, without, (spares) => fits(without, spares)));
        sure = false;
        if (swap === undefined) return { infeasible: cannotHold(problem, now[0] as Group, off, blocked, ranked, need), first: decisions[0] === undefined ? undefined : (problem.nodeIndex.get(decisions[0].node) as number) };
        for (const n of swap) {
          off.add(n);
          const g = now.find((x) => x.members.includes(n)) as Group;
          decisions.push({
            node: nodes[n] as NodeId,
            state: 'offline',
            reason: `${model.nodeName(nodes[n] as NodeId)} powers off: ${describeConstraint(model, g.constraint)} allows ${g.amount} of these nodes online and ${onlineIn(problem, g, new Set()).length} are; their VMs fit only once a spare of the set boots in place of ${nameList(swap.map((m) => model.nodeName(nodes[m] as NodeId)), 4)}`,
          });
        }
        continue;
      }
      off.add(pick);
      const g = now.find((x) => x.members.includes(pick)) as Group;
      const count = (residents[pick] ?? []).filter((v) => problem.originRunning[v] === 1).length;
      const mem = memory(pick);
      const what = count === 0 ? 'no VM to move' : `${count} VM(s) to move${mr >= 0 ? `, ${amountText(problem, mr, mem)}` : ''}`;
      decisions.push({
        node: nodes[pick] as NodeId,
        state: 'offline',
        reason: `${model.nodeName(nodes[pick] as NodeId)} powers off: ${describeConstraint(model, g.constraint)} allows ${g.amount} of these nodes online and ${onlineIn(problem, g, new Set()).length} are; it is among the cheapest to empty (${what})`,
      });
    }
    return { decisions, vouched: sure, first: decisions[0] === undefined ? undefined : (problem.nodeIndex.get(decisions[0].node) as number) };
  };
  // a greedy pass that ends in a dead end is retried keeping its first choice on (the cheapest
  // node to empty may be the only home of VMs that must leave the others); on small problems, so
  // is one whose choice no packing vouches for (the cheapest node to empty may leave the VMs a
  // placement that does not exist or a swap the scheduler cannot order): the first vouched
  // choice wins, else the first that fits at all
  const keepOn = new Set<number>();
  let firstFailure: string | undefined;
  let firstUnvouched: PowerDecision[] | undefined;
  for (let tries = 0; tries <= N; tries++) {
    const outcome = attempt(keepOn);
    if ('decisions' in outcome) {
      if (outcome.vouched) return { decisions: outcome.decisions, infeasible: [] };
      if (V * N > REPACK_MAX_WORK) return { decisions: outcome.decisions, infeasible: [], unvouched: true };
      firstUnvouched ??= outcome.decisions;
    } else firstFailure ??= outcome.infeasible;
    if (outcome.first === undefined) break;
    keepOn.add(outcome.first);
  }
  // few nodes: every set of them to power off, the smallest and cheapest first, until one is vouched for
  const exhaustive = N <= EXHAUSTIVE_SHUTDOWN_NODES && V * N <= REPACK_MAX_WORK ? vouchedSet() : undefined;
  if (exhaustive) return { decisions: exhaustive, infeasible: [] };
  if (firstUnvouched) return { decisions: firstUnvouched, infeasible: [], unvouched: true };
  return { decisions: [], infeasible: [firstFailure ?? 'no choice of nodes to power off lets the VMs fit'] };

  /** The cheapest set of nodes to power off that clears every maxOnline and that a packing vouches for, as decisions. */
  function vouchedSet(): PowerDecision[] | undefined {
    const free = [...Array(N).keys()].filter((n) => problem.onlineAtEnd[n] === 1 && blocked(n) === undefined && groups.some((g) => (continuousToo || !g.continuous) && g.members.includes(n)));
    const sets: number[][] = [];
    for (let mask = 1; mask < 1 << free.length; mask++) sets.push(free.filter((_, i) => (mask & (1 << i)) !== 0));
    const cost = (set: readonly number[]): number => set.reduce((c, n) => c + movedCost(n), 0);
    sets.sort((a, b) => a.length - b.length || cost(a) - cost(b));
    for (const set of sets) {
      const off = new Set(set);
      if (groups.some((g) => (continuousToo || !g.continuous) && onlineIn(problem, g, off).length > g.amount)) continue;
      if (!emptiesFirst(off)) continue;
      const placed = (spares: readonly number[]): boolean => fits(off, spares) && (packs(off, spares) || repackable(problem, off, (v, h) => inTime(v, h, off), spares));
      if (!someSpares(problem, groups, off, placed)) continue;
      return set.map((n) => {
        const g = groups.find((x) => (continuousToo || !x.continuous) && x.members.includes(n)) as Group;
        return {
          node: nodes[n] as NodeId,
          state: 'offline' as const,
          reason: `${model.nodeName(nodes[n] as NodeId)} powers off: ${describeConstraint(model, g.constraint)} allows ${g.amount} of these nodes online and ${onlineIn(problem, g, new Set()).length} are; with ${nameList(set.map((m) => model.nodeName(nodes[m] as NodeId)), 4)} off the VMs still have a placement`,
        };
      });
    }
    return undefined;
  }
}

/**
 * The nodes to power off together when no single one may go (BUG 1 (b)): N1 and N2 full, N3 an
 * offline spare, maxOnline({N1, N2, N3}, 1): N3 may boot only once both are off. Grows the set in
 * `ranked` order (cheapest to empty first) until `fits` accepts it; undefined when even every
 * candidate off does not make the VMs fit.
 */
function swapShutdowns(ranked: readonly number[], off: ReadonlySet<number>, fits: (without: ReadonlySet<number>) => boolean): number[] | undefined {
  const chosen: number[] = [];
  for (const n of ranked) {
    chosen.push(n);
    if (chosen.length > 1 && fits(new Set([...off, ...chosen]))) return chosen;
  }
  return undefined;
}

/**
 * The sets of spares that may boot together once the nodes of `off` are powered off: the largest
 * first (bootableTogether), then each of the first SPARE_CHOICES candidates first, so that a
 * maxOnline letting one spare boot tries the one with the right shape, not only the largest
 * (seed 258 of the non-tiny generator: N7 is larger by memory, N4 has the cpu the VMs need).
 */
function* spareChoices(problem: PlacementProblem, groups: readonly Group[], off: ReadonlySet<number>): Generator<number[]> {
  const largest = bootableTogether(problem, groups, off);
  yield largest;
  // the alternatives only on problems small enough to repack (each costs a pass over the nodes)
  if (problem.vms.length * problem.nodes.length > REPACK_MAX_WORK) return;
  const seen = new Set([largest.join(',')]);
  for (const first of bootable(problem, groups, off).slice(0, SPARE_CHOICES)) {
    const set = bootableTogether(problem, groups, off, first);
    const key = set.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    yield set;
  }
}

/** Whether `test` accepts one of the spare sets of spareChoices (tried lazily, the largest first). */
function someSpares(problem: PlacementProblem, groups: readonly Group[], off: ReadonlySet<number>, test: (spares: readonly number[]) => boolean): boolean {
  for (const spares of spareChoices(problem, groups, off)) if (test(spares)) return true;
  return false;
}

/**
 * The spares that may boot together once the nodes of `off` are powered off: `first` (when given)
 * then the largest first, each kept only while every maxOnline it belongs to stays within its
 * limit with the others.
 */
function bootableTogether(problem: PlacementProblem, groups: readonly Group[], off: ReadonlySet<number>, first?: number): number[] {
  const candidates = bootable(problem, groups, off);
  if (candidates.length === 0) return [];
  const caps = capacitiesIfOnline(problem);
  const N = problem.nodes.length;
  const totals = problem.resources.map((_, r) => Math.max(1, totalCapacity(problem, caps, r)));
  const size = (n: number): number => problem.resources.reduce((s, _, r) => s + (caps[r * N + n] ?? 0) / (totals[r] ?? 1), 0);
  const extraOnline = new Map<Group, number>();
  const chosen: number[] = [];
  for (const n of candidates.sort((a, b) => Number(b === first) - Number(a === first) || size(b) - size(a) || a - b)) {
    if (!groupsAllow(problem, groups, n, extraOnline, off)) continue;
    chosen.push(n);
    for (const g of groups) if (g.members.includes(n)) extraOnline.set(g, (extraOnline.get(g) ?? 0) + 1);
  }
  return chosen;
}

/**
 * A first-fit-decreasing repacking of every VM on the nodes online at the end but `without`, each
 * preferring its own node, the largest first, then those with the fewest homes first: true when
 * one finds a placement (a placement exists), false when both fail (no proof of anything). Only
 * up to REPACK_MAX_WORK VMs × nodes (false beyond). `mayLand`: an extra test of v on h.
 */
function repackable(problem: PlacementProblem, without: ReadonlySet<number>, mayLand: (v: number, h: number) => boolean = () => true, spares: readonly number[] = []): boolean {
  const N = problem.nodes.length;
  const V = problem.vms.length;
  const R = problem.resources.length;
  if (V * N > REPACK_MAX_WORK) return false;
  const homes: number[] = [];
  for (let m = 0; m < N; m++) if (problem.onlineAtEnd[m] === 1 && !without.has(m)) homes.push(m);
  homes.push(...spares);
  const spareSet = new Set(spares);
  const allows = (v: number, h: number): boolean => (spareSet.has(h) ? allowedIfOnline(problem, v, h) : problem.domainAllows(v, h)) && mayLand(v, h);
  const room = spares.length === 0 ? problem.capacity : capacitiesIfOnline(problem);
  const need = new Float64Array(R);
  for (let r = 0; r < R; r++) for (let v = 0; v < V; v++) need[r] = (need[r] ?? 0) + (problem.demand[r * V + v] ?? 0);
  const size = (v: number): number => {
    let s = 0;
    for (let r = 0; r < R; r++) s = Math.max(s, (problem.demand[r * V + v] ?? 0) / Math.max(1, need[r] ?? 0));
    return s;
  };
  const choices = new Int32Array(V);
  for (let v = 0; v < V; v++) choices[v] = homes.filter((h) => allows(v, h)).length;
  // the VMs that may not leave first; then the largest first, or those with the fewest homes first
  const all = [...Array(V).keys()];
  const bySize = all.slice().sort((a, b) => (problem.pinned[b] ?? 0) - (problem.pinned[a] ?? 0) || size(b) - size(a) || a - b);
  const byChoices = all.slice().sort((a, b) => (problem.pinned[b] ?? 0) - (problem.pinned[a] ?? 0) || (choices[a] ?? 0) - (choices[b] ?? 0) || size(b) - size(a) || a - b);
  return firstFitAtHome(problem, homes, room, bySize, allows) || firstFitAtHome(problem, homes, room, byChoices, allows) || packsBySearch(problem, homes, room, byChoices, allows);
}

/**
 * A depth-first search for a placement of every VM on `homes` (each on its own node first, then
 * the others in order), the VMs with the fewest homes first, stopped after REPACK_SEARCH_STEPS
 * placements tried: where both first-fit orders fail on a placement that exists (two VMs each
 * needing most of the one node both may use, a third that must make way), a choice is still
 * vouched for rather than left to a greedy pass whose "no placement" is no proof.
 */
function packsBySearch(problem: PlacementProblem, homes: readonly number[], capacity: Float64Array, order: readonly number[], allows: (v: number, h: number) => boolean): boolean {
  const N = problem.nodes.length;
  const V = problem.vms.length;
  const R = problem.resources.length;
  const room = Float64Array.from(capacity);
  const options = order.map((v) => {
    const o = problem.origin[v] ?? -1;
    const own = homes.includes(o) && allows(v, o) ? [o] : [];
    return problem.pinned[v] === 1 ? own : [...own, ...homes.filter((h) => h !== o && allows(v, h))];
  });
  let steps = 0;
  const place = (i: number): boolean => {
    const v = order[i];
    if (v === undefined) return true;
    for (const h of options[i] ?? []) {
      if (++steps > REPACK_SEARCH_STEPS) return false;
      let fits = true;
      for (let r = 0; r < R && fits; r++) fits = (problem.demand[r * V + v] ?? 0) <= (room[r * N + h] ?? 0);
      if (!fits) continue;
      for (let r = 0; r < R; r++) room[r * N + h] = (room[r * N + h] ?? 0) - (problem.demand[r * V + v] ?? 0);
      if (place(i + 1)) return true;
      for (let r = 0; r < R; r++) room[r * N + h] = (room[r * N + h] ?? 0) + (problem.demand[r * V + v] ?? 0);
    }
    return false;
  };
  return place(0);
}

/** First fit of the VMs in `order` on `homes` (capacities `capacity`), each on its own node when it may stay there; `allows`: v may end on h. */
function firstFitAtHome(problem: PlacementProblem, homes: readonly number[], capacity: Float64Array, order: readonly number[], allows: (v: number, h: number) => boolean): boolean {
  const N = problem.nodes.length;
  const V = problem.vms.length;
  const R = problem.resources.length;
  const isHome = new Uint8Array(N);
  for (const m of homes) isHome[m] = 1;
  const room = Float64Array.from(capacity);
  const take = (v: number, h: number): boolean => {
    for (let r = 0; r < R; r++) if ((problem.demand[r * V + v] ?? 0) > (room[r * N + h] ?? 0)) return false;
    for (let r = 0; r < R; r++) room[r * N + h] = (room[r * N + h] ?? 0) - (problem.demand[r * V + v] ?? 0);
    return true;
  };
  for (const v of order) {
    const o = problem.origin[v] ?? -1;
    if (o >= 0 && isHome[o] === 1 && allows(v, o) && take(v, o)) continue;
    if (problem.pinned[v] === 1) return false;
    if (homes.find((h) => h !== o && allows(v, h) && take(v, h)) === undefined) return false;
  }
  return true;
}

/**
 * Nodes offline now and online at the end that belong to a continuous maxOnline set full now:
 * each boots only after a shutdown in the set (node index → those sets).
 */
function lateBoots(problem: PlacementProblem, groups: readonly Group[]): Map<number, Group[]> {
  const mapping = problem.model.mapping;
  const out = new Map<number, Group[]>();
  for (const g of groups) {
    if (!g.continuous) continue;
    const now = g.members.filter((m) => mapping.isOnline(problem.nodes[m] as NodeId)).length;
    if (now < g.amount) continue;
    for (const n of g.members) {
      if (problem.onlineAtEnd[n] !== 1 || !mapping.isOffline(problem.nodes[n] as NodeId)) continue;
      const list = out.get(n);
      if (list) list.push(g);
      else out.set(n, [g]);
    }
  }
  return out;
}

/** Why a maxOnline cannot hold, in operator words. */
function cannotHold(problem: PlacementProblem, g: Group, off: ReadonlySet<number>, blocked: (n: number) => string | undefined, movable: readonly number[], need: Float64Array): string {
  const { model, nodes } = problem;
  const N = nodes.length;
  const online = onlineIn(problem, g, new Set());
  const head = `${describeConstraint(model, g.constraint)} cannot hold: ${online.length} of these nodes are online at the end, at most ${g.amount} allowed`;
  const pinned = online.filter((n) => blocked(n) !== undefined).map((n) => `${model.nodeName(nodes[n] as NodeId)} (${blocked(n) as string})`);
  // the nodes of the set that may go off: those already chosen, then the cheapest others
  const mine = [...online.filter((n) => off.has(n)), ...movable.filter((n) => g.members.includes(n))];
  if (mine.length === 0) return `${head}, and none of them may be powered off: ${nameList(pinned, 6)} must stay online`;
  const k = online.length - g.amount;
  if (mine.length < k) return `${head}, and only ${mine.length} of them may be powered off (${nameList(mine.map((n) => model.nodeName(nodes[n] as NodeId)), 6)}): ${nameList(pinned, 6)} must stay online`;
  // the capacity left if the cheapest of them went off
  const gone = new Set([...off, ...mine.slice(0, k)]);
  const short: string[] = [];
  problem.resources.forEach((_, r) => {
    let offer = 0;
    for (let m = 0; m < N; m++) if (problem.onlineAtEnd[m] === 1 && !gone.has(m)) offer += problem.capacity[r * N + m] ?? 0;
    if (offer < (need[r] ?? 0)) short.push(`${amountText(problem, r, need[r] ?? 0)} needed, ${amountText(problem, r, offer)} left`);
  });
  const kept = pinned.length > 0 ? `; ${nameList(pinned, 4)} must stay online` : '';
  const why = short.length > 0 ? `the VMs would not fit on the nodes left (${short.join('; ')})` : 'some VM would have nowhere to go on the nodes left (domains, sizes)';
  return `${head}: with ${k} of them powered off ${why}${kept}`;
}

// ---- boots -------------------------------------------------------------------------------------

function bootsFor(problem: PlacementProblem, groups: readonly Group[], reason: InfeasibilityReason, keepOff: ReadonlySet<NodeId>): PowerDecision[] {
  const { model, nodes, vms, resources } = problem;
  const N = nodes.length;
  const V = vms.length;
  const R = resources.length;
  const caps = capacitiesIfOnline(problem);
  const candidates = bootable(problem, groups).filter((n) => !keepOff.has(nodes[n] as NodeId));
  const name = (n: number): string => model.nodeName(nodes[n] as NodeId);
  if (reason.kind === 'totals') {
    const short = new Float64Array(R);
    for (let r = 0; r < R; r++) {
      let need = 0;
      let offer = 0;
      for (let v = 0; v < V; v++) need += problem.demand[r * V + v] ?? 0;
      for (let n = 0; n < N; n++) offer += problem.capacity[r * N + n] ?? 0;
      short[r] = Math.max(0, need - offer);
    }
    const homeless: number[] = [];
    for (let v = 0; v < V; v++) {
      const o = problem.origin[v] ?? -1;
      if (o < 0 || !problem.domainAllows(v, o)) homeless.push(v);
    }
    const out: PowerDecision[] = [];
    const left = new Set(candidates);
    const extraOnline = new Map<Group, number>();
    while (short.some((s) => s > 0)) {
      let best = -1;
      let bestKey: number[] = [];
      for (const n of left) {
        if (!groupsAllow(problem, groups, n, extraOnline)) continue;
        const cover = coverage(problem, caps, short, n);
        if (cover <= 0) continue;
        const key = [cover, bootsAtOnce(problem, groups, n), homeless.filter((v) => allowedIfOnline(problem, v, n)).length, scarceCapacity(problem, caps, short, n), -n];
        if (best < 0 || greater(key, bestKey)) {
          best = n;
          bestKey = key;
        }
      }
      if (best < 0) break;
      const text = resources
        .map((_, r) => ((short[r] ?? 0) > 0 ? amountText(problem, r, short[r] ?? 0) : ''))
        .filter((t) => t !== '')
        .join(' and ');
      out.push({ node: nodes[best] as NodeId, state: 'online', reason: `${name(best)} boots: ${text} short on the ${out.length > 0 ? 'other ' : ''}nodes online` });
      left.delete(best);
      for (const g of groups) if (g.members.includes(best)) extraOnline.set(g, (extraOnline.get(g) ?? 0) + 1);
      for (let r = 0; r < R; r++) short[r] = Math.max(0, (short[r] ?? 0) - (caps[r * N + best] ?? 0));
    }
    // a shortage no set of boots covers: leave it to the explanation
    return short.some((s) => s > 0) ? [] : out;
  }
  // one VM without a host, or a spread short of hosts: one node at a time, the most useful first
  const members = reason.vms.map((vm) => problem.vmIndex.get(vm)).filter((v): v is number => v !== undefined);
  if (members.length === 0) return [];
  const want = new Float64Array(R);
  for (const v of members) for (let r = 0; r < R; r++) want[r] = Math.max(want[r] ?? 0, problem.demand[r * V + v] ?? 0);
  let best = -1;
  let bestKey: number[] = [];
  for (const n of candidates) {
    if (!groupsAllow(problem, groups, n, new Map())) continue;
    const hosts = members.filter((v) => allowedIfOnline(problem, v, n) && fitsAlone(problem, caps, v, n)).length;
    if (hosts === 0) continue;
    const key = [hosts, bootsAtOnce(problem, groups, n), scarceCapacity(problem, caps, want, n), -n];
    if (best < 0 || greater(key, bestKey)) {
      best = n;
      bestKey = key;
    }
  }
  if (best < 0) return [];
  const why =
    reason.kind === 'spread'
      ? `${describeRule(problem, reasonRule(reason))} needs one more host`
      : `${nameList(reason.vms.map((v) => model.vmName(v)), 4)} ${reason.vms.length === 1 ? 'has' : 'have'} nowhere else to go`;
  return [{ node: nodes[best] as NodeId, state: 'online', reason: `${name(best)} boots: ${why}` }];
}

/** The constraint whose rule a 'spread' reason is about: bounds.ts lists it first, then the node states it rests on. */
function reasonRule(reason: InfeasibilityReason): number {
  return reason.constraints[0] ?? -1;
}

function describeRule(problem: PlacementProblem, index: number): string {
  const c = problem.constraints[index];
  return c === undefined ? 'a spread' : describeConstraint(problem.model, c);
}

/**
 * Why node n may not be powered off (an online constraint, a VM sleeping on it, a VM that may not
 * leave it), or undefined; `residents`: the running-at-the-end VMs on it now.
 */
function powerOffBlocker(problem: PlacementProblem, wanted: ReadonlyMap<number, WantedState>, residents: readonly number[], n: number): string | undefined {
  const { model, nodes, vms } = problem;
  const w = wanted.get(n);
  if (w?.state === 'online') return `${describeConstraint(model, w.constraint)}`;
  const node = nodes[n] as NodeId;
  for (const vm of model.mapping.sleepingVMs(node)) {
    const end = problem.vmIndex.has(vm) ? 'running' : (problem.otherVmChanges.get(vm)?.state ?? 'sleeping');
    if (end === 'sleeping') return `${model.vmName(vm)} sleeps on it`;
  }
  const stuck = residents.filter((v) => problem.pinned[v] === 1);
  if (stuck.length > 0) return `${nameList(stuck.map((v) => model.vmName(vms[v] as VmId)), 3)} may not leave it (root or quarantine)`;
  return undefined;
}

/**
 * Capacity still short (totals, or a VM with nowhere to go) while maxOnline constraints at their
 * limit keep a spare off: trade an online node lying in every one of them (one that may go off)
 * for the spare. Candidate trades, the largest spares first and, for each, the nodes smaller than
 * it and the emptiest first; the caller keeps the first that clears the quick capacity proof. A
 * continuous maxOnline makes the spare boot only after the node is off: the node's VMs must be
 * able to leave for the other nodes online first.
 */
function tradesFor(problem: PlacementProblem, groups: readonly Group[], limit: number): PowerDecision[][] {
  if (groups.length === 0) return [];
  const { model, nodes, resources } = problem;
  const N = nodes.length;
  const wanted = wantedStates(problem);
  const caps = capacitiesIfOnline(problem);
  const totals = resources.map((_, r) => Math.max(1, totalCapacity(problem, caps, r)));
  const residents: number[][] = Array.from({ length: N }, () => []);
  problem.origin.forEach((o, v) => {
    if (o >= 0 && problem.originRunning[v] === 1) residents[o]?.push(v);
  });
  const size = (c: Float64Array, n: number): number => resources.reduce((sum, _, r) => sum + (c[r * N + n] ?? 0) / (totals[r] ?? 1), 0);
  const spares: number[] = [];
  problem.nodes.forEach((node, n) => {
    if (problem.onlineAtEnd[n] !== 1 && problem.model.mapping.isOffline(node) && !wanted.has(n) && groups.some((g) => g.members.includes(n))) spares.push(n);
  });
  spares.sort((a, b) => size(caps, b) - size(caps, a) || a - b);
  const out: PowerDecision[][] = [];
  const name = (n: number): string => model.nodeName(nodes[n] as NodeId);
  for (const m of spares) {
    const full = groups.filter((g) => g.members.includes(m) && onlineIn(problem, g, new Set()).length + 1 > g.amount);
    if (full.length === 0) continue;
    const continuous = full.some((g) => g.continuous);
    // a node in every full group: its shutdown makes room for m in all of them
    const offers = onlineIn(problem, full[0] as Group, new Set())
      .filter((n) => full.every((g) => g.members.includes(n)) && powerOffBlocker(problem, wanted, residents[n] ?? [], n) === undefined)
      .filter((n) => !continuous || canEmptyBeforeBoot(problem, groups, residents, n))
      .sort((a, b) => Number(size(caps, a) >= size(caps, m)) - Number(size(caps, b) >= size(caps, m)) || (residents[a]?.length ?? 0) - (residents[b]?.length ?? 0) || size(caps, a) - size(caps, b) || a - b);
    const rule = nameList(full.map((g) => describeConstraint(model, g.constraint)), 3);
    if (offers.length === 0 && full.length > 1) {
      // no node lies in every full group: one node of each powers off (the spare takes their place in all)
      const cover = coverOf(problem, full, (n) => powerOffBlocker(problem, wanted, residents[n] ?? [], n) === undefined && (!continuous || canEmptyBeforeBoot(problem, groups, residents, n)));
      if (cover === undefined) continue;
      const names = nameList(cover.map(name), 4);
      out.push([
        ...cover.map((n) => ({ node: nodes[n] as NodeId, state: 'offline' as const, reason: `${name(n)} powers off: traded, with ${names}, for ${name(m)}, as ${rule} allow no more nodes online and capacity is short` })),
        { node: nodes[m] as NodeId, state: 'online', reason: `${name(m)} boots: capacity is short and ${rule} are at their limit, so it takes the place of ${names}` },
      ]);
      if (out.length >= limit) return out;
      continue;
    }
    for (const n of offers) {
      out.push([
        { node: nodes[n] as NodeId, state: 'offline', reason: `${name(n)} powers off: traded for ${size(caps, n) < size(caps, m) ? 'the larger ' : ''}${name(m)}, as ${rule} allows no more nodes online and capacity is short` },
        { node: nodes[m] as NodeId, state: 'online', reason: `${name(m)} boots: capacity is short and ${rule} is at its limit, so it takes the place of ${name(n)}` },
      ]);
      if (out.length >= limit) return out;
    }
  }
  return out;
}

/**
 * Online nodes that may go off, at least one in each group (greedily, the node in the most groups
 * still uncovered first), or undefined when some group has none.
 */
function coverOf(problem: PlacementProblem, full: readonly Group[], mayGoOff: (n: number) => boolean): number[] | undefined {
  const chosen: number[] = [];
  const open = new Set(full);
  while (open.size > 0) {
    let best = -1;
    let bestHits = 0;
    for (const g of open) {
      for (const n of onlineIn(problem, g, new Set())) {
        if (chosen.includes(n) || !mayGoOff(n)) continue;
        const hits = [...open].filter((x) => x.members.includes(n)).length;
        if (hits > bestHits) {
          best = n;
          bestHits = hits;
        }
      }
    }
    if (best < 0) return undefined;
    chosen.push(best);
    for (const g of [...open]) if (g.members.includes(best)) open.delete(g);
  }
  return chosen;
}

/**
 * May the VMs on n leave for the other nodes online before the traded spare boots (a continuous
 * maxOnline swap: n powers off first)? Those are the nodes online now and at the end, and the
 * nodes already chosen to boot whose boots wait for no shutdown (bootsAtOnce). Each VM must fit
 * alone on a node it may use, and together in the room left on those nodes (their current VMs
 * counted at their final demand).
 */
function canEmptyBeforeBoot(problem: PlacementProblem, groups: readonly Group[], residents: readonly (readonly number[])[], n: number): boolean {
  const { nodes, resources } = problem;
  const N = nodes.length;
  const V = problem.vms.length;
  const R = resources.length;
  const others: number[] = [];
  for (let m = 0; m < N; m++) {
    if (m === n || problem.onlineAtEnd[m] !== 1) continue;
    if (problem.model.mapping.isOnline(nodes[m] as NodeId) || bootsAtOnce(problem, groups, m) === 1) others.push(m);
  }
  const leaving = residents[n] ?? [];
  for (const v of leaving) if (!others.some((m) => problem.domainAllows(v, m) && fitsAlone(problem, problem.capacity, v, m))) return false;
  for (let r = 0; r < R; r++) {
    let room = 0;
    for (const m of others) {
      room += problem.capacity[r * N + m] ?? 0;
      for (const v of residents[m] ?? []) room -= problem.demand[r * V + v] ?? 0;
    }
    let want = 0;
    for (const v of leaving) want += problem.demand[r * V + v] ?? 0;
    if (want > room) return false;
  }
  return true;
}

// ---- helpers -----------------------------------------------------------------------------------

function withDecisions(extra: readonly Constraint[], decisions: readonly PowerDecision[]): Constraint[] {
  return [...extra, ...decisions.map(toConstraint)];
}

function toConstraint(d: PowerDecision): Constraint {
  return { id: d.state, continuous: false, args: { node: d.node } };
}

type PlacementHooks = NonNullable<ReturnType<typeof hooksOf<AnyFaces['placement']>>>;

/**
 * Each constraint with its placement face's hooks: the power pass reads node limits, node states
 * and capacity ratios there, never by constraint id. A constraint whose arguments its entry
 * refuses is left out (reduce reports it, located).
 */
function placementHooks(problem: PlacementProblem): readonly HookedConstraint[] {
  const known = HOOKS_OF.get(problem);
  if (known) return known;
  const out: HookedConstraint[] = [];
  problem.constraints.forEach((c, i) => {
    const faced = facesOf(c, `constraints[${i}]`);
    if (faced === undefined || !('faces' in faced)) return;
    const hooks = hooksOf(faced.faces.placement);
    if (hooks && (hooks.onlineLimit || hooks.nodeState || hooks.capacityRatio)) out.push({ constraint: c, hooks });
  });
  HOOKS_OF.set(problem, out);
  return out;
}

interface HookedConstraint {
  readonly constraint: Constraint;
  readonly hooks: PlacementHooks;
}

/** The pass asks many times per problem; reading 18,000 constraints' arguments costs ~50 ms each time. */
const HOOKS_OF = new WeakMap<PlacementProblem, readonly HookedConstraint[]>();

function maxOnlineGroups(problem: PlacementProblem): Group[] {
  const out: Group[] = [];
  for (const { constraint, hooks } of placementHooks(problem)) {
    const limit = hooks.onlineLimit?.(constraint);
    if (limit === undefined || !Number.isFinite(limit.amount)) continue;
    const members = new Set<number>();
    for (const id of limit.nodes) {
      const n = problem.nodeIndex.get(id);
      if (n !== undefined) members.add(n);
    }
    out.push({ constraint, continuous: constraint.continuous, members: [...members], amount: limit.amount });
  }
  return out;
}

/** A node's wanted end state and the constraint that wants it. */
interface WantedState {
  readonly state: 'online' | 'offline';
  readonly constraint: Constraint;
}

/** The group's nodes online at the end, minus `off`. */
function onlineIn(problem: PlacementProblem, g: Group, off: ReadonlySet<number>): number[] {
  return g.members.filter((n) => problem.onlineAtEnd[n] === 1 && !off.has(n));
}

/** Node index → the online/offline state a constraint wants for it (the last one wins, as in reduce). */
function wantedStates(problem: PlacementProblem): Map<number, WantedState> {
  const out = new Map<number, WantedState>();
  for (const { constraint, hooks } of placementHooks(problem)) {
    const wanted = hooks.nodeState?.(constraint);
    if (wanted === undefined || wanted.state === 'quarantined') continue;
    const n = problem.nodeIndex.get(wanted.node);
    if (n !== undefined) out.set(n, { state: wanted.state, constraint });
  }
  return out;
}

/** Offline nodes that may boot: offline now and at the end, no online/offline constraint, no maxOnline at its limit. */
/** Offline nodes that may boot without breaking a maxOnline, once the nodes of `off` are powered off. */
function bootable(problem: PlacementProblem, groups: readonly Group[], off: ReadonlySet<number> = new Set()): number[] {
  const wanted = wantedStates(problem);
  const out: number[] = [];
  problem.nodes.forEach((node, n) => {
    if (problem.onlineAtEnd[n] === 1 || !problem.model.mapping.isOffline(node) || wanted.has(n)) return;
    if (groupsAllow(problem, groups, n, new Map(), off)) out.push(n);
  });
  return out;
}

/**
 * 1 when n may boot at the start of the plan, 0 when a continuous maxOnline full now makes its boot
 * wait for a shutdown (whose VMs might have nowhere to go but n: a cycle the scheduler cannot order).
 */
function bootsAtOnce(problem: PlacementProblem, groups: readonly Group[], n: number): number {
  const mapping = problem.model.mapping;
  const full = groups.some((g) => g.continuous && g.members.includes(n) && g.members.filter((m) => mapping.isOnline(problem.nodes[m] as NodeId)).length + 1 > g.amount);
  return full ? 0 : 1;
}

/** Would booting n keep every maxOnline (with `extra` nodes of each group already chosen to boot)? */
function groupsAllow(problem: PlacementProblem, groups: readonly Group[], n: number, extra: ReadonlyMap<Group, number>, off: ReadonlySet<number> = new Set()): boolean {
  return groups.every((g) => !g.members.includes(n) || onlineIn(problem, g, off).length + (extra.get(g) ?? 0) + 1 <= g.amount);
}

/** Capacity of every node as if online at the end (overbook ratios applied), resource-major. */
function capacitiesIfOnline(problem: PlacementProblem): Float64Array {
  const { resources, nodes, model } = problem;
  const N = nodes.length;
  const ratio = new Map<string, number>();
  for (const { constraint, hooks } of placementHooks(problem)) {
    const scaled = hooks.capacityRatio?.(constraint);
    if (scaled === undefined) continue;
    const r = resources.indexOf(scaled.rc);
    const n = problem.nodeIndex.get(scaled.node);
    if (r < 0 || n === undefined) continue;
    ratio.set(`${r}:${n}`, Math.min(ratio.get(`${r}:${n}`) ?? Number.POSITIVE_INFINITY, scaled.ratio));
  }
  const caps = new Float64Array(resources.length * N);
  resources.forEach((rc, r) => {
    const view = model.resources.get(rc);
    for (let n = 0; n < N; n++) {
      if (problem.onlineAtEnd[n] === 1) caps[r * N + n] = problem.capacity[r * N + n] ?? 0;
      else if (view) caps[r * N + n] = Math.floor(view.capacity(nodes[n] as NodeId) * (ratio.get(`${r}:${n}`) ?? 1));
    }
  });
  return caps;
}

function totalCapacity(problem: PlacementProblem, caps: Float64Array, r: number): number {
  const N = problem.nodes.length;
  let t = 0;
  for (let n = 0; n < N; n++) t += caps[r * N + n] ?? 0;
  return t;
}

/** May v run on n once n is online (ban, fence, continuous among, quarantine, root)? */
function allowedIfOnline(problem: PlacementProblem, v: number, n: number): boolean {
  const o = problem.origin[v] ?? -1;
  if (problem.quarantined[n] === 1 && o !== n) return false;
  if (problem.pinned[v] === 1 && o !== n) return false;
  const d = problem.domains.get(v);
  return d === undefined || d[n] === 1;
}

/** May some VM that is free to move run on n once n is online? */
function hostsSomeVm(problem: PlacementProblem, caps: Float64Array, n: number): boolean {
  for (let v = 0; v < problem.vms.length; v++) if (problem.pinned[v] !== 1 && allowedIfOnline(problem, v, n) && fitsAlone(problem, caps, v, n)) return true;
  return false;
}

function fitsAlone(problem: PlacementProblem, caps: Float64Array, v: number, n: number): boolean {
  const N = problem.nodes.length;
  const V = problem.vms.length;
  for (let r = 0; r < problem.resources.length; r++) if ((problem.demand[r * V + v] ?? 0) > (caps[r * N + n] ?? 0)) return false;
  return true;
}

/** Share of the wanted amounts n covers, summed over the resources wanted (higher is better). */
function coverage(problem: PlacementProblem, caps: Float64Array, want: Float64Array, n: number): number {
  const N = problem.nodes.length;
  let s = 0;
  for (let r = 0; r < problem.resources.length; r++) {
    const w = want[r] ?? 0;
    if (w > 0) s += Math.min(caps[r * N + n] ?? 0, w) / w;
  }
  return s;
}

/** n's capacity in the resource most wanted relative to the cluster's total. */
function scarceCapacity(problem: PlacementProblem, caps: Float64Array, want: Float64Array, n: number): number {
  let scarce = -1;
  let worst = -1;
  for (let r = 0; r < problem.resources.length; r++) {
    const ratio = (want[r] ?? 0) / Math.max(1, totalCapacity(problem, caps, r));
    if (ratio > worst) {
      worst = ratio;
      scarce = r;
    }
  }
  return scarce < 0 ? 0 : (caps[scarce * problem.nodes.length + n] ?? 0);
}

function greater(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return false;
}

/** `12 GiB of mem`, `700 MiB of mem`, `6 cpu`. */
function amountText(problem: PlacementProblem, r: number, amount: number): string {
  const rc = problem.resources[r] ?? '?';
  if (isMemoryResource(rc)) return amount >= 1024 ? `${Math.round((amount / 1024) * 10) / 10} GiB of ${rc}` : `${amount} MiB of ${rc}`;
  return `${amount} ${rc}`;
}
