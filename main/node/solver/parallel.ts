import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

import { modelToJson } from '../../../src/instance/json.js';
import type { PartResult, PartTask, PartsContext, SolveParts } from '../../../src/solver/decompose.js';
import type { CancelSignal } from '../../../src/solver/ports.js';
import type { WorkerInit, WorkerReply } from './planner-worker.js';

/**
 * The planner's `solveParts` port on worker threads: a bounded pool (at most one worker per core
 * and per part) that rebuilds the problem once per worker, then takes parts from a shared queue.
 * Cancel sets a shared flag: running parts answer at once with their best so far, queued parts
 * are dropped. A worker that fails or dies rejects the run with an error naming the part; every
 * worker is terminated when the run ends, whatever happened (`size` is 0 after `close`).
 */

let liveWorkers = 0;

/** Planner worker threads alive in this process, all pools together (0 once every pool is closed). */
export function livePlannerWorkers(): number {
  return liveWorkers;
}

export class PartSolveError extends Error {
  override name = 'PartSolveError';
}

export interface PoolOptions {
  /** Workers to start (default: one per core, at least 1). */
  readonly size?: number;
  /** The worker script (default: the compiled planner-worker.js next to this module). */
  readonly script?: URL;
  /** After a cancel, how long running parts have to answer before their worker is terminated (ms). */
  readonly cancelGraceMs?: number;
}

interface Slot {
  readonly id: number;
  readonly worker: Worker;
  alive: boolean;
  busy?: PartTask | undefined;
}

/** The compiled worker: next to this file in dist/, or dist/ seen from the sources (tests run .ts). */
export function plannerWorkerScript(): URL {
  const here = new URL('./planner-worker.js', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return here;
  const compiled = new URL(import.meta.url.replace(/\/main\/node\/solver\/parallel\.ts$/, '/dist/main/node/solver/planner-worker.js'));
  if (!existsSync(fileURLToPath(compiled))) throw new PartSolveError(`the planner worker is not compiled (${fileURLToPath(compiled)} is missing): run npm run build`);
  return compiled;
}

export class PlannerPool {
  private readonly slots: Slot[] = [];
  private readonly stopFlag: Int32Array;
  private closed = false;

  private constructor(
    private readonly init: WorkerInit,
    private readonly script: URL,
    private readonly cancelGraceMs: number,
  ) {
    this.stopFlag = new Int32Array(init.stop);
  }

  /** Starts `size` workers and waits until each has rebuilt the problem (or one fails). */
  static async start(context: PartsContext, options: PoolOptions = {}, signal?: CancelSignal): Promise<PlannerPool> {
    const init: WorkerInit = {
      model: modelToJson(context.instance.model),
      constraints: context.instance.constraints,
      objective: context.objective,
      evicted: context.evicted,
      stop: new SharedArrayBuffer(4),
    };
    const pool = new PlannerPool(init, options.script ?? plannerWorkerScript(), options.cancelGraceMs ?? 2_000);
    const size = Math.max(1, options.size ?? availableParallelism());
    // a cancel while the workers rebuild the problem stops them at once
    const onAbort = (): void => void pool.close();
    signal?.addEventListener('abort', onAbort);
    try {
      if (signal?.aborted) throw new PartSolveError('cancelled');
      await Promise.all(Array.from({ length: size }, (_, id) => pool.spawn(id)));
      if (signal?.aborted) throw new PartSolveError('cancelled');
    } catch (e) {
      await pool.close();
      throw e;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    return pool;
  }

  /** Live workers. */
  get size(): number {
    return this.slots.filter((s) => s.alive).length;
  }

  private spawn(id: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(this.script, { workerData: this.init });
      const slot: Slot = { id, worker, alive: true };
      this.slots.push(slot);
      liveWorkers++;
      // an error between runs must not go unheard (an 'error' without listener throws): the
      // worker is gone and its 'exit' follows; runs and starts report errors themselves
      worker.on('error', () => undefined);
      worker.once('exit', () => {
        slot.alive = false;
        liveWorkers--;
      });
      const onMessage = (m: WorkerReply): void => {
        cleanup();
        if (m.type === 'ready') resolve();
        else reject(new PartSolveError(`planner worker ${id}: ${m.type === 'error' ? m.message : `unexpected ${m.type} message`}`));
      };
      const onError = (e: Error): void => {
        cleanup();
        reject(new PartSolveError(`planner worker ${id} failed while starting: ${e.message}`));
      };
      const onExit = (code: number): void => {
        cleanup();
        reject(new PartSolveError(`planner worker ${id} exited with code ${code} while starting`));
      };
      const cleanup = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
  }

  /**
   * Solves the tasks, each on the first free worker. Resolves with the results of the parts that
   * ran (all of them unless cancelled); rejects on the first part a worker could not solve.
   * A cancel is final: the pool runs nothing more (close it).
   */
  run(tasks: readonly PartTask[], signal?: CancelSignal): Promise<PartResult[]> {
    if (this.closed) return Promise.reject(new PartSolveError('the planner pool is closed'));
    const queue = [...tasks];
    const results: PartResult[] = [];
    return new Promise<PartResult[]>((resolve, reject) => {
      let settled = false;
      let graceTimer: ReturnType<typeof setTimeout> | undefined;
      const listeners: (() => void)[] = [];
      const finish = (error?: Error): void => {
        if (settled) return;
        settled = true;
        if (graceTimer) clearTimeout(graceTimer);
        for (const off of listeners) off();
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve(results);
      };
      const idle = (): boolean => this.slots.every((s) => !s.alive || s.busy === undefined);
      const dispatch = (slot: Slot): void => {
        if (!slot.alive) return;
        const task = Atomics.load(this.stopFlag, 0) === 1 ? undefined : queue.shift();
        if (!task) {
          if (idle()) finish();
          return;
        }
        slot.busy = task;
        slot.worker.postMessage({ type: 'solve', task });
      };
      const located = (slot: Slot, what: string): PartSolveError => {
        const task = slot.busy;
        const where = task ? `part ${task.index} (${task.vms.length} VM(s) on ${task.nodes.length} node(s))` : 'no part';
        return new PartSolveError(`planner worker ${slot.id}, ${where}: ${what}`);
      };
      for (const slot of this.slots) {
        if (!slot.alive) continue;
        const onMessage = (m: WorkerReply): void => {
          if (m.type === 'result') {
            results.push(m.result);
            slot.busy = undefined;
            dispatch(slot);
          } else if (m.type === 'error') finish(located(slot, m.message));
        };
        const onError = (e: Error): void => finish(located(slot, `the worker crashed: ${e.message}`));
        const onExit = (code: number): void => finish(located(slot, `the worker exited with code ${code}`));
        slot.worker.on('message', onMessage);
        slot.worker.on('error', onError);
        slot.worker.on('exit', onExit);
        listeners.push(() => {
          slot.worker.off('message', onMessage);
          slot.worker.off('error', onError);
          slot.worker.off('exit', onExit);
        });
      }
      const onAbort = (): void => {
        Atomics.store(this.stopFlag, 0, 1);
        queue.length = 0;
        if (idle()) finish();
        // a part deep in one step may be slow to look at the flag: do not wait for it forever
        else graceTimer = setTimeout(() => finish(), this.cancelGraceMs);
      };
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort);
      if (this.size === 0) finish(new PartSolveError('the planner pool has no live worker'));
      for (const slot of this.slots) if (!settled) dispatch(slot);
    });
  }

  /** Stops every worker (running parts are abandoned). */
  async close(): Promise<void> {
    this.closed = true;
    Atomics.store(this.stopFlag, 0, 1);
    // terminate() resolves once the thread has exited (its 'exit' handler has run)
    await Promise.all(this.slots.map((s) => (s.alive ? s.worker.terminate() : undefined)));
  }
}

/**
 * The `solveParts` port for `plan()`: a pool per call, as large as the cores and the parts allow,
 * always closed at the end.
 */
export function workerPartSolver(options: PoolOptions & { readonly maxWorkers?: number } = {}): SolveParts {
  const workers = Math.max(1, options.maxWorkers ?? availableParallelism());
  return {
    workers,
    async solve(context, tasks, signal) {
      if (tasks.length === 0 || signal?.aborted) return [];
      let pool: PlannerPool;
      try {
        pool = await PlannerPool.start(context, { ...options, size: Math.min(workers, tasks.length) }, signal);
      } catch (e) {
        // cancelled while starting: nothing ran, the caller keeps what it has
        if (signal?.aborted) return [];
        throw e;
      }
      try {
        return await pool.run(tasks, signal);
      } finally {
        await pool.close();
      }
    },
  };
}
