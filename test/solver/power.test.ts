import { describe, expect, it } from 'vitest';

import { NativeMznRunner } from '../../main/node/solver/native-runner.js';
import { checkPlan } from '../../src/checker/plan-checker.js';
import type { Instance } from '../../src/instance/instance.js';
import type { Action } from '../../src/plan/actions.js';
import { type PlanOptions, type PlanResult, plan } from '../../src/solver/planner.js';
import { decidePower } from '../../src/solver/power.js';
import { c, cluster, instanceOf } from './helpers.js';

const native = await NativeMznRunner.detect();

/** Plans with the native search only (MTTR, BtrPlace's default), and re-checks the plan independently. */
async function solve(instance: Instance, options: PlanOptions = {}): Promise<PlanResult> {
  const result = await plan(instance, { objective: 'mttr', timeLimitMs: 2_000, solver: 'native', ...options });
  if (result.plan) expect(checkPlan(instance, result.plan).ok).toBe(true);
  return result;
}

const names = (r: PlanResult, kind: 'shutdownNode' | 'bootNode'): string[] => {
  const model = r.plan?.origin;
  return (r.plan?.actions ?? [])
    .filter((a) => a.kind === kind)
    .map((a) => (a.kind === 'shutdownNode' || a.kind === 'bootNode') && model ? model.nodeName(a.node) : '?')
    .sort();
};
const migrations = (r: PlanResult): Extract<Action, { kind: 'migrateVM' }>[] => (r.plan?.actions ?? []).filter((a): a is Extract<Action, { kind: 'migrateVM' }> => a.kind === 'migrateVM');

describe('power pass: maxOnline powers nodes off', () => {
  // N2 and N4 are the lightest to empty (one small VM each)
  const four = () =>
    cluster(
      { N1: { cpu: 8 }, N2: { cpu: 8 }, N3: { cpu: 8 }, N4: { cpu: 8 } },
      {
        VM1: { on: 'N1', cpu: 1 },
        VM2: { on: 'N1', cpu: 1 },
        VM3: { on: 'N1', cpu: 1 },
        VM4: { on: 'N2', cpu: 1, mem: 512 },
        VM5: { on: 'N3', cpu: 1 },
        VM6: { on: 'N3', cpu: 1 },
        VM7: { on: 'N4', cpu: 1, mem: 2048 },
      },
    );

  it('maxOnline(N1..N4, 2) with 4 online: the 2 lightest go off, their VMs evacuated first', async () => {
    const { model, node, vm } = four();
    const nodes = ['N1', 'N2', 'N3', 'N4'].map(node);
    const r = await solve(instanceOf(model, [c('maxOnline', { nodes, amount: 2 })]));
    expect(r.plan).toBeDefined();
    expect(names(r, 'shutdownNode')).toEqual(['N2', 'N4']);
    expect(migrations(r).map((m) => model.vmName(m.vm)).sort()).toEqual(['VM4', 'VM7']);
    // every VM leaves before its node's shutdown starts
    for (const m of migrations(r)) {
      const off = r.plan?.actions.find((a) => a.kind === 'shutdownNode' && a.node === m.from);
      expect(off && m.end <= off.start).toBe(true);
    }
    expect(r.plan?.actions.some((a) => a.kind === 'migrateVM' && (a.to === node('N2') || a.to === node('N4')))).toBe(false);
    expect(r.notes.join('\n')).toMatch(/power: N2 powers off: >>maxOnline\(\{N1, N2, N3, N4\}, 2\)/);
    expect(vm('VM4')).toBeGreaterThanOrEqual(0);
  });

  it('the memory objective also picks the nodes with the least to copy', async () => {
    const { model, node } = four();
    const nodes = ['N1', 'N2', 'N3', 'N4'].map(node);
    const r = await solve(instanceOf(model, [c('maxOnline', { nodes, amount: 3 })]), { objective: 'memory' });
    expect(names(r, 'shutdownNode')).toEqual(['N2']);
    expect(r.memoryMovedMiB).toBe(512);
  });

  it('overlapping maxOnlines: the shared node goes off and satisfies both', async () => {
    const { model, node } = cluster(
      { N1: { cpu: 8 }, N2: { cpu: 8 }, N3: { cpu: 8 }, N4: { cpu: 8 }, N5: { cpu: 8 } },
      { A: { on: 'N1', cpu: 1 }, B: { on: 'N2', cpu: 1 }, C: { on: 'N3', cpu: 1 }, D: { on: 'N3', cpu: 1 }, E: { on: 'N4', cpu: 1 }, F: { on: 'N5', cpu: 1 } },
    );
    const r = await solve(
      instanceOf(model, [c('maxOnline', { nodes: [node('N1'), node('N2'), node('N3')], amount: 2 }), c('maxOnline', { nodes: [node('N3'), node('N4'), node('N5')], amount: 2 })]),
    );
    expect(names(r, 'shutdownNode')).toEqual(['N3']);
    expect(migrations(r)).toHaveLength(2);
  });

  it('overlapping maxOnlines that need two nodes off: both hold at the end', async () => {
    const { model, node } = cluster(
      { N1: { cpu: 8 }, N2: { cpu: 8 }, N3: { cpu: 8 }, N4: { cpu: 8 }, N5: { cpu: 8 } },
      { A: { on: 'N1', cpu: 1 }, B: { on: 'N2', cpu: 1 }, C: { on: 'N3', cpu: 1 }, E: { on: 'N4', cpu: 1 }, F: { on: 'N5', cpu: 1 } },
    );
    const r = await solve(
      instanceOf(model, [c('maxOnline', { nodes: [node('N1'), node('N2'), node('N3')], amount: 1 }), c('maxOnline', { nodes: [node('N3'), node('N4'), node('N5')], amount: 2 })]),
    );
    const off = names(r, 'shutdownNode');
    // N3 counts in both sets: powering it off helps both, then one more of N1, N2
    expect(off).toHaveLength(2);
    expect(off).toContain('N3');
  });

  it('a node pinned online and a node hosting a root VM are never chosen', async () => {
    const { model, node, vm } = cluster(
      { N1: { cpu: 8 }, N2: { cpu: 8 }, N3: { cpu: 8 }, N4: { cpu: 8 } },
      { A: { on: 'N2', cpu: 1 }, B: { on: 'N3', cpu: 1 }, C: { on: 'N3', cpu: 1 }, D: { on: 'N4', cpu: 1 }, E: { on: 'N4', cpu: 1 }, F: { on: 'N4', cpu: 1 } },
    );
    const nodes = ['N1', 'N2', 'N3', 'N4'].map(node);
    // N1 (empty) and N2 (one VM) would be the cheapest, but N1 must stay online and A may not move
    const r = await solve(instanceOf(model, [c('maxOnline', { nodes, amount: 2 }), c('online', { node: node('N1') }), c('root', { vm: vm('A') }, true)]));
    expect(names(r, 'shutdownNode')).toEqual(['N3', 'N4']);
    expect(r.plan?.actions.some((a) => a.kind === 'migrateVM' && a.vm === vm('A'))).toBe(false);
  });

  it('a sleeping VM keeps its node online', () => {
    const { model, node } = cluster({ N1: { cpu: 8 }, N2: { cpu: 8 } }, { A: { on: 'N1', cpu: 1, sleeping: true }, B: { on: 'N2', cpu: 1 }, C: { on: 'N2', cpu: 1 } });
    const power = decidePower(instanceOf(model, [c('maxOnline', { nodes: [node('N1'), node('N2')], amount: 1 })]), [], 'mttr');
    expect(power.decisions.map((d) => [model.nodeName(d.node), d.state])).toEqual([['N2', 'offline']]);
  });

  it('maxOnline that the capacity left cannot hold: infeasible, said in operator words', async () => {
    const { model, node } = cluster(
      { N1: { cpu: 4 }, N2: { cpu: 4 }, N3: { cpu: 4 }, N4: { cpu: 4 } },
      { A: { on: 'N1', cpu: 3 }, B: { on: 'N2', cpu: 3 }, C: { on: 'N3', cpu: 3 }, D: { on: 'N4', cpu: 3 } },
    );
    const nodes = ['N1', 'N2', 'N3', 'N4'].map(node);
    const r = await solve(instanceOf(model, [c('maxOnline', { nodes, amount: 2 })]));
    expect(r.status).toBe('infeasible');
    expect(r.explanation?.[0]).toMatch(/^>>maxOnline\(\{N1, N2, N3, N4\}, 2\) cannot hold: 4 of these nodes are online at the end, at most 2 allowed: with 2 of them powered off the VMs would not fit on the nodes left \(12 cpu needed, 8 cpu left\)/);
  });

  it('maxOnline whose nodes are all pinned online: infeasible, naming the pins', async () => {
    const { model, node } = cluster({ N1: { cpu: 4 }, N2: { cpu: 4 }, N3: { cpu: 4 } }, { A: { on: 'N1', cpu: 1 } });
    const nodes = ['N1', 'N2', 'N3'].map(node);
    const r = await solve(instanceOf(model, [c('maxOnline', { nodes, amount: 1 }), c('online', { node: node('N2') }), c('online', { node: node('N3') })]));
    expect(r.status).toBe('infeasible');
    expect(r.explanation?.[0]).toMatch(/cannot hold: 3 of these nodes are online at the end, at most 1 allowed, and only 1 of them may be powered off \(N1\): N2 \(online\(N2\)\), N3 \(online\(N3\)\) must stay online$/);
    const all = await solve(instanceOf(model, [c('maxOnline', { nodes: [node('N2'), node('N3')], amount: 1 }), c('online', { node: node('N2') }), c('online', { node: node('N3') })]));
    expect(all.explanation?.[0]).toMatch(/none of them may be powered off: N2 \(online\(N2\)\), N3 \(online\(N3\)\) must stay online/);
  });

  it('continuous maxOnline violated now: no plan (BtrPlace), with the >> hint', async () => {
    const { model, node } = four();
    const nodes = ['N1', 'N2', 'N3', 'N4'].map(node);
    const r = await solve(instanceOf(model, [c('maxOnline', { nodes, amount: 2 }, true)]));
    expect(r.status).toBe('infeasible');
    expect(r.explanation?.[0]).toMatch(/maxOnline\(\{N1, N2, N3, N4\}, 2\) is continuous but 4 of these nodes are online now .* write it with '>>'/);
  });
});

describe('power pass: offline nodes boot when capacity is short', () => {
  it('a drain that does not fit: the spare boots before the migrations onto it', async () => {
    const { model, node } = cluster(
      { N1: { cpu: 4 }, N2: { cpu: 4 }, N3: { cpu: 8, offline: true } },
      { VM1: { on: 'N1', cpu: 3 }, VM2: { on: 'N1', cpu: 1 }, VM3: { on: 'N2', cpu: 2 } },
    );
    const r = await solve(instanceOf(model, [c('offline', { node: node('N1') })]));
    expect(r.plan).toBeDefined();
    expect(names(r, 'bootNode')).toEqual(['N3']);
    const boot = r.plan?.actions.find((a) => a.kind === 'bootNode');
    const onto = migrations(r).filter((m) => m.to === node('N3'));
    expect(onto.length).toBeGreaterThan(0);
    for (const m of onto) expect(boot && boot.end <= m.start).toBe(true);
    expect(r.notes.join('\n')).toMatch(/power: N3 boots: 2 cpu short on the nodes online/);
  });

  it('two spares of different sizes: only the one that suffices boots', async () => {
    const { model, node } = cluster(
      { N1: { cpu: 6 }, N2: { cpu: 4 }, S1: { cpu: 2, offline: true }, S2: { cpu: 6, offline: true } },
      { VM1: { on: 'N1', cpu: 3 }, VM2: { on: 'N1', cpu: 3 }, VM3: { on: 'N2', cpu: 2 } },
    );
    const r = await solve(instanceOf(model, [c('offline', { node: node('N1') })]));
    expect(names(r, 'bootNode')).toEqual(['S2']);
  });

  it('memory short: the reason says how much', () => {
    const { model, node, vm } = cluster(
      { N1: { cpu: 8, mem: 8192 }, N2: { cpu: 8, mem: 8192 }, N7: { cpu: 8, mem: 32_768, offline: true } },
      { A: { on: 'N1', cpu: 1, mem: 8192 }, B: { on: 'N2', cpu: 1, mem: 8192 }, C: { on: null, cpu: 1, mem: 12_288 } },
    );
    const power = decidePower(instanceOf(model, [c('running', { vm: vm('C') })]), [], 'mttr');
    expect(power.decisions.map((d) => d.reason)).toEqual(['N7 boots: 12 GiB of mem short on the nodes online']);
    expect(power.problem.onlineAtEnd[power.problem.nodeIndex.get(node('N7')) ?? -1]).toBe(1);
  });

  it('a spare under offline(...) never boots: infeasible, and the explanation names that constraint', async () => {
    const { model, node } = cluster(
      { N1: { cpu: 4 }, N2: { cpu: 4 }, N3: { cpu: 8, offline: true } },
      { VM1: { on: 'N1', cpu: 3 }, VM2: { on: 'N1', cpu: 1 }, VM3: { on: 'N2', cpu: 2 } },
    );
    const r = await solve(instanceOf(model, [c('offline', { node: node('N1') }), c('offline', { node: node('N3') })]));
    expect(r.status).toBe('infeasible');
    expect(r.plan).toBeUndefined();
    const text = r.explanation?.join('\n') ?? '';
    // the core names the constraint that keeps the spare off, not only the capacity
    expect(r.explanation?.[0]).toMatch(/^offline\(N1\) \+ offline\(N3\) \+ capacity of N2/);
    expect(text).toMatch(/offline node\(s\) Ferry may not boot to make room: N3 \(offline\(N3\)\)/);
  });

  it('a spare kept off by a maxOnline at its limit takes the place of a smaller node (a trade); pinned, it stays off', async () => {
    const { model, node } = cluster(
      { N1: { cpu: 4 }, N2: { cpu: 4 }, N3: { cpu: 8, offline: true } },
      { VM1: { on: 'N1', cpu: 3 }, VM2: { on: 'N1', cpu: 1 }, VM3: { on: 'N2', cpu: 2 } },
    );
    const limit = c('maxOnline', { nodes: [node('N2'), node('N3')], amount: 1 });
    // 6 cpu to hold once N1 is off, N2 has 4: N2 powers off, the 8-cpu N3 boots (BtrPlace's node states are free)
    const r = await solve(instanceOf(model, [c('offline', { node: node('N1') }), limit]));
    expect(r.plan).toBeDefined();
    expect(names(r, 'bootNode')).toEqual(['N3']);
    expect(names(r, 'shutdownNode').sort()).toEqual(['N1', 'N2']);
    expect(r.notes.join('\n')).toMatch(/N2 powers off: traded for the larger N3/);
    // with N2 pinned online no trade exists: infeasible, and the explanation names the maxOnline
    const pinned = await solve(instanceOf(model, [c('offline', { node: node('N1') }), limit, c('online', { node: node('N2') })]));
    expect(pinned.status).toBe('infeasible');
    expect(pinned.explanation?.join('\n')).toMatch(/maxOnline\(\{N2, N3\}, 1\)/);
  });

  it('prefers a spare that can boot at once over one a full continuous maxOnline makes wait (power property seed 2074136854)', async () => {
    const { model, vm, node } = cluster(
      { N1: { cpu: 8, mem: 14 }, N2: { cpu: 7, mem: 10, offline: true }, N3: { cpu: 7, mem: 8 }, N4: { cpu: 5, mem: 11, offline: true } },
      { VM1: { on: null, cpu: 1, mem: 3 }, VM2: { on: 'N1', cpu: 1, mem: 1 }, VM3: { on: 'N3', cpu: 3, mem: 2 }, VM4: { on: 'N3', cpu: 2, mem: 4 }, VM5: { on: 'N3', cpu: 1, mem: 2 } },
    );
    // N4 could only boot once N1 is off, and N1's VM2 has nowhere to go but the booting node: a
    // cycle the scheduler cannot order; N2 is outside the continuous group and boots at once
    const r = await solve(
      instanceOf(model, [
        c('maxOnline', { nodes: [node('N1'), node('N2'), node('N3'), node('N4')], amount: 3 }, false),
        c('maxOnline', { nodes: [node('N1'), node('N3'), node('N4')], amount: 2 }, true),
        c('offline', { node: node('N1') }),
        c('running', { vm: vm('VM1') }),
        c('ban', { vm: vm('VM3'), nodes: [node('N1')] }, false),
      ]),
    );
    expect(r.plan).toBeDefined();
    expect(names(r, 'bootNode')).toEqual(['N2']);
  });

  it('a spread that needs one more host boots a spare', async () => {
    const { model, vm } = cluster(
      { N1: { cpu: 8 }, N2: { cpu: 8 }, N3: { cpu: 8, offline: true } },
      { VM1: { on: 'N1', cpu: 1 }, VM2: { on: 'N2', cpu: 1 }, VM3: { on: 'N2', cpu: 1 } },
    );
    const r = await solve(instanceOf(model, [c('spread', { vms: [vm('VM1'), vm('VM2'), vm('VM3')] })]));
    expect(names(r, 'bootNode')).toEqual(['N3']);
    expect(migrations(r)).toHaveLength(1);
    expect(r.notes.join('\n')).toMatch(/N3 boots: >>spread\(\{VM1, VM2, VM3\}\) needs one more host/);
  });

  it('a packing the search cannot do (totals fit, bins do not): the spare boots on retry', async () => {
    const { model, node } = cluster(
      { N1: { cpu: 4 }, N2: { cpu: 4 }, N3: { cpu: 4 }, N4: { cpu: 4, offline: true } },
      { VM1: { on: 'N1', cpu: 2 }, VM2: { on: 'N2', cpu: 3 }, VM3: { on: 'N3', cpu: 3 } },
    );
    const r = await solve(instanceOf(model, [c('offline', { node: node('N1') })]));
    expect(r.plan).toBeDefined();
    expect(names(r, 'bootNode')).toEqual(['N4']);
    expect(r.notes.join('\n')).toMatch(/N4 boots: no placement was found for VM1 on the nodes online/);
  });

  it('no boot when none is needed: a feasible instance keeps its spares off', async () => {
    const { model, node } = cluster(
      { N1: { cpu: 4 }, N2: { cpu: 8 }, N3: { cpu: 8, offline: true } },
      { VM1: { on: 'N1', cpu: 3 }, VM2: { on: 'N1', cpu: 1 }, VM3: { on: 'N2', cpu: 2 } },
    );
    const r = await solve(instanceOf(model, [c('offline', { node: node('N1') })]));
    expect(r.plan).toBeDefined();
    expect(names(r, 'bootNode')).toEqual([]);
    expect(r.notes.some((n) => n.startsWith('power:'))).toBe(false);
  });
});

describe('power pass: what it decides reaches every stage', () => {
  it('the decisions are plain online/offline constraints in the reduced problem', () => {
    const { model, node } = cluster({ N1: { cpu: 8 }, N2: { cpu: 8 }, N3: { cpu: 8, offline: true } }, { A: { on: 'N1', cpu: 1 }, B: { on: 'N2', cpu: 1 } });
    const user = [c('maxOnline', { nodes: [node('N1'), node('N2')], amount: 1 })];
    const power = decidePower(instanceOf(model, user), [], 'mttr');
    expect(power.decisions.map((d) => [model.nodeName(d.node), d.state])).toEqual([['N1', 'offline']]);
    // what the scheduler, the checker and the exact model read
    expect(power.problem.constraints.filter((x) => x.id === 'offline')).toEqual([c('offline', { node: node('N1') })]);
    expect(power.problem.onlineAtEnd[power.problem.nodeIndex.get(node('N1')) ?? -1]).toBe(0);
    expect(power.problem.infeasible).toEqual([]);
    // N3 was not needed: it stays off
    expect(power.problem.onlineAtEnd[power.problem.nodeIndex.get(node('N3')) ?? -1]).toBe(0);
  });

  it.skipIf(native === undefined)('the exact model (native MiniZinc) plans with the nodes the pass powers off', async () => {
    const { model, node } = cluster(
      { N1: { cpu: 8 }, N2: { cpu: 8 }, N3: { cpu: 8 } },
      { A: { on: 'N1', cpu: 1 }, B: { on: 'N1', cpu: 1 }, C: { on: 'N2', cpu: 1 }, D: { on: 'N3', cpu: 1 }, E: { on: 'N3', cpu: 1 } },
    );
    const instance = instanceOf(model, [c('maxOnline', { nodes: [node('N1'), node('N2'), node('N3')], amount: 2 })]);
    const r = await plan(instance, { objective: 'mttr', timeLimitMs: 4_000, runner: native as NativeMznRunner });
    expect(r.plan).toBeDefined();
    expect(checkPlan(instance, r.plan as NonNullable<PlanResult['plan']>).ok).toBe(true);
    expect(names(r, 'shutdownNode')).toEqual(['N2']);
    expect(r.notes.join('\n')).toMatch(/exact model \(native\)/);
  });
});
