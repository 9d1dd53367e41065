import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';

import type { Constraint } from '../../src/catalogue/constraint.js';
import { type PlanComputed, PlanComputedSchema, type PlanResultWire, planResultToWire } from '../../src/contract/events.js';
import type { PastPlan, PlanOptionsInput } from '../../src/contract/procedures.js';
import { type OriginRef, type ScriptInput, decodePlan, isOnHeldOrigin } from '../../src/contract/wire.js';
import type { Model } from '../../src/model/index.js';
import { modelToJson } from '../../src/instance/json.js';
import type { Plan } from '../../src/plan/plan.js';
import { formatUtc } from '../../src/report/journal-records.js';
import type { PlanResult } from '../../src/solver/planner.js';
import { type Journal, JournalError, KEEP_PLANS, type NewPlanRecord, type PlanRecord, type PlanRecordSummary, type PlanSource, newPlanId } from '../node/journal/journal.js';
import { joinOrigin, originDigest } from '../node/journal/plan-origins.js';
import { planRequestFromWire } from './plan-wire.js';
import type { PlanOutcome, PlannedOutcome, PlanningService } from './planning.js';

const gzipAsync = promisify(gzip);

/** The wire form of a plan whose origin is kept apart (plan_origins): only its actions are used. */
const ORIGIN_APART: OriginRef = { kind: 'instance', instanceId: 'kept-apart' };
const gunzipAsync = promisify(gunzip);

/**
 * History's memory of computed plans: every plan:compute that ends with a result (a plan, or no
 * plan and why) is kept in the journal, to be listed ("Past plans") and shown again.
 *
 * Keeping a plan never delays or breaks planning: the answer goes first (the write is scheduled
 * with setImmediate, the plan serialised and gzip-compressed off the event loop's critical path),
 * and a write that fails (disk full, journal locked) is logged and becomes a note History shows.
 * Writes are chained, so plans are kept in the order they were computed.
 */

/** What plan:compute was asked: the source, the script and the options, as given. */
export interface PlanAsked {
  readonly requestId: string;
  readonly source: PlanSource;
  readonly script?: ScriptInput | undefined;
  readonly options?: PlanOptionsInput | undefined;
}

/** One kept plan in full, as plan:get answers it. */
export interface KeptPlan {
  readonly plan: PastPlan;
  readonly script: { readonly text: string; readonly name: string };
  readonly options: PlanOptionsInput;
  readonly computed: PlanComputed;
}

/**
 * A kept plan rebuilt for run:create / run:rehearse in any later session: how it was asked for,
 * and the plan itself with its origin and the constraints it was computed under (the script
 * evaluated again on that origin, to the very hash the plan was computed under).
 */
export interface ReopenedPlan {
  readonly planId: string;
  readonly computedAt: number;
  /** The cluster it was computed on. */
  readonly clusterId: string;
  readonly script: { readonly text: string; readonly name: string };
  readonly options: PlanOptionsInput;
  readonly constraintHash: string;
  readonly planned: { readonly result: PlanResult; readonly constraintHash: string; readonly constraints: readonly Constraint[] };
}

/** Why a kept plan cannot become a run, in operator words, with the code the contract gives it. */
export interface NotReopened {
  readonly code: 'not-found' | 'invalid-request' | 'conflict' | 'unavailable';
  readonly message: string;
}

export interface PlanHistoryOptions {
  readonly journal: Journal;
  readonly now?: () => number;
  /** Where a plan that could not be kept is told (default: the process's error log). */
  readonly log?: (message: string) => void;
  /** How the write is put after the answer (default setImmediate). */
  readonly defer?: (run: () => void) => void;
}

/** Notes about plans not kept: the last few are enough to tell the operator something was lost. */
const KEEP_NOTES = 5;
/** plan:compute requests remembered to link the run created from them (run:create comes soon after). */
const KEEP_REQUESTS = 64;

export class PlanHistory {
  private readonly journal: Journal;
  private readonly now: () => number;
  private readonly log: (message: string) => void;
  private readonly defer: (run: () => void) => void;
  /** The writes under way, in order; never rejects. */
  private queue: Promise<void> = Promise.resolve();
  private readonly failures: string[] = [];
  /** requestId → planId of the plans this process kept (or is keeping). */
  private readonly byRequest = new Map<string, string>();
  /**
   * Each origin's JSON and digest, by model: what-ifs on one cluster read or opened file plan on
   * its one shared, read-only model, whose encoding and hashing (40,000 VMs: 2 MB, ~180 ms on
   * the main process) is done once, not after every answer.
   */
  private readonly origins = new WeakMap<Model, { readonly digest: string; readonly text: string }>();

  constructor(options: PlanHistoryOptions) {
    this.journal = options.journal;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? ((message) => console.error(`ferry: ${message}`));
    this.defer = options.defer ?? ((run) => setImmediate(run));
  }

  /**
   * Keeps the plan of one plan:compute, after the caller has answered. Script errors are not a
   * result (nothing was planned) and are not kept. `notices`: the planner's remarks that travelled
   * with the answer's notes. Returns the durable id the plan will have, or null.
   */
  record(asked: PlanAsked, outcome: PlanOutcome, notices: readonly string[] = []): string | null {
    if (outcome.kind !== 'result') return null;
    const createdAt = this.now();
    const planId = newPlanId(createdAt);
    this.remember(asked.requestId, planId);
    this.queue = this.queue.then(
      () =>
        new Promise<void>((resolve) => {
          this.defer(() => {
            this.write(planId, createdAt, asked, outcome, notices).then(resolve, (e: unknown) => {
              this.failed(createdAt, asked.requestId, e);
              resolve();
            });
          });
        }),
    );
    return planId;
  }

  /** Resolves once every plan recorded so far is written (or failed): for tests and shutdown. */
  whenIdle(): Promise<void> {
    return this.queue;
  }

  /** Kept plans, newest first (all that are kept unless `limit`), and the notes about plans not kept. */
  list(query: { readonly clusterId?: string | undefined; readonly limit?: number | undefined }): { plans: PastPlan[]; notes: string[] } {
    const rows = this.journal.listPlans({ ...(query.clusterId !== undefined ? { clusterId: query.clusterId } : {}), limit: query.limit ?? KEEP_PLANS });
    return { plans: rows.map(pastPlanOf), notes: [...this.failures] };
  }

  /** One kept plan in full; undefined when unknown (or dropped: only the last 200 are kept). */
  async get(planId: string): Promise<KeptPlan | undefined> {
    const row = this.journal.loadPlan(planId);
    if (!row) return undefined;
    const computed = await this.readBody(row);
    return { plan: pastPlanOf(row), script: { text: row.script, name: row.scriptName }, options: row.options as PlanOptionsInput, computed };
  }

  /**
   * A kept plan rebuilt to be run (run:create, run:rehearse by planId), in this session or any
   * later one: only a plan that has one, computed on a cluster, whose script still evaluates on
   * its origin to the constraints it was computed under. Never throws for a plan that cannot be.
   */
  async reopen(planId: string, planning: Pick<PlanningService, 'prepare'>): Promise<{ readonly ok: true; readonly plan: ReopenedPlan } | ({ readonly ok: false } & NotReopened)> {
    let kept: KeptPlan | undefined;
    try {
      kept = await this.get(planId);
    } catch (e) {
      if (e instanceof JournalError) return { ok: false, code: 'unavailable', message: e.message };
      throw e;
    }
    if (!kept) return { ok: false, code: 'not-found', message: `no plan ${planId} in the journal (only the last ${KEEP_PLANS} computed plans are kept)` };
    const { plan: past, computed } = kept;
    if (past.source.kind !== 'cluster') return { ok: false, code: 'invalid-request', message: `plan ${planId} was computed on the instance file ${past.source.name}, not on a cluster: a plan of a file cannot run; open a cluster and compute the plan there` };
    if (computed.kind !== 'result' || computed.result.plan === null) return { ok: false, code: 'conflict', message: `plan ${planId} found no plan (${past.status}): there is nothing to run` };
    const wirePlan = computed.result.plan;
    const decoded = isOnHeldOrigin(wirePlan) ? undefined : decodePlan(wirePlan, '$.plan');
    if (decoded === undefined || !decoded.ok) return { ok: false, code: 'unavailable', message: this.damaged(planId, decoded === undefined ? 'kept without its origin' : `its plan cannot be read: ${decoded.error.path}: ${decoded.error.message}`).message };
    const constraints = constraintsOf(decoded.value, kept, planning);
    if (!constraints.ok) return { ok: false, code: 'conflict', message: `plan ${planId} cannot run: ${constraints.message}; compute it again` };
    return {
      ok: true,
      plan: {
        planId,
        computedAt: past.computedAt,
        clusterId: past.source.name,
        script: kept.script,
        options: kept.options,
        constraintHash: computed.constraintHash,
        planned: { result: planResultFromWire(computed.result, decoded.value), constraintHash: computed.constraintHash, constraints: constraints.value },
      },
    };
  }

  /**
   * Notes that a run (or a rehearsal) was created from the plan of `requestId`; after its write,
   * when that is still under way. A failure only loses the link.
   */
  linkRun(requestId: string, runId: string): void {
    const planId = this.byRequest.get(requestId);
    if (planId !== undefined) this.linkPlan(planId, runId);
  }

  /** Notes that a run (or a rehearsal) was created from the kept plan `planId`; a failure only loses the link. */
  linkPlan(planId: string, runId: string): void {
    this.queue = this.queue.then(() => {
      try {
        this.journal.linkPlanRun(planId, runId);
      } catch (e) {
        this.log(`run ${runId} was not linked to its plan ${planId} in History: ${messageOf(e)}`);
      }
    });
  }

  private async write(planId: string, createdAt: number, asked: PlanAsked, outcome: PlannedOutcome, notices: readonly string[]): Promise<void> {
    const planned = outcome.result.plan;
    // the origin apart, encoded once per model: the plan's actions only in the body
    const wire = planResultToWire(outcome.result, undefined, planned ? ORIGIN_APART : undefined);
    const withNotes = notices.length === 0 ? wire : { ...wire, notes: [...wire.notes, ...notices] };
    const result = { ...withNotes, plan: withNotes.plan === null ? null : { actions: withNotes.plan.actions } };
    const computed = { kind: 'result', requestId: asked.requestId, result, constraintHash: outcome.constraintHash, diagnostics: [...outcome.diagnostics] } as const;
    // the origin once per journal: a what-if on a read already kept names it by its digest
    const split = { body: JSON.stringify(computed), origin: planned ? this.originOf(planned.origin) : null };
    const body = await gzipAsync(split.body);
    const origin = split.origin === null ? null : { digest: split.origin.digest, body: this.journal.keepsPlanOrigin(split.origin.digest) ? null : await gzipAsync(split.origin.text) };
    const record: NewPlanRecord = {
      planId,
      requestId: asked.requestId,
      createdAt,
      source: asked.source,
      script: asked.script?.text ?? '',
      scriptName: asked.script?.name ?? 'script',
      options: asked.options ?? {},
      constraintHash: outcome.constraintHash,
      status: result.status,
      steps: result.plan?.actions.length ?? 0,
      migrations: result.migrations,
      durationSeconds: result.durationSeconds,
      memoryMovedMiB: result.memoryMovedMiB,
      objective: result.objective,
      lowerBound: result.lowerBound,
      gap: result.gap,
      explanation: result.explanation,
      body,
      origin,
    };
    // dropped meanwhile (another process's retention): kept again, whole
    if (this.journal.recordPlan(record) === 'origin-missing' && split.origin !== null) {
      this.journal.recordPlan({ ...record, origin: { digest: split.origin.digest, body: await gzipAsync(split.origin.text) } });
    }
  }

  private originOf(model: Model): { readonly digest: string; readonly text: string } {
    const known = this.origins.get(model);
    if (known !== undefined) return known;
    const text = JSON.stringify(modelToJson(model));
    const origin = { digest: originDigest(text), text };
    this.origins.set(model, origin);
    return origin;
  }

  private failed(createdAt: number, requestId: string, e: unknown): void {
    const note = `The plan computed at ${formatUtc(createdAt)} UTC (request ${requestId}) was not kept in History: ${messageOf(e)}`;
    this.log(note);
    this.failures.push(note);
    if (this.failures.length > KEEP_NOTES) this.failures.shift();
  }

  private remember(requestId: string, planId: string): void {
    this.byRequest.delete(requestId);
    this.byRequest.set(requestId, planId);
    if (this.byRequest.size > KEEP_REQUESTS) this.byRequest.delete(this.byRequest.keys().next().value as string);
  }

  /** The stored answer, its origin put back; bytes that are not one are damage, said as such. */
  private async readBody(row: PlanRecord): Promise<PlanComputed> {
    const { planId, origin } = row;
    let json: unknown;
    try {
      json = JSON.parse((await gunzipAsync(row.body)).toString('utf8'));
    } catch (e) {
      throw this.damaged(planId, 'not gzip-compressed JSON', e);
    }
    if (origin !== null) json = joinOrigin(json, await this.readOrigin(planId, origin.digest, origin.body));
    const parsed = PlanComputedSchema.safeParse(json);
    if (!parsed.success || parsed.data.kind !== 'result') throw this.damaged(planId, 'not a plan:compute result');
    return parsed.data;
  }

  /** A kept origin, proven to be the one its digest names. */
  private async readOrigin(planId: string, digest: string, body: Buffer | null): Promise<unknown> {
    const what = `its origin ${digest.slice(0, 19)}…`;
    if (body === null) throw this.damaged(planId, `${what} is missing`);
    let text: string;
    try {
      text = (await gunzipAsync(body)).toString('utf8');
    } catch (e) {
      throw this.damaged(planId, `${what} is not gzip-compressed`, e);
    }
    if (originDigest(text) !== digest) throw this.damaged(planId, `${what} does not match its digest`);
    try {
      return JSON.parse(text);
    } catch (e) {
      throw this.damaged(planId, `${what} is not JSON`, e);
    }
  }

  private damaged(planId: string, why: string, cause?: unknown): JournalError {
    return new JournalError('corrupt', `cannot read the journal ${this.journal.file}: plan ${planId} is damaged (${why}); compute the plan again`, this.journal.file, cause === undefined ? undefined : { cause });
  }
}

/** A kept plan's summary on the wire. */
export function pastPlanOf(r: PlanRecordSummary): PastPlan {
  const status = r.status === 'optimal' || r.status === 'feasible' || r.status === 'infeasible' ? r.status : 'unknown';
  return {
    planId: r.planId,
    requestId: r.requestId,
    computedAt: r.createdAt,
    source: { kind: r.source.kind, name: r.source.name },
    scriptName: r.scriptName,
    constraintHash: r.constraintHash,
    status,
    steps: r.steps,
    migrations: r.migrations,
    durationSeconds: r.durationSeconds,
    memoryMovedMiB: r.memoryMovedMiB,
    objective: r.objective,
    lowerBound: r.lowerBound,
    gap: r.gap,
    provenOptimal: status === 'optimal',
    explanation: [...r.explanation],
    runIds: [...r.runIds],
  };
}

/** What plan:compute planned, for History: a cluster by id, a file by the name the console gave. */
export function planSourceOf(input: { readonly clusterId: string } | { readonly instanceId: string; readonly sourceName?: string | undefined } | { readonly instance: unknown; readonly sourceName?: string | undefined }): PlanSource {
  if ('clusterId' in input) return { kind: 'cluster', name: input.clusterId };
  const named = input.sourceName;
  if (named !== undefined) return { kind: 'file', name: named };
  return { kind: 'file', name: 'instanceId' in input ? input.instanceId : 'instance file' };
}

/**
 * The constraints a kept plan was computed under: its script evaluated again on its origin (a
 * cluster's read has no constraints of its own), refused unless they hash as they did then.
 */
function constraintsOf(plan: Plan, kept: KeptPlan, planning: Pick<PlanningService, 'prepare'>): { readonly ok: true; readonly value: readonly Constraint[] } | { readonly ok: false; readonly message: string } {
  if (kept.computed.kind !== 'result') return { ok: false, message: 'it holds no result' };
  const instance = { model: plan.origin.clone(), constraints: [], objective: { id: 'minimizeMTTR' as const } };
  let prepared: ReturnType<PlanningService['prepare']>;
  try {
    prepared = planning.prepare(planRequestFromWire(instance, kept.script, kept.options));
  } catch (e) {
    return { ok: false, message: `its options no longer apply (${messageOf(e)})` };
  }
  if (prepared.kind === 'script-errors') return { ok: false, message: `its script ${kept.script.name} no longer reads on the cluster it was computed on (${prepared.diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`).join('; ')})` };
  if (prepared.constraintHash !== kept.computed.constraintHash) return { ok: false, message: `its script ${kept.script.name} now gives other constraints (${prepared.constraintHash}, computed under ${kept.computed.constraintHash})` };
  return { ok: true, value: prepared.constraints };
}

/** A PlanResult from its wire form (null numbers back to NaN), with its decoded plan. */
function planResultFromWire(wire: PlanResultWire, plan: Plan): PlanResult {
  const n = (x: number | null): number => x ?? Number.NaN;
  return {
    status: wire.status,
    plan,
    objective: n(wire.objective),
    ...(wire.lowerBoundCovers !== null ? { lowerBoundCovers: wire.lowerBoundCovers } : {}),
    lowerBound: n(wire.lowerBound),
    gap: n(wire.gap),
    durationSeconds: n(wire.durationSeconds),
    durationLowerBound: n(wire.durationLowerBound),
    migrations: n(wire.migrations),
    migrationsLowerBound: n(wire.migrationsLowerBound),
    memoryMovedMiB: n(wire.memoryMovedMiB),
    solveMs: wire.solveMs,
    explanation: [...wire.explanation],
    notes: [...wire.notes],
  };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
