import { type DigestRequest, type DigestResult, digestPlan } from './plan-digest.js';
import { keepOrigin, keptOrigin } from './plan-model.js';

/**
 * The plan digest off the page's thread: a request `{ id, request }` in, `{ id, result }` out (a
 * failure is a result saying so, never a silent worker). The plan's origin crosses once: a request
 * names it by `originKey` and brings its JSON only when this worker may not have it decoded; one
 * it no longer keeps is asked for again (`missingOrigin`).
 */

export interface DigestMessage {
  readonly id: number;
  readonly request: DigestRequest;
  /** The origin's JSON, for `request.originKey`, when this worker may not keep it. */
  readonly origin?: unknown;
}

export type DigestReply = { readonly id: number; readonly result: DigestResult | null } | { readonly id: number; readonly missingOrigin: true };

interface WorkerScope {
  onmessage: ((event: MessageEvent<DigestMessage>) => void) | null;
  postMessage(reply: DigestReply): void;
}

const scope = globalThis as unknown as WorkerScope;

scope.onmessage = (event) => {
  const { id, request, origin } = event.data;
  const key = request.originKey;
  if (key !== undefined && origin !== undefined) keepOrigin(key, origin);
  else if (key !== undefined && keptOrigin(key) === undefined) {
    scope.postMessage({ id, missingOrigin: true });
    return;
  }
  let result: DigestResult | null;
  try {
    result = digestPlan(request);
  } catch (e) {
    result = { ok: false, message: `the plan could not be laid out: ${e instanceof Error ? e.message : String(e)}` };
  }
  scope.postMessage({ id, result });
};
