import type { z } from 'zod';

import type { Model } from '../model/index.js';
import type { Action } from '../plan/actions.js';
import type { FieldSpec } from './common/fields.js';
import type { Constraint, ParamSpec } from './constraint.js';
import type { ConstraintEncoder } from './encoding.js';
import type { ArgsReader, SolverFaces } from './faces/index.js';

/**
 * What a checker reports: a short sentence in operator words (elements by their names), plus
 * the elements involved so a console can highlight them.
 */
export interface CheckProblem {
  readonly message: string;
  readonly vms?: readonly number[];
  readonly nodes?: readonly number[];
}

/**
 * One check of one constraint over one plan, BtrPlace's SatConstraintChecker shape. The plan
 * checker replays the plan and calls, in order: `startsWith(origin)`, then for every instant,
 * `end(a, model)` for the actions ending (model = before their end effects are applied), then
 * `start(a, model)` for the actions starting, and finally `endsWith(final)`.
 * Every hook is called whatever the constraint's mode, as BtrPlace's ReconfigurationPlanChecker
 * does: each check decides what its mode watches (a discrete Ban still refuses a placement onto a
 * banned node, Running refuses a shutdown of its VM, NoDelay checks start times; continuous-only
 * tracking is guarded by `constraint.continuous` inside the check). A check plays the plan events
 * itself from `action.hooks` (`pre` in `start`, `post` in `end`). Any hook may keep state between
 * calls. Each hook returns null when the constraint holds, else the problem.
 */
export interface ConstraintCheck {
  startsWith?(origin: Model): CheckProblem | null;
  start?(action: Action, model: Model): CheckProblem | null;
  end?(action: Action, model: Model): CheckProblem | null;
  endsWith(result: Model): CheckProblem | null;
}

/** Which modes a constraint supports, and the one BtrPlace's 1-argument constructor picks. */
export interface Modes {
  readonly discrete: boolean;
  readonly continuous: boolean;
  readonly defaultContinuous: boolean;
}

/** The script (btrpsl) form of a constraint. */
export interface ScriptForm<Args> {
  /** btrpsl name; several entries may share one (`before` → precedence or deadline) and are told apart by params. */
  readonly name: string;
  readonly params: readonly ParamSpec[];
  /**
   * Builds the constraints from coerced values (in `params` order). Returns an error sentence when
   * the values are valid kinds but not acceptable (e.g. a negative amount).
   */
  build(values: readonly unknown[], continuous: boolean): Constraint<Args>[] | { error: string };
  /** The script text for one constraint (elements by name through the model's naming views). */
  format(constraint: Constraint<Args>, names: ElementNames): string;
}

export interface ElementNames {
  vm(id: number): string;
  node(id: number): string;
}

/** The JSON form (BtrPlace's `*Converter`): fields besides `id`. */
export interface JsonForm<Args> {
  /** Reads a JSON object whose `id` is this entry's; returns a located error on bad input. */
  read(raw: Record<string, unknown>, path: string): Constraint<Args> | { error: string; path: string };
  write(constraint: Constraint<Args>): Record<string, unknown>;
}

/**
 * A catalogue entry: everything about one constraint, side by side (BtrPlace's X, XChecker,
 * XConverter and btrpsl builder; the solver encoding joins in the solver).
 */
export interface ConstraintDefinition<Args = Record<string, unknown>> {
  /** BtrPlace JSON id (`spread`, `resourceCapacity`, `Deadline`, ...). */
  readonly id: string;
  /** One paragraph for operators: what must hold, in plain words. */
  readonly doc: string;
  readonly schema: z.ZodType<Args>;
  /** The parameters with their kinds, in BtrPlace's order (keys are the JSON field names): what `readArgs` reads. */
  readonly fields: readonly FieldSpec[];
  readonly modes: Modes;
  readonly script: ScriptForm<Args>;
  readonly json: JsonForm<Args>;
  /** The MiniZinc encoding used by the exact model (discrete and continuous forms), over typed arguments. */
  readonly encoder: ConstraintEncoder<Args>;
  /** The heuristic planner's faces: placement rule, scheduling order, bounds (`faces.ts`). */
  readonly faces: SolverFaces<Args>;
  /**
   * The one typed reader of the arguments (field kinds, then the entry's validation, then, given
   * the model's elements, that every VM and node named is declared), for every face. Callers go
   * through `argsOf` (`args.ts`), which locates the problem (`constraints[3].amount: ...`).
   */
  readonly readArgs: ArgsReader<Args>;
  /** A fresh check for one plan (see ConstraintCheck for the call order). */
  check(constraint: Constraint<Args>): ConstraintCheck;
  /** VMs and nodes the constraint mentions (explanations, decomposition, repair mode). */
  involved(constraint: Constraint<Args>): { vms: readonly number[]; nodes: readonly number[] };
  /**
   * Which actions the check's `start`/`end` hooks can react to, so the plan checker calls them for
   * those actions only (at datacenter scale, calling every hook for every action is too slow). An
   * action is routed to the constraint when its VM, a VM of one of its plan events (`hooks.pre` /
   * `hooks.post`, both sides of a substitution), or one of its nodes (`actionNodes`) is listed;
   * 'all' routes every action. Default: `involved(constraint)`. A VM substituted by a clone keeps
   * its routes for the clone (the checker follows substitutions). Declare it when the hooks react
   * to actions on elements beyond the involved ones (Lonely, continuous, watches any VM arriving;
   * Quarantine watches the VMs on its node at the start), or to narrow the routes when the hooks
   * ignore actions on the involved nodes (Among, Ban, Fence, SplitAmong react to their VMs only).
   * Too wide is only slower; too narrow makes the checker miss violations (test/checker proves
   * the catalogue's routes against unrouted checking).
   */
  observes?(constraint: Constraint<Args>, origin: Model): Observed;
}

/** What a check's hooks react to: actions on these VMs or nodes, or every action. */
export type Observed = { readonly vms: readonly number[]; readonly nodes: readonly number[] } | 'all';
