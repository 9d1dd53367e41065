import { useEffect, useMemo, useReducer } from 'react';

import type { Step } from '../../src/executor/types.js';
import { type DigestRequest, type DigestResult, digestPlan } from './plan-digest.js';
import type { DigestMessage, DigestReply } from './plan-digest.worker.js';
import { decodedPlanOf, originKeyOf } from './plan-model.js';

/**
 * A computed plan's digest (plan-digest.ts) for the screens: worked out in a worker, once per
 * result, so that a 3,421-step plan over 5,000 hosts arriving does not stop the page (the decoding
 * alone takes seconds on a loaded machine). Where no worker can start (a DOM without workers, a
 * shell that refuses one) it is worked out on this thread, as before.
 */

export type DigestState = { readonly status: 'none' } | { readonly status: 'pending' } | { readonly status: 'done'; readonly result: DigestResult };

const NONE: DigestState = { status: 'none' };
const PENDING: DigestState = { status: 'pending' };

/** By result object: the screen, the comparison and the rehearsal share one digest. */
const digests = new WeakMap<DigestRequest['result'], DigestResult>();

interface Waiting {
  /** As the screen gave it, origin included. */
  readonly request: DigestRequest;
  readonly resolve: (result: DigestResult | null) => void;
}

/** Origins sent to the worker (it may have dropped some since: it then asks again). */
const inWorker = new Set<string>();

/** undefined: not started yet; null: no worker here. */
let worker: Worker | null | undefined;
let nextId = 1;
const waiting = new Map<number, Waiting>();

function digestWorker(): Worker | null {
  if (worker !== undefined) return worker;
  if (typeof Worker === 'undefined') return (worker = null);
  try {
    const started = new Worker(new URL('./plan-digest.worker.ts', import.meta.url), { type: 'module' });
    started.onmessage = (event: MessageEvent<DigestReply>) => {
      const reply = event.data;
      const w = waiting.get(reply.id);
      waiting.delete(reply.id);
      if (w === undefined) return;
      if ('missingOrigin' in reply) {
        // the worker dropped that origin since: send it again with its JSON
        const origin = w.request.result.plan?.origin;
        if (origin !== undefined) inWorker.delete(originKeyOf(origin));
        post(started, w);
      } else w.resolve(reply.result);
    };
    // the worker could not start (or broke): what waits for it is worked out here instead
    started.onerror = () => {
      started.terminate();
      worker = null;
      for (const w of waiting.values()) w.resolve(digestHere(w.request));
      waiting.clear();
    };
    worker = started;
  } catch {
    worker = null;
  }
  return worker;
}

function digestHere(request: DigestRequest): DigestResult | null {
  try {
    const origin = request.result.plan?.origin;
    return digestPlan(origin === undefined ? request : { ...request, originKey: originKeyOf(origin) });
  } catch (e) {
    return { ok: false, message: `the plan could not be laid out: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function digestElsewhere(request: DigestRequest): Promise<DigestResult | null> {
  const w = digestWorker();
  if (w === null) return Promise.resolve(digestHere(request));
  return new Promise((resolve) => post(w, { request, resolve }));
}

/**
 * The origin stays on this thread, named by its key, and crosses once: structured-cloning 40,000
 * VMs with each plan would cost this thread more than the worker saves it.
 */
function post(w: Worker, job: Waiting): void {
  const id = nextId++;
  waiting.set(id, job);
  const { request } = job;
  const plan = request.result.plan;
  if (plan === null || plan.origin === undefined) {
    w.postMessage({ id, request } satisfies DigestMessage);
    return;
  }
  const originKey = originKeyOf(plan.origin);
  const lean: DigestRequest = { ...request, originKey, result: { stepIds: request.result.stepIds, plan: { actions: plan.actions } } };
  const message: DigestMessage = inWorker.has(originKey) ? { id, request: lean } : { id, request: lean, origin: plan.origin };
  inWorker.add(originKey);
  w.postMessage(message);
}

/**
 * `request` must keep its identity while its plan is shown (memoise it). The state keeps its
 * identity as long as the digest is the same, so that it can be deferred (useDeferredValue) and
 * memoised on.
 */
export function usePlanDigest(request: DigestRequest | null): DigestState {
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const result = request?.result;
  let known = result === undefined ? undefined : digests.get(result);
  if (request !== null && request.result.plan !== null && known === undefined && digestWorker() === null) {
    const here = digestHere(request);
    if (here !== null) digests.set(request.result, here);
    known = here ?? undefined;
  }
  useEffect(() => {
    if (request === null || request.result.plan === null || digests.has(request.result)) return undefined;
    let live = true;
    void digestElsewhere(request).then((r) => {
      if (r !== null) digests.set(request.result, r);
      if (live) redraw();
    });
    return () => {
      live = false;
    };
  }, [request]);
  const none = request === null || request.result.plan === null;
  const done = useMemo<DigestState | null>(() => (known === undefined ? null : { status: 'done', result: known }), [known]);
  if (none) return NONE;
  return done ?? PENDING;
}

/** The steps of a result: its digest's when there is one, else decoded here (once per result). */
export function stepsOf(result: DigestRequest['result']): readonly Step[] {
  const known = digests.get(result);
  if (known?.ok) return known.digest.steps;
  const origin = result.plan?.origin;
  // the plans on one origin share its decoding (a what-if's previous and current plans)
  const read = decodedPlanOf(result, origin === undefined ? undefined : originKeyOf(origin));
  return read?.ok ? read.steps : [];
}
