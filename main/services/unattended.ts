import type { Run } from '../../src/executor/types.js';
import type { RunDriver } from './execution.js';

/**
 * What an unattended run does where an operator would decide (`ferry run --yes`): one policy,
 * in the services, so that every front end that runs a plan unattended behaves the same.
 */

/** --yes, a step held because a host does not answer: looked at again this often, this many times. */
const BLOCKED_RETRY_MS = 2_000;
const BLOCKED_RETRIES = 5;
const blockedTries = new Map<string, number>();
const waiting = new Set<string>();

/**
 * --yes: failures stop the run, re-plans are accepted (each printed with its difference), and a
 * step held because a host does not answer is checked again a few times before the run is
 * aborted (nobody is there to decide).
 */
function decide(driver: RunDriver, run: Run, by: string): void {
  queueMicrotask(() => {
    const now = driver.run;
    if (now !== run || now.stopping !== null) return; // a newer state will be decided on
    const failed = now.steps.find((s) => s.state === 'failed');
    if (failed) driver.dispatch({ type: 'failure-choice', at: Date.now(), by, stepId: failed.id, choice: 'stop' });
    else if (now.replan) driver.dispatch({ type: 'replan-accepted', at: Date.now(), by });
    for (const step of now.steps.filter((s) => s.state === 'held' && s.heldBy === 'ferry')) retryBlocked(driver, step.id, by);
  });
}

function retryBlocked(driver: RunDriver, stepId: string, by: string): void {
  const key = `${driver.runId}:${stepId}`;
  if (waiting.has(key)) return; // one look at a time per step, whatever else changes meanwhile
  const tries = (blockedTries.get(key) ?? 0) + 1;
  blockedTries.set(key, tries);
  if (tries > BLOCKED_RETRIES) {
    driver.dispatch({ type: 'abort', at: Date.now(), by, reason: `${stepId} stayed blocked (${driver.run.steps.find((s) => s.id === stepId)?.reason ?? 'precondition'}) and nobody is there to decide` });
    return;
  }
  waiting.add(key);
  setTimeout(() => {
    waiting.delete(key);
    const step = driver.run.steps.find((s) => s.id === stepId);
    if (step?.state === 'held' && step.heldBy === 'ferry' && driver.failure === null) driver.dispatch({ type: 'release', at: Date.now(), by, stepId });
  }, BLOCKED_RETRY_MS);
}

/** Applies the unattended policy to every state of the run from now on. */
export function followUnattended(driver: RunDriver, by: string): () => void {
  decide(driver, driver.run, by);
  return driver.subscribe((run) => decide(driver, run, by));
}
