import type { Constraint } from '../../catalogue/constraint.js';
import type { ResourceCapacityArgs } from '../../catalogue/resource-capacity/index.js';
import type { SplitAmongArgs } from '../../catalogue/split-among/index.js';
import type { SplitArgs } from '../../catalogue/split/index.js';
import type { PlacementProblem } from '../problem.js';
import type { CancelSignal, MznRunner, MznSolverId, MznStatus } from '../ports.js';
import {
  AmongRule,
  GatherRule,
  LonelyRule,
  type PlacementRule,
  ResourceCapacityRule,
  RunningCapacityRule,
  SplitAmongRule,
  SplitRule,
  SpreadRule,
} from '../placement/rules.js';
import { Placement } from '../placement/state.js';

/**
 * A placement-only MiniZinc model of one large-neighbourhood-search move: a few hosts and some of
 * the VMs on them are re-optimised while every other VM stays where the current placement puts it.
 *
 * - The fixed VMs are folded into facts: each chosen host's residual capacity, and each variable
 *   VM's candidate hosts (the chosen hosts that its static domain and every rule allow given the
 *   fixed VMs, e.g. a spread member never joins a host where a fixed member sits, an among member
 *   stays in the group its fixed peers use).
 * - What links the variable VMs to one another is stated in the model, restricted to them: spread
 *   (all different), gather (all equal), among / splitAmong (node groups), split / lonely (never
 *   together), resourceCapacity / runningCapacity (sums over the hosts in the neighbourhood).
 * - Objective: the migrations (or memory moved) of the variable VMs relative to their ORIGIN host,
 *   strictly below what the current placement pays for them, so UNSATISFIABLE means "no better
 *   assignment exists in this neighbourhood".
 * The answer is re-checked with `Placement` before it is returned: a solver is never trusted.
 */

export interface Neighbourhood {
  /** Dense node indices: the hosts re-optimised. */
  readonly nodes: readonly number[];
  /**
   * Dense VM indices: VMs currently on those hosts that may move among them, and VMs without a
   * host yet (-1 in the placement) that may land on them: then the model completes the placement.
   */
  readonly vms: readonly number[];
}

export interface NeighbourhoodModel {
  readonly model: string;
  readonly data: Record<string, unknown>;
  /** The variable VMs, in model order. */
  readonly vms: readonly number[];
  readonly nodes: readonly number[];
  /** Cost of the variable VMs in the current placement (the bound to beat). */
  readonly currentCost: number;
  /** Some variable VM has no host yet: any complete assignment improves, the cheapest is sought. */
  readonly completes: boolean;
}

export interface NeighbourhoodResult {
  readonly status: MznStatus;
  /** The improved placement (every VM), when the solver found one that checks. */
  readonly hosts?: Int32Array;
  /** Cost of the variable VMs in `hosts` (or the current cost when nothing better was found). */
  readonly cost: number;
  readonly currentCost: number;
  readonly elapsedMs: number;
  /** Set when the solver's answer was rejected or the runner failed. */
  readonly error?: string;
}

export const NEIGHBOURHOOD_MODEL = String.raw`
include "bin_packing_capa.mzn";
include "alldifferent_except_0.mzn";

int: nNodes;                              % hosts of the neighbourhood
int: nRes;
int: nVms;                                % variable VMs
array[1..nNodes, 1..nRes] of int: room;   % capacity minus the fixed VMs' load
array[1..nVms, 1..nRes] of int: demand;
array[1..nVms] of int: nCand;
array[1..nVms] of int: candOff;           % cand[candOff[v] + k], k in 1..nCand[v]; the current host first
array[int] of 1..nNodes: cand;
array[1..nVms] of 0..nNodes: home;        % origin host when it is in the neighbourhood, else 0
array[1..nVms] of int: weight;            % what moving away from home costs (0: booting)
int: bound;                               % cost of the current assignment: do strictly better

array[1..nVms] of var 1..max([1] ++ nCand): choice;
constraint forall(v in 1..nVms)(choice[v] <= nCand[v]);
array[1..nVms] of var 1..nNodes: host :: add_to_output = [cand[candOff[v] + choice[v]] | v in 1..nVms];
constraint forall(r in 1..nRes)(bin_packing_capa([room[n, r] | n in 1..nNodes], host, [demand[v, r] | v in 1..nVms]));

% rules linking variable VMs (the fixed ones are already in the candidates)
int: nDiff;                               % spread groups: pairwise distinct hosts
array[1..nDiff] of set of int: diffGroup;
constraint forall(g in 1..nDiff)(forall(a, b in diffGroup[g] where a < b)(host[a] != host[b]));
int: nSame;                               % gather groups: one host
array[1..nSame] of set of int: sameGroup;
constraint forall(g in 1..nSame)(forall(a, b in sameGroup[g] where a < b)(host[a] = host[b]));
int: nApart;                              % split / lonely: pairs never on one host
array[1..nApart] of int: apartA;
array[1..nApart] of int: apartB;
constraint forall(i in 1..nApart)(host[apartA[i]] != host[apartB[i]]);
int: nPart;                               % among / splitAmong: node group of each host, per rule
array[1..nPart, 1..nNodes] of int: partOf;
int: nTie;                                % pairs in one node group (tieSign 1) or distinct ones (-1)
array[1..nTie] of int: tieRule;
array[1..nTie] of int: tieA;
array[1..nTie] of int: tieB;
array[1..nTie] of int: tieSign;
constraint forall(i in 1..nTie)(
  if tieSign[i] > 0 then partOf[tieRule[i], host[tieA[i]]] = partOf[tieRule[i], host[tieB[i]]]
  else partOf[tieRule[i], host[tieA[i]]] != partOf[tieRule[i], host[tieB[i]]] endif);
int: nSum;                                % resourceCapacity / runningCapacity over node sets
array[1..nSum, 1..nNodes] of bool: sumOn;
array[1..nSum, 1..nVms] of int: sumWeight;
array[1..nSum] of int: sumLeft;
constraint forall(s in 1..nSum)(sum(v in 1..nVms)(sumWeight[s, v] * bool2int(sumOn[s, host[v]])) <= sumLeft[s]);

var int: cost :: add_to_output = sum(v in 1..nVms)(weight[v] * bool2int(host[v] != home[v]));
constraint cost < bound;
solve :: int_search(choice, first_fail, indomain_min) minimize cost;
`;

/** Builds the model's data; undefined when a rule in the neighbourhood is one it cannot state. */
export function buildNeighbourhood(problem: PlacementProblem, hosts: Int32Array, hood: Neighbourhood): NeighbourhoodModel | undefined {
  const nodes = [...new Set(hood.nodes)];
  const local = new Map(nodes.map((n, i) => [n, i + 1]));
  const variable = hood.vms.filter((v) => problem.pinned[v] !== 1 && ((hosts[v] ?? -1) < 0 || local.has(hosts[v] ?? -1)));
  const completes = variable.some((v) => (hosts[v] ?? -1) < 0);
  const vmLocal = new Map(variable.map((v, i) => [v, i + 1]));
  const fixedHosts = new Int32Array(hosts);
  for (const v of variable) fixedHosts[v] = -1;
  const state = Placement.of(problem, fixedHosts);
  const R = problem.resources.length;
  const V = problem.vms.length;

  const room = nodes.map((n) => problem.resources.map((_, r) => Math.max(0, Math.floor(state.free(r, n)))));
  const demand = variable.map((v) => problem.resources.map((_, r) => Math.ceil(problem.demand[r * V + v] ?? 0)));
  const cand: number[] = [];
  const candOff: number[] = [];
  const nCand: number[] = [];
  for (const v of variable) {
    const current = hosts[v] ?? -1;
    // the current host first (the model's warm start); a VM without one has only the hosts it fits
    const list = [...(current >= 0 ? [current] : []), ...nodes.filter((n) => n !== current)].filter((n) => n === current || (state.fits(v, n) && state.allowed(v, n)));
    candOff.push(cand.length);
    nCand.push(list.length);
    for (const n of list) cand.push(local.get(n) ?? 1);
  }
  const home = variable.map((v) => local.get(problem.origin[v] ?? -1) ?? 0);
  const weight = variable.map((v) => problem.moveCost(v, (problem.origin[v] ?? -1) === 0 ? 1 : 0));
  let currentCost = 0;
  for (const v of variable) if ((hosts[v] ?? -1) >= 0) currentCost += problem.moveCost(v, hosts[v] ?? -1);
  // completing: every complete assignment beats the partial one (a bound above any cost)
  const bound = completes ? weight.reduce((sum, w) => sum + w, 0) + 1 : currentCost;

  // ---- rules among the variable VMs ----
  const diffGroup: number[][] = [];
  const sameGroup: number[][] = [];
  const apartA: number[] = [];
  const apartB: number[] = [];
  const partOf: number[][] = [];
  const tie = { rule: [] as number[], a: [] as number[], b: [] as number[], sign: [] as number[] };
  const sumOn: boolean[][] = [];
  const sumWeight: number[][] = [];
  const sumLeft: number[] = [];
  const touched = new Set<number>();
  for (const v of variable) for (const i of problem.vmRules[v] ?? []) touched.add(i);
  for (const n of nodes) for (const i of problem.nodeRules[n] ?? []) touched.add(i);
  for (const i of problem.everyNodeRules) touched.add(i);
  const localOf = (members: readonly number[]): number[] => members.map((m) => vmLocal.get(m)).filter((x): x is number => x !== undefined);
  for (const i of touched) {
    const rule = problem.rules[i] as PlacementRule;
    if (rule instanceof SpreadRule) {
      const g = localOf(rule.members);
      if (g.length > 1) diffGroup.push(g);
    } else if (rule instanceof GatherRule) {
      const g = localOf(rule.members);
      if (g.length > 1) sameGroup.push(g);
    } else if (rule instanceof AmongRule) {
      const g = localOf(rule.members);
      if (g.length < 2) continue;
      partOf.push(nodes.map((n) => rule.nodeGroup(n) ?? -1 - n));
      for (let k = 1; k < g.length; k++) {
        tie.rule.push(partOf.length);
        tie.a.push(g[0] as number);
        tie.b.push(g[k] as number);
        tie.sign.push(1);
      }
    } else if (rule instanceof SplitRule || rule instanceof LonelyRule || rule instanceof SplitAmongRule) {
      const members = rule instanceof LonelyRule ? variable : rule.members.filter((m) => vmLocal.has(m));
      // a rule exists only for a constraint its entry's typed reader accepted (the reduction's facesOf)
      const vmGroups =
        rule instanceof LonelyRule
          ? undefined
          : groupsOf(rule instanceof SplitRule ? typedArgs<SplitArgs>(rule.source).parts : typedArgs<SplitAmongArgs>(rule.source).vParts, problem.vmIndex);
      const groupOf = (m: number): number => (rule instanceof LonelyRule ? (rule.isMember(m) ? 1 : 0) : (vmGroups?.get(m) ?? -1));
      if (rule instanceof SplitAmongRule) {
        const nodeGroups = groupsOf(typedArgs<SplitAmongArgs>(rule.source).pParts, problem.nodeIndex);
        partOf.push(nodes.map((n) => nodeGroups.get(n) ?? -1 - n));
      }
      for (let x = 0; x < members.length; x++) {
        for (let y = x + 1; y < members.length; y++) {
          const a = members[x] as number;
          const b = members[y] as number;
          const same = groupOf(a) === groupOf(b);
          if (rule instanceof SplitAmongRule) {
            tie.rule.push(partOf.length);
            tie.a.push(vmLocal.get(a) as number);
            tie.b.push(vmLocal.get(b) as number);
            tie.sign.push(same ? 1 : -1);
          } else if (!same) {
            apartA.push(vmLocal.get(a) as number);
            apartB.push(vmLocal.get(b) as number);
          }
        }
      }
    } else if (rule instanceof ResourceCapacityRule || rule instanceof RunningCapacityRule) {
      const set = new Set(rule.members);
      let fixedUse = 0;
      const rc = rule instanceof ResourceCapacityRule ? problem.resources.indexOf(typedArgs<ResourceCapacityArgs>(rule.source).rc) : -1;
      if (rule instanceof ResourceCapacityRule && rc < 0) continue;
      for (const n of rule.members) for (const m of state.vmsOn(n)) fixedUse += rc >= 0 ? state.demand(m, rc) : 1;
      sumOn.push(nodes.map((n) => set.has(n)));
      sumWeight.push(variable.map((v) => (rc >= 0 ? Math.ceil(state.demand(v, rc)) : 1)));
      sumLeft.push(Math.floor(rule.amount - fixedUse));
    } else return undefined;
  }
  const data: Record<string, unknown> = {
    nNodes: nodes.length,
    nRes: R,
    nVms: variable.length,
    room,
    demand,
    nCand,
    candOff,
    cand,
    home,
    weight,
    bound,
    nDiff: diffGroup.length,
    diffGroup: diffGroup.map((g) => ({ set: g })),
    nSame: sameGroup.length,
    sameGroup: sameGroup.map((g) => ({ set: g })),
    nApart: apartA.length,
    apartA,
    apartB,
    nPart: partOf.length,
    partOf,
    nTie: tie.rule.length,
    tieRule: tie.rule,
    tieA: tie.a,
    tieB: tie.b,
    tieSign: tie.sign,
    nSum: sumOn.length,
    sumOn,
    sumWeight,
    sumLeft,
  };
  return { model: NEIGHBOURHOOD_MODEL, data, vms: variable, nodes, currentCost, completes };
}

/** Dense index → part number, from a constraint's `parts` argument (lists of element ids). */
/** A rule's constraint arguments, as its entry's typed reader accepted them before the rule was built. */
function typedArgs<Args>(source: Constraint): Args {
  return source.args as unknown as Args;
}

function groupsOf(parts: readonly (readonly number[])[], index: ReadonlyMap<number, number>): Map<number, number> {
  const out = new Map<number, number>();
  parts.forEach((part, g) => {
    for (const id of part) {
      const i = index.get(id);
      if (i !== undefined) out.set(i, g);
    }
  });
  return out;
}

export interface SolveNeighbourhoodOptions {
  readonly timeLimitMs?: number;
  readonly solver?: MznSolverId;
  readonly signal?: CancelSignal;
}

/** Re-optimises one neighbourhood with MiniZinc; the answer is checked before it is returned. */
export async function solveNeighbourhood(
  problem: PlacementProblem,
  hosts: Int32Array,
  hood: Neighbourhood,
  runner: MznRunner,
  options: SolveNeighbourhoodOptions = {},
): Promise<NeighbourhoodResult> {
  const built = buildNeighbourhood(problem, hosts, hood);
  if (!built) return { status: 'ERROR', cost: 0, currentCost: 0, elapsedMs: 0, error: 'a rule in the neighbourhood has no neighbourhood encoding' };
  const { currentCost, completes } = built;
  if (built.vms.length === 0 || (currentCost === 0 && !completes)) return { status: 'OPTIMAL_SOLUTION', cost: currentCost, currentCost, elapsedMs: 0 };
  const result = await runner.solve({
    model: built.model,
    data: built.data,
    solver: options.solver ?? 'gecode',
    ...(options.timeLimitMs !== undefined ? { timeLimitMs: options.timeLimitMs } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
  const base = { currentCost, elapsedMs: result.elapsedMs };
  if (!result.solution) return { ...base, status: result.status, cost: currentCost, ...(result.error !== undefined ? { error: result.error } : {}) };
  const raw = result.solution.output['host'];
  if (!Array.isArray(raw) || raw.length !== built.vms.length) return { ...base, status: 'ERROR', cost: currentCost, error: "solver output 'host' has the wrong shape" };
  const next = new Int32Array(hosts);
  for (const v of built.vms) next[v] = -1;
  const state = Placement.of(problem, next);
  let cost = 0;
  for (let i = 0; i < built.vms.length; i++) {
    const v = built.vms[i] as number;
    const k = raw[i];
    const n = typeof k === 'number' && Number.isInteger(k) ? built.nodes[k - 1] : undefined;
    if (n === undefined || !state.canPlace(v, n)) return { ...base, status: 'ERROR', cost: currentCost, error: `the solver's placement of VM index ${v} does not check` };
    state.place(v, n);
    next[v] = n;
    cost += problem.moveCost(v, n);
  }
  if (cost >= currentCost && !completes) return { ...base, status: result.status, cost: currentCost };
  return { ...base, status: result.status, hosts: next, cost };
}
