import { describe, expect, it } from 'vitest';

import { checkPlan } from '../../src/checker/plan-checker.js';
import type { Instance } from '../../src/instance/instance.js';
import { type PlanOptions, type PlanResult, plan } from '../../src/solver/planner.js';
import { c, cluster, instanceOf } from './helpers.js';

/** Plans with the native search only, and re-checks the plan independently. */
async function solve(instance: Instance, options: PlanOptions = {}): Promise<PlanResult> {
  const result = await plan(instance, { objective: 'migrations', timeLimitMs: 2_000, solver: 'native', ...options });
  if (result.plan) expect(checkPlan(instance, result.plan).ok).toBe(true);
  return result;
}

/** VM name → destination node name, for the migrations of a plan. */
function moves(result: PlanResult): Record<string, string> {
  const out: Record<string, string> = {};
  const model = result.plan?.origin;
  for (const a of result.plan?.actions ?? []) if (a.kind === 'migrateVM' && model) out[model.vmName(a.vm)] = model.nodeName(a.to);
  return out;
}

describe('placement per constraint: what forces a move, what forbids one', () => {
  const base = () =>
    cluster(
      { N1: { cpu: 4 }, N2: { cpu: 4 }, N3: { cpu: 4 } },
      { VM1: { on: 'N1', cpu: 1 }, VM2: { on: 'N1', cpu: 1 }, VM3: { on: 'N2', cpu: 1 }, VM4: { on: 'N3', cpu: 1 } },
    );

  it('nothing to do: an empty plan, proven optimal', async () => {
    const { model } = base();
    const r = await solve(instanceOf(model, []));
    expect(r.status).toBe('optimal');
    expect(r.plan?.actions).toHaveLength(0);
    expect(r.migrations).toBe(0);
  });

  it('offline forces the VMs of the node out, and nothing else moves', async () => {
    const { model, node } = base();
    const r = await solve(instanceOf(model, [c('offline', { node: node('N1') })]));
    expect(r.status).toBe('optimal');
    expect(Object.keys(moves(r)).sort()).toEqual(['VM1', 'VM2']);
    expect(Object.values(moves(r))).not.toContain('N1');
    expect(r.plan?.actions.some((a) => a.kind === 'shutdownNode' && a.node === node('N1'))).toBe(true);
  });

  it('ban forces one move, fence forces one move into the fence', async () => {
    const { model, vm, node } = base();
    const r = await solve(instanceOf(model, [c('ban', { vm: vm('VM1'), nodes: [node('N1'), node('N2')] }), c('fence', { vm: vm('VM3'), nodes: [node('N3')] })]));
    expect(moves(r)).toEqual({ VM1: 'N3', VM3: 'N3' });
    expect(r.migrations).toBe(2);
  });

  it('discrete spread moves one of two co-located VMs, not both', async () => {
    const { model, vm } = base();
    const r = await solve(instanceOf(model, [c('spread', { vms: [vm('VM1'), vm('VM2')] })]));
    expect(r.migrations).toBe(1);
    const moved = Object.keys(moves(r));
    expect(moved.length === 1 && ['VM1', 'VM2'].includes(moved[0] as string)).toBe(true);
  });

  it('continuous spread violated now has no plan (BtrPlace: must hold initially)', async () => {
    const { model, vm } = base();
    const r = await solve(instanceOf(model, [c('spread', { vms: [vm('VM1'), vm('VM2')] }, true)]));
    expect(r.status).toBe('infeasible');
    expect(r.explanation?.join(' ')).toMatch(/continuous/);
  });

  it('root forbids a move: the other VM leaves the overloaded node', async () => {
    const { model, vm } = base();
    const r = await solve(instanceOf(model, [c('preserve', { vm: vm('VM1'), rc: 'cpu', amount: 3 }), c('preserve', { vm: vm('VM2'), rc: 'cpu', amount: 2 }), c('root', { vm: vm('VM1') }, true)]));
    expect(Object.keys(moves(r))).toEqual(['VM2']);
  });

  it('root on a node going offline cannot hold', async () => {
    const { model, vm, node } = base();
    const r = await solve(instanceOf(model, [c('root', { vm: vm('VM3') }, true), c('offline', { node: node('N2') })]));
    expect(r.status).toBe('infeasible');
  });

  it('quarantine keeps newcomers out', async () => {
    const { model, node } = base();
    const r = await solve(instanceOf(model, [c('quarantine', { node: node('N3') }, true), c('offline', { node: node('N1') })]));
    expect(Object.values(moves(r)).every((n) => n === 'N2')).toBe(true);
  });

  it('among: every VM ends in one group, the smallest number of moves', async () => {
    const { model, vm, node } = base();
    const r = await solve(instanceOf(model, [c('among', { vms: [vm('VM1'), vm('VM3')], parts: [[node('N1')], [node('N2'), node('N3')]] })]));
    expect(r.migrations).toBe(1);
  });

  it('gather: the VMs end on one host', async () => {
    const { model, vm } = base();
    const r = await solve(instanceOf(model, [c('gather', { vms: [vm('VM3'), vm('VM4')] })]));
    expect(r.migrations).toBe(1);
    const m = moves(r);
    expect(m['VM3'] === 'N3' || m['VM4'] === 'N2').toBe(true);
  });

  it('lonely: foreign VMs and members never share a host at the end', async () => {
    const { model, vm } = base();
    const r = await solve(instanceOf(model, [c('lonely', { vms: [vm('VM1')] })]));
    expect(r.migrations).toBe(1);
  });

  it('split: groups end on different hosts', async () => {
    const { model, vm } = base();
    const r = await solve(instanceOf(model, [c('split', { parts: [[vm('VM1')], [vm('VM2')]] })]));
    expect(r.migrations).toBe(1);
  });

  it('resourceCapacity on one node forces the smallest number of moves', async () => {
    const { model, node } = base();
    const r = await solve(instanceOf(model, [c('resourceCapacity', { nodes: [node('N1')], rc: 'cpu', amount: 1 })]));
    expect(r.migrations).toBe(1);
    expect(r.migrationsLowerBound).toBe(1);
  });

  it('runningCapacity 0 empties the node', async () => {
    const { model, node } = base();
    const r = await solve(instanceOf(model, [c('runningCapacity', { nodes: [node('N1')], amount: 0 })]));
    expect(Object.keys(moves(r)).sort()).toEqual(['VM1', 'VM2']);
  });

  it('overbook raises a capacity: an otherwise impossible boot fits', async () => {
    const { model, vm, node } = cluster({ N1: { cpu: 2 } }, { VM1: { on: 'N1', cpu: 2 }, VM2: { on: null, cpu: 1 } });
    const without = await solve(instanceOf(model, [c('running', { vm: vm('VM2') })]));
    expect(without.status).toBe('infeasible');
    const withIt = await solve(instanceOf(model, [c('running', { vm: vm('VM2') }), c('overbook', { node: node('N1'), rc: 'cpu', ratio: 1.5 }, true)]));
    expect(withIt.plan?.actions.some((a) => a.kind === 'bootVM')).toBe(true);
  });

  it('state constraints: ready shuts down, running boots, and a forbidden transition is explained', async () => {
    const { model, vm } = cluster({ N1: { cpu: 4 } }, { VM1: { on: 'N1', cpu: 1 }, VM2: { on: null, cpu: 1 }, VM3: { on: 'N1', cpu: 1, sleeping: true } });
    const r = await solve(instanceOf(model, [c('ready', { vm: vm('VM1') }), c('running', { vm: vm('VM2') })]));
    const kinds = r.plan?.actions.map((a) => a.kind).sort();
    expect(kinds).toEqual(['bootVM', 'shutdownVM']);
    const bad = await solve(instanceOf(model, [c('ready', { vm: vm('VM3') })]));
    expect(bad.status).toBe('infeasible');
    expect(bad.explanation?.[0]).toMatch(/VM3 cannot go from sleeping to ready/);
  });
});

describe('scheduling constraints through the whole planner', () => {
  // N1 is drained: VM1 and VM2 must both leave it; durations make the order visible.
  const drain = () => {
    const built = cluster(
      { N1: { cpu: 4 }, N2: { cpu: 4 }, N3: { cpu: 4 } },
      { VM1: { on: 'N1', cpu: 1 }, VM2: { on: 'N1', cpu: 1 }, VM3: { on: 'N2', cpu: 1 } },
    );
    built.model.attributes.put('vm', built.vm('VM1'), 'migrate', 3).put('vm', built.vm('VM2'), 'migrate', 2);
    return built;
  };
  const migrationOf = (r: PlanResult, vm: number) => r.plan?.actions.find((a) => a.kind === 'migrateVM' && a.vm === vm);

  it('Precedence: VM1 has finished migrating before VM2 starts', async () => {
    const { model, vm, node } = drain();
    const r = await solve(instanceOf(model, [c('offline', { node: node('N1') }), c('Precedence', { vm1: vm('VM1'), vm2: vm('VM2') }, true)]));
    const first = migrationOf(r, vm('VM1'));
    const second = migrationOf(r, vm('VM2'));
    expect(first && second && first.end <= second.start).toBe(true);
  });

  it('Serialize: the two migrations never overlap', async () => {
    const { model, vm, node } = drain();
    const r = await solve(instanceOf(model, [c('offline', { node: node('N1') }), c('Serialize', { vms: [vm('VM1'), vm('VM2')] }, true)]));
    const a = migrationOf(r, vm('VM1'));
    const b = migrationOf(r, vm('VM2'));
    expect(a && b && (a.end <= b.start || b.end <= a.start)).toBe(true);
  });

  it('Sync: the migrations end together', async () => {
    const { model, vm, node } = drain();
    const r = await solve(instanceOf(model, [c('offline', { node: node('N1') }), c('Sync', { vms: [vm('VM1'), vm('VM2')] }, true)]));
    expect(migrationOf(r, vm('VM1'))?.end).toBe(migrationOf(r, vm('VM2'))?.end);
  });

  it('Deadline: a migration that cannot end in time has no plan; one that can is on time', async () => {
    const { model, vm, node } = drain();
    const late = await solve(instanceOf(model, [c('offline', { node: node('N1') }), c('Deadline', { vm: vm('VM1'), timestamp: '+00:00:02' }, true)]));
    expect(late.plan).toBeUndefined();
    const onTime = await solve(instanceOf(model, [c('offline', { node: node('N1') }), c('Deadline', { vm: vm('VM1'), timestamp: '+00:00:03' }, true)]));
    expect(migrationOf(onTime, vm('VM1'))?.end).toBeLessThanOrEqual(3);
  });

  it('maxOnline alone: the planner powers off the node cheapest to empty (BtrPlace leaves node states free)', async () => {
    const { model, node } = drain();
    const nodes = [node('N1'), node('N2'), node('N3')];
    const r = await solve(instanceOf(model, [c('maxOnline', { nodes, amount: 2 })]));
    const shutdowns = r.plan?.actions.filter((a) => a.kind === 'shutdownNode').map((a) => (a.kind === 'shutdownNode' ? a.node : -1));
    // N3 hosts no VM: nothing to migrate
    expect(shutdowns).toEqual([node('N3')]);
    expect(r.migrations).toBe(0);
  });

  it('maxOnline: draining N1 brings the online count within the limit', async () => {
    const { model, node } = drain();
    const nodes = [node('N1'), node('N2'), node('N3')];
    const r = await solve(instanceOf(model, [c('offline', { node: node('N1') }), c('maxOnline', { nodes, amount: 2 })]));
    expect(r.plan).toBeDefined();
    const shutdowns = r.plan?.actions.filter((a) => a.kind === 'shutdownNode').map((a) => (a.kind === 'shutdownNode' ? a.node : -1));
    expect(shutdowns).toEqual([node('N1')]);
  });
});
