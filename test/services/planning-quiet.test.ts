import { describe, expect, it } from 'vitest';

import type { Instance } from '../../src/instance/instance.js';
import { Mapping, Model, NamingService, ShareableResource } from '../../src/model/index.js';
import type { Plan } from '../../src/plan/plan.js';
import type { PlanOptions, PlanResult } from '../../src/solver/planner.js';
import { type CheckedProgress, type PlanRequest, PlanningService } from '../../main/services/index.js';
import { QUIET_ABOVE_VMS } from '../../main/services/planning.js';

/**
 * On a big instance a progress event carries the whole plan (2 MB for 40,000 VMs): a plan found in
 * the first moments is shown by the answer alone; one found early in a long solve is shown once
 * the quiet period ends. Small instances show progress at once.
 */

function cluster(vms: number): Instance {
  const mapping = new Mapping();
  const mem = new ShareableResource('mem', 0, 0);
  const nodeNames = new NamingService('node');
  const vmNames = new NamingService('vm');
  const perNode = 16;
  for (let vm = 0; vm < vms; vm++) {
    const node = Math.floor(vm / perNode);
    if (vm % perNode === 0) {
      mapping.addOnlineNode(node);
      nodeNames.register(`n${node}`, node);
      mem.setCapacity(node, 64 * 1024);
    }
    mapping.addRunningVM(vm, node);
    vmNames.register(`vm${vm}`, vm);
    mem.setConsumption(vm, 1024);
  }
  return { model: new Model({ mapping, resources: [mem], vmNames, nodeNames }), constraints: [], objective: { id: 'minimizeMTTR' } };
}

function request(instance: Instance): PlanRequest {
  return { instance, objective: 'mttr', timeLimitMs: 2_000, migrationTime: 'attributes', budgets: {} };
}

/** A planner that finds the empty plan at once, then searches `searchMs` more before answering. */
function plannerFor(searchMs: number) {
  return async (instance: Instance, options: PlanOptions = {}): Promise<PlanResult> => {
    const plan: Plan = { origin: instance.model, actions: [] };
    options.onProgress?.({ plan, objective: 0, lowerBound: 0, elapsedMs: 1, migrations: 0, stage: 'construct' });
    await new Promise((resolve) => setTimeout(resolve, searchMs));
    return { status: 'optimal', plan, objective: 0, lowerBound: 0, gap: 0, durationSeconds: 0, durationLowerBound: 0, migrations: 0, migrationsLowerBound: 0, memoryMovedMiB: 0, solveMs: searchMs, notes: [] };
  };
}

async function progressSeen(instance: Instance, searchMs: number, quietMs: number): Promise<CheckedProgress[]> {
  const seen: CheckedProgress[] = [];
  const service = new PlanningService({ pickRunner: null, solveParts: null, planner: plannerFor(searchMs), progressIntervalMs: 0, progressQuietMs: quietMs });
  await service.compute(request(instance), { onProgress: (p) => seen.push(p) });
  return seen;
}

describe('the first progress of a big instance waits', () => {
  const big = cluster(QUIET_ABOVE_VMS + 16);

  it('a plan found and answered within the quiet period travels once, as the answer', async () => {
    expect(await progressSeen(big, 20, 1_000)).toHaveLength(0);
  });

  it('a plan found early in a long solve is shown when the quiet period ends', async () => {
    const seen = await progressSeen(big, 300, 50);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.plan.actions).toEqual([]);
  });

  it('a small instance shows its progress at once', async () => {
    expect(await progressSeen(cluster(160), 20, 1_000)).toHaveLength(1);
  });
});
