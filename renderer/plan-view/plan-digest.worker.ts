import { type DigestRequest, type DigestResult, digestPlan } from './plan-digest.js';

/**
 * The plan digest off the page's thread: a request `{ id, request }` in, `{ id, result }` out (a
 * failure is a result saying so, never a silent worker).
 */

export interface DigestMessage {
  readonly id: number;
  readonly request: DigestRequest;
}

export interface DigestReply {
  readonly id: number;
  readonly result: DigestResult | null;
}

interface WorkerScope {
  onmessage: ((event: MessageEvent<DigestMessage>) => void) | null;
  postMessage(reply: DigestReply): void;
}

const scope = globalThis as unknown as WorkerScope;

scope.onmessage = (event) => {
  const { id, request } = event.data;
  let result: DigestResult | null;
  try {
    result = digestPlan(request);
  } catch (e) {
    result = { ok: false, message: `the plan could not be laid out: ${e instanceof Error ? e.message : String(e)}` };
  }
  scope.postMessage({ id, result });
};
