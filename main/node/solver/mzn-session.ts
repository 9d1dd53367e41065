import type { MznResult, MznSolution, MznStatus } from '../../../src/solver/ports.js';

/**
 * One solve's bookkeeping, shared by the native and the WASM runner: both receive MiniZinc's
 * `--json-stream` messages (the native one parses them from stdout, the WASM worker posts them
 * already parsed), so the translation into `MznResult` lives here once.
 */

const STATUSES: ReadonlySet<string> = new Set<MznStatus>([
  'OPTIMAL_SOLUTION',
  'ALL_SOLUTIONS',
  'SATISFIED',
  'UNSATISFIABLE',
  'UNBOUNDED',
  'UNSAT_OR_UNBOUNDED',
  'UNKNOWN',
  'ERROR',
]);

/** The file name the model is shown under in error locations, whatever temp file held it. */
export const MODEL_FILE_NAME = 'model.mzn';

export class MznSession {
  private readonly started = Date.now();
  private best: MznSolution | undefined;
  private status: MznStatus | undefined;
  private error: string | undefined;
  private readonly stderr: string[] = [];
  /** Set when the caller cancelled or the wall-clock guard fired: the search did not finish. */
  private stopped = false;

  constructor(
    private readonly onSolution: ((solution: MznSolution) => void) | undefined,
    /** Rewrites file names in locations (temp paths → `model.mzn`). */
    private readonly fileLabel: (file: string) => string = (f) => f,
  ) {}

  elapsed(): number {
    return Date.now() - this.started;
  }

  markStopped(): void {
    this.stopped = true;
  }

  /** One stdout line of `--json-stream` (blank lines and non-JSON text are kept as diagnostics). */
  line(text: string): void {
    const trimmed = text.trim();
    if (trimmed === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      this.stderr.push(trimmed);
      return;
    }
    this.message(parsed);
  }

  /** One parsed `--json-stream` message. */
  message(raw: unknown): void {
    if (typeof raw !== 'object' || raw === null) return;
    const msg = raw as Record<string, unknown>;
    switch (msg['type']) {
      case 'solution':
        this.solution(msg);
        break;
      case 'status':
        if (typeof msg['status'] === 'string' && STATUSES.has(msg['status'])) this.status = msg['status'] as MznStatus;
        break;
      case 'error':
        this.error ??= this.describeError(msg);
        break;
      case 'stderr':
        if (typeof msg['value'] === 'string') this.stderr.push(msg['value']);
        break;
      default:
        // warnings, statistics, comments, traces: not part of the result
        break;
    }
  }

  stderrText(text: string): void {
    if (text.trim() !== '') this.stderr.push(text);
  }

  /** Closes the session; `exitCode` null means the process was killed (cancel or guard). */
  finish(exitCode: number | null): MznResult {
    const elapsedMs = this.elapsed();
    const base = this.best ? { solution: this.best, elapsedMs } : { elapsedMs };
    if (this.error !== undefined) return { ...base, status: 'ERROR', error: this.error };
    if (exitCode !== null && exitCode !== 0 && !this.stopped) {
      const detail = this.stderr.join('').trim();
      return { ...base, status: 'ERROR', error: detail === '' ? `minizinc exited with code ${exitCode}` : detail };
    }
    if (this.status !== undefined && !(this.stopped && this.status === 'UNKNOWN' && this.best)) {
      // a complete search or MiniZinc's own verdict on a time limit
      return { ...base, status: this.status };
    }
    return { ...base, status: this.best ? 'SATISFIED' : 'UNKNOWN' };
  }

  private solution(msg: Record<string, unknown>): void {
    const output = msg['output'];
    const json = typeof output === 'object' && output !== null ? (output as Record<string, unknown>)['json'] : undefined;
    if (typeof json !== 'object' || json === null) return;
    const values: Record<string, unknown> = { ...(json as Record<string, unknown>) };
    const objective = values['_objective'];
    delete values['_objective'];
    delete values['_checker'];
    const solution: MznSolution =
      typeof objective === 'number' ? { output: values, objective, elapsedMs: this.elapsed() } : { output: values, elapsedMs: this.elapsed() };
    this.best = solution;
    this.onSolution?.(solution);
  }

  private describeError(msg: Record<string, unknown>): string {
    const what = typeof msg['what'] === 'string' ? `${msg['what']}: ` : '';
    const message = typeof msg['message'] === 'string' ? msg['message'] : JSON.stringify(msg);
    const where = this.location(msg['location']) ?? this.stackLocation(msg['stack']) ?? this.location(msg['location'], true);
    return where ? `${where}: ${what}${message}` : `${what}${message}`;
  }

  private stackLocation(stack: unknown): string | undefined {
    if (!Array.isArray(stack)) return undefined;
    for (const frame of stack) {
      if (typeof frame === 'object' && frame !== null) {
        const loc = this.location((frame as Record<string, unknown>)['location']);
        if (loc) return loc;
      }
    }
    return undefined;
  }

  /** `file:line:col`; without `anyFile`, undefined for a location that names no file (MiniZinc's `?:0:0`). */
  private location(raw: unknown, anyFile = false): string | undefined {
    if (typeof raw !== 'object' || raw === null) return undefined;
    const loc = raw as Record<string, unknown>;
    if (!anyFile && (typeof loc['filename'] !== 'string' || loc['filename'] === '')) return undefined;
    const file = typeof loc['filename'] === 'string' ? this.fileLabel(loc['filename']) : '?';
    const line = typeof loc['firstLine'] === 'number' ? loc['firstLine'] : undefined;
    const col = typeof loc['firstColumn'] === 'number' ? loc['firstColumn'] : undefined;
    if (line === undefined) return file;
    return col === undefined ? `${file}:${line}` : `${file}:${line}:${col}`;
  }
}

/** The longest the runners wait past the requested time limit before killing MiniZinc outright. */
export const TIME_LIMIT_GRACE_MS = 3000;

/**
 * The wait past a call's time limit before MiniZinc is stopped: enough for it to print its last
 * solution when it honours `--time-limit`, yet proportionate. A flat 3 s let a 2.5 s call run
 * 5.5 s (MiniZinc does not always stop on time), overrunning the planner's `--time-limit`.
 */
export function timeLimitGraceMs(timeLimitMs: number): number {
  return Math.min(TIME_LIMIT_GRACE_MS, Math.max(100, Math.round(timeLimitMs * 0.05)));
}
