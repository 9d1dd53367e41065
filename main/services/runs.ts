import { hostname, userInfo } from 'node:os';

import type { Constraint } from '../../src/catalogue/constraint.js';
import type { Clock, InventorySnapshot } from '../../src/cluster/ports.js';
import { safeName } from '../../src/executor/describe.js';
import { type ClusterFacts, factsOf } from '../../src/executor/facts.js';
import type { Model } from '../../src/model/index.js';
import { isFinal } from '../../src/executor/machine.js';
import { newRun, stepsFromPlan } from '../../src/executor/steps.js';
import type { Run, Step } from '../../src/executor/types.js';
import type { Instance } from '../../src/instance/instance.js';
import { planToJson } from '../../src/plan/json.js';
import { formatUtc } from '../../src/report/journal-records.js';
import type { PlanResult } from '../../src/solver/planner.js';
import type { DemoFault } from '../node/demo/index.js';
import { type Journal, type RunMeta, newRunId } from '../node/journal/journal.js';
import { type ClusterHandle, ClusterService, ClusterUnavailableError, UnknownClusterError } from './cluster.js';
import { type RevisionOrigin, RunDriver } from './execution.js';
import type { PlanOutcome, PlanningService, PlanRequest } from './planning.js';

/**
 * Runs: plan a cluster's live state under a script, journal the plan as a run, and drive it
 * (RunDriver) — or pick an interrupted run up from the journal. One run per cluster at a time,
 * enforced by the journal's lock.
 */

/** The planning options a run keeps, so that a re-plan (drift) plans the same way. */
export interface RunPlanOptions {
  readonly objective: 'mttr' | 'migrations' | 'memory';
  readonly timeLimitS: number;
  readonly maxConcurrent: number;
  readonly maxMigrations?: number;
  readonly maxMemoryGiB?: number;
  readonly windowSeconds?: number;
  readonly migrationTime: 'attributes' | 'memory';
  /** Effect timeout per step (s); default: 5 × the step's planned duration, at least 120 s. */
  readonly stepTimeoutS?: number;
}

export interface CreateRunRequest {
  readonly clusterId: string;
  readonly script: { readonly text: string; readonly name: string };
  readonly options: RunPlanOptions;
  /**
   * The plan the operator was shown and approved (computed earlier on this cluster): journaled as
   * it is, provided the cluster still is what that plan started from; without it, the live state
   * is planned now. `computedAt`: when it was computed (a plan reopened from History), for the
   * conflict's message.
   */
  readonly planned?: { readonly result: PlanResult; readonly constraintHash: string; readonly constraints: readonly Constraint[]; readonly computedAt?: number };
  /** Run against a simulated copy of the cluster instead, with these faults injected. */
  readonly rehearse?: { readonly faults: readonly DemoFault[]; readonly instance?: Instance };
}

export type CreateRunOutcome =
  | { readonly kind: 'created'; readonly driver: RunDriver; readonly result: PlanResult; readonly notes: readonly string[] }
  /** `notes` say which hosts could not be read, and why: a script naming their VMs fails for that reason. */
  | { readonly kind: 'script-errors'; readonly diagnostics: readonly { line: number; column: number; severity: string; message: string }[]; readonly notes: readonly string[] }
  | { readonly kind: 'no-plan'; readonly result: PlanResult; readonly notes: readonly string[] }
  | { readonly kind: 'conflict'; readonly message: string }
  | { readonly kind: 'bad-request'; readonly message: string };

export class RunService {
  readonly actor: string;

  constructor(
    private readonly deps: { readonly home: string; readonly journal: Journal; readonly clusters: ClusterService; readonly planning: PlanningService; readonly clock: Clock; readonly actor?: string },
  ) {
    this.actor = deps.actor ?? defaultActor();
  }

  /** Plans the live cluster under the script and journals the plan as a draft run (nothing runs yet). */
  async create(request: CreateRunRequest): Promise<CreateRunOutcome> {
    const { journal, clock } = this.deps;
    const runId = newRunId(clock.now());
    const cluster = request.rehearse
      ? await this.deps.clusters.rehearsal(request.rehearse.instance ? { instance: request.rehearse.instance } : { clusterId: request.clusterId }, runId)
      : this.deps.clusters.open(request.clusterId);
    for (const fault of request.rehearse?.faults ?? []) {
      try {
        cluster.injectFault?.(fault);
      } catch (e) {
        cluster.close();
        return { kind: 'bad-request', message: `cannot inject ${fault.kind}: ${e instanceof Error ? e.message : String(e)}` };
      }
    }
    const lock = journal.acquireLock(cluster.id, this.holder(runId), clock.now());
    if (!lock.ok) {
      cluster.close();
      return { kind: 'conflict', message: lock.message };
    }
    try {
      const live = await cluster.provider.read();
      const notes = unreachableNotes(live.hosts);
      const outcome = request.planned ? shownPlan(request.planned, live.model, request.clusterId) : await this.planLive(live.model, request);
      if (outcome.kind === 'conflict') return this.abandon(cluster, runId, outcome);
      if (outcome.kind === 'script-errors') return this.abandon(cluster, runId, { kind: 'script-errors', diagnostics: outcome.diagnostics, notes });
      const plan = outcome.result.plan;
      if (!plan) return this.abandon(cluster, runId, { kind: 'no-plan', result: outcome.result, notes });
      const steps = stepsFromPlan(plan, { constraints: outcome.constraints });
      const run = newRun({ runId, clusterId: cluster.id, steps, constraintHash: outcome.constraintHash, maxPerHost: request.options.maxConcurrent, windowSeconds: request.options.windowSeconds ?? null, createdAt: clock.now() });
      const meta: RunMeta = { createdBy: this.actor, script: request.script.text, scriptName: request.script.name, options: { ...request.options, rehearsal: request.rehearse !== undefined } };
      const origin: RevisionOrigin = { facts: factsOf(live.model), applied: [] };
      const revision = { revision: 1, constraintHash: outcome.constraintHash, plan: planToJson(plan), originFacts: origin, createdAt: clock.now(), reason: 'initial plan' };
      journal.createRun(run, meta, revision);
      const driver = new RunDriver(this.context(cluster, request.options, request.script), run, meta, [revision]);
      return { kind: 'created', driver, result: outcome.result, notes };
    } catch (e) {
      this.abandon(cluster, runId, null);
      throw e;
    }
  }

  private async planLive(model: Model, request: CreateRunRequest): Promise<PlanOutcome> {
    const instance: Instance = { model, constraints: [], objective: { id: 'minimizeMTTR' } };
    return this.deps.planning.compute(planRequest(instance, request.script, request.options));
  }

  /**
   * Picks an interrupted run up from the journal: takes its cluster's lock (a stale lock left by
   * the crashed process explicitly, with an audit note), then tells the executor it recovered, so
   * every step that was running is re-read from the cluster before anything else happens.
   */
  resume(runId: string): { ok: true; driver: RunDriver } | { ok: false; message: string } {
    const { journal, clock } = this.deps;
    const stored = journal.loadRun(runId);
    if (!stored) return { ok: false, message: `no run ${runId} in the journal (${journal.file})` };
    if (isFinal(stored.run)) {
      return { ok: false, message: `run ${runId} has already ended (${stored.run.state}); nothing to resume` };
    }
    let cluster: ClusterHandle;
    try {
      cluster = this.deps.clusters.open(stored.run.clusterId);
    } catch (e) {
      if (e instanceof UnknownClusterError || e instanceof ClusterUnavailableError) return { ok: false, message: e.message };
      throw e;
    }
    const lock = this.takeLock(stored.run.clusterId, runId);
    if (!lock.ok) {
      cluster.close();
      return lock;
    }
    const options = stored.meta.options as unknown as RunPlanOptions;
    const driver = new RunDriver(this.context(cluster, options, { text: stored.meta.script, name: stored.meta.scriptName }), stored.run, stored.meta, stored.revisions);
    driver.dispatch({ type: 'recovered', at: clock.now(), by: this.actor });
    return { ok: true, driver };
  }

  private takeLock(clusterId: string, runId: string): { ok: true } | { ok: false; message: string } {
    const { journal, clock } = this.deps;
    const lock = journal.acquireLock(clusterId, this.holder(runId), clock.now());
    if (lock.ok) return lock;
    // only this run's own lock, left by a process that is gone, may be taken over
    if (!lock.stale || lock.holder.runId !== runId) return { ok: false, message: lock.message };
    const taken = journal.takeOverStaleLock(clusterId, this.holder(runId), clock.now());
    // takeOverStaleLock writes the audit note on the run
    return taken.ok ? { ok: true } : taken;
  }

  private holder(runId: string): { runId: string; user: string; host: string; pid: number } {
    return { runId, user: userName(), host: hostname(), pid: process.pid };
  }

  private abandon<T>(cluster: ClusterHandle, runId: string, outcome: T): T {
    this.deps.journal.releaseLock(cluster.id, runId);
    cluster.close();
    return outcome;
  }

  private context(cluster: ClusterHandle, options: RunPlanOptions, script: { text: string; name: string }): ConstructorParameters<typeof RunDriver>[0] {
    return {
      journal: this.deps.journal,
      cluster,
      planning: this.deps.planning,
      clock: this.deps.clock,
      actor: this.actor,
      replanRequest: (live) => planRequest(live, script, options),
      stepTimeoutMs: (step) => stepTimeoutMs(step, options),
    };
  }
}

/** What a run is created from: a plan (just computed, or shown earlier), or why there is none. */
type RunPlan = Pick<PlanOutcome & { kind: 'result' }, 'kind' | 'result' | 'constraintHash' | 'constraints'> | (PlanOutcome & { kind: 'script-errors' }) | { readonly kind: 'conflict'; readonly message: string };

/**
 * The plan the operator approved, if the cluster is still what it started from: every VM's state
 * and host and every node's power as in the plan's origin. Otherwise a conflict that says what
 * changed (the operator plans again; nothing is journaled).
 */
function shownPlan(planned: NonNullable<CreateRunRequest['planned']>, live: Model, clusterId: string): RunPlan {
  const origin = planned.result.plan?.origin;
  if (origin) {
    const changed = factDifferences(factsOf(origin), factsOf(live));
    if (changed.length > 0) {
      const what = `${changed.slice(0, 3).join('; ')}${changed.length > 3 ? `; and ${changed.length - 3} more` : ''}`;
      if (planned.computedAt === undefined) return { kind: 'conflict', message: `the cluster changed since the plan was computed (${what}): plan again` };
      return { kind: 'conflict', message: `cluster ${safeName(clusterId)} changed since this plan was computed at ${formatUtc(planned.computedAt).slice(11, 16)} UTC (${what}): compute it again` };
    }
  }
  return { kind: 'result', result: planned.result, constraintHash: planned.constraintHash, constraints: planned.constraints };
}

function factDifferences(was: ClusterFacts, now: ClusterFacts): string[] {
  const out: string[] = [];
  for (const [vm, fact] of Object.entries(was.vms)) {
    const live = now.vms[vm];
    if (!live) out.push(`${safeName(vm)} is gone`);
    else if (live.state !== fact.state || live.host !== fact.host) out.push(`${safeName(vm)} is ${live.state}${live.host ? ` on ${safeName(live.host)}` : ''}, was ${fact.state}${fact.host ? ` on ${safeName(fact.host)}` : ''}`);
  }
  for (const vm of Object.keys(now.vms)) if (!(vm in was.vms)) out.push(`${safeName(vm)} is new`);
  for (const [node, state] of Object.entries(was.nodes)) if (now.nodes[node] !== state) out.push(`${safeName(node)} is ${now.nodes[node] ?? 'gone'}, was ${state}`);
  return out;
}

export function planRequest(instance: Instance, script: { text: string; name: string }, options: RunPlanOptions): PlanRequest {
  return {
    instance,
    script,
    objective: options.objective,
    timeLimitMs: options.timeLimitS * 1000,
    migrationTime: options.migrationTime,
    budgets: {
      maxConcurrentMigrationsPerHost: options.maxConcurrent,
      ...(options.maxMigrations !== undefined ? { maxMigrations: options.maxMigrations } : {}),
      ...(options.maxMemoryGiB !== undefined ? { maxMemoryMovedGiB: options.maxMemoryGiB } : {}),
      ...(options.windowSeconds !== undefined ? { windowSeconds: options.windowSeconds } : {}),
    },
  };
}

function stepTimeoutMs(step: Step, options: RunPlanOptions): number {
  if (options.stepTimeoutS !== undefined) return options.stepTimeoutS * 1000;
  return Math.max(120, 5 * (step.plannedEnd - step.plannedStart)) * 1000;
}

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'operator';
  }
}

export function defaultActor(): string {
  return `${userName()}@${hostname()}`;
}

export type { Run };
export { ClusterService };

/** One note per host the read could not reach: the operator must know why its VMs are missing or stale. */
function unreachableNotes(hosts: InventorySnapshot['hosts']): string[] {
  return hosts
    .filter((h) => !h.reachable)
    .map((h) => `host ${h.name} could not be read (${h.error ?? 'no answer'}); its last known state, if any, is planned with`);
}
