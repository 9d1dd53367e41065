import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';

import { type PlanComputed, PlanComputedSchema, planResultToWire } from '../../src/contract/events.js';
import type { PastPlan, PlanOptionsInput } from '../../src/contract/procedures.js';
import type { ScriptInput } from '../../src/contract/wire.js';
import { formatUtc } from '../../src/report/journal-records.js';
import { type Journal, JournalError, KEEP_PLANS, type PlanRecordSummary, type PlanSource, newPlanId } from '../node/journal/journal.js';
import type { PlanOutcome, PlannedOutcome } from './planning.js';

const gzipAsync = promisify(gzip);
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
    const computed = await this.readBody(planId, row.body);
    return { plan: pastPlanOf(row), script: { text: row.script, name: row.scriptName }, options: row.options as PlanOptionsInput, computed };
  }

  /**
   * Notes that a run (or a rehearsal) was created from the plan of `requestId`; after its write,
   * when that is still under way. A failure only loses the link.
   */
  linkRun(requestId: string, runId: string): void {
    const planId = this.byRequest.get(requestId);
    if (planId === undefined) return;
    this.queue = this.queue.then(() => {
      try {
        this.journal.linkPlanRun(planId, runId);
      } catch (e) {
        this.log(`run ${runId} was not linked to its plan ${planId} in History: ${messageOf(e)}`);
      }
    });
  }

  private async write(planId: string, createdAt: number, asked: PlanAsked, outcome: PlannedOutcome, notices: readonly string[]): Promise<void> {
    const wire = planResultToWire(outcome.result);
    const result = notices.length === 0 ? wire : { ...wire, notes: [...wire.notes, ...notices] };
    const computed: PlanComputed = { kind: 'result', requestId: asked.requestId, result, constraintHash: outcome.constraintHash, diagnostics: [...outcome.diagnostics] };
    const body = await gzipAsync(JSON.stringify(computed));
    this.journal.recordPlan({
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
    });
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

  /** The stored answer; bytes that are not one are damage, said as such. */
  private async readBody(planId: string, body: Buffer): Promise<PlanComputed> {
    const damaged = (why: string, cause?: unknown): JournalError =>
      new JournalError('corrupt', `cannot read the journal ${this.journal.file}: plan ${planId} is damaged (${why}); compute the plan again`, this.journal.file, cause === undefined ? undefined : { cause });
    let json: unknown;
    try {
      json = JSON.parse((await gunzipAsync(body)).toString('utf8'));
    } catch (e) {
      throw damaged('not gzip-compressed JSON', e);
    }
    const parsed = PlanComputedSchema.safeParse(json);
    if (!parsed.success || parsed.data.kind !== 'result') throw damaged('not a plan:compute result');
    return parsed.data;
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

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
