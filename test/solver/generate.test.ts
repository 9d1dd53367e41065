import { describe, expect, it } from 'vitest';

import { generateCluster, generateTight } from '../../src/solver/generate.js';
import { plan } from '../../src/solver/planner.js';
import { initialRepair, reduce } from '../../src/solver/problem.js';

function load(instance: ReturnType<typeof generateCluster>, rc: string, nodes: number[]): number {
  const r = instance.model.resources.get(rc);
  if (!r) throw new Error(rc);
  let used = 0;
  let cap = 0;
  for (const v of instance.model.mapping.allRunningVMs()) used += r.consumption(v);
  for (const n of nodes) cap += r.capacity(n);
  return used / cap;
}

describe('generated instances', () => {
  it('are deterministic per seed and differ across seeds', () => {
    const a = generateCluster({ nodes: 40, seed: 9 });
    const b = generateCluster({ nodes: 40, seed: 9 });
    const c = generateCluster({ nodes: 40, seed: 10 });
    expect(a.model.equals(b.model)).toBe(true);
    expect(JSON.stringify(a.constraints)).toBe(JSON.stringify(b.constraints));
    expect(a.model.equals(c.model)).toBe(false);
  });

  it('realistic clusters: 60–80 % cpu load, a drained rack, anti-affinity groups holding now', () => {
    const inst = generateCluster({ nodes: 64, seed: 2 });
    const all = [...inst.model.mapping.nodes()];
    const l = load(inst, 'cpu', all);
    expect(l).toBeGreaterThan(0.6);
    expect(l).toBeLessThan(0.8);
    expect(inst.constraints.filter((c) => c.id === 'offline').length).toBe(16);
    const spreads = inst.constraints.filter((c) => c.id === 'spread');
    expect(spreads.length).toBeGreaterThan(0);
    for (const s of spreads) {
      const hosts = (s.args['vms'] as number[]).map((v) => inst.model.mapping.host(v));
      expect(new Set(hosts).size).toBe(hosts.length);
    }
  });

  it('tight drains: ~95 % load on the nodes left, and sending the drained VMs home is a placement at the lower bound', async () => {
    const inst = generateTight({ nodes: 12, seed: 3, requireFfdFailure: 0 });
    const problem = reduce(inst, { objective: 'migrations' });
    const remaining = [...inst.model.mapping.nodes()].filter((_, n) => problem.onlineAtEnd[n] === 1);
    expect(load(inst, 'cpu', remaining)).toBeGreaterThan(0.9);
    const repair = initialRepair(problem);
    expect(repair.migrationsLowerBound).toBe(repair.queue.length);
    // Ferry finds it: exactly the drained VMs move
    const result = await plan(inst, { objective: 'migrations', timeLimitMs: 5_000, solver: 'native' });
    expect(result.migrations).toBe(repair.migrationsLowerBound);
    expect(result.status).toBe('optimal');
  });
});
