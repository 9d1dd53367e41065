import type { Constraint } from '../../catalogue/constraint.js';
import type { Instance } from '../../instance/instance.js';
import type { NodeId } from '../../model/index.js';
import { quickInfeasibility } from '../bounds.js';
import { facesOf, hooksOf } from '../faces.js';
import type { PlacementResult } from '../placement/ffd.js';
import { type PowerDecision, type PowerPlan, bootForUnplaced, canBoot, decidePower } from '../power.js';
import type { Feasibility } from '../explain.js';
import { initialRepair } from '../problem.js';
import { safeName } from '../../text/safe.js';
import type { Attempt } from './attempt.js';
import { DEFAULT_TIME_LIMIT_MS, MAX_BOOT_RETRIES, NODE_STATES_MAX_NODES, NODE_STATES_SHARE } from './policy.js';
import type { Incumbent } from './schedule.js';
import type { PlanOptions } from './types.js';

/**
 * The power stage: the node states the instance needs, decided before any placement (BtrPlace
 * leaves them free; Ferry decides them first, src/solver/power.ts): nodes to power off for a
 * violated discrete maxOnline, spares to boot when capacity is provably short. Its decisions
 * become plain `online`/`offline` constraints of the reduced problem, so everything after it is
 * one pipeline. After a search, `bootRetry` says whether booting more nodes is worth a new one.
 */
export function powerStage(instance: Instance, options: PlanOptions): PowerPlan {
  const extra = options.extraConstraints ?? [];
  const objective = options.objective ?? 'mttr';
  const power = decidePower(instance, extra, objective);
  if (!claimsNoPlan(instance, power)) return power;
  // the pass's "cannot hold", and any proof under the node states it left, rest on its own
  // choices of nodes to power off and spares to boot: a proof only once every choice of node
  // states is refuted
  const deadline = Date.now() + (options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS) * NODE_STATES_SHARE;
  const other = otherNodeStates(instance, extra, objective, power, deadline);
  if (other === 'refuted') {
    refuted.add(power);
    return power;
  }
  unproven.add(power);
  return other === 'unknown' ? power : choice(other);
}

/**
 * Whether the reduce stage would answer "no plan exists" from this power plan before any search
 * (the pass's own claim, the reduction's, the repair's or the capacity and counting bounds under
 * the node states it chose), on clusters small enough for the search over node states.
 */
function claimsNoPlan(instance: Instance, power: PowerPlan): boolean {
  // beyond the search's size the claims stand as the pass made them (a known limit: see NODE_STATES_MAX_NODES)
  if (instance.model.mapping.nodeCount() > NODE_STATES_MAX_NODES) return false;
  return refutedByBounds(power);
}

/** The proofs that need no search: the reduction's, the repair's, the capacity and counting bounds. */
function refutedByBounds(plan: PowerPlan): boolean {
  return plan.infeasible.length > 0 || plan.problem.infeasible.length > 0 || quickInfeasibility(plan.problem).length > 0 || initialRepair(plan.problem).infeasible.length > 0;
}

/**
 * Power plans whose node states are not proven to be the only ones worth trying: the power pass's
 * infeasibility claim that a search over node states could not confirm (answered 'unknown'), or
 * node states that search chose in its place (a later proof covers those node states only).
 */
const unproven = new WeakSet<PowerPlan>();

/**
 * Power plans whose "no plan" the search over node states confirmed: every assignment of node
 * states is refuted, so a proof stands even when the pass's own shutdowns were unvouched.
 */
const refuted = new WeakSet<PowerPlan>();

/**
 * Whether an 'infeasible' proven under these node states speaks for every plan: not when a search
 * chose them, nor when the pass powered nodes off on a guess no repacking vouched for
 * (`shutdownsUnvouched`: another choice of nodes may leave room), unless every choice is refuted.
 */
export function nodeStatesProven(power: PowerPlan): boolean {
  if (unproven.has(power)) return false;
  return power.shutdownsUnvouched !== true || refuted.has(power);
}

/** Another search's power plan keeps its origin's standing (boots added to unproven node states stay unproven). */
function inherit(from: PowerPlan, next: PowerPlan | undefined): PowerPlan | undefined {
  if (next && unproven.has(from)) unproven.add(next);
  return next;
}

/** The node states found in place of the pass's claim, as its decisions (the operator reads why each node changes). */
function choice(found: { readonly plan: PowerPlan; readonly changes: readonly PowerDecision[] }): PowerPlan {
  const plan = { ...found.plan, decisions: [...found.changes, ...found.plan.decisions] };
  unproven.add(plan);
  return plan;
}

/** What constraints ask of node states alone (their placement faces): wanted end states, and at most so many online in a set. */
interface NodeLimits {
  readonly wanted: readonly { readonly node: NodeId; readonly online: boolean }[];
  readonly groups: readonly { readonly nodes: readonly NodeId[]; readonly amount: number }[];
  /** Node and resource pairs whose capacity a constraint scales (overbook): their room is not bounded here. */
  readonly scaled: ReadonlySet<string>;
}

/**
 * The capacity totals as a test of node states: the VMs that run at the end (the claim's reduced
 * problem: they do whatever the node states) need no more of a resource than the nodes online
 * offer, a scaled capacity counting as unbounded. A necessary condition only: it rules out, never
 * admits.
 */
function totalsTest(instance: Instance, nodes: readonly NodeId[], limits: NodeLimits, claim: PowerPlan): (online: (i: number) => boolean) => boolean {
  const problem = claim.problem;
  const V = problem.vms.length;
  const need = problem.resources.map((_, r) => {
    let sum = 0;
    for (let v = 0; v < V; v++) sum += problem.demand[r * V + v] ?? 0;
    return sum;
  });
  const offer = problem.resources.map((rc) => {
    const view = instance.model.resources.get(rc);
    return nodes.map((n) => (limits.scaled.has(`${n}:${rc}`) || !view ? Number.POSITIVE_INFINITY : view.capacity(n)));
  });
  return (online) => need.every((amount, r) => (offer[r] ?? []).reduce((sum, cap, i) => (online(i) ? sum + cap : sum), 0) >= amount);
}

function nodeLimitsOf(constraints: readonly Constraint[]): NodeLimits {
  const wanted: { node: NodeId; online: boolean }[] = [];
  const groups: { nodes: readonly NodeId[]; amount: number }[] = [];
  const scaled = new Set<string>();
  constraints.forEach((c, i) => {
    const faced = facesOf(c, `constraints[${i}]`);
    if (faced === undefined || !('faces' in faced)) return;
    const hooks = hooksOf(faced.faces.placement);
    const asked = hooks?.nodeState?.(c);
    if (asked && asked.state !== 'quarantined') wanted.push({ node: asked.node, online: asked.state === 'online' });
    const limit = hooks?.onlineLimit?.(c);
    if (limit && Number.isFinite(limit.amount)) groups.push({ nodes: [...new Set(limit.nodes)], amount: limit.amount });
    const ratio = hooks?.capacityRatio?.(c);
    if (ratio) scaled.add(`${ratio.node}:${ratio.rc}`);
  });
  return { wanted, groups, scaled };
}

/** Whether node states (`isOnline`) keep every wanted state and every limit. */
function respects(limits: NodeLimits, isOnline: (n: NodeId) => boolean): boolean {
  if (limits.wanted.some((w) => isOnline(w.node) !== w.online)) return false;
  return limits.groups.every((g) => g.nodes.filter(isOnline).length <= g.amount);
}

/** A node's state at the end as the constraint the power pass writes for its own decisions. */
function pinOf(d: Pick<PowerDecision, 'node' | 'state'>): Constraint {
  return { id: d.state, continuous: false, args: { node: d.node } };
}

/**
 * Every assignment of node states (at most NODE_STATES_MAX_NODES nodes, fewest changes first),
 * each pinned and refuted by the proofs that need no search: the pass's own (with every node
 * pinned it has no choice left), the reduction's and the capacity and counting bounds. 'refuted':
 * all are (the claim is proven); the first that survives, as a power plan; 'unknown': out of
 * time. The caller keeps it to clusters of at most NODE_STATES_MAX_NODES nodes.
 */
function otherNodeStates(instance: Instance, extra: readonly Constraint[], objective: NonNullable<PlanOptions['objective']>, claim: PowerPlan, deadline: number): 'refuted' | 'unknown' | { readonly plan: PowerPlan; readonly changes: readonly PowerDecision[] } {
  const mapping = instance.model.mapping;
  const nodes = [...mapping.nodes()];
  const now = nodes.map((n) => mapping.isOnline(n));
  const masks = Array.from({ length: 1 << nodes.length }, (_, m) => m);
  const changes = (m: number): number => nodes.reduce((k, _, i) => k + (((m >> i) & 1) === 1 !== now[i] ? 1 : 0), 0);
  masks.sort((a, b) => changes(a) - changes(b) || a - b);
  const limits = nodeLimitsOf([...instance.constraints, ...extra]);
  const index = new Map(nodes.map((n, i) => [n, i]));
  const roomFor = totalsTest(instance, nodes, limits, claim);
  for (const m of masks) {
    if (Date.now() > deadline) return 'unknown';
    const online = (i: number): boolean => ((m >> i) & 1) === 1;
    // what the constraints' faces say of node states alone rules out most assignments at once
    if (!respects(limits, (n) => online(index.get(n) ?? -1)) || !roomFor(online)) continue;
    const pins = nodes.map((n, i) => pinOf({ node: n, state: online(i) ? 'online' : 'offline' }));
    const plan = decidePower(instance, [...extra, ...pins], objective);
    if (refutedByBounds(plan)) continue;
    // the pins were the search's choice, not the caller's constraints: only the caller's stay
    const decided: PowerDecision[] = [];
    const asked = new Set(limits.wanted.map((w) => w.node));
    nodes.forEach((n, i) => {
      if (online(i) !== now[i] && !asked.has(n)) decided.push({ node: n as NodeId, state: online(i) ? 'online' : 'offline', reason: `${safeName(instance.model.nodeName(n))} ${online(i) ? 'boots' : 'powers off'}: with the node states the power pass chose no placement fits, a search over every choice of node states found these` });
    });
    return { plan: { ...plan, extra: [...extra, ...decided.map(pinOf)] }, changes: decided };
  }
  return 'refuted';
}

/** Whether the attempt numbered `attempt` may still ask for a retry with more boots. */
export function mayRetryWithBoots(power: PowerPlan, attempt: number): boolean {
  return attempt < MAX_BOOT_RETRIES && canBoot(power.problem);
}

/**
 * After the search of an attempt that found no plan, the power decisions of the next attempt:
 * nodes booted for the VMs left without a host (no proof that they fit), or for a placement the
 * scheduler could not order (a migration cycle with no third node to go through: a spare that
 * boots gives the cycle a way out, or the placement a better choice). Undefined: no retry.
 */
export function bootRetry(a: Attempt, incumbent: Incumbent, constructed: PlacementResult, verdict: Feasibility | undefined): PowerPlan | undefined {
  const retry = retryPower(a, incumbent, constructed, verdict);
  // the attempt kept half of the time for a retry that will not come: the stages after it get it
  if (!retry && a.clock.mayBoot) a.time.extendTo(a.clock.origin + (a.options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS));
  return retry;
}

function retryPower(a: Attempt, incumbent: Incumbent, constructed: PlacementResult, verdict: Feasibility | undefined): PowerPlan | undefined {
  if (incumbent.best || !a.clock.mayBoot || a.cancelled()) return undefined;
  const { repair, instance, power, objective } = a;
  if (constructed.unplaced.length > 0 && verdict !== 'feasible') {
    // name the VMs that had to move in the first place; the others were only evicted on the way
    const forced = new Set(repair.forced);
    const named = constructed.unplaced.some((v) => forced.has(v)) ? constructed.unplaced.filter((v) => forced.has(v)) : repair.forced;
    const next = inherit(power, bootForUnplaced(instance, power, objective, constructed.unplaced, named));
    if (next) return next;
  }
  // the scheduler could not order a complete placement: the construction's, or the one the
  // exhaustive search found after the construction left VMs out
  if (incumbent.failure !== undefined && (constructed.unplaced.length === 0 || verdict === 'feasible')) {
    const stuck = incumbent.failureVms();
    return inherit(power, bootForUnplaced(instance, power, objective, stuck, stuck, 'the scheduler found no order for'));
  }
  return undefined;
}
