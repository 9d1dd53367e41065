/**
 * A planner worker thread (started by parallel.ts): rebuilds the planner's problem and repair
 * once from the model JSON, the constraints and the evicted VMs, then solves the parts it is
 * sent, one at a time, with the same pure `solvePart` as the in-process path. A shared flag stops
 * the search at once (the part then answers with its best so far). Every failure is answered as
 * a message naming the part; nothing is thrown out of the thread on purpose.
 */
import { parentPort, workerData } from 'node:worker_threads';

import type { Constraint } from '../../../src/catalogue/constraint.js';
import { type PartResult, type PartTask, type PlacementProblemAndRepair, repairFromEvicted, solvePart } from '../../../src/solver/decompose.js';
import { modelFromJson } from '../../../src/instance/json.js';
import { formatJsonError } from '../../../src/json/read.js';
import type { VmId } from '../../../src/model/index.js';
import { type PlacementObjective, reduce } from '../../../src/solver/problem.js';

/** What parallel.ts hands every worker (structured-cloned). */
export interface WorkerInit {
  readonly model: unknown;
  readonly constraints: readonly Constraint[];
  readonly objective: PlacementObjective;
  readonly evicted: readonly VmId[];
  /** Int32Array over it: [0] = 1 asks every part to stop. */
  readonly stop: SharedArrayBuffer;
}

export type WorkerRequest = { readonly type: 'solve'; readonly task: PartTask };
export type WorkerReply =
  | { readonly type: 'ready'; readonly setupMs: number }
  | { readonly type: 'result'; readonly result: PartResult }
  | { readonly type: 'error'; readonly index: number | null; readonly message: string };

const port = parentPort;
if (!port) throw new Error('planner-worker.ts runs as a worker thread only');
const init = workerData as WorkerInit;
const stopFlag = new Int32Array(init.stop);
const shouldStop = (): boolean => Atomics.load(stopFlag, 0) === 1;

function setup(): PlacementProblemAndRepair | string {
  const model = modelFromJson(init.model, '$.model');
  if (!model.ok) return `the model does not load in the worker: ${formatJsonError(model.error)}`;
  const problem = reduce({ model: model.value, constraints: init.constraints, objective: { id: 'minimizeMTTR' } }, { objective: init.objective });
  return { problem, repair: repairFromEvicted(problem, init.evicted) };
}

const t0 = Date.now();
let ready: PlacementProblemAndRepair | undefined;
try {
  const built = setup();
  if (typeof built === 'string') port.postMessage({ type: 'error', index: null, message: built } satisfies WorkerReply);
  else {
    ready = built;
    port.postMessage({ type: 'ready', setupMs: Date.now() - t0 } satisfies WorkerReply);
  }
} catch (e) {
  port.postMessage({ type: 'error', index: null, message: `setting up the problem failed: ${describe(e)}` } satisfies WorkerReply);
}

port.on('message', (request: WorkerRequest) => {
  if (!ready) return;
  const index = request.task.index;
  try {
    const result = solvePart(ready.problem, ready.repair, request.task, shouldStop);
    port.postMessage({ type: 'result', result } satisfies WorkerReply);
  } catch (e) {
    port.postMessage({ type: 'error', index, message: describe(e) } satisfies WorkerReply);
  }
});

function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  // the first frame says where, in the compiled sources
  const frame = e.stack?.split('\n').find((l) => l.trim().startsWith('at '));
  return frame ? `${e.message} (${frame.trim()})` : e.message;
}
