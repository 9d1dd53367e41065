/** The main-process services the front ends (CLI, Electron IPC, local HTTP server) adapt. */
export {
  type CheckedProgress,
  type PlanOutcome,
  type PlanRequest,
  PlanRequestError,
  type PlannedOutcome,
  type PlanningHooks,
  PlanningService,
  type PlanningServiceOptions,
  type PreparedPlan,
  type RunnerPicker,
  type ScriptErrors,
} from './planning.js';
export { ProgressGate, type ProgressGateOptions } from './progress-gate.js';
export { planOutcomeToWire, planRequestErrorToWire, planRequestFromWire } from './plan-wire.js';
export { type KeptPlan, type PlanAsked, PlanHistory, type PlanHistoryOptions, pastPlanOf, planSourceOf } from './plan-history.js';
