import type { ConstraintEncoder } from '../../catalogue/encoding.js';
import type { Plan } from '../../plan/plan.js';
import type { CancelSignal, MznRunner, MznSolverId, MznStatus } from '../ports.js';
import { type ExactObjective, type ExactProblem, buildExact } from './build.js';
import { DecodeError, type ExactSolution, decodeExact } from './decode.js';
import { ENCODERS } from './encoders.js';
import { EXACT_SOLVE, type SliceEncoding, exactModel } from './model.js';

export interface SolveExactOptions {
  readonly objective?: ExactObjective;
  readonly timeLimitMs?: number;
  /**
   * When the call must have ended (Date.now's clock): building a large model takes time of its
   * own, so the solver gets at most what is left once the model is built, and nothing if nothing is.
   */
  readonly endsBy?: number;
  readonly solver?: MznSolverId;
  /** Called with every improving solution, decoded. */
  readonly onSolution?: (solution: ExactSolution) => void;
  readonly signal?: CancelSignal;
  /** Encoders by constraint id (default: the catalogue's, see encoders.ts). */
  readonly encoders?: ReadonlyMap<string, ConstraintEncoder>;
  /**
   * A plan already known (the heuristic's best, checked): never solve cold. Only plans at least as
   * good are searched (so UNSATISFIABLE then means: none of this model's plans is as good), its
   * hosts are tried first and its start order followed; with the MTTR objective, its value also
   * shortens the time axis (no action of a plan as good can end later).
   */
  readonly incumbent?: Plan;
  /** How absent slices reach the cumulatives (model.ts); default: 'heights' on native Gecode, else 'parked'. */
  readonly sliceEncoding?: SliceEncoding;
}

export interface ExactResult {
  /**
   * OPTIMAL_SOLUTION: proven best; SATISFIED: a plan, not proven best (time limit or cancel);
   * UNSATISFIABLE: no plan with these variables, candidates, budgets and horizon (`reasons` when
   * it was visible before solving); UNKNOWN: stopped before any plan; ERROR: see `reasons`.
   */
  readonly status: MznStatus;
  readonly solution?: ExactSolution;
  readonly reasons: readonly string[];
  readonly elapsedMs: number;
  /** Model size, for reports and benchmarks. */
  readonly size: { readonly variableVms: number; readonly pairs: number; readonly nodes: number };
}

/**
 * Solves placement and schedule together with MiniZinc (BtrPlace's ReconfigurationProblem).
 * In repair mode (`problem.movable`), only the movable VMs are variables, each over its shortlist,
 * so a large-neighbourhood search can call this on small neighbourhoods.
 */
export async function solveExact(problem: ExactProblem, runner: MznRunner, options: SolveExactOptions = {}): Promise<ExactResult> {
  const objective = options.objective ?? 'mttr';
  const solver = options.solver ?? 'gecode';
  const encoding = options.sliceEncoding ?? (runner.kind === 'native' && solver === 'gecode' ? 'heights' : 'parked');
  const built = buildExact(problem, options.encoders ?? ENCODERS, exactModel(encoding), EXACT_SOLVE, objective, options.incumbent !== undefined ? { incumbent: options.incumbent } : {});
  if (!built.ok) {
    return {
      status: built.kind === 'infeasible' ? 'UNSATISFIABLE' : 'ERROR',
      reasons: built.reasons,
      elapsedMs: 0,
      size: { variableVms: 0, pairs: 0, nodes: problem.model.mapping.nodeCount() },
    };
  }
  const { layout } = built;
  const size = { variableVms: layout.vms.length, pairs: layout.pairs, nodes: layout.nodes.length };
  const timeLimitMs = callLimitMs(options);
  if (timeLimitMs !== undefined && timeLimitMs <= 0) return { status: 'UNKNOWN', reasons: ['no time left once the model was built'], elapsedMs: 0, size };
  let decodeProblem: string | undefined;
  const decode = (output: Readonly<Record<string, unknown>>, value?: number): ExactSolution | undefined => {
    try {
      return decodeExact(problem.model, layout, output, value);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      decodeProblem = err.message;
      return undefined;
    }
  };
  const result = await runner.solve(
    {
      model: built.model,
      data: built.data,
      solver,
      intermediate: options.onSolution !== undefined,
      ...(timeLimitMs !== undefined ? { timeLimitMs } : {}),
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    },
    options.onSolution
      ? (s) => {
          const decoded = decode(s.output, s.objective);
          if (decoded) options.onSolution?.(decoded);
        }
      : undefined,
  );
  const solution = result.solution ? decode(result.solution.output, result.solution.objective) : undefined;
  if (decodeProblem !== undefined) return { status: 'ERROR', reasons: [decodeProblem], elapsedMs: result.elapsedMs, size };
  const reasons = result.error !== undefined ? [result.error] : [];
  if (result.status === 'UNSATISFIABLE' && options.incumbent !== undefined) reasons.push(`no plan of this model is at least as good as the incumbent (${objective} ${String(built.data['objUpper'])})`);
  return solution ? { status: result.status, solution, reasons, elapsedMs: result.elapsedMs, size } : { status: result.status, reasons, elapsedMs: result.elapsedMs, size };
}

/** The solver's time limit: the one given, cut to what is left before `endsBy`. */
function callLimitMs(options: SolveExactOptions): number | undefined {
  if (options.endsBy === undefined) return options.timeLimitMs;
  const left = Math.floor(options.endsBy - Date.now());
  return options.timeLimitMs === undefined ? left : Math.min(options.timeLimitMs, left);
}
