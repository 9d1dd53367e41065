import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

import type { MznRequest, MznResult, MznRunner, MznSolution, MznSolverId } from '../../../src/solver/ports.js';
import { MODEL_FILE_NAME, MznSession, timeLimitGraceMs } from './mzn-session.js';

/**
 * A MiniZinc runner over a native `minizinc` executable (minizinc-js's Node side does the same):
 * the model and data go to temp files, `--json-stream` output is parsed line by line as it
 * arrives, cancel sends SIGTERM to the process group (MiniZinc and its solver child), then SIGKILL.
 */
export class NativeMznRunner implements MznRunner {
  readonly kind = 'native';

  private constructor(
    readonly executable: string,
    readonly version: string,
    readonly solvers: readonly MznSolverId[],
    /** Our solver id → the MiniZinc solver id to pass to `--solver`. */
    private readonly solverIds: ReadonlyMap<MznSolverId, string>,
  ) {}

  /** Finds `minizinc` (FERRY_MINIZINC, else PATH) and asks it which solvers work; undefined when absent. */
  static async detect(options: { executable?: string } = {}): Promise<NativeMznRunner | undefined> {
    const executable = options.executable ?? (await findMinizinc());
    if (executable === undefined) return undefined;
    try {
      const version = (await run(executable, ['--version'])).split('\n')[0]?.trim() ?? '';
      const listing = JSON.parse(await run(executable, ['--solvers-json'])) as unknown;
      const solverIds = usableSolvers(listing);
      if (solverIds.size === 0) return undefined;
      return new NativeMznRunner(executable, version, [...solverIds.keys()], solverIds);
    } catch {
      return undefined;
    }
  }

  async solve(request: MznRequest, onSolution?: (solution: MznSolution) => void): Promise<MznResult> {
    const session = new MznSession(onSolution, (f) => (f.endsWith(`/${MODEL_FILE_NAME}`) ? MODEL_FILE_NAME : f));
    const solverId = this.solverIds.get(request.solver);
    if (solverId === undefined) {
      return { status: 'ERROR', error: `solver '${request.solver}' is not available to ${this.executable} (has: ${this.solvers.join(', ')})`, elapsedMs: 0 };
    }
    if (request.signal?.aborted) return session.finish(null);

    const dir = await mkdtemp(join(tmpdir(), 'ferry-mzn-'));
    try {
      const modelPath = join(dir, MODEL_FILE_NAME);
      await writeFile(modelPath, request.model);
      const args = ['--json-stream', '--output-mode', 'json', '--output-objective', '--solver', solverId, '-i'];
      if (request.timeLimitMs !== undefined) args.push('--time-limit', String(Math.max(1, Math.round(request.timeLimitMs))));
      args.push(modelPath);
      if (Object.keys(request.data).length > 0) {
        const dataPath = join(dir, 'data.json');
        await writeFile(dataPath, JSON.stringify(request.data));
        args.push(dataPath);
      }
      return await this.runProcess(args, request, session);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private runProcess(args: string[], request: MznRequest, session: MznSession): Promise<MznResult> {
    return new Promise((resolve) => {
      // detached: its own process group, so a stop reaches the solver child (fzn-gecode) too
      const child = spawn(this.executable, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let pending = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        pending += chunk;
        let nl = pending.indexOf('\n');
        while (nl >= 0) {
          session.line(pending.slice(0, nl));
          pending = pending.slice(nl + 1);
          nl = pending.indexOf('\n');
        }
      });
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => session.stderrText(chunk));

      const stopper = new ProcessStopper(child);
      const stop = (): void => {
        session.markStopped();
        stopper.stop();
      };
      const guard =
        request.timeLimitMs !== undefined ? setTimeout(stop, request.timeLimitMs + timeLimitGraceMs(request.timeLimitMs)) : undefined;
      request.signal?.addEventListener('abort', stop);

      let settled = false;
      const settle = (code: number | null): void => {
        if (settled) return;
        settled = true;
        if (guard) clearTimeout(guard);
        stopper.dispose();
        request.signal?.removeEventListener('abort', stop);
        if (pending !== '') session.line(pending);
        resolve(session.finish(code));
      };
      child.on('error', (err) => {
        session.stderrText(`cannot run ${this.executable}: ${err.message}`);
        settle(-1);
      });
      child.on('close', (code) => settle(code));
      if (request.signal?.aborted) stop();
    });
  }
}

/** SIGTERM to the process group, SIGKILL if it is still there after a moment. */
class ProcessStopper {
  private killTimer: ReturnType<typeof setTimeout> | undefined;
  constructor(private readonly child: ChildProcess) {}

  stop(): void {
    if (this.killTimer !== undefined || this.child.exitCode !== null) return;
    this.signal('SIGTERM');
    this.killTimer = setTimeout(() => this.signal('SIGKILL'), 1000);
  }

  dispose(): void {
    if (this.killTimer !== undefined) clearTimeout(this.killTimer);
    // the solver child may outlive minizinc on a kill: make sure the group is gone
    if (this.killTimer !== undefined) this.signal('SIGKILL');
  }

  private signal(sig: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        this.child.kill(sig);
      } catch {
        // already gone
      }
    }
  }
}

async function findMinizinc(): Promise<string | undefined> {
  const fromEnv = process.env['FERRY_MINIZINC'];
  if (fromEnv !== undefined && fromEnv !== '') return (await isExecutable(fromEnv)) ? fromEnv : undefined;
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, process.platform === 'win32' ? 'minizinc.exe' : 'minizinc');
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function run(executable: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(executable, args, { maxBuffer: 16 * 1024 * 1024, timeout: 30_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

/**
 * Which of our solvers a `--solvers-json` listing can run. Entries needing extra flags (CPLEX,
 * Gurobi... wrappers listed without their library) and GUI variants (Gist) are skipped.
 */
export function usableSolvers(listing: unknown): Map<MznSolverId, string> {
  const found = new Map<MznSolverId, string>();
  if (!Array.isArray(listing)) return found;
  for (const entry of listing) {
    if (typeof entry !== 'object' || entry === null) continue;
    const s = entry as Record<string, unknown>;
    const id = typeof s['id'] === 'string' ? s['id'] : '';
    const tags = Array.isArray(s['tags']) ? s['tags'].filter((t): t is string => typeof t === 'string') : [];
    if (Array.isArray(s['requiredFlags']) && s['requiredFlags'].length > 0) continue;
    if (s['isGUIApplication'] === true || id.includes('gist')) continue;
    const ours = solverOf(id, tags);
    if (ours !== undefined && !found.has(ours)) found.set(ours, id);
  }
  return found;
}

function solverOf(id: string, tags: readonly string[]): MznSolverId | undefined {
  if (id.includes('chuffed')) return 'chuffed';
  if (id.includes('highs') || tags.includes('highs')) return 'highs';
  if (id.includes('coin-bc') || id.includes('cbc') || tags.includes('cbc')) return 'coin-bc';
  if (id.includes('gecode') || tags.includes('gecode')) return 'gecode';
  return undefined;
}
