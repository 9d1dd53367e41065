import { describe, expect, it } from 'vitest';

import { checkPlan, formatViolations } from '../../src/checker/plan-checker.js';
import { plan } from '../../src/solver/planner.js';
import { c, cluster, instanceOf } from './helpers.js';

/**
 * Sync with postCopy VMs and no `net` view: BtrPlace reads postCopy only through the network
 * model, so the migrations are pre-copy and end together. The scheduler used to start them
 * together (post-copy) while the checker wanted them to end together: 'unknown', no plan.
 */
describe('sync of postCopy VMs without a network view', () => {
  it('is planned with the migrations ending at one instant, and the checker accepts it', async () => {
    const { model, node, vm } = cluster(
      { N1: { cpu: 8 }, N2: { cpu: 8 }, N3: { cpu: 8 } },
      { VM1: { on: 'N1', cpu: 1, mem: 1024 }, VM2: { on: 'N1', cpu: 1, mem: 4096 } },
    );
    for (const name of ['VM1', 'VM2']) model.attributes.put('vm', vm(name), 'postCopy', true);
    // different durations, so 'start together' and 'end together' differ
    model.attributes.put('vm', vm('VM2'), 'migrate', 5);
    const instance = instanceOf(model, [c('ban', { vm: vm('VM1'), nodes: [node('N1')] }), c('ban', { vm: vm('VM2'), nodes: [node('N1')] }), c('Sync', { vms: [vm('VM1'), vm('VM2')] }, true)]);
    const r = await plan(instance, { objective: 'mttr', solver: 'native', timeLimitMs: 1_000 });
    if (!r.plan) throw new Error(`no plan: ${(r.explanation ?? []).join(' | ')}`);
    expect(formatViolations(checkPlan(instance, r.plan), instance.model)).toEqual([]);
    const migrations = r.plan.actions.filter((a) => a.kind === 'migrateVM');
    expect(migrations).toHaveLength(2);
    expect(new Set(migrations.map((a) => a.end)).size).toBe(1);
  });
});
