import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';

import type { MznRequest, MznResult, MznRunner, MznSolution, MznSolverId } from '../../../src/solver/ports.js';
import { MODEL_FILE_NAME, MznSession, timeLimitGraceMs } from './mzn-session.js';
import { usableSolvers } from './native-runner.js';

/**
 * A MiniZinc runner over the `minizinc` npm package's WebAssembly build (Chuffed, Gecode, HiGHS,
 * COIN-BC inside), run in a `worker_threads` worker. The package's own worker script is a Web
 * Worker (`addEventListener('message')`, `postMessage`); the bootstrap below gives it those two
 * globals on top of `parentPort` and runs it as the CommonJS script it is, so Emscripten takes its
 * Node path and reads minizinc.wasm/.data from disk. A solve runs synchronously inside the worker
 * (`callMain`), so cancel terminates the worker; each solve uses a fresh one (as minizinc-js does)
 * and the next is warmed up once the solve is over.
 */

const BOOTSTRAP = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const listeners = [];
globalThis.addEventListener = (type, fn) => { if (type === 'message') listeners.push(fn); };
globalThis.postMessage = (msg) => parentPort.postMessage(msg);
parentPort.on('message', (data) => { for (const l of listeners) l({ data }); });
const file = workerData.script;
new Function('require', '__filename', '__dirname', fs.readFileSync(file, 'utf8'))(require, file, path.dirname(file));
`;

interface WorkerMessage {
  readonly type?: unknown;
  readonly code?: unknown;
  readonly stdout?: unknown;
  readonly stderr?: unknown;
  readonly value?: unknown;
}

function distDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('minizinc/minizinc-worker.js'));
}

/** Starts a worker and resolves once Emscripten has loaded minizinc.wasm and its data. */
function startWorker(dist: string): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { script: join(dist, 'minizinc-worker.js') }, stdout: true, stderr: true });
    worker.unref();
    const onMessage = (m: WorkerMessage): void => {
      if (m.type === 'ready') {
        worker.off('message', onMessage);
        worker.off('error', reject);
        resolve(worker);
      }
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    worker.postMessage({ wasmURL: join(dist, 'minizinc.wasm'), dataURL: join(dist, 'minizinc.data') });
  });
}

/** Runs MiniZinc once with plain (non-JSON-stream) output, e.g. `--solvers-json`. */
function runPlain(worker: Worker, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: WorkerMessage): void => {
      if (m.type !== 'exit') return;
      worker.off('message', onMessage);
      if (m.code === 0 && typeof m.stdout === 'string') resolve(m.stdout);
      else reject(new Error(`minizinc ${args.join(' ')} failed: ${typeof m.stderr === 'string' ? m.stderr : String(m.code)}`));
    };
    worker.on('message', onMessage);
    worker.postMessage({ jsonStream: false, args });
  });
}

export class WasmMznRunner implements MznRunner {
  readonly kind = 'wasm';
  private spare: Promise<Worker> | undefined;
  private closed = false;

  private constructor(
    private readonly dist: string,
    readonly version: string,
    readonly solvers: readonly MznSolverId[],
    private readonly solverIds: ReadonlyMap<MznSolverId, string>,
    spare: Worker,
  ) {
    this.spare = Promise.resolve(spare);
  }

  /** Loads the WASM build (≈0.5 s) and lists its solvers; the loaded worker serves the first solve. */
  static async create(): Promise<WasmMznRunner> {
    const dist = distDir();
    const worker = await startWorker(dist);
    try {
      const version = (await runPlain(worker, ['--version'])).split('\n')[0]?.trim() ?? '';
      const solverIds = usableSolvers(JSON.parse(await runPlain(worker, ['--solvers-json'])) as unknown);
      return new WasmMznRunner(dist, version, [...solverIds.keys()], solverIds, worker);
    } catch (err) {
      await worker.terminate();
      throw err;
    }
  }

  /** Stops the warm spare worker (workers are unref'd, so forgetting this never blocks exit). */
  async close(): Promise<void> {
    this.closed = true;
    const spare = this.spare;
    this.spare = undefined;
    if (spare) await (await spare).terminate();
  }

  async solve(request: MznRequest, onSolution?: (solution: MznSolution) => void): Promise<MznResult> {
    const session = new MznSession(onSolution);
    const solverId = this.solverIds.get(request.solver);
    if (solverId === undefined) {
      return { status: 'ERROR', error: `solver '${request.solver}' is not in the WASM build (has: ${this.solvers.join(', ')})`, elapsedMs: 0 };
    }
    if (this.closed) return { status: 'ERROR', error: 'the WASM runner is closed', elapsedMs: 0 };
    if (request.signal?.aborted) return session.finish(null);

    const worker = await (this.spare ?? startWorker(this.dist));
    this.spare = undefined;
    try {
      return await this.runIn(worker, request, session);
    } finally {
      await worker.terminate();
      if (!this.closed) {
        this.spare = startWorker(this.dist);
        // a failed warm-up surfaces on the next solve, not as an unhandled rejection now
        this.spare.catch(() => undefined);
      }
    }
  }

  private runIn(worker: Worker, request: MznRequest, session: MznSession): Promise<MznResult> {
    const files: Record<string, string> = { [MODEL_FILE_NAME]: request.model };
    const args = ['--output-mode', 'json', '--output-objective', '--solver', this.solverIds.get(request.solver) ?? request.solver, '-i'];
    if (request.timeLimitMs !== undefined) args.push('--time-limit', String(Math.max(1, Math.round(request.timeLimitMs))));
    args.push(MODEL_FILE_NAME);
    if (Object.keys(request.data).length > 0) {
      files['data.json'] = JSON.stringify(request.data);
      args.push('data.json');
    }
    return new Promise((resolve) => {
      let settled = false;
      const settle = (code: number | null): void => {
        if (settled) return;
        settled = true;
        if (guard) clearTimeout(guard);
        request.signal?.removeEventListener('abort', stop);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        resolve(session.finish(code));
      };
      const stop = (): void => {
        session.markStopped();
        // the solve blocks the worker thread: only terminating it stops MiniZinc
        void worker.terminate().then(() => settle(null));
      };
      const onMessage = (m: WorkerMessage): void => {
        if (m.type === 'exit') {
          if (typeof m.stderr === 'string') session.stderrText(m.stderr);
          settle(typeof m.code === 'number' ? m.code : -1);
        } else if (m.type === 'stdout') {
          if (typeof m.value === 'string') session.line(m.value);
        } else {
          session.message(m);
        }
      };
      const onError = (err: Error): void => {
        session.stderrText(`the MiniZinc worker failed: ${err.message}`);
        settle(-1);
      };
      // a worker that dies on its own (an Emscripten abort) ends the solve too
      const onExit = (): void => settle(-1);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      const guard = request.timeLimitMs !== undefined ? setTimeout(stop, request.timeLimitMs + timeLimitGraceMs(request.timeLimitMs)) : undefined;
      request.signal?.addEventListener('abort', stop);
      worker.postMessage({ jsonStream: true, files, args });
    });
  }
}
