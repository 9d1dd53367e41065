/**
 * Every "no plan" explanation names what it rests on: the conflicting constraints (in the form the
 * console links), or, when no constraint takes part, the cluster's own lack of capacity; amounts of
 * memory read in GiB/TiB.
 */
import { describe, expect, it } from 'vitest';

import { PlanResultWireSchema, planResultToWire } from '../../src/contract/events.js';
import type { Instance } from '../../src/instance/instance.js';
import { CLUSTER_LACKS_CAPACITY, type Conflict, readConflict, writeConflict } from '../../src/solver/conflict-line.js';
import { explainInfeasibility } from '../../src/solver/explain.js';
import { quickInfeasibility } from '../../src/solver/bounds.js';
import { plan } from '../../src/solver/planner.js';
import { initialRepair, reduce } from '../../src/solver/problem.js';
import { c, cluster, instanceOf } from './helpers.js';

function explain(instance: Instance): string[] {
  const problem = reduce(instance, { objective: 'migrations' });
  return explainInfeasibility(instance, [], 'migrations', problem, quickInfeasibility(problem));
}

/** The conflict each line states (null for supporting facts). */
function conflicts(lines: readonly string[]): (Conflict | null)[] {
  return lines.map(readConflict);
}

describe('the conflict line grammar', () => {
  const samples: Conflict[] = [
    { cause: 'constraints', constraints: ['offline(N3)', '>>spread({VM2, VM3})'], more: 0, capacityOf: 'N1, N2', message: 'VM3 has nowhere to go' },
    { cause: 'constraints', constraints: ['offline(N[1..500])'], more: 3, capacityOf: null, message: 'not enough cpu: a: b' },
    { cause: 'constraints', constraints: ['ban(we + b: 1, {N1})'], more: 0, capacityOf: 'N2 and 4 more', message: 'x' },
    { cause: 'cluster', constraints: [], more: 0, capacityOf: 'N1, N2', message: 'not enough mem: the running VMs need 3.0 GiB' },
    { cause: 'cluster', constraints: [], more: 0, capacityOf: null, message: 'VM1 has nowhere to go' },
  ];

  it('reads back what it writes', () => {
    for (const sample of samples) expect(readConflict(writeConflict(sample))).toEqual(sample);
  });

  it('states no conflict for a supporting fact or another stage sentence', () => {
    expect(readConflict('VM3 needs cpu 2, mem 4.0 GiB; room per node if the others stay: N1 cpu 0/4')).toBeNull();
    expect(readConflict('not enough cpu: the running VMs need 6 in total')).toBeNull();
    expect(readConflict('offline node(s) Ferry may not boot to make room: N3 (offline(N3))')).toBeNull();
    expect(readConflict('capacity of N1: VM1 has nowhere to go')).toBeNull();
    expect(readConflict('offline node(s) Ferry may not boot: N3')).toBeNull();
  });

  it('reads the constraint a sentence of the reduction or the power pass is about', () => {
    expect(readConflict("ban(web1, {r1-h1}) is continuous but web1 is on r1-h1 now; write it with '>>'")).toEqual({ cause: 'constraints', constraints: ['ban(web1, {r1-h1})'], more: 0, capacityOf: null, message: "is continuous but web1 is on r1-h1 now; write it with '>>'" });
    expect(readConflict('>>maxOnline({N[1..12]}, 3) cannot hold: 12 of these nodes are online')?.constraints).toEqual(['>>maxOnline({N[1..12]}, 3)']);
    expect(readConflict('ban(web1, {r1-h1}')).toBeNull();
  });
});

describe('explanations name their constraints', () => {
  it('a drain that leaves too little memory names the offline constraints, in GiB', () => {
    const { model, node } = cluster(
      { N1: { cpu: 8, mem: 16_384 }, N2: { cpu: 8, mem: 16_384 }, N3: { cpu: 8, mem: 16_384 } },
      { VM1: { on: 'N1', cpu: 1, mem: 6_144 }, VM2: { on: 'N2', cpu: 1, mem: 6_144 }, VM3: { on: 'N3', cpu: 1, mem: 6_144 } },
    );
    const lines = explain(instanceOf(model, [c('offline', { node: node('N2') }), c('offline', { node: node('N3') })]));
    expect(conflicts(lines)[0]).toMatchObject({ cause: 'constraints', constraints: ['offline(N2)', 'offline(N3)'], capacityOf: 'N1' });
    const text = lines.join('\n');
    expect(text).toContain('need 18.0 GiB in total');
    expect(text).toContain('offer 16.0 GiB');
    expect(text).not.toMatch(/\b18432\b|\b16384\b/);
  });

  it('a cluster too small for its VMs says no constraint is involved, even with constraints present', () => {
    const { model, vm } = cluster({ N1: { cpu: 4 }, N2: { cpu: 4 } }, { VM1: { on: 'N1', cpu: 4 }, VM2: { on: 'N1', cpu: 4 }, VM3: { on: 'N2', cpu: 4 } });
    // the spread takes no part: the 12 cpu never fit in 8
    const lines = explain(instanceOf(model, [c('spread', { vms: [vm('VM1'), vm('VM3')] })]));
    const first = conflicts(lines)[0];
    expect(first?.cause).toBe('cluster');
    expect(first?.constraints).toEqual([]);
    expect(lines[0]).toMatch(new RegExp(`^${CLUSTER_LACKS_CAPACITY} \\(capacity of N1, N2\\): `));
    expect(lines.join('\n')).not.toContain('spread');
  });

  it('a shortage a maxOnline causes (no capacity argument cites it) names the maxOnline', () => {
    const { model, node } = cluster(
      { N1: { cpu: 4 }, N2: { cpu: 4 }, N3: { cpu: 4 } },
      { VM1: { on: 'N1', cpu: 3 }, VM2: { on: 'N2', cpu: 3 }, VM3: { on: 'N3', cpu: 3 } },
    );
    const lines = explain(instanceOf(model, [c('maxOnline', { nodes: [node('N1'), node('N2'), node('N3')], amount: 2 }, false)]));
    expect(conflicts(lines)[0]).toMatchObject({ cause: 'constraints', constraints: ['>>maxOnline({N1, N2, N3}, 2)'] });
  });

  it('many constraints are filtered a kind at a time: 60 offline named as one term, the bans cleared', () => {
    const nodes: Record<string, { cpu: number }> = {};
    for (let i = 1; i <= 62; i++) nodes[`N${i}`] = { cpu: 10 };
    const vms: Record<string, { on: string; cpu: number }> = {};
    for (let i = 1; i <= 124; i++) vms[`VM${i}`] = { on: `N${Math.ceil(i / 2)}`, cpu: 5 };
    const { model, vm, node } = cluster(nodes, vms);
    const offline = Array.from({ length: 60 }, (_, i) => c('offline', { node: node(`N${i + 1}`) }));
    // harmless: VM124 already lives on N62
    const bans = Array.from({ length: 50 }, (_, i) => c('ban', { vm: vm(`VM${i + 1}`), nodes: [node('N62')] }, false));
    const lines = explain(instanceOf(model, [...bans, ...offline]));
    const first = conflicts(lines)[0];
    expect(first).toMatchObject({ cause: 'constraints', constraints: ['offline(N[1..60])'], more: 0 });
    expect(lines.join('\n')).not.toContain('ban(');
  });

  it('a VM larger than any node, in GiB, says the cluster lacks capacity', () => {
    const { model } = cluster({ N1: { cpu: 8, mem: 8_192 }, N2: { cpu: 8, mem: 8_192 } }, { VM1: { on: null, cpu: 1, mem: 10_240 }, VM2: { on: 'N1', cpu: 1, mem: 1_024 } });
    const instance = instanceOf(model, [c('running', { vm: 0 })]);
    const lines = explain(instance);
    expect(lines.join('\n')).toContain('mem 10.0 GiB');
    // running asks for the boot: without it VM1 may stay ready, so the running constraint takes part
    expect(conflicts(lines)[0]).toMatchObject({ cause: 'constraints', constraints: ['running(VM1)'] });
  });

  it('the planner answer carries the conflicts to the console, on the contract', async () => {
    const { model, node } = cluster({ N1: { cpu: 2 }, N2: { cpu: 2 }, N3: { cpu: 2 } }, { VM1: { on: 'N1', cpu: 2 }, VM2: { on: 'N2', cpu: 2 }, VM3: { on: 'N3', cpu: 2 } });
    const result = await plan(instanceOf(model, [c('offline', { node: node('N3') })]), { objective: 'migrations', timeLimitMs: 2_000, solver: 'native' });
    expect(result.status).toBe('infeasible');
    const wire = planResultToWire(result);
    expect(wire.conflicts?.[0]).toEqual({ line: 0, cause: 'constraints', constraints: ['offline(N3)'], more: 0, capacityOf: 'N1, N2' });
    // the contract checks that each conflict points at a line of the explanation
    expect(PlanResultWireSchema.safeParse(wire).success).toBe(true);
    const dangling = { ...wire, conflicts: [{ line: wire.explanation.length, cause: 'cluster', constraints: [], more: 0, capacityOf: null }] };
    expect(PlanResultWireSchema.safeParse(dangling).error?.issues[0]?.path).toEqual(['conflicts', 0, 'line']);
  });
});

describe('a VM that may not move and cannot stay: the reason names what pins it and what pushes it out', () => {
  it('root(VM1) + offline(N1), VM1 on N1: both constraints, not a bystander', () => {
    const { model, node, vm } = cluster({ N1: { cpu: 4 }, N2: { cpu: 4 }, N3: { cpu: 4 } }, { VM1: { on: 'N1', cpu: 1 }, VM2: { on: 'N2', cpu: 1 } });
    const instance = instanceOf(model, [c('root', { vm: vm('VM1') }), c('offline', { node: node('N1') }), c('root', { vm: vm('VM2') })]);
    const repaired = initialRepair(reduce(instance, { objective: 'migrations' }));
    const line = repaired.infeasible.find((l) => l.includes('may not move'));
    if (line === undefined) throw new Error(`no pinned-VM reason in ${JSON.stringify(repaired.infeasible)}`);
    const conflict = readConflict(line);
    expect(conflict?.cause).toBe('constraints');
    expect(conflict?.constraints).toEqual(['root(VM1)', 'offline(N1)']);
    expect(conflict?.message).toBe('VM1 may not move (root or quarantine) but cannot stay on N1');
  });
});

describe('a plan over its budgets is said in operator units', () => {
  it('--max-memory below what the only plan moves: "exceeds", the memory in GiB', async () => {
    // 201 VMs: above the exact model's size, so the heuristic's own words answer
    const vms: Record<string, { on: string; cpu: number; mem: number }> = { BIG: { on: 'N1', cpu: 1, mem: 6144 } };
    for (let i = 0; i < 200; i++) vms[`S${i}`] = { on: 'N2', cpu: 0, mem: 1 };
    const { model, node } = cluster({ N1: { cpu: 8, mem: 1 << 20 }, N2: { cpu: 8, mem: 1 << 20 }, N3: { cpu: 8, mem: 1 << 20 } }, vms);
    const r = await plan(instanceOf(model, [c('offline', { node: node('N1') })]), { objective: 'migrations', solver: 'native', timeLimitMs: 1_000, budgets: { maxMemoryMovedGiB: 1 } });
    expect(r.plan).toBeUndefined();
    const text = [...(r.explanation ?? []), ...r.notes].join('\n');
    expect(text).toMatch(/\(1 migrations, 6\.0 GiB\) exceeds/);
    expect(text).not.toMatch(/\d MiB\)/);
  });
});
