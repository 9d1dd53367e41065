import { checkPlan } from '../../src/checker/plan-checker.js';
import type { Instance } from '../../src/instance/instance.js';
import type { Plan } from '../../src/plan/plan.js';
import { buildTarget } from '../../src/solver/bounds.js';
import { type PlacementResult, resultOf } from '../../src/solver/placement/ffd.js';
import { Placement } from '../../src/solver/placement/state.js';
import type { PlacementProblem } from '../../src/solver/problem.js';
import { Random } from '../../src/solver/random.js';
import { schedule } from '../../src/solver/schedule/index.js';

/**
 * Independent verification of a final placement: it is scheduled into a plan and the plan goes
 * through the plan checker (which knows nothing of the placement search). Returns the checker's
 * verdict, or the scheduler's reason when it finds no order.
 */
export function verifyPlacement(instance: Instance, problem: PlacementProblem, hosts: Int32Array): { ok: boolean; why?: string; plan?: Plan } {
  if (hosts.some((h) => h < 0)) return { ok: false, why: 'a VM has no host' };
  const target = buildTarget(problem, hosts);
  const s = schedule(instance.model, target, problem.constraints, { maxConcurrentMigrationsPerHost: 2 });
  if (!s.ok) return { ok: false, why: s.reason };
  const report = checkPlan({ ...instance, constraints: problem.constraints }, s.plan);
  return report.ok ? { ok: true, plan: s.plan } : { ok: false, why: 'the checker rejects the plan', plan: s.plan };
}

/**
 * A final placement respects capacities, static domains and every rule, rebuilt from scratch
 * (what a swap of VMs between two full hosts needs: it may not be schedulable without a bounce).
 */
export function validPlacement(problem: PlacementProblem, hosts: Int32Array): boolean {
  if (hosts.some((h, v) => h < 0 || !problem.domainAllows(v, h))) return false;
  const state = Placement.of(problem, hosts);
  return state.overloaded().length === 0 && problem.rules.every((r) => r.repair(state).length === 0);
}

/**
 * A worse but valid placement: VMs of identical demand that stay home are swapped between two
 * hosts (each swap: two more migrations), when every rule still holds. Deterministic per seed.
 */
export function perturb(problem: PlacementProblem, start: PlacementResult, swaps: number, seed: number): PlacementResult {
  const rng = new Random(seed);
  const hosts = new Int32Array(start.hosts);
  const V = problem.vms.length;
  const shape = (v: number): string => problem.resources.map((_, r) => problem.demand[r * V + v]).join(',');
  const byShape = new Map<string, number[]>();
  for (let v = 0; v < V; v++) {
    if (problem.pinned[v] === 1 || problem.moveCost(v, hosts[v] ?? -1) > 0) continue;
    const list = byShape.get(shape(v)) ?? [];
    list.push(v);
    byShape.set(shape(v), list);
  }
  const groups = [...byShape.values()].filter((g) => g.length > 3);
  let done = 0;
  for (let t = 0; t < swaps * 50 && done < swaps && groups.length > 0; t++) {
    const g = rng.pick(groups);
    const a = rng.pick(g);
    const b = rng.pick(g);
    if (hosts[a] === hosts[b] || problem.moveCost(a, hosts[a] ?? -1) > 0 || problem.moveCost(b, hosts[b] ?? -1) > 0) continue;
    const next = new Int32Array(hosts);
    next[a] = hosts[b] ?? -1;
    next[b] = hosts[a] ?? -1;
    if (!problem.domainAllows(a, next[a] ?? -1) || !problem.domainAllows(b, next[b] ?? -1)) continue;
    const state = Placement.of(problem, next);
    if (state.overloaded().length > 0 || problem.rules.some((r) => r.repair(state).length > 0)) continue;
    hosts.set(next);
    done++;
  }
  return resultOf(problem, hosts);
}

/**
 * A worse placement that only a large neighbourhood can undo: VMs of one shape rotated along
 * cycles of `length` hosts (each VM moves to the next host of the cycle), when every rule holds.
 */
export function rotate(problem: PlacementProblem, start: PlacementResult, cycles: number, length: number, seed: number): PlacementResult {
  const rng = new Random(seed);
  const hosts = new Int32Array(start.hosts);
  const V = problem.vms.length;
  const shape = (v: number): string => problem.resources.map((_, r) => problem.demand[r * V + v]).join(',');
  let done = 0;
  for (let t = 0; t < cycles * 50 && done < cycles; t++) {
    const first = rng.int(0, V - 1);
    if (problem.pinned[first] === 1 || problem.moveCost(first, hosts[first] ?? -1) > 0) continue;
    const ring = [first];
    const used = new Set([hosts[first]]);
    for (let u = 0; u < V && ring.length < length; u++) {
      const w = (first + 1 + u * 7919) % V;
      if (used.has(hosts[w]) || shape(w) !== shape(first) || problem.pinned[w] === 1 || problem.moveCost(w, hosts[w] ?? -1) > 0) continue;
      ring.push(w);
      used.add(hosts[w]);
    }
    if (ring.length < length) continue;
    const next = new Int32Array(hosts);
    ring.forEach((v, i) => {
      next[v] = hosts[ring[(i + 1) % ring.length] as number] ?? -1;
    });
    if (!validPlacement(problem, next)) continue;
    hosts.set(next);
    done++;
  }
  return resultOf(problem, hosts);
}
