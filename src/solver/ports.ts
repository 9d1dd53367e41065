/**
 * What the pure planner needs from the outside world, injected by main/ (btrplace keeps the
 * solver behind an interface the same way). A MiniZinc runner solves one model text with JSON
 * data; implementations: the embedded WASM build in a worker thread, and a native `minizinc`.
 */

export type MznSolverId = 'gecode' | 'chuffed' | 'highs' | 'coin-bc';

/** MiniZinc's closing statuses (minizinc-js `Status`). */
export type MznStatus =
  | 'OPTIMAL_SOLUTION'
  | 'ALL_SOLUTIONS'
  | 'SATISFIED'
  | 'UNSATISFIABLE'
  | 'UNBOUNDED'
  | 'UNSAT_OR_UNBOUNDED'
  | 'UNKNOWN'
  | 'ERROR';

export interface MznRequest {
  /** MiniZinc model text. */
  readonly model: string;
  /** Data, as MiniZinc's JSON data format (`{"n": 3, "cap": [..]}`). */
  readonly data: Readonly<Record<string, unknown>>;
  readonly solver: MznSolverId;
  /** Wall-clock limit for the whole call; the runner stops the solver and returns the best so far. */
  readonly timeLimitMs?: number;
  /** Report every improving solution (optimisation problems). */
  readonly intermediate?: boolean;
  /** Cancel: the runner stops the solver at once and resolves with what it has. */
  readonly signal?: CancelSignal;
}

/** The part of the standard AbortSignal the runners use (src/ has no DOM or Node types). */
export interface CancelSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface MznSolution {
  /** The model's output variables, by name (from `--output-mode json`). */
  readonly output: Readonly<Record<string, unknown>>;
  readonly objective?: number;
  readonly elapsedMs: number;
}

export interface MznResult {
  readonly status: MznStatus;
  /** The last (best) solution, if any. */
  readonly solution?: MznSolution;
  /** Set when status is ERROR: MiniZinc's own message (with its location in the model text). */
  readonly error?: string;
  readonly elapsedMs: number;
}

export interface MznRunner {
  /** 'native' or 'wasm', for reports. */
  readonly kind: string;
  readonly solvers: readonly MznSolverId[];
  solve(request: MznRequest, onSolution?: (solution: MznSolution) => void): Promise<MznResult>;
}
