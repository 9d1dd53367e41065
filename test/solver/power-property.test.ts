import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { pickRunner } from '../../main/node/solver/runners.js';
import type { Constraint } from '../../src/catalogue/constraint.js';
import { checkPlan, formatViolations } from '../../src/checker/plan-checker.js';
import type { Instance } from '../../src/instance/instance.js';
import type { NodeId, NodeState, VmId, VmState } from '../../src/model/index.js';
import { replay } from '../../src/plan/replay.js';
import { type PlanResult, plan } from '../../src/solver/planner.js';
import { Random } from '../../src/solver/random.js';
import { schedule } from '../../src/solver/schedule/index.js';
import type { Target } from '../../src/solver/target.js';
import type { MznRunner } from '../../src/solver/ports.js';
import { c, cluster, instanceOf } from './helpers.js';

let picked: MznRunner | undefined;
try {
  picked = await pickRunner();
} catch {
  picked = undefined;
}
/** The exact model's runner when a native MiniZinc is installed (WASM is too slow for a property). */
const exactRunner = picked?.kind === 'native' ? picked : undefined;

/**
 * Adversarial properties of the node power pass (src/solver/power.ts) as the planner uses it:
 * random small clusters with offline spares, random discrete `>>maxOnline` over random node sets,
 * random online/offline pins, bans and fences.
 *
 * - every plan passes checkPlan with the instance's constraints, and an independent replay shows
 *   every maxOnline / online / offline holding at the end;
 * - on tiny instances (≤ 4 nodes, ≤ 5 VMs) an exhaustive search over node states and placements
 *   decides feasibility: 'infeasible' must mean it finds nothing (a placement it finds is also
 *   scheduled and checked before it counts as a counterexample), and a plan must mean it finds one.
 */

interface NodeSpec {
  readonly name: string;
  readonly cpu: number;
  readonly mem: number;
  readonly offline: boolean;
}
interface VmSpec {
  readonly name: string;
  /** null: a ready VM that must boot (a `running` constraint is added for it). */
  readonly on: string | null;
  readonly cpu: number;
  readonly mem: number;
}
type CSpec =
  | { readonly id: 'maxOnline'; readonly nodes: readonly string[]; readonly amount: number; readonly continuous?: true }
  | { readonly id: 'online' | 'offline'; readonly node: string }
  | { readonly id: 'running'; readonly vm: string }
  | { readonly id: 'ban' | 'fence'; readonly vm: string; readonly nodes: readonly string[] };
interface Spec {
  readonly nodes: readonly NodeSpec[];
  readonly vms: readonly VmSpec[];
  readonly constraints: readonly CSpec[];
}

/** A random instance; `tiny`: ≤ 4 nodes and ≤ 5 VMs (exhaustive search). */
function randomSpec(seed: number, tiny: boolean): Spec {
  const rng = new Random(seed);
  const nodeCount = tiny ? rng.int(2, 4) : rng.int(3, 8);
  const nodes: NodeSpec[] = [];
  for (let i = 1; i <= nodeCount; i++) nodes.push({ name: `N${i}`, cpu: rng.int(2, 8), mem: rng.int(4, 16), offline: i > 1 && rng.next() < 0.3 });
  const free = new Map(nodes.filter((n) => !n.offline).map((n) => [n.name, { cpu: n.cpu, mem: n.mem }]));
  const vms: VmSpec[] = [];
  const vmCount = tiny ? rng.int(1, 5) : rng.int(4, 20);
  for (let i = 1; vms.length < vmCount && i <= 3 * vmCount; i++) {
    const cpu = rng.int(1, 3);
    const mem = rng.int(1, 4);
    if (rng.next() < 0.12) {
      vms.push({ name: `VM${vms.length + 1}`, on: null, cpu, mem });
      continue;
    }
    const on = rng.pick([...free.keys()]);
    const f = free.get(on);
    if (!f || f.cpu < cpu || f.mem < mem) continue;
    f.cpu -= cpu;
    f.mem -= mem;
    vms.push({ name: `VM${vms.length + 1}`, on, cpu, mem });
  }
  const names = nodes.map((n) => n.name);
  const subset = (min: number): string[] => {
    const s = names.filter(() => rng.next() < 0.6);
    for (const n of rng.shuffle([...names])) if (s.length < min && !s.includes(n)) s.push(n);
    return names.filter((n) => s.includes(n));
  };
  const constraints: CSpec[] = [];
  const maxOnlines = rng.int(tiny ? 0 : 1, 2);
  for (let i = 0; i < maxOnlines; i++) {
    const set = subset(2);
    constraints.push({ id: 'maxOnline', nodes: set, amount: rng.int(rng.next() < 0.1 ? 0 : 1, set.length - 1) });
  }
  // sometimes a continuous one that holds now (no boot past it at any instant)
  if (rng.next() < 0.2) {
    const set = subset(2);
    constraints.push({ id: 'maxOnline', nodes: set, amount: Math.max(1, set.filter((n) => !nodes.find((x) => x.name === n)?.offline).length), continuous: true });
  }
  const pinned = new Set<string>();
  for (const n of nodes) {
    const r = rng.next();
    if (r < 0.12) constraints.push({ id: 'offline', node: n.name });
    else if (r < 0.22) constraints.push({ id: 'online', node: n.name });
    else continue;
    pinned.add(n.name);
  }
  for (const v of vms) {
    if (v.on === null) constraints.push({ id: 'running', vm: v.name });
    const r = rng.next();
    if (r < 0.2) constraints.push({ id: 'ban', vm: v.name, nodes: subset(1).slice(0, rng.int(1, 2)) });
    else if (r < 0.35) constraints.push({ id: 'fence', vm: v.name, nodes: subset(1) });
  }
  return { nodes, vms, constraints };
}

function build(spec: Spec): Instance {
  const { model, vm, node } = cluster(
    Object.fromEntries(spec.nodes.map((n) => [n.name, { cpu: n.cpu, mem: n.mem, offline: n.offline }])),
    Object.fromEntries(spec.vms.map((v) => [v.name, { on: v.on, cpu: v.cpu, mem: v.mem }])),
  );
  const constraints: Constraint[] = spec.constraints.map((k) => {
    switch (k.id) {
      case 'maxOnline':
        return c('maxOnline', { nodes: k.nodes.map(node), amount: k.amount }, k.continuous === true);
      case 'online':
      case 'offline':
        return c(k.id, { node: node(k.node) });
      case 'ban':
      case 'fence':
        return c(k.id, { vm: vm(k.vm), nodes: k.nodes.map(node) });
      case 'running':
        return c('running', { vm: vm(k.vm) });
    }
  });
  return instanceOf(model, constraints);
}

/** Node states and hosts at the end that satisfy every constraint of the spec (exhaustive), or undefined. */
function exhaustive(spec: Spec): { online: Set<string>; hosts: Map<string, string> } | undefined {
  const N = spec.nodes.length;
  for (let mask = 0; mask < 1 << N; mask++) {
    const online = new Set(spec.nodes.filter((_, i) => (mask & (1 << i)) !== 0).map((n) => n.name));
    const okStates = spec.constraints.every((k) => {
      if (k.id === 'online') return online.has(k.node);
      if (k.id === 'offline') return !online.has(k.node);
      if (k.id === 'maxOnline') return k.nodes.filter((n) => online.has(n)).length <= k.amount;
      return true;
    });
    if (!okStates) continue;
    const allowed = spec.vms.map((v) =>
      spec.nodes
        .filter((n) => online.has(n.name))
        .filter((n) => spec.constraints.every((k) => (k.id === 'ban' && k.vm === v.name ? !k.nodes.includes(n.name) : k.id === 'fence' && k.vm === v.name ? k.nodes.includes(n.name) : true)))
        .map((n) => n.name),
    );
    const load = new Map(spec.nodes.map((n) => [n.name, { cpu: 0, mem: 0 }]));
    const hosts = new Map<string, string>();
    const place = (i: number): boolean => {
      const v = spec.vms[i];
      if (!v) return true;
      for (const n of allowed[i] ?? []) {
        const l = load.get(n) as { cpu: number; mem: number };
        const cap = spec.nodes.find((x) => x.name === n) as NodeSpec;
        if (l.cpu + v.cpu > cap.cpu || l.mem + v.mem > cap.mem) continue;
        l.cpu += v.cpu;
        l.mem += v.mem;
        hosts.set(v.name, n);
        if (place(i + 1)) return true;
        l.cpu -= v.cpu;
        l.mem -= v.mem;
      }
      return false;
    };
    if (place(0)) return { online, hosts };
  }
  return undefined;
}

/** The exhaustive witness as a Target, scheduled and checked: a plan only when it really is one. */
function witnessPlan(spec: Spec, instance: Instance, found: { online: Set<string>; hosts: Map<string, string> }): boolean {
  const model = instance.model;
  const nodeId = (n: string): NodeId => model.nodeNames?.resolve(n) as NodeId;
  const vmId = (n: string): VmId => model.vmNames?.resolve(n) as VmId;
  const vms = new Map<VmId, { state: VmState; host: NodeId | null }>();
  for (const [v, n] of found.hosts) if (spec.vms.find((x) => x.name === v)?.on !== n) vms.set(vmId(v), { state: 'running', host: nodeId(n) });
  const nodes = new Map<NodeId, NodeState>();
  for (const n of spec.nodes) {
    const end = found.online.has(n.name);
    if (end === n.offline) nodes.set(nodeId(n.name), end ? 'online' : 'offline');
  }
  const target: Target = { vms, nodes, consumption: new Map() };
  const s = schedule(model, target, instance.constraints);
  return s.ok && checkPlan(instance, s.plan).ok;
}

/** Independent end-state check: replay the plan and count the nodes online at the end. */
function endStateProblems(spec: Spec, instance: Instance, result: PlanResult): string[] {
  if (!result.plan) return [];
  const r = replay(result.plan);
  if (!r.ok) return [`replay: ${r.problem.message}`];
  const end = r.result;
  const isOn = (n: string): boolean => end.mapping.isOnline(instance.model.nodeNames?.resolve(n) as NodeId);
  const out: string[] = [];
  for (const k of spec.constraints) {
    if (k.id === 'maxOnline') {
      const on = k.nodes.filter(isOn);
      if (on.length > k.amount) out.push(`maxOnline({${k.nodes.join(', ')}}, ${k.amount}) broken at the end: ${on.join(', ')} online`);
    } else if (k.id === 'online' && !isOn(k.node)) out.push(`online(${k.node}) broken`);
    else if (k.id === 'offline' && isOn(k.node)) out.push(`offline(${k.node}) broken`);
  }
  for (const v of spec.vms) if (!end.mapping.isRunning(instance.model.vmNames?.resolve(v.name) as VmId)) out.push(`${v.name} no longer runs`);
  return out;
}

const show = (spec: Spec): string => JSON.stringify(spec);

/** Plans (a PlanCheckError fails the property: BUG 4, bounces through a node a discrete ban/fence forbids, is fixed). */
async function planOf(instance: Instance, objective: 'mttr' | 'migrations', seed: number, runner?: MznRunner): Promise<PlanResult | undefined> {
  return await plan(instance, runner ? { objective, runner, timeLimitMs: 1_000, seed } : { objective, solver: 'native', timeLimitMs: 300, seed });
}

/**
 * The tiny-instance property (exhaustive reference), with Ferry's own search or, given a runner,
 * the exact MiniZinc model too.
 */
async function tinyProperty(numRuns: number, runner?: MznRunner): Promise<void> {
  let infeasible = 0;
  let feasible = 0;
  const unknownButFeasible: string[] = [];
  const unschedulablePlacement: string[] = [];
  const placementMissed: string[] = [];
  const wrongPowerChoice: string[] = [];
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
      const spec = randomSpec(seed, true);
      const instance = build(spec);
      const found = exhaustive(spec);
      const result = await planOf(instance, seed % 2 === 0 ? 'mttr' : 'migrations', seed, runner);
      if (!result) return;
      if (result.plan) {
        feasible++;
        expect(checkPlan(instance, result.plan).ok, `seed ${seed}: ${show(spec)}`).toBe(true);
        expect(endStateProblems(spec, instance, result), `seed ${seed}: ${show(spec)}`).toEqual([]);
        expect(found, `seed ${seed}: a checked plan exists but the exhaustive search found nothing (test bug): ${show(spec)}`).toBeDefined();
        return;
      }
      if (result.status === 'infeasible') {
        infeasible++;
        if (found === undefined || !witnessPlan(spec, instance, found)) return;
        // a wrong "infeasible": is it only the power pass's choice of nodes (BUG 1 below)? Then
        // the same instance with the witness's node states pinned must plan
        const pins = spec.nodes.map((n) => c(found.online.has(n.name) ? 'online' : 'offline', { node: instance.model.nodeNames?.resolve(n.name) as number }));
        const pinned = await plan(instance, { objective: 'mttr', solver: 'native', timeLimitMs: 300, extraConstraints: pins });
        const line = `seed ${seed}: said infeasible (${(result.explanation ?? []).join(' | ')}) but ${JSON.stringify({ online: [...found.online], hosts: Object.fromEntries(found.hosts) })} works: ${show(spec)}`;
        // with the node states pinned the claim must go (BUG 3 may still leave it without a plan)
        expect(pinned.status, `${line}; even with those node states pinned it says infeasible`).not.toBe('infeasible');
        wrongPowerChoice.push(line);
        if (!pinned.plan) {
          // a placement the scheduler cannot order (e.g. a continuous maxOnline whose boot must
          // wait for a shutdown) is the known scheduler limit below, not a dropped placement
          const pinnedWhy = (pinned.explanation ?? []).join(' | ');
          if (/the scheduler found no order/.test(pinnedWhy)) unschedulablePlacement.push(`${line} (with the node states pinned: ${pinnedWhy})`);
          else placementMissed.push(`${line} (with the node states pinned)`);
        }
      } else if (found !== undefined && witnessPlan(spec, instance, found)) {
        // no plan and no claim: not a wrong answer, but a tiny instance with a plan should get one
        const why = (result.explanation ?? []).join(' | ');
        const line = `seed ${seed}: ${why}: ${show(spec)}`;
        if (/the scheduler found no order/.test(why)) unschedulablePlacement.push(line); // BUG 2
        else if (/no placement found in time/.test(why)) placementMissed.push(line); // BUG 3
        else unknownButFeasible.push(line);
      }
    }),
    { numRuns },
  );
  expect(feasible).toBeGreaterThan(numRuns / 8);
  expect(infeasible).toBeGreaterThan(0);
  // no plan in time on a tiny feasible instance is not a wrong answer, but it should not happen
  expect(unknownButFeasible).toEqual([]);
  // BUGs 1 and 2 (see the regressions below) show up here: kept visible, not failing
  const seen = (label: string, lines: readonly string[]): void => {
    if (lines.length > 0) console.warn(`${label}: ${lines.length} time(s)\n${lines.join('\n')}`);
  };
  seen('BUG 1 (power pass powers off the wrong nodes, then says infeasible)', wrongPowerChoice);
  seen('BUG 2 (placement the scheduler cannot order; no spare booted, no other placement tried)', unschedulablePlacement);
  // BUG 3 (a placement found by the exhaustive check was dropped) is fixed: never again
  expect(placementMissed).toEqual([]);
}

describe('property: the power pass on random clusters with maxOnline, pins, bans and fences', () => {
  it('every plan passes checkPlan and leaves every maxOnline/online/offline true at the end', async () => {
      let plans = 0;
    let shutdowns = 0;
    let boots = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
        const spec = randomSpec(seed, false);
        const instance = build(spec);
        const result = await planOf(instance, seed % 2 === 0 ? 'mttr' : 'migrations', seed);
        if (!result) return;
        if (!result.plan) {
          expect(['infeasible', 'unknown']).toContain(result.status);
          expect(result.explanation?.length ?? 0, `seed ${seed}: no plan and no explanation; ${show(spec)}`).toBeGreaterThan(0);
          return;
        }
        plans++;
        shutdowns += result.plan.actions.filter((a) => a.kind === 'shutdownNode').length;
        boots += result.plan.actions.filter((a) => a.kind === 'bootNode').length;
        const report = checkPlan(instance, result.plan);
        expect(formatViolations(report, instance.model), `seed ${seed}: ${show(spec)}`).toEqual([]);
        expect(endStateProblems(spec, instance, result), `seed ${seed}: ${show(spec)}`).toEqual([]);
      }),
      { numRuns: 150 },
    );
      // the generator exercises both directions of the pass
    expect(plans).toBeGreaterThan(15);
    expect(shutdowns).toBeGreaterThan(0);
    expect(boots).toBeGreaterThan(0);
  });

  it('tiny instances: "infeasible" only when no node states and placement exist; a plan only when one does', async () => {
    await tinyProperty(400);
  });

  it.skipIf(exactRunner === undefined)('the same with the exact model (native MiniZinc) in the loop', async () => {
    await tinyProperty(40, exactRunner);
  });
});

/**
 * BUG 1, found by the tiny-instance property above: the power pass (power.ts, chooseShutdowns)
 * picks the nodes to power off greedily (cheapest to empty first) and only checks that the VMs
 * *resident on those nodes* still have somewhere to go, with the spares that may boot *before*
 * the shutdowns. It commits to that choice (the planner retries with more boots, never with other
 * shutdowns), so the planner answers 'infeasible' where another choice of nodes works:
 *
 * (a) a VM that must leave its node anyway (ban/fence) whose only allowed node is the empty one
 *     the pass powers off;
 * (b) a spare that could take the load once an online node of the same maxOnline goes off: the
 *     spare is not bootable *now* (the maxOnline is at its limit), so the pass never counts it.
 *
 * Fixed in power.ts: (a) fits() looks at the domains of every VM that has to move; (b) when no
 * single node may go off, chooseShutdowns powers off a growing set of the group's nodes, counting
 * the spares their shutdowns let boot together (swapShutdowns, bootableTogether).
 */
describe('regressions: power pass choices (BUG 1)', () => {
  it('(a) ban(VM1, {N1}) + maxOnline({N1, N2}, 1): power N1 off after moving VM1 to N2, not N2', async () => {
    // minimal: two nodes, one VM. Seen with seeds 2145386472, 894626171, 865501402 of the property.
    const { model, node, vm } = cluster({ N1: { cpu: 8 }, N2: { cpu: 8 } }, { VM1: { on: 'N1', cpu: 1 } });
    const instance = instanceOf(model, [c('maxOnline', { nodes: [node('N1'), node('N2')], amount: 1 }), c('ban', { vm: vm('VM1'), nodes: [node('N1')] })]);
    // the plan exists: with offline(N1) pinned, Ferry itself finds it
    const pinned = await plan(instance, { objective: 'mttr', solver: 'native', timeLimitMs: 500, extraConstraints: [c('offline', { node: node('N1') })] });
    expect(pinned.plan && checkPlan(instance, pinned.plan).ok).toBe(true);
    // today: N2 powers off (empty, "cheapest to empty"), then 'infeasible: VM1 has nowhere to go'
    const r = await plan(instance, { objective: 'mttr', solver: 'native', timeLimitMs: 500 });
    expect(r.status).not.toBe('infeasible');
    expect(r.plan).toBeDefined();
  });

  it('(b) maxOnline({N1, N2, N3}, 1), N1 and N2 full, N3 an offline spare: boot N3, power N1 and N2 off', async () => {
    // minimal form of seed 474579954 of the property
    const { model, node } = cluster({ N1: { cpu: 2 }, N2: { cpu: 2 }, N3: { cpu: 8, offline: true } }, { VM1: { on: 'N1', cpu: 2 }, VM2: { on: 'N2', cpu: 2 } });
    const nodes = [node('N1'), node('N2'), node('N3')];
    const instance = instanceOf(model, [c('maxOnline', { nodes, amount: 1 })]);
    const pins = [c('online', { node: node('N3') }), c('offline', { node: node('N1') }), c('offline', { node: node('N2') })];
    const pinned = await plan(instance, { objective: 'mttr', solver: 'native', timeLimitMs: 500, extraConstraints: pins });
    expect(pinned.plan && checkPlan(instance, pinned.plan).ok).toBe(true);
    // it said 'infeasible: with 1 of them powered off the VMs would not fit on the nodes left'
    const r = await plan(instance, { objective: 'mttr', solver: 'native', timeLimitMs: 500 });
    expect(r.status).not.toBe('infeasible');
    expect(r.plan && checkPlan(instance, r.plan).ok).toBe(true);
    const power = (r.plan?.actions ?? []).filter((a) => a.kind === 'bootNode' || a.kind === 'shutdownNode').map((a) => `${a.kind}(${model.nodeName(a.node)})`);
    expect(power.sort()).toEqual(['bootNode(N3)', 'shutdownNode(N1)', 'shutdownNode(N2)']);
  });
});

/**
 * BUG 2, found by the tiny-instance property: the power pass boots a spare only when the
 * *placement* is short of capacity; a placement the scheduler cannot order (a swap with no third
 * node to bounce through) leaves the planner with no plan ('unknown', "capacity deadlock"), when
 * booting the spare and moving the VM there is a 2-action plan (what it does for a drain).
 */
describe('regressions: no plan where a spare boot gives one (BUG 2)', () => {
  it('fence(VM1, {N2, N3}), N1 and N2 full, N3 an offline spare: boot N3 and move VM1 there', async () => {
    const { model, node, vm } = cluster({ N1: { cpu: 2 }, N2: { cpu: 2 }, N3: { cpu: 4, offline: true } }, { VM1: { on: 'N1', cpu: 2 }, VM2: { on: 'N2', cpu: 2 } });
    const instance = instanceOf(model, [c('fence', { vm: vm('VM1'), nodes: [node('N2'), node('N3')] })]);
    const pinned = await plan(instance, { objective: 'mttr', solver: 'native', timeLimitMs: 500, extraConstraints: [c('online', { node: node('N3') }), c('fence', { vm: vm('VM1'), nodes: [node('N3')] })] });
    expect(pinned.plan && checkPlan(instance, pinned.plan).ok).toBe(true);
    // it said 'unknown', "the scheduler found no order: capacity deadlock at 0 s: migrate VM1 N1→N2 …"
    const r = await plan(instance, { objective: 'mttr', solver: 'native', timeLimitMs: 500 });
    expect(r.plan && checkPlan(instance, r.plan).ok).toBe(true);
    expect(r.notes.join('\n')).toMatch(/power: N3 boots: the scheduler found no order for/);
  });
});

/**
 * BUG 3, found by the tiny-instance property: on this 4-node, 3-VM drain the construction leaves
 * a VM unplaced; the planner's own exhaustive check (explain.ts exhaustiveFeasibility) then finds
 * a placement, but only its verdict is kept ('feasible': no boot retry) and the placement itself
 * is dropped, so plan() answers 'unknown' ("no placement found in time for 1 VM(s): VM4") within
 * milliseconds, whatever the time limit. A plan: VM4 → N4, VM5 → N4, VM2 → N2.
 */
describe('regressions: a placement found by the exhaustive check is dropped (BUG 3)', () => {
  it('offline(N3) + fence(VM4, {N3, N4}): VM5 must make room on N2 for VM2', async () => {
    const { model, node, vm } = cluster(
      { N1: { cpu: 5, mem: 2 }, N2: { cpu: 4, mem: 16 }, N3: { cpu: 2, mem: 5 }, N4: { cpu: 5, mem: 4 } },
      { VM2: { on: 'N3', cpu: 2, mem: 3 }, VM4: { on: 'N1', cpu: 1, mem: 2 }, VM5: { on: 'N2', cpu: 3, mem: 1 } },
    );
    const instance = instanceOf(model, [c('offline', { node: node('N3') }), c('fence', { vm: vm('VM4'), nodes: [node('N3'), node('N4')] })]);
    const fences = [c('fence', { vm: vm('VM4'), nodes: [node('N4')] }), c('fence', { vm: vm('VM5'), nodes: [node('N4')] }), c('fence', { vm: vm('VM2'), nodes: [node('N2')] })];
    const pinned = await plan(instance, { objective: 'mttr', solver: 'native', timeLimitMs: 500, extraConstraints: fences });
    expect(pinned.plan && checkPlan(instance, pinned.plan).ok).toBe(true);
    const r = await plan(instance, { objective: 'mttr', solver: 'native', timeLimitMs: 2_000 });
    expect(r.plan).toBeDefined();
  });
});

/**
 * BUG 4, found by the tiny-instance property: plan() throws PlanCheckError. The scheduler
 * (schedule/constraints.ts) only keeps a bounce off the nodes of a *continuous* ban/fence
 * (test/solver-schedule/schedule.test.ts even says "the discrete ban only constrains the end: the
 * bounce is fine"), while the plan checker, like BtrPlace's BanChecker/FenceChecker, rejects any
 * placement onto a banned node / outside the fence *in any mode*. A swap whose only bounce node is
 * banned: the scheduler bounces through it, the checker rejects, the planner throws. Either side
 * may be the one to change (a semantic decision, so not fixed here); either way plan() must not
 * throw. Minimal: 3 nodes of 2 cpu, VM1 (2) on N1, VM2 (2) on N2, N3 empty.
 */
describe('regressions: bounce through a node a discrete ban/fence forbids (BUG 4)', () => {
  const swap = () => cluster({ N1: { cpu: 2 }, N2: { cpu: 2 }, N3: { cpu: 2 } }, { VM1: { on: 'N1', cpu: 2 }, VM2: { on: 'N2', cpu: 2 } });
  const noThrow = async (instance: Instance): Promise<void> => {
    const r = await plan(instance, { objective: 'mttr', solver: 'native', timeLimitMs: 300 });
    if (r.plan) expect(checkPlan(instance, r.plan).ok).toBe(true);
  };

  it('>>fence(VM1, {N2}) + >>fence(VM2, {N1}): plan() does not throw', async () => {
    const { model, node, vm } = swap();
    await noThrow(instanceOf(model, [c('fence', { vm: vm('VM1'), nodes: [node('N2')] }), c('fence', { vm: vm('VM2'), nodes: [node('N1')] })]));
  });

  it('>>ban(VM1, {N1, N3}) + >>ban(VM2, {N2, N3}): plan() does not throw', async () => {
    const { model, node, vm } = swap();
    await noThrow(instanceOf(model, [c('ban', { vm: vm('VM1'), nodes: [node('N1'), node('N3')] }), c('ban', { vm: vm('VM2'), nodes: [node('N2'), node('N3')] })]));
  });
});

/**
 * Found by running the tiny-instance property above over seeds 1–8,000 (task H5, issue 15 §1):
 * 19 instances with a plan were answered 'infeasible' (7) or 'unknown' (12). The classes fixed
 * here (counts on those seeds: before → after are in the H5 report):
 *
 * BUG 5 (scheduler, schedule/engine.ts): a swap whose only third node is one the plan powers off
 * at the end (an empty node the power pass chose to power off) was a "capacity deadlock": the
 * node was never a bounce candidate. It is online until its shutdown, which now waits for the
 * bounced VM to leave again (seeds 3425, 5116, 6981).
 *
 * BUG 6 (power pass, chooseShutdowns): the cheapest node to empty was powered off whenever the
 * VMs *individually* still fit elsewhere; when only a placement that also moves VMs which could
 * have stayed exists, or none at all, the planner said 'infeasible' (a "proof" resting on that
 * choice) or 'unknown'. A choice is now vouched for by a packing of the forced VMs or a repacking
 * of every VM (two orders); on small problems an unvouched greedy pass is retried with its first
 * choice kept on, and VMs that leave anyway no longer make their node look expensive to empty
 * (seeds 156, 722, 2313, 4227, 4953, 5862, 6847).
 *
 * BUG 7 (power pass, continuous maxOnline swap): a node booting under a continuous maxOnline full
 * now waits for a shutdown of its set; the pass powered off another node, leaving the VMs of the
 * node to shut down no room on the nodes online before the boot: a deadlock (boot waits for the
 * shutdown, the shutdown for the VMs, the VMs for the boot). Those VMs must now fit on the nodes
 * online now, and may not count on the booting node (seeds 691, 5579).
 */
describe('regressions: a swap through a node powering off at the end (BUG 5)', () => {
  it('ban(VM1, {N1}) + ban(VM2, {N2}) + offline(N3): N3 powers off after VM1 went through it', async () => {
    // (with maxOnline({N2, N3}, 1) instead of offline(N3), as in seed 5116, N2 powers off now: a
    // better plan, so the node to power off is pinned here)
    const { model, node, vm } = cluster({ N1: { cpu: 2 }, N2: { cpu: 2 }, N3: { cpu: 2 } }, { VM1: { on: 'N1', cpu: 2 }, VM2: { on: 'N2', cpu: 2 } });
    const instance = instanceOf(model, [c('offline', { node: node('N3') }), c('ban', { vm: vm('VM1'), nodes: [node('N1')] }), c('ban', { vm: vm('VM2'), nodes: [node('N2')] })]);
    // it said 'unknown': "capacity deadlock at 0 s: migrate VM1 N1→N2 waits for 'cpu' on N2 …"
    const r = await plan(instance, { objective: 'mttr', solver: 'native', timeLimitMs: 500 });
    expect(r.plan && checkPlan(instance, r.plan).ok).toBe(true);
    const kinds = (r.plan?.actions ?? []).map((a) => (a.kind === 'migrateVM' ? `${model.vmName(a.vm)} ${model.nodeName(a.from)}→${model.nodeName(a.to)}` : a.kind === 'shutdownNode' ? `off ${model.nodeName(a.node)}` : a.kind));
    expect(kinds.sort()).toEqual(['VM1 N1→N3', 'VM1 N3→N2', 'VM2 N2→N1', 'off N3'].sort());
  });
});

describe('regressions: the node the power pass powers off leaves no placement (BUG 6)', () => {
  it('maxOnline({N1, N2}, 1) + ban(VM2, {N2}) + ban(VM3, {N3}): N2 goes off, not the empty N1', async () => {
    // minimal form of seed 6847: with N1 off, VM3 (2 cpu) has nowhere to go (N2 keeps VM1)
    const { model, node, vm } = cluster({ N1: { cpu: 4 }, N2: { cpu: 4 }, N3: { cpu: 3 } }, { VM1: { on: 'N2', cpu: 3 }, VM2: { on: 'N2', cpu: 1 }, VM3: { on: 'N3', cpu: 2 } });
    const instance = instanceOf(model, [c('maxOnline', { nodes: [node('N1'), node('N2')], amount: 1 }), c('ban', { vm: vm('VM2'), nodes: [node('N2')] }), c('ban', { vm: vm('VM3'), nodes: [node('N3')] })]);
    // it said 'infeasible': "… capacity of N2, N3: VM3 has nowhere to go"
    const r = await plan(instance, { objective: 'mttr', solver: 'native', timeLimitMs: 500 });
    expect(r.status).not.toBe('infeasible');
    expect(r.plan && checkPlan(instance, r.plan).ok).toBe(true);
    expect(r.notes.join('\n')).toMatch(/power: N2 powers off/);
  });

  it('seed 156: VM1, which could stay, must make room for the VMs of the node powered off', async () => {
    const { model, node, vm } = cluster(
      { N1: { cpu: 6, mem: 16 }, N2: { cpu: 8, mem: 5 }, N3: { cpu: 5, mem: 12 } },
      { VM1: { on: 'N1', cpu: 1, mem: 1 }, VM2: { on: 'N2', cpu: 1, mem: 4 }, VM3: { on: 'N1', cpu: 2, mem: 2 }, VM4: { on: 'N3', cpu: 3, mem: 4 }, VM5: { on: 'N3', cpu: 1, mem: 3 } },
    );
    const instance = instanceOf(model, [c('maxOnline', { nodes: [node('N1'), node('N3')], amount: 1 }), c('fence', { vm: vm('VM1'), nodes: [node('N1'), node('N2')] }), c('fence', { vm: vm('VM5'), nodes: [node('N1'), node('N2')] })]);
    // it said 'infeasible' ("VM4 has nowhere to go") after powering N1 off
    const r = await plan(instance, { objective: 'migrations', solver: 'native', timeLimitMs: 500 });
    expect(r.plan && checkPlan(instance, r.plan).ok).toBe(true);
    expect(r.notes.join('\n')).toMatch(/power: N3 powers off/);
  });
});

describe('regressions: a continuous maxOnline swap whose shutdown needs room first (BUG 7)', () => {
  it('>>maxOnline({N3, N4}, 1) + online(N3) + offline(N4): N2, not the empty N1, powers off for maxOnline({N1..N4}, 2)', async () => {
    // minimal form of seed 691: N3 boots only once N4 is off, so VM3 must leave N4 for a node
    // online now; with N1 off only N2 is left, and it is full
    const { model, node, vm } = cluster(
      { N1: { cpu: 8 }, N2: { cpu: 4 }, N3: { cpu: 6, offline: true }, N4: { cpu: 4 } },
      { VM1: { on: 'N2', cpu: 2 }, VM2: { on: 'N2', cpu: 2 }, VM3: { on: 'N4', cpu: 2 } },
    );
    const all = ['N1', 'N2', 'N3', 'N4'].map(node);
    const instance = instanceOf(model, [
      c('maxOnline', { nodes: all, amount: 2 }),
      c('maxOnline', { nodes: [node('N3'), node('N4')], amount: 1 }, true),
      c('online', { node: node('N3') }),
      c('offline', { node: node('N4') }),
      c('ban', { vm: vm('VM1'), nodes: [node('N1')] }),
    ]);
    // it said 'unknown': "capacity deadlock at 1 s: boot N3 waits for maxOnline(1) on {N3, N4}"
    const r = await plan(instance, { objective: 'mttr', solver: 'native', timeLimitMs: 500 });
    expect(r.plan && checkPlan(instance, r.plan).ok).toBe(true);
    expect(r.notes.join('\n')).toMatch(/power: N2 powers off/);
  });
});

/**
 * BUG 8 (power pass, boots): capacity short, two spares under maxOnline({N2, N3}, 1): the pass
 * booted the one covering the shortage best by totals (N2), too small in memory for the two VMs
 * that must go there, then said 'infeasible' (N3, which holds both, "may not boot"). A boot whose
 * placement no repacking finds is now tried again without it (seed 3848).
 *
 * BUG 9 (scheduler, schedule/build.ts): a continuous maxOnline full at the start lets N3 boot only
 * once N1 is off, and N1's VM is placed on N3: 'unknown' ("capacity deadlock: boot N3 waits for
 * maxOnline(1)"). The VM now goes through a node with room first (seeds 3558, 4617; the
 * scheduler's own test is in test/solver-schedule/deadlock-repair.test.ts).
 */
describe('regressions: boots and continuous maxOnline swaps (BUGs 8 and 9)', () => {
  it('BUG 8: maxOnline({N2, N3}, 1), VM2 and VM4 need a spare: N3 boots, not N2', async () => {
    const { model, node, vm } = cluster(
      { N1: { cpu: 4, mem: 12 }, N2: { cpu: 6, mem: 4, offline: true }, N3: { cpu: 4, mem: 10, offline: true } },
      { VM1: { on: 'N1', cpu: 1, mem: 3 }, VM2: { on: 'N1', cpu: 2, mem: 4 }, VM3: { on: 'N1', cpu: 1, mem: 4 }, VM4: { on: null, cpu: 2, mem: 3 } },
    );
    const instance = instanceOf(model, [
      c('maxOnline', { nodes: [node('N1'), node('N2'), node('N3')], amount: 2 }),
      c('maxOnline', { nodes: [node('N2'), node('N3')], amount: 1 }),
      c('ban', { vm: vm('VM2'), nodes: [node('N1')] }),
      c('running', { vm: vm('VM4') }),
      c('ban', { vm: vm('VM4'), nodes: [node('N1')] }),
    ]);
    // it said 'infeasible': "… VM4 has nowhere to go; offline node(s) Ferry may not boot: N3"
    const r = await plan(instance, { objective: 'mttr', solver: 'native', timeLimitMs: 500 });
    expect(r.plan && checkPlan(instance, r.plan).ok).toBe(true);
    expect(r.notes.join('\n')).toMatch(/power: N3 boots/);
  });

  it('BUG 9: >>maxOnline({N1, N3, N4}, 1) + online(N3) + ban(VM1, {N3}): VM2 goes through N2 before N1 powers off', async () => {
    const { model, node, vm } = cluster(
      { N1: { cpu: 6, mem: 8 }, N2: { cpu: 5, mem: 13 }, N3: { cpu: 6, mem: 11, offline: true }, N4: { cpu: 8, mem: 13, offline: true } },
      { VM1: { on: null, cpu: 3, mem: 3 }, VM2: { on: 'N1', cpu: 1, mem: 3 }, VM3: { on: 'N2', cpu: 2, mem: 4 } },
    );
    const instance = instanceOf(model, [
      c('maxOnline', { nodes: [node('N1'), node('N3'), node('N4')], amount: 1 }, true),
      c('online', { node: node('N2') }),
      c('online', { node: node('N3') }),
      c('running', { vm: vm('VM1') }),
      c('ban', { vm: vm('VM1'), nodes: [node('N3')] }),
    ]);
    // it said 'unknown': "capacity deadlock at 1 s: boot N3 waits for maxOnline(1) on {N1, N3, N4}"
    const r = await plan(instance, { objective: 'mttr', solver: 'native', timeLimitMs: 500 });
    expect(r.plan && checkPlan(instance, r.plan).ok).toBe(true);
  });
});

/**
 * BUG 10 (power pass, found on fresh seeds 8001–14000 after BUGs 5–9): maxOnline({N1, N3, N4}, 1)
 * with capacity short: only N3 kept with the spare N2 booted holds the VMs. The greedy pass kept
 * N1 (cheapest to keep: the others cost less to empty), no packing vouched for it, the spare was
 * booted, and the planner said 'infeasible'. With few nodes, when no greedy choice is vouched
 * for, every set of nodes to power off is tried (with the spares it lets boot) before falling back
 * (seeds 10520, 8186, 9919).
 */
describe('regressions: no greedy choice of shutdowns is vouched for (BUG 10)', () => {
  it('maxOnline({N1, N3, N4}, 1) + running(VM4): N1 and N4 off, N2 boots', async () => {
    const { model, node, vm } = cluster(
      { N1: { cpu: 2, mem: 14 }, N2: { cpu: 5, mem: 5, offline: true }, N3: { cpu: 3, mem: 13 }, N4: { cpu: 6, mem: 6 } },
      { VM1: { on: 'N3', cpu: 1, mem: 3 }, VM2: { on: 'N4', cpu: 1, mem: 4 }, VM3: { on: 'N1', cpu: 1, mem: 3 }, VM4: { on: null, cpu: 1, mem: 4 }, VM5: { on: 'N1', cpu: 1, mem: 2 } },
    );
    const instance = instanceOf(model, [c('maxOnline', { nodes: [node('N1'), node('N3'), node('N4')], amount: 1 }), c('running', { vm: vm('VM4') })]);
    // it said 'infeasible': "… capacity of N1, N2: VM1 has nowhere to go"
    const r = await plan(instance, { objective: 'mttr', solver: 'native', timeLimitMs: 500 });
    expect(r.plan && checkPlan(instance, r.plan).ok).toBe(true);
    const power = (r.plan?.actions ?? []).filter((a) => a.kind === 'bootNode' || a.kind === 'shutdownNode').map((a) => `${a.kind}(${model.nodeName(a.node)})`);
    expect(power.sort()).toEqual(['bootNode(N2)', 'shutdownNode(N1)', 'shutdownNode(N4)']);
  });
});

/**
 * BUG 11 (the pipeline's boot retry, tiny seed 2359): the construction left VMs out, the
 * exhaustive search found a placement, but the scheduler could not order it; the retry that
 * boots a spare for a placement the scheduler cannot order only looked at complete
 * constructions, so the answer was 'unknown' although a plan exists.
 */
describe('regressions: a placement found by the exhaustive search the scheduler cannot order (BUG 11)', () => {
  it('tiny seed 2359: a plan', async () => {
    const spec = randomSpec(2359, true);
    const instance = build(spec);
    expect(exhaustive(spec), show(spec)).toBeDefined();
    const r = await planOf(instance, 'mttr', 2359);
    expect(r?.plan && checkPlan(instance, r.plan).ok, `${(r?.explanation ?? []).join(' | ')}: ${show(spec)}`).toBe(true);
  });
});

/**
 * Found by the tiny-instance property over seeds 1–14,000 (issue 15 §1): 'unknown' while a plan
 * exists, the placement a swap or a drain the scheduler could not order.
 *
 * BUG 12 (scheduler, schedule/engine.ts; seed 11145): maxOnline({N1, N2, N3}, 2) powers off the
 * empty N2, VM4 (banned from N1) swaps with VM2 or VM3 of N3, and N2 is the only third node.
 * A continuous maxOnline over the same nodes (no boot at all) kept N2 from hosting the bounce,
 * so N2 powered off at once: "capacity deadlock at 1 s: migrate VM4 N1→N3 …". A node of a
 * continuous maxOnline set is now a third node unless a boot of that set waits for a shutdown.
 *
 * BUG 13 (scheduler, schedule/build.ts; seed 13974): >>maxOnline({N1, N3}, 1), N3 must boot, so
 * N1 powers off first, and a VM of N1 placed on N3 must go through a third node; the only one
 * with room is N2, which the plan boots: "capacity deadlock at 2 s: boot N3 waits for
 * maxOnline(1) on {N1, N3}". The VM now goes through a booting node outside the set once it is up.
 * (The scheduler's own tests are in test/solver-schedule/deadlock-repair.test.ts.)
 */
describe('regressions: a third node the scheduler did not use (BUGs 12 and 13)', () => {
  it.each([11145, 13974])('tiny seed %i: a plan', async (seed) => {
    const spec = randomSpec(seed, true);
    const instance = build(spec);
    expect(exhaustive(spec), show(spec)).toBeDefined();
    for (const objective of ['mttr', 'migrations'] as const) {
      const r = await planOf(instance, objective, seed);
      expect(r?.plan && checkPlan(instance, r.plan).ok, `${objective}: ${(r?.explanation ?? []).join(' | ')}: ${show(spec)}`).toBe(true);
    }
  });
});

/**
 * Found by the tiny-instance property over fresh seeds 14,001–30,000: four false 'infeasible'
 * (a proof resting on the power pass's own choice of node states) and 'unknown' answers.
 *
 * BUG 14 (power pass, trades; seed 18336): a continuous maxOnline({N1, N3}, 1), VM4 may only
 * run on N3: N1 must power off before N3 boots, its VMs leaving for N2, a spare the pass boots at
 * once. A trade's node had to empty onto nodes online *now* only, so no trade was offered and the
 * planner said 'infeasible' ("VM4 has nowhere to go; N3 may not boot"). Nodes the pass boots that
 * wait for no shutdown count now.
 *
 * BUG 15 (power pass, vouching; seed 14967): the only nodes to power off that leave a placement
 * (N1 and N2) were not vouched for because both first-fit repackings miss the tight placement;
 * the pass fell back to an unvouched choice (N1, N4) under which no placement exists, and the
 * planner said 'infeasible'. A bounded depth-first repacking now vouches for it.
 *
 * BUG 16 (power pass, trades; seed 28377): the pass boots N2 (capacity short), which fills
 * maxOnline({N2, N3}, 1), so N3 (the only node VM3 may use) could no longer be traded for N1:
 * 'infeasible'. Trades are now also tried from the node states before the pass's boots.
 *
 * BUG 17 (power pass, trades; seed 22150): the emptiest node (N2) was traded for the spare,
 * leaving VM2 (banned from N1) no room: 'infeasible', a "proof" under the pass's choice. A trade
 * a repacking vouches for now comes first; one it cannot vouch for marks the power plan
 * `shutdownsUnvouched`, so a proof under it is not a proof for every node state.
 *
 * BUG 18 (scheduler's answer; seeds 14164, 22967): a node must power off before a node of its
 * continuous maxOnline set boots, and its VM is placed on the booting node: "capacity deadlock:
 * boot N4 waits for maxOnline(1)". The deadlock named no VM (the blocked task is a boot), so the
 * planner's retry that boots a spare for the VMs the scheduler could not order never ran. A
 * blocked boot now names the VMs waiting to arrive on its node; the retry boots N2, the VM goes
 * through it (BUG 13).
 */
describe('regressions: node states the power pass chose (BUGs 14–18)', () => {
  it('BUG 14: >>maxOnline({N1, N3}, 1), VM4 only on N3: N2 boots, N1 traded for N3', async () => {
    const { model, node, vm } = cluster(
      { N1: { cpu: 6, mem: 5 }, N2: { cpu: 5, mem: 13, offline: true }, N3: { cpu: 4, mem: 16, offline: true } },
      { VM1: { on: 'N1', cpu: 2, mem: 4 }, VM3: { on: 'N1', cpu: 1, mem: 1 }, VM4: { on: null, cpu: 3, mem: 1 } },
    );
    const instance = instanceOf(model, [c('maxOnline', { nodes: [node('N1'), node('N3')], amount: 1 }, true), c('running', { vm: vm('VM4') }), c('ban', { vm: vm('VM4'), nodes: [node('N1'), node('N2')] })]);
    // it said 'infeasible': "… VM4 has nowhere to go; offline node(s) Ferry may not boot: N3"
    const r = await plan(instance, { objective: 'mttr', solver: 'native', timeLimitMs: 500 });
    expect(r.plan && checkPlan(instance, r.plan).ok, (r.explanation ?? []).join(' | ')).toBe(true);
    const power = (r.plan?.actions ?? []).filter((a) => a.kind === 'bootNode' || a.kind === 'shutdownNode').map((a) => `${a.kind}(${model.nodeName(a.node)})`);
    expect(power.sort()).toEqual(['bootNode(N2)', 'bootNode(N3)', 'shutdownNode(N1)']);
  });

  it.each([18336, 14967, 28377, 22150, 14164, 22967])('tiny seed %i: a plan (it said infeasible or unknown)', async (seed) => {
    const spec = randomSpec(seed, true);
    const instance = build(spec);
    for (const objective of ['mttr', 'migrations'] as const) {
      const r = await planOf(instance, objective, seed);
      expect(r?.plan && checkPlan(instance, r.plan).ok, `${objective}: ${r?.status}: ${(r?.explanation ?? []).join(' | ')}: ${show(spec)}`).toBe(true);
    }
  });
});

/**
 * BUG 20 (power pass, swaps; non-tiny seed 258, reported by H5): >>maxOnline({N1, N2, N4, N6,
 * N7}, 1) with N1 and N2 online: neither alone may go (the VMs need 17 cpu), and the swap booted
 * the largest spare of the set (N7, 7 cpu, most memory), 1 cpu short, so the pass said "cannot
 * hold". N1 and N2 off with N4 (8 cpu) booted holds them: each spare of the set is now tried.
 */
describe('regressions: the spare a swap boots (BUG 20)', () => {
  it('seed 258: N1 and N2 power off, N4 boots', async () => {
    const spec = randomSpec(258, false);
    const instance = build(spec);
    const r = await planOf(instance, 'mttr', 258);
    expect(r?.plan && checkPlan(instance, r.plan).ok, `${(r?.explanation ?? []).join(' | ')}: ${show(spec)}`).toBe(true);
    const notes = (r?.notes ?? []).join('\n');
    expect(notes).toMatch(/power: N1 powers off: .*with N1, N2 off the VMs still have a placement/);
    expect(notes).toMatch(/power: N4 boots/);
  });
});

/**
 * A VM that steps aside (or bounces through a third node) adds migrations the placement does
 * not count: the answer counts the plan's own migrations, and "optimal" is claimed only when they
 * meet the lower bound or no extra hop was added to a proven placement (tiny seeds with
 * step-asides: 4549, 10922, 12833, 13616; bounces: 3425, 5116, 6981).
 */
describe('the migrations an answer states are the plan\'s own', () => {
  it.each([4549, 10922, 12833, 13616, 3425, 5116, 6981])('tiny seed %i', async (seed) => {
    const spec = randomSpec(seed, true);
    const instance = build(spec);
    for (const objective of ['migrations', 'mttr'] as const) {
      const r = await planOf(instance, objective, seed);
      if (!r?.plan) continue;
      const hops = r.plan.actions.filter((a) => a.kind === 'migrateVM').length;
      expect(r.migrations, show(spec)).toBe(hops);
      if (objective === 'migrations' && r.status === 'optimal') expect(hops, `claimed optimal: ${show(spec)}`).toBeLessThanOrEqual(r.lowerBound);
      // a budget of as many migrations as VMs moved: a plan that needs an extra hop is over it
      const moved = new Set(r.plan.actions.flatMap((a) => (a.kind === 'migrateVM' ? [a.vm] : []))).size;
      const budgeted = await plan(instance, { objective, solver: 'native', timeLimitMs: 300, seed, budgets: { maxMigrations: moved } });
      const budgetedHops = budgeted.plan?.actions.filter((a) => a.kind === 'migrateVM').length ?? 0;
      expect(budgetedHops, `--max-migrations ${moved}: ${show(spec)}`).toBeLessThanOrEqual(moved);
    }
  });
});

/**
 * BUG 21 (widening; tiny seeds 2192, 16172, 19262, 22542, 24839, reported by H4): the cheapest
 * placement is a swap the scheduler cannot order (seed 2192: VM4 N2→N1, VM5 N1→N2; VM4 is fenced
 * to N1, VM5 fits no third node), and every widening round found it again: accept() refused it
 * each time and the answer was 'unknown', while a plan with one more migration exists (VM1
 * N3→N2, VM5 N1→N3, VM4 N2→N1). The refused placements' moves of the VMs the deadlock names
 * are now tabu in the following rounds (one per refused placement, rotating), and the exact
 * repack of a homeless VM also opens the hosts its evicted neighbours could go to.
 */
describe('regressions: a placement refused for a deadlock is not found again (BUG 21)', () => {
  const seed2192: Spec = {
    nodes: [
      { name: 'N1', cpu: 5, mem: 6, offline: false },
      { name: 'N2', cpu: 6, mem: 12, offline: false },
      { name: 'N3', cpu: 8, mem: 7, offline: false },
    ],
    vms: [
      { name: 'VM1', on: 'N3', cpu: 2, mem: 4 },
      { name: 'VM2', on: 'N2', cpu: 1, mem: 2 },
      { name: 'VM3', on: 'N1', cpu: 1, mem: 2 },
      { name: 'VM4', on: 'N2', cpu: 3, mem: 2 },
      { name: 'VM5', on: 'N1', cpu: 3, mem: 4 },
    ],
    constraints: [
      { id: 'maxOnline', nodes: ['N1', 'N2'], amount: 2, continuous: true },
      { id: 'online', node: 'N3' },
      { id: 'ban', vm: 'VM2', nodes: ['N1', 'N3'] },
      { id: 'fence', vm: 'VM3', nodes: ['N1', 'N2'] },
      { id: 'fence', vm: 'VM4', nodes: ['N1'] },
    ],
  };

  it.each(['migrations', 'mttr'] as const)('seed 2192 (%s): a checked plan through the third node, not "unknown"', async (objective) => {
    const instance = build(seed2192);
    const r = await plan(instance, { objective, solver: 'native', timeLimitMs: 1_500, seed: 2192 });
    expect(r.plan && checkPlan(instance, r.plan).ok, `${r.status}: ${(r.explanation ?? []).join(' | ')}`).toBe(true);
    const moved = new Set((r.plan?.actions ?? []).flatMap((a) => (a.kind === 'migrateVM' ? [instance.model.vmName(a.vm)] : [])));
    expect([...moved].sort()).toEqual(['VM1', 'VM4', 'VM5']);
  });

  it.each([16172, 19262, 22542, 24839])('tiny seed %i: a plan (it said unknown)', async (seed) => {
    const spec = randomSpec(seed, true);
    const instance = build(spec);
    const r = await plan(instance, { objective: 'migrations', solver: 'native', timeLimitMs: 1_500, seed });
    expect(r.plan && checkPlan(instance, r.plan).ok, `${r.status}: ${(r.explanation ?? []).join(' | ')}: ${show(spec)}`).toBe(true);
  });
});
