import type { Constraint } from '../../src/catalogue/constraint.js';
import { checkPlan } from '../../src/checker/plan-checker.js';
import { plannerCheckOptions } from '../../src/solver/pipeline/attempt.js';
import { constraintSetHash } from '../../src/dsl/constraint-set.js';
import type { Diagnostic } from '../../src/dsl/diagnostics.js';
import { applyAttributes, parseScript } from '../../src/dsl/script.js';
import type { Instance } from '../../src/instance/instance.js';
import type { Model } from '../../src/model/index.js';
import { DurationModel, memoryOverBandwidth } from '../../src/plan/durations.js';
import { EXACT_MODEL_MAX_VMS, type PlanBudgets, type PlanOptions, type PlanResult, type SolveParts, plan } from '../../src/solver/planner.js';
import type { MznRunner, MznSolverId } from '../../src/solver/ports.js';
import { type PlacementObjective, isMemoryResource } from '../../src/solver/problem.js';
import { workerPartSolver } from '../node/solver/parallel.js';
import { type CheckedProgress, ProgressGate } from './progress-gate.js';

export type { CheckedProgress } from './progress-gate.js';

/**
 * The planning service: everything between "plan this instance with this script" and a checked
 * PlanResult — script parsing, the MiniZinc runner choice, the worker pool for independent parts,
 * the time limit, cancel, and progress that only ever shows plans the checker accepted. The CLI,
 * the Electron IPC handlers and the local HTTP server are thin adapters over it.
 */

export interface PlanRequest {
  readonly instance: Instance;
  /** btrpsl constraints added to the instance's; `name` is for messages (a file name). */
  readonly script?: { readonly text: string; readonly name: string };
  readonly objective: PlacementObjective;
  /** Search budget; the best plan so far is kept. */
  readonly timeLimitMs: number;
  /** MiniZinc back-end for the exact model, or 'native' (Ferry's own search only). */
  readonly solver?: MznSolverId | 'native';
  readonly budgets?: PlanBudgets;
  /**
   * 'attributes': BtrPlace's durations (a VM's 'migrate' attribute, the network formula with a
   * 'net' view); 'memory': memory over the source node's link speed.
   */
  readonly migrationTime: 'attributes' | 'memory';
}

/** The script had errors: nothing was planned. */
export interface ScriptErrors {
  readonly kind: 'script-errors';
  /** Every diagnostic of the script (errors and warnings), as parseScript sorted them. */
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * A request the instance cannot support (memory durations without a memory resource). Thrown, not
 * returned: the front ends validate options before asking (the contract, the CLI's arguments), so
 * this is their usage error; `field` names the option for their message.
 */
export class PlanRequestError extends Error {
  override name = 'PlanRequestError';
  constructor(
    readonly field: 'migrationTime',
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/** A request ready to plan: the script applied, the constraint list and its hash known. */
export interface PreparedPlan {
  readonly kind: 'prepared';
  readonly request: PlanRequest;
  /** The instance with the script's attributes applied (its own constraints). */
  readonly instance: Instance;
  /** The script's constraints. */
  readonly scriptConstraints: readonly Constraint[];
  /** The instance's constraints, then the script's: what the plan must satisfy. */
  readonly constraints: readonly Constraint[];
  /** `sha256:…` of the canonical constraint list. */
  readonly constraintHash: string;
  /** The script's warnings and notes (it has no error). */
  readonly diagnostics: readonly Diagnostic[];
  readonly durations?: DurationModel;
  /** True when the script set no attribute: the plan's origin is the request's model as given. */
  readonly originAsGiven: boolean;
}

export interface PlannedOutcome {
  readonly kind: 'result';
  readonly result: PlanResult;
  readonly instance: Instance;
  readonly constraints: readonly Constraint[];
  readonly constraintHash: string;
  readonly diagnostics: readonly Diagnostic[];
  /** True when the plan's origin is the request's model as given (a caller holding it need not get it back). */
  readonly originAsGiven: boolean;
}

export type PlanOutcome = ScriptErrors | PlannedOutcome;

export interface PlanningHooks {
  /** Improving plans, each accepted by the checker (throttled, the last one always). */
  readonly onProgress?: (progress: CheckedProgress) => void;
  /** Cancel: planning stops and answers with the best plan so far (or none). */
  readonly signal?: AbortSignal;
  /** Things the operator should know while it runs ("no MiniZinc runner; native search only"). */
  readonly onNotice?: (message: string) => void;
}

export type RunnerPicker = (options: { readonly prefer?: 'native' | 'wasm' }) => Promise<MznRunner>;

export interface PlanningServiceOptions {
  /** Opens a MiniZinc runner (default: native when found, else WASM); null: never use MiniZinc. */
  readonly pickRunner?: RunnerPicker | null;
  /** Solves independent parts elsewhere (default: a worker-thread pool); null: in-process. */
  readonly solveParts?: SolveParts | null;
  /** The planner (default: src/solver/planner's plan); tests stand in for it. */
  readonly planner?: typeof plan;
  /** Least time between two progress checks (default 250 ms). */
  readonly progressIntervalMs?: number;
}

/**
 * The first progress waits this long: an answer within it carries its plan itself. A check of a
 * 40,000-VM candidate costs a what-if (about 0.2 s of planning) 50–100 ms more when it falls
 * inside the planning; progress is for the plannings an operator watches, those of seconds.
 */
const FIRST_PROGRESS_AFTER_MS = 1000;

/** Loaded only when the exact model may run (small instances or a chosen solver). */
const defaultPickRunner: RunnerPicker = async (options) => (await import('../node/solver/runners.js')).pickRunner(options);

export class PlanningService {
  private readonly pickRunner: RunnerPicker | null;
  private readonly solveParts: SolveParts | null;
  private readonly planner: typeof plan;
  private readonly progressIntervalMs: number | undefined;

  constructor(options: PlanningServiceOptions = {}) {
    this.pickRunner = options.pickRunner === undefined ? defaultPickRunner : options.pickRunner;
    // independent parts with search left run side by side on worker threads
    this.solveParts = options.solveParts === undefined ? workerPartSolver() : options.solveParts;
    this.planner = options.planner ?? plan;
    this.progressIntervalMs = options.progressIntervalMs;
  }

  /** Prepare, then plan. Throws PlanRequestError for options the instance cannot support. */
  async compute(request: PlanRequest, hooks: PlanningHooks = {}): Promise<PlanOutcome> {
    const prepared = this.prepare(request);
    return prepared.kind === 'prepared' ? this.solve(prepared, hooks) : prepared;
  }

  /**
   * Reads the script against the instance and fixes what planning will use, without planning:
   * a front end shows the script's diagnostics at once, and nothing starts for a bad request.
   * Script errors come first (as the CLI always reported them), then PlanRequestError.
   */
  prepare(request: PlanRequest): PreparedPlan | ScriptErrors {
    const applied = applyScript(request.instance, request.script);
    if (applied.kind === 'script-errors') return applied;
    const durations = durationsFor(request.migrationTime, applied.instance.model);
    if (durations === null) throw new PlanRequestError('migrationTime', 'memory needs a memory resource view (mem, memory or ram)');
    const constraints = [...applied.instance.constraints, ...applied.scriptConstraints];
    return {
      kind: 'prepared',
      request,
      instance: applied.instance,
      scriptConstraints: applied.scriptConstraints,
      constraints,
      constraintHash: constraintSetHash(constraints),
      diagnostics: applied.diagnostics,
      ...(durations ? { durations } : {}),
      originAsGiven: applied.attributes === 0,
    };
  }

  /** Plans a prepared request; progress passes the checker first. */
  async solve(prepared: PreparedPlan, hooks: PlanningHooks = {}): Promise<PlannedOutcome> {
    const runner = await this.openRunner(prepared, hooks.onNotice);
    const gate = this.progressGate(prepared, hooks.onProgress);
    let result: PlanResult;
    try {
      result = await this.planner(prepared.instance, this.planOptions(prepared, runner, gate, hooks.signal));
      gate?.finish(result.plan);
    } finally {
      gate?.close();
      await closeRunner(runner);
    }
    return {
      kind: 'result',
      result: withGateNote(result, gate),
      instance: prepared.instance,
      constraints: prepared.constraints,
      constraintHash: prepared.constraintHash,
      diagnostics: prepared.diagnostics,
      originAsGiven: prepared.originAsGiven,
    };
  }

  private planOptions(prepared: PreparedPlan, runner: MznRunner | undefined, gate: Pick<ProgressGate, 'offer'> | undefined, signal: AbortSignal | undefined): PlanOptions {
    const { request } = prepared;
    return {
      objective: request.objective,
      timeLimitMs: request.timeLimitMs,
      extraConstraints: prepared.scriptConstraints,
      ...(signal ? { signal } : {}),
      ...(this.solveParts ? { solveParts: this.solveParts } : {}),
      ...(prepared.durations ? { durations: prepared.durations } : {}),
      budgets: request.budgets ?? {},
      ...(runner ? { runner } : {}),
      ...(request.solver !== undefined ? { solver: request.solver } : {}),
      ...(gate ? { onProgress: (p) => gate.offer(p) } : {}),
    };
  }

  /** The runner for the exact model, when it may run; a missing one is a notice, not a failure. */
  private async openRunner(prepared: PreparedPlan, notice: ((message: string) => void) | undefined): Promise<MznRunner | undefined> {
    const { solver } = prepared.request;
    // the exact model only runs on small instances: do not start MiniZinc for a large one unless asked
    const mayUseExact = prepared.instance.model.mapping.vmCount() <= EXACT_MODEL_MAX_VMS || solver !== undefined;
    if (this.pickRunner === null || solver === 'native' || !mayUseExact) return undefined;
    try {
      // Chuffed, HiGHS and COIN-BC ship with the WASM build; a distro MiniZinc may lack them
      return await this.pickRunner(solver === 'chuffed' || solver === 'highs' || solver === 'coin-bc' ? { prefer: 'wasm' } : {});
    } catch (e) {
      notice?.(`no MiniZinc runner (${e instanceof Error ? e.message : String(e)}); using the native search only`);
      return undefined;
    }
  }

  /** Progress through the checker, against every constraint the plan must satisfy. */
  private progressGate(prepared: PreparedPlan, onProgress: ((p: CheckedProgress) => void) | undefined): ProgressGate | undefined {
    if (!onProgress) return undefined;
    const full: Instance = { ...prepared.instance, constraints: prepared.constraints };
    // the duration model the planner used: a candidate's timing is judged as the final plan's is
    const checkOptions = plannerCheckOptions(prepared);
    return new ProgressGate({
      check: (candidate) => checkPlan(full, candidate, checkOptions).ok,
      forward: onProgress,
      ...(this.progressIntervalMs !== undefined ? { minIntervalMs: this.progressIntervalMs } : {}),
      // a plan answered within the first interval is shown by its answer, not checked twice
      firstCheckAfterMs: this.progressIntervalMs ?? FIRST_PROGRESS_AFTER_MS,
    });
  }
}

/** The instance with the script's attributes and its constraints apart, or the script's errors. */
function applyScript(
  instance: Instance,
  script: PlanRequest['script'],
): ScriptErrors | { readonly kind: 'applied'; readonly instance: Instance; readonly scriptConstraints: readonly Constraint[]; readonly diagnostics: readonly Diagnostic[]; readonly attributes: number } {
  if (script === undefined) return { kind: 'applied', instance, scriptConstraints: [], diagnostics: [], attributes: 0 };
  // reading the script leaves the model as it is: its attributes come back as a list
  const parsed = parseScript(script.text, { model: instance.model });
  if (!parsed.ok) return { kind: 'script-errors', diagnostics: parsed.diagnostics };
  const base = { kind: 'applied', scriptConstraints: parsed.constraints, diagnostics: parsed.diagnostics, attributes: parsed.attributes.length } as const;
  // no attribute set: the caller's model is planned as it is (a 40,000-VM copy costs a what-if ~40 ms)
  if (parsed.attributes.length === 0) return { ...base, instance };
  // the caller's model stays as it was: attributes go to a copy
  const model = instance.model.clone();
  applyAttributes(model, parsed.attributes);
  return { ...base, instance: { ...instance, model } };
}

/** undefined: the planner's default (attributes); null: 'memory' asked on a model without memory. */
function durationsFor(migrationTime: PlanRequest['migrationTime'], model: Model): DurationModel | undefined | null {
  if (migrationTime !== 'memory') return undefined;
  const rc = [...model.resources.keys()].find(isMemoryResource);
  if (rc === undefined) return null;
  // BtrPlace's durations, except live migrations: memory (MiB) over the source node's link (Gbit/s, default 10)
  return DurationModel.defaults().register('migrateVM', memoryOverBandwidth({ rc, unitsPerGiB: 1024, defaultGbps: 10 }));
}

async function closeRunner(runner: MznRunner | undefined): Promise<void> {
  // the WASM and native runners hold a worker or a process; the port itself has no close
  await (runner as { close?: () => Promise<void> } | undefined)?.close?.();
}

/**
 * Rejected progress candidates are said in the notes, never hidden. The heuristic's schedule can
 * break a continuous constraint (the planner then drops it and tries the exact model), so this is
 * not necessarily a bug.
 */
function withGateNote(result: PlanResult, gate: ProgressGate | undefined): PlanResult {
  if (!gate || gate.rejected === 0) return result;
  const note = `progress: ${gate.rejected} intermediate plan(s) rejected by the checker were not shown`;
  return { ...result, notes: [...result.notes, note] };
}
