import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { modelToJson, parseInstanceText } from '../../src/instance/json.js';
import type { Instance } from '../../src/instance/instance.js';
import { type PlanOutcome, type PlanRequest, PlanningService, type PlannedOutcome } from '../../main/services/index.js';

/**
 * A what-if plans the same opened instance again and again: the planning service copies its
 * 40,000-VM model only when the script sets attributes, so everything else it does must leave the
 * caller's model exactly as it was.
 */

const ROOT = join(import.meta.dirname, '..', '..');

function seed(): Instance {
  const read = parseInstanceText(readFileSync(join(ROOT, 'examples', 'seed.json'), 'utf8'));
  if (!read.ok) throw new Error(read.error.message);
  return read.value;
}

function request(instance: Instance, text: string): PlanRequest {
  return { instance, script: { text, name: 'what-if.btrp' }, objective: 'mttr', timeLimitMs: 2_000, migrationTime: 'attributes', budgets: { maxConcurrentMigrationsPerHost: 2 } };
}

function planned(outcome: PlanOutcome): PlannedOutcome {
  if (outcome.kind !== 'result') throw new Error(`expected a result, got ${outcome.kind}`);
  return outcome;
}

const service = (): PlanningService => new PlanningService({ pickRunner: null, solveParts: null, progressIntervalMs: 0 });
const json = (instance: Instance): string => JSON.stringify(modelToJson(instance.model));

describe('the caller’s model across plannings', () => {
  it('a script without attributes plans the model as given, and planning (progress checks included) leaves it as it was', async () => {
    const instance = seed();
    const before = json(instance);
    const progress: unknown[] = [];
    for (const text of ['offline(@N4);', 'spread(VM[2..3]);\noffline(@N4);', 'ban(VM1, @N1);']) {
      const outcome = planned(await service().compute(request(instance, text), { onProgress: (p) => progress.push(p) }));
      expect(outcome.result.plan).not.toBeNull();
      expect(outcome.instance.model).toBe(instance.model);
      expect(outcome.originAsGiven).toBe(true);
      expect(json(instance)).toBe(before);
    }
    expect(progress.length).toBeGreaterThan(0);
  });

  it('a script that sets attributes plans a copy: the caller’s model gets none of them', async () => {
    const instance = seed();
    const before = json(instance);
    const outcome = planned(await service().compute(request(instance, 'VM[1..2] : tiny<clone, boot=7>;\noffline(@N4);')));
    expect(outcome.originAsGiven).toBe(false);
    expect(outcome.instance.model).not.toBe(instance.model);
    expect(outcome.instance.model.attributes.get('vm', 1, 'boot')).toBe(7);
    expect(instance.model.attributes.get('vm', 1, 'boot')).toBeUndefined();
    expect(json(instance)).toBe(before);
  });
});
