import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { NativeMznRunner } from '../../main/node/solver/native-runner.js';
import { checkPlan, formatViolations } from '../../src/checker/plan-checker.js';
import type { Instance } from '../../src/instance/instance.js';
import { type PlanOptions, type PlanResult, plan } from '../../src/solver/planner.js';
import { Random } from '../../src/solver/random.js';
import { c, cluster, instanceOf } from './helpers.js';

/** Issue 15 §2: valid instances with a continuous constraint the heuristic schedule cannot honour. */
async function solve(instance: Instance, options: PlanOptions = {}): Promise<PlanResult> {
  const result = await plan(instance, { objective: 'migrations', timeLimitMs: 4_000, solver: 'native', ...options });
  if (result.plan) expect(checkPlan(instance, result.plan).ok).toBe(true);
  return result;
}

const nodes = { N1: { cpu: 8 }, N2: { cpu: 8 }, N3: { cpu: 8 }, N4: { cpu: 8 } };

/** VM1 and VM2 together on N1 under a continuous gather, and both banned from N1. */
function gatherBanned(): Instance {
  const { model, vm, node } = cluster(nodes, { VM1: { on: 'N1', cpu: 2 }, VM2: { on: 'N1', cpu: 2 } });
  return instanceOf(model, [
    c('gather', { vms: [vm('VM1'), vm('VM2')] }, true),
    c('ban', { vm: vm('VM1'), nodes: [node('N1')] }),
    c('ban', { vm: vm('VM2'), nodes: [node('N1')] }),
  ]);
}

/** VM1 and VM2 together on N1 under a continuous gather, and N1 to go offline. */
function gatherOffline(): Instance {
  const { model, vm, node } = cluster(nodes, { VM1: { on: 'N1', cpu: 2 }, VM2: { on: 'N1', cpu: 2 } });
  return instanceOf(model, [c('gather', { vms: [vm('VM1'), vm('VM2')] }, true), c('offline', { node: node('N1') })]);
}

/** A continuous splitAmong whose two VMs are asked to swap parts. */
function splitSwap(): Instance {
  const { model, vm, node } = cluster(nodes, { VM1: { on: 'N1', cpu: 2 }, VM2: { on: 'N3', cpu: 2 } });
  return instanceOf(model, [
    c('splitAmong', { vParts: [[vm('VM1')], [vm('VM2')]], pParts: [[node('N1'), node('N2')], [node('N3'), node('N4')]] }, true),
    c('fence', { vm: vm('VM1'), nodes: [node('N3'), node('N4')] }),
    c('fence', { vm: vm('VM2'), nodes: [node('N1'), node('N2')] }),
  ]);
}

/**
 * A continuous resourceCapacity on {N1, N2}: VM2's boot on N2 waits for VM1 to leave N1 for N3.
 * The checker follows BtrPlace's solver (CResourceCapacity's slices): the migration out frees
 * VM1's share when it ends, so VM2 boots then (BtrPlace's own checker never credited it).
 */
function capacityWait(): Instance {
  const { model, vm, node } = cluster(nodes, { VM1: { on: 'N1', cpu: 4 }, VM2: { on: null, cpu: 4 } });
  return instanceOf(model, [
    c('resourceCapacity', { nodes: [node('N1'), node('N2')], rc: 'cpu', amount: 4 }, true),
    c('fence', { vm: vm('VM1'), nodes: [node('N3')] }),
    c('running', { vm: vm('VM2') }),
    c('fence', { vm: vm('VM2'), nodes: [node('N2')] }),
  ]);
}

const impossible: [string, () => Instance, RegExp][] = [
  ['continuous gather whose VMs are banned from their node', gatherBanned, /gather/],
  ['continuous gather whose node goes offline', gatherOffline, /gather/],
  ['continuous splitAmong whose VMs are asked to swap parts', splitSwap, /splitAmong/],
];

/** As capacityWait, but VM1 is shut down: its shutdown frees the budget, VM2 boots once it starts. */
function capacityShutdown(): Instance {
  const { model, vm, node } = cluster(nodes, { VM1: { on: 'N1', cpu: 4 }, VM2: { on: null, cpu: 4 } });
  return instanceOf(model, [
    c('resourceCapacity', { nodes: [node('N1'), node('N2')], rc: 'cpu', amount: 4 }, true),
    c('ready', { vm: vm('VM1') }),
    c('running', { vm: vm('VM2') }),
    c('fence', { vm: vm('VM2'), nodes: [node('N2')] }),
  ]);
}

describe('continuous constraints the heuristic schedule cannot honour: an answer, never a crash', () => {
  it.each(impossible)('%s: no plan, the constraint named', async (_, build, named) => {
    const result = await solve(build());
    expect(result.plan).toBeUndefined();
    expect(result.status).toBe('unknown');
    expect((result.explanation ?? []).join(' ')).toMatch(named);
  });

  it('continuous resourceCapacity, a boot after a shutdown: a checked plan', async () => {
    const result = await solve(capacityShutdown());
    expect(result.plan).toBeDefined();
  });

  it('continuous resourceCapacity, a boot after a departure by migration: a checked plan, the boot once the migration has ended', async () => {
    const instance = capacityWait();
    const result = await solve(instance);
    const moved = result.plan?.actions.find((a) => a.kind === 'migrateVM');
    const boot = result.plan?.actions.find((a) => a.kind === 'bootVM');
    expect(moved && boot && moved.end <= boot.start).toBe(true);
  });
});

const native = await NativeMznRunner.detect();

describe.skipIf(native === undefined)('with MiniZinc: the exact model takes the instances the schedule cannot honour', () => {
  const withExact = (): PlanOptions => ({ runner: native as NativeMznRunner, solver: 'gecode' });

  it.each(impossible.slice(0, 3))('%s: proven infeasible, the constraint named', async (_, build, named) => {
    const result = await solve(build(), withExact());
    expect(result.plan).toBeUndefined();
    expect(result.status).toBe('infeasible');
    expect((result.explanation ?? []).join(' ')).toMatch(named);
  });

  // the exact model credits a migration out at its end, and so does the checker now
  it('continuous resourceCapacity, a departure by migration: a checked plan', async () => {
    const result = await solve(capacityWait(), withExact());
    expect(result.plan).toBeDefined();
  });
});

/**
 * Issue 15 §2: on any valid instance the planner answers — a plan the checker accepts, or a
 * worded 'infeasible' / 'unknown' — and never throws (PlanCheckError or anything else). Random
 * small clusters with continuous gather, splitAmong, resourceCapacity and maxOnline, plus the
 * bans, fences, offline nodes and ready VMs that make the heuristic schedule's life hard.
 */
function randomContinuous(seed: number): Instance {
  const rng = new Random(seed);
  const nodeCount = rng.int(2, 5);
  const nodeSpecs: Record<string, { cpu: number; offline?: boolean }> = {};
  for (let i = 1; i <= nodeCount; i++) nodeSpecs[`N${i}`] = { cpu: rng.int(3, 8), ...(i > 1 && rng.next() < 0.2 ? { offline: true } : {}) };
  const online = Object.keys(nodeSpecs).filter((n) => nodeSpecs[n]?.offline !== true);
  const free = new Map(online.map((n) => [n, nodeSpecs[n]?.cpu ?? 0]));
  const vmSpecs: Record<string, { on: string | null; cpu: number }> = {};
  const vmCount = rng.int(1, 6);
  for (let i = 1; i <= vmCount; i++) {
    const cpu = rng.int(1, 3);
    const on = rng.next() < 0.15 ? null : rng.pick(online);
    if (on !== null && (free.get(on) ?? 0) < cpu) continue;
    if (on !== null) free.set(on, (free.get(on) ?? 0) - cpu);
    vmSpecs[`VM${i}`] = { on, cpu };
  }
  const { model, vm, node } = cluster(nodeSpecs, vmSpecs);
  const vms = Object.keys(vmSpecs);
  const nodes = Object.keys(nodeSpecs);
  const someOf = <T>(items: readonly T[], min: number): T[] => {
    const out = rng.shuffle([...items]).slice(0, rng.int(Math.min(min, items.length), items.length));
    return out;
  };
  const constraints = [];
  for (const v of vms) if (vmSpecs[v]?.on === null) constraints.push(c('running', { vm: vm(v) }));
  const kinds = rng.int(1, 4);
  for (let k = 0; k < kinds && vms.length > 0; k++) {
    switch (rng.int(0, 6)) {
      case 0:
        constraints.push(c('gather', { vms: someOf(vms, 1).map(vm) }, true));
        break;
      case 1: {
        const shuffled = rng.shuffle([...nodes]);
        const cut = Math.max(1, Math.floor(shuffled.length / 2));
        const pParts = [shuffled.slice(0, cut), shuffled.slice(cut)].filter((p) => p.length > 0).map((p) => p.map(node));
        const vs = rng.shuffle([...vms]);
        const vParts = [vs.slice(0, Math.ceil(vs.length / 2)), vs.slice(Math.ceil(vs.length / 2))].filter((p) => p.length > 0).map((p) => p.map(vm));
        constraints.push(c('splitAmong', { vParts, pParts }, true));
        break;
      }
      case 2:
        constraints.push(c('resourceCapacity', { nodes: someOf(nodes, 1).map(node), rc: 'cpu', amount: rng.int(2, 14) }, true));
        break;
      case 3:
        constraints.push(c('maxOnline', { nodes: someOf(nodes, 1).map(node), amount: rng.int(1, 3) }, true));
        break;
      case 4:
        constraints.push(c('ban', { vm: vm(rng.pick(vms)), nodes: someOf(nodes, 1).map(node) }));
        break;
      case 5:
        constraints.push(c('fence', { vm: vm(rng.pick(vms)), nodes: someOf(nodes, 1).map(node) }));
        break;
      default:
        constraints.push(c('offline', { node: node(rng.pick(nodes)) }));
        break;
    }
  }
  return instanceOf(model, constraints);
}

describe('property: continuous constraints on random small instances, an answer and never a throw', () => {
  it('a checked plan, or a worded infeasible / unknown', async () => {
    let plans = 0;
    let refusals = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
        const instance = randomContinuous(seed);
        let result: PlanResult;
        try {
          result = await plan(instance, { objective: seed % 2 === 0 ? 'mttr' : 'migrations', solver: 'native', timeLimitMs: 300, seed });
        } catch (e) {
          expect.fail(`seed ${seed}: plan() threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
        }
        if (result.plan) {
          plans++;
          expect(formatViolations(checkPlan(instance, result.plan), instance.model), `seed ${seed}`).toEqual([]);
          return;
        }
        refusals++;
        expect(['infeasible', 'unknown'], `seed ${seed}`).toContain(result.status);
        expect((result.explanation ?? []).join(' ').length, `seed ${seed}: no plan and no words`).toBeGreaterThan(0);
      }),
      { numRuns: 120 },
    );
    // the generator gives both kinds of answer
    expect(plans).toBeGreaterThan(10);
    expect(refusals).toBeGreaterThan(5);
  });
});
