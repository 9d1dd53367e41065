import { type ErrorEnvelope, fail } from '../../src/contract/errors.js';
import { type PlanComputed, planResultToWire } from '../../src/contract/events.js';
import { PLAN_DEFAULTS, type PlanOptionsInput } from '../../src/contract/procedures.js';
import type { OriginRef, ScriptInput } from '../../src/contract/wire.js';
import type { Instance } from '../../src/instance/instance.js';
import type { PlanOutcome, PlanRequest, PlanRequestError } from './planning.js';

/**
 * plan:compute between the contract and the planning service: the wire options to a PlanRequest
 * (absent options take PLAN_DEFAULTS, the CLI's defaults), and an outcome back to the wire.
 * Apart from planning.ts so that the CLI does not load the contract's schemas.
 */

/** A PlanRequest from plan:compute's script and options (the instance already decoded). */
export function planRequestFromWire(instance: Instance, script: ScriptInput | undefined, options: PlanOptionsInput = {}): PlanRequest {
  return {
    instance,
    ...(script ? { script: { text: script.text, name: script.name ?? 'script' } } : {}),
    objective: options.objective ?? PLAN_DEFAULTS.objective,
    timeLimitMs: (options.timeLimitS ?? PLAN_DEFAULTS.timeLimitS) * 1000,
    ...(options.solver !== undefined ? { solver: options.solver } : {}),
    migrationTime: options.migrationTime ?? PLAN_DEFAULTS.migrationTime,
    budgets: {
      maxConcurrentMigrationsPerHost: options.maxConcurrent ?? PLAN_DEFAULTS.maxConcurrent,
      ...(options.maxMigrations !== undefined ? { maxMigrations: options.maxMigrations } : {}),
      ...(options.maxMemoryGiB !== undefined ? { maxMemoryMovedGiB: options.maxMemoryGiB } : {}),
      ...(options.windowSeconds !== undefined ? { windowSeconds: options.windowSeconds } : {}),
    },
  };
}

/** plan:compute's answer as the contract says; `originHeld`: the caller holds the plan's origin, left out. */
export function planOutcomeToWire(requestId: string, outcome: PlanOutcome, originHeld?: OriginRef): PlanComputed {
  switch (outcome.kind) {
    case 'script-errors':
      return { kind: 'script-errors', requestId, diagnostics: [...outcome.diagnostics] };
    case 'result':
      return { kind: 'result', requestId, result: planResultToWire(outcome.result, undefined, originHeld), constraintHash: outcome.constraintHash, diagnostics: [...outcome.diagnostics] };
  }
}

/** The refusal of an option the instance cannot support (PlanRequestError), located in plan:compute's input. */
export function planRequestErrorToWire(error: PlanRequestError): ErrorEnvelope {
  const path = `$.input.options.${error.field}`;
  return fail('invalid-request', `${path}: ${error.reason}`, { path });
}
