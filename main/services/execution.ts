import type { Constraint } from '../../src/catalogue/constraint.js';
import type { Clock, InventorySnapshot } from '../../src/cluster/ports.js';
import type { ClusterFacts } from '../../src/executor/facts.js';
import { applyNamedInPlace, expectedFacts, factsOf, inFlightActions, preflight, verify } from '../../src/executor/facts.js';
import { diffPlans } from '../../src/executor/diff.js';
import { isFinal, transition } from '../../src/executor/machine.js';
import { runProgress } from '../../src/executor/progress.js';
import { namedNodes, namedVm, nextStepNumber, stepsFromPlan } from '../../src/executor/steps.js';
import type { ExecCommand, ExecEvent, Run, RunProgress, Step, Transition } from '../../src/executor/types.js';
import type { Instance } from '../../src/instance/instance.js';
import { planToJson } from '../../src/plan/json.js';
import type { Plan } from '../../src/plan/plan.js';
import { type Journal, JournalError, type RevisionRecord, type RunMeta } from '../node/journal/journal.js';
import type { ClusterHandle } from './cluster.js';
import type { PlanningService, PlanRequest } from './planning.js';

/**
 * The execution service: the imperative shell around the pure executor (src/executor). For each
 * event it computes the transition, writes the new state to the journal (committed, fsynced), and
 * only then carries out the commands through the cluster's ports, feeding their results back as
 * events. Nothing is acted upon that the journal does not already say.
 */

/** What the origin of a plan revision was: the facts it assumed, and the steps already applied in them. */
export interface RevisionOrigin {
  readonly facts: ClusterFacts;
  /** Ids of the steps that had succeeded when this revision was planned (already in `facts`). */
  readonly applied: readonly string[];
}

export interface RunContext {
  readonly journal: Journal;
  readonly cluster: ClusterHandle;
  readonly planning: PlanningService;
  readonly clock: Clock;
  /** `user@host` of the operator driving this process. */
  readonly actor: string;
  /** How a re-plan is computed (the run's own planning options, script excluded). */
  readonly replanRequest: (live: Instance) => PlanRequest;
  /** The effect timeout of a step (ms). */
  readonly stepTimeoutMs: (step: Step) => number;
  /** How often the lock's heartbeat is written (ms); 0 disables it (tests). */
  readonly heartbeatMs?: number;
}

export type RunListener = (run: Run, cause: ExecEvent | null, refused?: string) => void;

/** Journal progress rows at most this often per step: progress is not a state change anyone acts on. */
const PROGRESS_JOURNAL_MS = 2_000;
/**
 * Progress reaches the executor (and so every front end, which redraws the run on each change) at
 * most this often per step. An effector may report at every poll (the demo's polls every 50 ms):
 * two migrations so sent 60 events a second, each carrying the whole run, and kept a busy console
 * from answering clicks.
 */
const PROGRESS_EVENT_MS = 500;

export class RunDriver {
  private current: Run;
  private readonly revisions: RevisionRecord[];
  private readonly controllers = new Map<string, AbortController>();
  private readonly listeners = new Set<RunListener>();
  private readonly progressJournaledAt = new Map<string, number>();
  private readonly progressSentAt = new Map<string, number>();
  private reading: Promise<InventorySnapshot> | null = null;
  private nextRead: { readonly nodes: Set<string>; readonly vms: Set<string>; readonly promise: Promise<InventorySnapshot> } | null = null;
  private expectation: { readonly revision: number; readonly facts: ClusterFacts; readonly applied: Set<string> } | null = null;
  /** Steps whose verification could not reach a host, since when (ms). */
  private readonly silentSince = new Map<string, number>();
  private inFlight = 0;
  private replanning = false;
  private fatal: Error | null = null;
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  private settleWaiters: (() => void)[] = [];

  constructor(
    private readonly ctx: RunContext,
    run: Run,
    readonly meta: RunMeta,
    revisions: readonly RevisionRecord[],
  ) {
    this.current = run;
    this.revisions = [...revisions];
    if ((ctx.heartbeatMs ?? 10_000) > 0 && !isFinal(run)) {
      this.heartbeatTimer = setInterval(() => this.beat(), ctx.heartbeatMs ?? 10_000);
      this.heartbeatTimer.unref();
    }
  }

  get run(): Run {
    return this.current;
  }

  get runId(): string {
    return this.current.runId;
  }

  /** The journal error that stopped this driver, if any: nothing was acted upon after it. */
  get failure(): Error | null {
    return this.fatal;
  }

  progress(): RunProgress {
    return runProgress(this.current, this.ctx.clock.now());
  }

  subscribe(listener: RunListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Applies one event: transition, journal, then commands. Operator events are refused (with the
   * reason) when the state does not allow them. A journal that cannot be written stops the driver:
   * the error is thrown and nothing more is started.
   */
  dispatch(event: ExecEvent): Transition {
    if (this.fatal) throw this.fatal;
    const t = transition(this.current, event);
    if (t.refused !== undefined) {
      this.emit(this.current, event, t.refused);
      return t;
    }
    if (this.shouldJournal(event)) {
      try {
        this.ctx.journal.record(this.current.runId, event, t.run);
      } catch (e) {
        this.stop(e instanceof Error ? e : new Error(String(e)));
        throw this.fatal;
      }
    }
    this.current = t.run;
    this.emit(t.run, event);
    for (const command of t.commands) this.launch(command);
    if (isFinal(t.run)) this.finish();
    this.checkSettled();
    return t;
  }

  /** Resolves once the run is final and every command it started has come back. */
  settled(): Promise<Run> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        if (this.fatal) {
          reject(this.fatal);
          return true;
        }
        if (isFinal(this.current) && this.inFlight === 0) {
          resolve(this.current);
          return true;
        }
        return false;
      };
      if (!check()) this.settleWaiters.push(() => void check());
    });
  }

  /** Stops timers; running effects keep going on the cluster (as after a crash) unless aborted first. */
  close(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private shouldJournal(event: ExecEvent): boolean {
    if (event.type !== 'effect-progress') return true;
    const last = this.progressJournaledAt.get(event.stepId) ?? 0;
    if (event.at - last < PROGRESS_JOURNAL_MS) return false;
    this.progressJournaledAt.set(event.stepId, event.at);
    return true;
  }

  private emit(run: Run, cause: ExecEvent | null, refused?: string): void {
    for (const l of this.listeners) l(run, cause, refused);
  }

  private finish(): void {
    this.close();
    try {
      this.ctx.journal.releaseLock(this.current.clusterId, this.current.runId);
    } catch {
      // a lock that cannot be released is stale once this process exits: the next run says so
    }
  }

  private beat(): void {
    try {
      this.ctx.journal.heartbeat(this.current.clusterId, this.current.runId, this.ctx.clock.now());
    } catch (e) {
      // another process took this run's lock over (it judged this one gone): nothing more may start here
      if (e instanceof JournalError && e.code === 'locked') this.stop(e);
      // any other failure: the next journal write reports it
    }
  }

  /**
   * The journal cannot follow (full disk, lock taken over): nothing more is acted upon, and running
   * effects are left alone, as after a crash — cancelling them would itself be an act the journal
   * cannot record. The run is reconciled from the cluster when it is resumed.
   */
  private stop(error: Error): void {
    this.fatal = error;
    this.close();
    this.checkSettled();
  }

  private checkSettled(): void {
    if (!this.fatal && !(isFinal(this.current) && this.inFlight === 0)) return;
    const waiters = this.settleWaiters;
    this.settleWaiters = [];
    for (const w of waiters) w();
  }

  /** Runs one command asynchronously; its result comes back as an event. */
  private launch(command: ExecCommand): void {
    if (command.type === 'cancel') {
      this.controllers.get(command.stepId)?.abort();
      return;
    }
    this.inFlight++;
    void this.carryOut(command)
      .catch((e: unknown) => this.commandFailed(command, e))
      .finally(() => {
        this.inFlight--;
        this.checkSettled();
      });
  }

  private async carryOut(command: Exclude<ExecCommand, { type: 'cancel' }>): Promise<void> {
    switch (command.type) {
      case 'preflight':
        return this.preflight(command.stepId);
      case 'perform':
        return this.perform(command.stepId, command.requestId);
      case 'verify':
        return this.verify(command.stepId, command.delayMs);
      case 'replan':
        return this.replan(command.reason);
    }
  }

  /** A command that threw (a provider bug, a journal error): never silently lost. */
  private commandFailed(command: ExecCommand, e: unknown): void {
    if (this.fatal) return;
    const message = e instanceof Error ? e.message : String(e);
    const at = this.ctx.clock.now();
    const safe = (event: ExecEvent): void => {
      try {
        this.dispatch(event);
      } catch {
        // already recorded as fatal
      }
    };
    if (command.type === 'preflight') safe({ type: 'preflight-blocked', at, stepId: command.stepId, reason: `cannot read the cluster: ${message}` });
    else if (command.type === 'perform') safe({ type: 'effect-ended', at, stepId: command.stepId, outcome: { status: 'failed', error: message } });
    else if (command.type === 'verify') safe({ type: 'verified', at, stepId: command.stepId, result: 'in-flight', detail: `cannot read the cluster (${message}); reading again` });
    else if (command.type === 'replan') safe({ type: 'replan-failed', at, reason: `re-plan failed: ${message}` });
  }

  private step(stepId: string): Step {
    const step = this.current.steps.find((s) => s.id === stepId);
    if (!step) throw new Error(`step ${stepId} is not part of run ${this.current.runId}`);
    return step;
  }

  private scopeOf(step: Step): { nodes: string[]; vms: string[] } {
    const vm = namedVm(step.action);
    return { nodes: namedNodes(step.action), vms: vm === null ? [] : [vm] };
  }

  /**
   * A fresh read for a step's checks. Reads are coalesced: while one is in flight, every step that
   * asks joins the next one, which starts when it ends, over the union of their scopes. A burst of
   * steps (an unattended run makes hundreds ready at once) so costs two reads, not hundreds of
   * cluster snapshots alive together; and each step still gets a read begun after it asked.
   */
  private read(step: Step): Promise<InventorySnapshot> {
    const scope = this.scopeOf(step);
    if (this.reading === null) return this.beginRead(scope.nodes, scope.vms);
    if (this.nextRead === null) {
      const nodes = new Set<string>();
      const vms = new Set<string>();
      const after = (): Promise<InventorySnapshot> => {
        this.nextRead = null;
        return this.beginRead([...nodes], [...vms]);
      };
      this.nextRead = { nodes, vms, promise: this.reading.then(after, after) };
    }
    for (const n of scope.nodes) this.nextRead.nodes.add(n);
    for (const v of scope.vms) this.nextRead.vms.add(v);
    return this.nextRead.promise;
  }

  private beginRead(nodes: readonly string[], vms: readonly string[]): Promise<InventorySnapshot> {
    const read = this.ctx.cluster.provider.read({ nodes, vms });
    this.reading = read;
    const done = (): void => {
      if (this.reading === read) this.reading = null;
    };
    read.then(done, done);
    return read;
  }

  private async preflight(stepId: string): Promise<void> {
    const step = this.step(stepId);
    const live = await this.read(step);
    const verdict = preflight(this.expected(), live, step, inFlightActions(this.current, stepId));
    const at = this.ctx.clock.now();
    const done = verdict.kind === 'drift' && step.attempts > 0 ? verify(live, step) : null;
    // an earlier attempt's effect, found finished now: the step is done, not drift (the executor checks it was attempted)
    if (done?.result === 'done') this.dispatch({ type: 'verified', at, stepId, result: 'done', detail: `found done before trying again: ${done.detail}` });
    else if (verdict.kind === 'ok') this.dispatch({ type: 'preflight-ok', at, stepId });
    else if (verdict.kind === 'drift') this.dispatch({ type: 'preflight-drift', at, stepId, drift: verdict.drift });
    else this.dispatch({ type: 'preflight-blocked', at, stepId, reason: verdict.reason });
  }

  /**
   * What the current revision assumes now: its origin plus the steps that succeeded since. Kept up
   * to date step by step (a succeeded step never changes, so each is applied once); rebuilt only
   * when the revision changes. Copying a large cluster's facts on every preflight would cost
   * O(cluster) per step.
   */
  expected(): ClusterFacts {
    const record = this.revisions.find((r) => r.revision === this.current.revision) ?? this.revisions[0];
    if (!record) throw new Error(`run ${this.current.runId} has no plan revision`);
    const origin = record.originFacts as RevisionOrigin;
    if (this.expectation?.revision !== record.revision) {
      this.expectation = { revision: record.revision, facts: expectedFacts(origin.facts, this.current, new Set(origin.applied)), applied: new Set([...origin.applied, ...this.succeededIds()]) };
      return this.expectation.facts;
    }
    const fresh = this.current.steps.filter((s) => s.state === 'succeeded' && !this.expectation?.applied.has(s.id)).sort((x, y) => x.plannedEnd - y.plannedEnd);
    for (const step of fresh) {
      applyNamedInPlace(this.expectation.facts, step.action);
      this.expectation.applied.add(step.id);
    }
    return this.expectation.facts;
  }

  private succeededIds(): string[] {
    return this.current.steps.filter((s) => s.state === 'succeeded').map((s) => s.id);
  }

  private async perform(stepId: string, requestId: string): Promise<void> {
    const step = this.step(stepId);
    const controller = new AbortController();
    this.controllers.set(stepId, controller);
    try {
      const outcome = await this.ctx.cluster.effector.perform({
        requestId,
        action: step.action,
        timeoutMs: this.ctx.stepTimeoutMs(step),
        signal: controller.signal,
        onProgress: (progress) => {
          if (this.fatal || this.step(stepId).phase !== 'executing') return;
          const at = this.ctx.clock.now();
          if (at - (this.progressSentAt.get(stepId) ?? Number.NEGATIVE_INFINITY) < PROGRESS_EVENT_MS && progress.fraction < 1) return;
          this.progressSentAt.set(stepId, at);
          this.dispatch({ type: 'effect-progress', at, stepId, progress });
        },
      });
      this.dispatch({ type: 'effect-ended', at: this.ctx.clock.now(), stepId, outcome });
    } finally {
      this.controllers.delete(stepId);
      this.progressSentAt.delete(stepId);
    }
  }

  private async verify(stepId: string, delayMs: number): Promise<void> {
    if (delayMs > 0) await sleep(delayMs);
    if (this.fatal) return;
    const step = this.step(stepId);
    const live = await this.read(step);
    const verdict = this.giveUpOnSilence(step, live, verify(live, step));
    this.dispatch({ type: 'verified', at: this.ctx.clock.now(), stepId, ...verdict });
  }

  /**
   * A host that stays silent would keep a step verifying forever. Once it has been silent for the
   * step's whole timeout, the step is reported not done, with the uncertainty said: the operator
   * decides, and a retry's preflight re-reads the host before anything runs again.
   */
  private giveUpOnSilence(step: Step, live: InventorySnapshot, verdict: { result: 'done' | 'in-flight' | 'not-done'; detail: string }): { result: 'done' | 'in-flight' | 'not-done'; detail: string } {
    const silent = verdict.result === 'in-flight' ? namedNodes(step.action).find((n) => live.hosts.some((h) => h.name === n && !h.reachable)) : undefined;
    if (silent === undefined) {
      this.silentSince.delete(step.id);
      return verdict;
    }
    const now = this.ctx.clock.now();
    const since = this.silentSince.get(step.id) ?? now;
    this.silentSince.set(step.id, since);
    if (now - since < this.ctx.stepTimeoutMs(step)) return verdict;
    this.silentSince.delete(step.id);
    return { result: 'not-done', detail: `host ${silent} has not answered for ${Math.round((now - since) / 1000)} s: whether ${step.id} happened is unknown until it answers (a retry re-reads it first)` };
  }

  /**
   * Plans again from the live state with the run's own script and options, and proposes the
   * difference against the current revision. One re-plan at a time: a second drift while one is
   * being computed is covered by it.
   */
  private async replan(reason: string): Promise<void> {
    if (this.replanning) return;
    this.replanning = true;
    try {
      const live = await this.ctx.cluster.provider.read();
      const instance: Instance = { model: live.model, constraints: [], objective: { id: 'minimizeMTTR' } };
      const outcome = await this.ctx.planning.compute(this.ctx.replanRequest(instance));
      const at = this.ctx.clock.now();
      if (outcome.kind === 'script-errors') {
        this.dispatch({ type: 'replan-failed', at, reason: `the run's script no longer applies to the live cluster: ${outcome.diagnostics.map((d) => d.message).join('; ')}` });
        return;
      }
      const plan = outcome.result.plan;
      if (!plan) {
        const why = outcome.result.explanation?.join('; ') ?? outcome.result.status;
        this.dispatch({ type: 'replan-failed', at, reason: `no plan from the live state: ${why}` });
        return;
      }
      this.propose(plan, live, outcome, reason);
    } finally {
      this.replanning = false;
    }
  }

  private propose(plan: Plan, live: InventorySnapshot, planned: { readonly constraintHash: string; readonly constraints: readonly Constraint[] }, reason: string): void {
    const { constraintHash } = planned;
    const firstId = Math.max(nextStepNumber(this.current), 1 + Math.max(0, ...(this.current.replan?.steps.map((s) => Number(s.id.slice(1)) || 0) ?? [])));
    const { steps, diff } = diffPlans(this.current, stepsFromPlan(plan, { firstId, constraints: planned.constraints }));
    const revision = 1 + Math.max(this.current.revision, ...this.revisions.map((r) => r.revision));
    const origin: RevisionOrigin = { facts: factsOf(live.model), applied: this.current.steps.filter((s) => s.state === 'succeeded').map((s) => s.id) };
    const record: RevisionRecord = { revision, constraintHash, plan: planToJson(plan), originFacts: origin, createdAt: this.ctx.clock.now(), reason: `re-plan: ${reason}` };
    this.ctx.journal.addRevision(this.current.runId, record);
    this.revisions.push(record);
    this.dispatch({ type: 'replan-proposed', at: this.ctx.clock.now(), proposal: { revision, reason, steps, diff, constraintHash } });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
