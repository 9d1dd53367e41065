import type { Run } from '../../src/executor/types.js';
import type { RunDriver } from './execution.js';

/**
 * What an unattended run does where an operator would decide (`ferry run --yes`): one policy,
 * in the services, so that every front end that runs a plan unattended behaves the same.
 */

/** A step held because a host does not answer: looked at again this often, this many times. */
const BLOCKED_RETRY_MS = 2_000;
const BLOCKED_RETRIES = 5;

/** One unattended run: its driver, who decides, and how often each blocked step was looked at again. */
interface Follower {
  readonly driver: RunDriver;
  readonly by: string;
  readonly blockedTries: Map<string, number>;
  /** Steps with a look already scheduled: one at a time, whatever else changes meanwhile. */
  readonly waiting: Set<string>;
}

/**
 * Failures stop the run, re-plans are accepted (each printed with its difference), and a step
 * held because a host does not answer is checked again a few times before the run is aborted
 * (nobody is there to decide).
 */
function decide(f: Follower, run: Run): void {
  queueMicrotask(() => {
    const now = f.driver.run;
    if (now !== run || now.stopping !== null) return; // a newer state will be decided on
    const failed = now.steps.find((s) => s.state === 'failed');
    if (failed) f.driver.dispatch({ type: 'failure-choice', at: Date.now(), by: f.by, stepId: failed.id, choice: 'stop' });
    else if (now.replan) f.driver.dispatch({ type: 'replan-accepted', at: Date.now(), by: f.by });
    for (const step of now.steps.filter((s) => s.state === 'held' && s.heldBy === 'ferry')) retryBlocked(f, step.id);
  });
}

function retryBlocked(f: Follower, stepId: string): void {
  const { driver, by } = f;
  if (f.waiting.has(stepId)) return;
  const tries = (f.blockedTries.get(stepId) ?? 0) + 1;
  f.blockedTries.set(stepId, tries);
  if (tries > BLOCKED_RETRIES) {
    driver.dispatch({ type: 'abort', at: Date.now(), by, reason: `${stepId} stayed blocked (${driver.run.steps.find((s) => s.id === stepId)?.reason ?? 'precondition'}) and nobody is there to decide` });
    return;
  }
  f.waiting.add(stepId);
  setTimeout(() => {
    f.waiting.delete(stepId);
    const step = driver.run.steps.find((s) => s.id === stepId);
    if (step?.state === 'held' && step.heldBy === 'ferry' && driver.failure === null) driver.dispatch({ type: 'release', at: Date.now(), by, stepId });
  }, BLOCKED_RETRY_MS);
}

/** Applies the unattended policy to every state of the run from now on. */
export function followUnattended(driver: RunDriver, by: string): () => void {
  const follower: Follower = { driver, by, blockedTries: new Map(), waiting: new Set() };
  decide(follower, driver.run);
  return driver.subscribe((run) => decide(follower, run));
}
