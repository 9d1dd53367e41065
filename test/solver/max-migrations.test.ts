import { describe, expect, it } from 'vitest';

import type { Constraint } from '../../src/catalogue/constraint.js';
import { constraintFromJson } from '../../src/catalogue/registry.js';
import { checkPlan, formatViolations } from '../../src/checker/plan-checker.js';
import type { Instance } from '../../src/instance/instance.js';
import { generateCluster } from '../../src/solver/generate.js';
import { plan } from '../../src/solver/planner.js';

/**
 * Issue 15 §4: a new constraint is one folder plus one registry line. `maxMigrations` (README's
 * worked example, src/catalogue/max-migrations/) was added without touching the solver; the
 * heuristic planner honours it through its placement face on an instance far too large for the
 * exact model, and the checker judges the result.
 */

function withConstraint(instance: Instance, json: Record<string, unknown>): Instance {
  const c = constraintFromJson(json, '$.constraints[0]');
  if ('error' in c) throw new Error(`${c.path}: ${c.error}`);
  return { ...instance, constraints: [...instance.constraints, c as Constraint] };
}

/** The VMs on the nodes the instance drains (the forced migrations). */
function drainedVms(instance: Instance): number[] {
  const mapping = instance.model.mapping;
  const drained = instance.constraints.filter((c) => c.id === 'offline').map((c) => c.args['node'] as number);
  return drained.flatMap((n) => [...mapping.runningVMs(n)]);
}

const migrated = (actions: readonly { kind: string; vm?: number }[]): Set<number> => new Set(actions.filter((a) => a.kind === 'migrateVM').map((a) => a.vm as number));

describe('maxMigrations: one folder, one registry line, planned by the unchanged solver', () => {
  it('plans a 5,000-node drain within its limits, moving the VM a free choice would not have, and the checker accepts the plan', async () => {
    const instance = generateCluster({ nodes: 5_000, seed: 11 });
    const mapping = instance.model.mapping;
    const forced = drainedVms(instance);
    const everyVm = [...mapping.vms()].filter((v) => mapping.isRunning(v));
    expect(everyVm.length).toBeGreaterThan(20_000);
    // 20 co-located pairs under a discrete spread: one VM of each pair must move. The spread's own
    // repair would move the second VM it lists (`first`); maxMigrations(first VMs, 0) keeps them home.
    const busy = [...mapping.nodes()].filter((n) => !forced.some((v) => mapping.host(v) === n) && mapping.runningVMs(n).size >= 2).slice(0, 20);
    const pairs = busy.map((n) => [...mapping.runningVMs(n)].slice(0, 2) as [number, number]);
    const stay = pairs.map(([first]) => first);
    const move = pairs.map(([, second]) => second);
    let capped: Instance = { ...instance, constraints: [...instance.constraints, ...pairs.map(([first, second]): Constraint => ({ id: 'spread', continuous: false, args: { vms: [second, first] } }))] };
    capped = withConstraint(capped, { id: 'maxMigrations', vms: stay, amount: 0 });
    // and at most the forced moves plus one per pair, over every VM
    capped = withConstraint(capped, { id: 'maxMigrations', vms: everyVm, amount: forced.length + pairs.length });
    const result = await plan(capped, { timeLimitMs: 20_000, solver: 'native', seed: 1 });
    if (!result.plan) throw new Error(`no plan: ${(result.explanation ?? []).join(' | ')}`);
    expect(formatViolations(checkPlan(capped, result.plan), capped.model)).toEqual([]);
    const moved = migrated(result.plan.actions);
    expect(stay.filter((v) => moved.has(v))).toEqual([]);
    expect([...moved].sort((x, y) => x - y)).toEqual([...forced, ...move].sort((x, y) => x - y));
  }, 300_000);

  it('answers without a plan (never a crash, never a plan the checker rejects) when the limit is below the forced moves', async () => {
    const instance = generateCluster({ nodes: 5_000, seed: 11 });
    const forced = drainedVms(instance);
    const capped = withConstraint(instance, { id: 'maxMigrations', vms: forced, amount: forced.length - 1 });
    const result = await plan(capped, { timeLimitMs: 5_000, solver: 'native', seed: 1 });
    expect(result.plan).toBeUndefined();
    expect(result.status).not.toBe('optimal');
    expect(result.status).not.toBe('feasible');
  }, 300_000);
});
