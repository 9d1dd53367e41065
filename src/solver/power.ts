import type { Constraint } from '../catalogue/constraint.js';
import type { Instance } from '../instance/instance.js';
import type { NodeId, VmId } from '../model/index.js';
import { type InfeasibilityReason, nameList, quickInfeasibility } from './bounds.js';
import { type PlacementObjective, type PlacementProblem, describeConstraint, isMemoryResource, reduce } from './problem.js';

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
 *   sets of the most violated maxOnline first, while the VMs still fit elsewhere. A continuous
 *   maxOnline must already hold (problem.ts says so).
 * - Capacity short (resource totals, a VM with nowhere to go, a spread without enough hosts, or a
 *   search that leaves VMs unplaced): boot the fewest offline nodes, those covering the most of
 *   the shortage, the ones the homeless VMs may use, then the largest; never a node under an
 *   `offline` constraint, never one that would break a maxOnline. When only a maxOnline at its
 *   limit keeps the spares off, trade: one of its online nodes powers off, the larger spare boots.
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
/** Most node-for-spare trades tried when a maxOnline at its limit keeps the spares off. */
const MAX_TRADES = 16;

/** Decides the node states the instance needs (see the module comment). */
export function decidePower(instance: Instance, extra: readonly Constraint[], objective: PlacementObjective): PowerPlan {
  const base = reduce(instance, { objective, extraConstraints: extra, deferMaxOnline: true });
  const groups = maxOnlineGroups(base);
  const excess = groups.some((g) => !g.continuous && onlineIn(base, g, new Set()).length > g.amount);
  if (base.infeasible.length > 0) {
    // other problems come first; without the deferral the maxOnline excess is reported too
    return { decisions: [], extra, problem: excess ? reduce(instance, { objective, extraConstraints: extra }) : base, infeasible: [] };
  }
  const decisions: PowerDecision[] = [];
  let problem = base;
  if (excess) {
    const off = chooseShutdowns(base, groups);
    if (off.infeasible.length > 0) return { decisions: [], extra, problem: base, infeasible: off.infeasible };
    decisions.push(...off.decisions);
    problem = reduce(instance, { objective, extraConstraints: withDecisions(extra, decisions) });
  }
  // boots only when the capacity is provably short and some node could boot
  for (let round = 0; round < MAX_BOOT_ROUNDS; round++) {
    if (problem.infeasible.length > 0 || bootable(problem, groups).length === 0) break;
    const quick = quickInfeasibility(problem);
    const reason = quick[0];
    if (!reason) break;
    const boots = bootsFor(problem, groups, reason);
    if (boots.length === 0) break;
    decisions.push(...boots);
    problem = reduce(instance, { objective, extraConstraints: withDecisions(extra, decisions) });
  }
  // still short, and the spares are kept off by a maxOnline at its limit: trade a node for one
  if (problem.infeasible.length === 0 && groups.length > 0 && quickInfeasibility(problem).length > 0) {
    for (const trade of tradesFor(problem, groups, MAX_TRADES)) {
      const next = reduce(instance, { objective, extraConstraints: withDecisions(extra, [...decisions, ...trade]) });
      if (next.infeasible.length > 0 || quickInfeasibility(next).length > 0) continue;
      decisions.push(...trade);
      problem = next;
      break;
    }
  }
  return { decisions, extra: withDecisions(extra, decisions), problem, infeasible: [] };
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
  if (candidates.length === 0 || unplaced.length === 0) return undefined;
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
      if (hosts === 0) continue;
      const key = [coverage(problem, caps, want, n), hosts, scarceCapacity(problem, caps, want, n), -n];
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
  if (chosen.length === 0) return undefined;
  const boots = chosen.map((n) => ({ node: problem.nodes[n] as NodeId, state: 'online' as const, reason: `${problem.model.nodeName(problem.nodes[n] as NodeId)} boots: ${why} ${names} on the nodes online` }));
  const decisions = [...power.decisions, ...boots];
  const extra = [...power.extra, ...boots.map(toConstraint)];
  return { decisions, extra, problem: reduce(instance, { objective, extraConstraints: extra }), infeasible: [] };
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
  return { decisions: [...power.decisions, ...boots], extra, problem: reduce(instance, { objective, extraConstraints: extra }), infeasible: [] };
}

/** True when some offline node could still boot (no offline constraint, no maxOnline at its limit). */
export function canBoot(problem: PlacementProblem): boolean {
  return bootable(problem, maxOnlineGroups(problem)).length > 0;
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
      out.push(`${name} (${describeConstraint(problem.model, w)})`);
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

function chooseShutdowns(problem: PlacementProblem, groups: readonly Group[]): { decisions: PowerDecision[]; infeasible: string[] } {
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
  const movedCost = (n: number): number => {
    let c = 0;
    for (const v of residents[n] ?? []) if (problem.originRunning[v] === 1) c += problem.objective === 'memory' ? Math.max(1, mr >= 0 ? (problem.demand[mr * V + v] ?? 0) : 0) : 1;
    return c;
  };
  const memory = (n: number): number => {
    let m = 0;
    if (mr >= 0) for (const v of residents[n] ?? []) if (problem.originRunning[v] === 1) m += problem.demand[mr * V + v] ?? 0;
    return m;
  };
  const need = new Float64Array(R);
  for (let r = 0; r < R; r++) for (let v = 0; v < V; v++) need[r] = (need[r] ?? 0) + (problem.demand[r * V + v] ?? 0);
  const caps = capacitiesIfOnline(problem);
  const relSize = (n: number): number => resources.reduce((s, _, r) => s + (problem.capacity[r * N + n] ?? 0) / Math.max(1, totalCapacity(problem, caps, r)), 0);

  // VMs that leave their node whatever Ferry powers off (ban, fence, their node going offline):
  // they need a home among the nodes left on, like the residents of the nodes powered off
  const leaving: number[] = [];
  for (let v = 0; v < V; v++) {
    const o = origin[v] ?? -1;
    if (o < 0 || !problem.domainAllows(v, o)) leaving.push(v);
  }
  const off = new Set<number>();
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
  const violated = (): Group[] => groups.filter((g) => !g.continuous && onlineIn(problem, g, off).length > g.amount);
  const decisions: PowerDecision[] = [];
  for (let guard = 0; guard <= N; guard++) {
    const now = violated();
    if (now.length === 0) break;
    const candidates = new Set<number>();
    for (const g of now) for (const n of onlineIn(problem, g, off)) if (blocked(n) === undefined) candidates.add(n);
    const ranked = [...candidates].sort((a, b) => {
      const hits = (n: number): number => now.filter((g) => g.members.includes(n)).length;
      return hits(b) - hits(a) || movedCost(a) - movedCost(b) || memory(a) - memory(b) || relSize(a) - relSize(b) || a - b;
    });
    // first what fits on the nodes online, else what fits once some spare boots (the boot pass does it)
    let pick = ranked.find((n) => fits(new Set([...off, n]), []));
    if (pick === undefined) {
      // the spares that may boot once these nodes are off (a node powered off makes room in its
      // maxOnline groups): "cannot hold" only when even they would not make the VMs fit
      pick = ranked.find((n) => {
        const without = new Set([...off, n]);
        return fits(without, bootable(problem, groups, without));
      });
    }
    if (pick === undefined) return { decisions: [], infeasible: [cannotHold(problem, now[0] as Group, off, blocked, ranked, need)] };
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
  return { decisions, infeasible: [] };
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

function bootsFor(problem: PlacementProblem, groups: readonly Group[], reason: InfeasibilityReason): PowerDecision[] {
  const { model, nodes, vms, resources } = problem;
  const N = nodes.length;
  const V = vms.length;
  const R = resources.length;
  const caps = capacitiesIfOnline(problem);
  const candidates = bootable(problem, groups);
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
      ? `${describeConstraint(model, problem.constraints[reasonRule(problem, reason)] ?? { id: 'spread', continuous: false, args: { vms: reason.vms } })} needs one more host`
      : `${nameList(reason.vms.map((v) => model.vmName(v)), 4)} ${reason.vms.length === 1 ? 'has' : 'have'} nowhere else to go`;
  return [{ node: nodes[best] as NodeId, state: 'online', reason: `${name(best)} boots: ${why}` }];
}

/** The spread constraint a quick reason names (its first constraint index). */
function reasonRule(problem: PlacementProblem, reason: InfeasibilityReason): number {
  return reason.constraints.find((i) => problem.constraints[i]?.id === 'spread') ?? -1;
}

/**
 * Why node n may not be powered off (an online constraint, a VM sleeping on it, a VM that may not
 * leave it), or undefined; `residents`: the running-at-the-end VMs on it now.
 */
function powerOffBlocker(problem: PlacementProblem, wanted: ReadonlyMap<number, Constraint>, residents: readonly number[], n: number): string | undefined {
  const { model, nodes, vms } = problem;
  const w = wanted.get(n);
  if (w?.id === 'online') return `${describeConstraint(model, w)}`;
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
 * Capacity still short while a discrete maxOnline at its limit keeps a spare off: trade one of the
 * group's online nodes (the cheapest to empty, that may go off) for the spare. Candidate trades,
 * the largest spares and the emptiest nodes first; the caller keeps the first that clears the
 * quick capacity proof.
 */
function tradesFor(problem: PlacementProblem, groups: readonly Group[], limit: number): [PowerDecision, PowerDecision][] {
  const { model, nodes, resources } = problem;
  const N = nodes.length;
  const wanted = wantedStates(problem);
  const caps = capacitiesIfOnline(problem);
  const residents: number[][] = Array.from({ length: N }, () => []);
  problem.origin.forEach((o, v) => {
    if (o >= 0 && problem.originRunning[v] === 1) residents[o]?.push(v);
  });
  const size = (c: Float64Array, n: number): number => resources.reduce((sum, _, r) => sum + (c[r * N + n] ?? 0) / Math.max(1, totalCapacity(problem, caps, r)), 0);
  const spares: number[] = [];
  problem.nodes.forEach((node, n) => {
    if (problem.onlineAtEnd[n] !== 1 && problem.model.mapping.isOffline(node) && !wanted.has(n)) spares.push(n);
  });
  spares.sort((a, b) => size(caps, b) - size(caps, a) || a - b);
  const out: [PowerDecision, PowerDecision][] = [];
  const name = (n: number): string => model.nodeName(nodes[n] as NodeId);
  for (const m of spares) {
    const full = groups.filter((g) => g.members.includes(m) && !g.continuous && onlineIn(problem, g, new Set()).length + 1 > g.amount);
    if (full.length !== 1) continue; // one group to make room in (several: out of scope)
    const g = full[0] as Group;
    const offers = onlineIn(problem, g, new Set())
      .filter((n) => powerOffBlocker(problem, wanted, residents[n] ?? [], n) === undefined && size(caps, n) < size(caps, m))
      .sort((a, b) => (residents[a]?.length ?? 0) - (residents[b]?.length ?? 0) || size(caps, a) - size(caps, b) || a - b);
    for (const n of offers) {
      const rule = describeConstraint(model, g.constraint);
      out.push([
        { node: nodes[n] as NodeId, state: 'offline', reason: `${name(n)} powers off: traded for the larger ${name(m)}, as ${rule} allows no more nodes online and capacity is short` },
        { node: nodes[m] as NodeId, state: 'online', reason: `${name(m)} boots: capacity is short and ${rule} is at its limit, so it takes the place of ${name(n)}` },
      ]);
      if (out.length >= limit) return out;
    }
  }
  return out;
}

// ---- helpers -----------------------------------------------------------------------------------

function withDecisions(extra: readonly Constraint[], decisions: readonly PowerDecision[]): Constraint[] {
  return [...extra, ...decisions.map(toConstraint)];
}

function toConstraint(d: PowerDecision): Constraint {
  return { id: d.state, continuous: false, args: { node: d.node } };
}

function maxOnlineGroups(problem: PlacementProblem): Group[] {
  const out: Group[] = [];
  for (const c of problem.constraints) {
    if (c.id !== 'maxOnline') continue;
    const raw = c.args['nodes'];
    const amount = c.args['amount'];
    if (!Array.isArray(raw) || typeof amount !== 'number' || !Number.isFinite(amount)) continue;
    const members = new Set<number>();
    for (const id of raw) {
      const n = typeof id === 'number' ? problem.nodeIndex.get(id) : undefined;
      if (n !== undefined) members.add(n);
    }
    out.push({ constraint: c, continuous: c.continuous, members: [...members], amount });
  }
  return out;
}

/** The group's nodes online at the end, minus `off`. */
function onlineIn(problem: PlacementProblem, g: Group, off: ReadonlySet<number>): number[] {
  return g.members.filter((n) => problem.onlineAtEnd[n] === 1 && !off.has(n));
}

/** Node index → the online/offline constraint on it (the last one wins, as in reduce). */
function wantedStates(problem: PlacementProblem): Map<number, Constraint> {
  const out = new Map<number, Constraint>();
  for (const c of problem.constraints) {
    if (c.id !== 'online' && c.id !== 'offline') continue;
    const id = c.args['node'];
    const n = typeof id === 'number' ? problem.nodeIndex.get(id) : undefined;
    if (n !== undefined) out.set(n, c);
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
  for (const c of problem.constraints) {
    if (c.id !== 'overbook') continue;
    const r = resources.indexOf(String(c.args['rc']));
    const n = typeof c.args['node'] === 'number' ? problem.nodeIndex.get(c.args['node']) : undefined;
    const k = c.args['ratio'];
    if (r < 0 || n === undefined || typeof k !== 'number') continue;
    ratio.set(`${r}:${n}`, Math.min(ratio.get(`${r}:${n}`) ?? Number.POSITIVE_INFINITY, k));
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
