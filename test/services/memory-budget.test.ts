/**
 * `--max-memory` holds whichever stage finds the plan: the exact MiniZinc model encodes the memory
 * budget and the planner's final check refuses a plan over it (a plan moving 6 GiB under
 * `--max-memory 0` was printed as "proven optimal").
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { parseInstanceText } from '../../src/instance/json.js';
import { type PlanOutcome, PlanningService } from '../../main/services/index.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SEED = parseInstanceText(readFileSync(join(ROOT, 'examples', 'seed.json'), 'utf8'));
const SCRIPT = { text: readFileSync(join(ROOT, 'examples', 'seed.btrp'), 'utf8'), name: 'seed.btrp' };

async function planSeed(maxMemoryMovedGiB: number, service: PlanningService): Promise<PlanOutcome> {
  if (!SEED.ok) throw new Error(SEED.error.message);
  return service.compute({ instance: SEED.value, objective: 'migrations', timeLimitMs: 5_000, migrationTime: 'attributes', budgets: { maxMemoryMovedGiB }, script: SCRIPT });
}

describe('the memory budget', () => {
  // the default wiring runs the exact model when MiniZinc is installed: the path that ignored the budget
  for (const [label, service] of [['with the exact model when available', () => new PlanningService()], ['native search only', () => new PlanningService({ pickRunner: null, solveParts: null })]] as const) {
    it(`${label}: --max-memory 0 on the seed gives no plan, the budget named`, async () => {
      const outcome = await planSeed(0, service());
      if (outcome.kind !== 'result') throw new Error(`expected a result, got ${outcome.kind}`);
      expect(outcome.result.plan).toBeUndefined();
      expect(['infeasible', 'unknown']).toContain(outcome.result.status);
      expect(outcome.result.explanation?.join('\n')).toMatch(/0 GiB of memory moved/);
    });
  }

  it('a budget the best plan fits (6 GiB) still gives it', async () => {
    const outcome = await planSeed(6, new PlanningService());
    if (outcome.kind !== 'result') throw new Error(`expected a result, got ${outcome.kind}`);
    expect(outcome.result.memoryMovedMiB).toBeLessThanOrEqual(6 * 1024);
    expect(outcome.result.plan).toBeDefined();
  });
});
