import { randomBytes } from 'node:crypto';

import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';

/**
 * Computed plans in the journal (table `plans`, schema version 2; their origins apart in
 * `plan_origins` since version 3): what History lists as "Past plans" and reopens. The rows are
 * written by main/services/plan-history.ts after plan:compute answered; this module only knows
 * rows. Bodies and origins are opaque bytes here (the service compresses and decompresses them),
 * so that a listing never reads a plan.
 */

/** What was planned: a cluster (its id), or an instance file (its name, for what-ifs on a file). */
export interface PlanSource {
  readonly kind: 'cluster' | 'file';
  readonly name: string;
}

/** One computed plan as History lists it (no plan body). */
export interface PlanRecordSummary {
  readonly planId: string;
  /** The plan:compute request it answered (per console page, not durable). */
  readonly requestId: string;
  readonly createdAt: number;
  readonly source: PlanSource;
  readonly scriptName: string;
  readonly constraintHash: string;
  /** 'optimal', 'feasible', 'infeasible' or 'unknown'. */
  readonly status: string;
  /** Actions of the plan (0 without a plan). */
  readonly steps: number;
  readonly migrations: number | null;
  readonly durationSeconds: number | null;
  readonly memoryMovedMiB: number | null;
  readonly objective: number | null;
  readonly lowerBound: number | null;
  readonly gap: number | null;
  /** Why there is no plan (the conflicting constraints), in operator words. */
  readonly explanation: readonly string[];
  /** The runs created from this plan, oldest first. */
  readonly runIds: readonly string[];
}

/** A plan to keep: its summary (no runs yet), how it was asked for, and its body compressed. */
export interface NewPlanRecord extends Omit<PlanRecordSummary, 'runIds'> {
  readonly script: string;
  /** plan:compute's options as given (JSON). */
  readonly options: unknown;
  /** The plan:compute result, JSON, gzip-compressed; without its plan's origin when `origin` is given. */
  readonly body: Buffer;
  /**
   * The plan's origin, kept once for every plan that starts from it: its digest, and its JSON
   * gzip-compressed (null: the writer believes the journal has it already; recordPlan says if not).
   */
  readonly origin: { readonly digest: string; readonly body: Buffer | null } | null;
}

/** A stored plan in full. */
export interface PlanRecord extends PlanRecordSummary {
  readonly script: string;
  readonly options: unknown;
  readonly body: Buffer;
  /** The origin apart from the body (null: the body is whole); `body` null: its row is gone (damage). */
  readonly origin: { readonly digest: string; readonly body: Buffer | null } | null;
}

/** What adding a plan did: 'origin-missing' when its origin was given by digest only and is not kept (nothing written). */
export type AddedPlan = 'added' | 'origin-missing';

export interface PlanQuery {
  /** Only the plans of this cluster. */
  readonly clusterId?: string;
  readonly limit: number;
}

/** How many computed plans the journal keeps: the oldest go in the transaction that adds one. */
export const KEEP_PLANS = 200;

/** `p20261207-140200-3fa9c2d1`: sorts by creation time (UTC); two plans of one second still differ. */
export function newPlanId(now: number): string {
  const t = new Date(now).toISOString();
  return `p${t.slice(0, 10).replaceAll('-', '')}-${t.slice(11, 19).replaceAll(':', '')}-${randomBytes(4).toString('hex')}`;
}

interface PlanRow {
  readonly plan_id: string;
  readonly request_id: string;
  readonly created_at: number;
  readonly source_kind: string;
  readonly source: string;
  readonly script_name: string;
  readonly constraint_hash: string;
  readonly status: string;
  readonly steps: number;
  readonly migrations: number | null;
  readonly duration_s: number | null;
  readonly memory_moved_mib: number | null;
  readonly objective: number | null;
  readonly lower_bound: number | null;
  readonly gap: number | null;
  readonly explanation: string;
  readonly run_ids: string;
}

interface FullRow extends PlanRow {
  readonly script: string;
  readonly options: string;
  readonly plan_gz: Buffer;
  readonly origin_digest: string | null;
  readonly origin_gz: Buffer | null;
}

const SUMMARY_COLUMNS = `p.plan_id, p.request_id, p.created_at, p.source_kind, p.source, p.script_name, p.constraint_hash, p.status, p.steps,
  p.migrations, p.duration_s, p.memory_moved_mib, p.objective, p.lower_bound, p.gap, p.explanation,
  (SELECT json_group_array(r.run_id) FROM (SELECT run_id FROM plan_runs WHERE plan_id = p.plan_id ORDER BY rowid) r) AS run_ids`;

/** The plan rows' statements, prepared once per connection. */
export class PlanRows {
  private readonly insert: Statement;
  private readonly trim: Statement;
  private readonly list: Statement;
  private readonly listCluster: Statement;
  private readonly get: Statement;
  private readonly link: Statement;
  private readonly hasOrigin: Statement;
  private readonly insertOrigin: Statement;
  private readonly dropOrphans: Statement;

  constructor(db: SqliteDatabase) {
    this.insert = db.prepare(`INSERT INTO plans (plan_id, request_id, created_at, source_kind, source, script, script_name, options, constraint_hash, status, steps,
                                migrations, duration_s, memory_moved_mib, objective, lower_bound, gap, explanation, plan_gz, origin_digest)
                              VALUES (@planId, @requestId, @createdAt, @sourceKind, @source, @script, @scriptName, @options, @constraintHash, @status, @steps,
                                @migrations, @durationSeconds, @memoryMovedMiB, @objective, @lowerBound, @gap, @explanation, @body, @originDigest)`);
    this.trim = db.prepare('DELETE FROM plans WHERE plan_id NOT IN (SELECT plan_id FROM plans ORDER BY created_at DESC, plan_id DESC LIMIT ?)');
    this.hasOrigin = db.prepare('SELECT 1 FROM plan_origins WHERE digest = ?').pluck();
    this.insertOrigin = db.prepare('INSERT OR IGNORE INTO plan_origins (digest, origin_gz) VALUES (?, ?)');
    // an origin no kept plan starts from any more goes with the last plan that did
    this.dropOrphans = db.prepare('DELETE FROM plan_origins WHERE NOT EXISTS (SELECT 1 FROM plans WHERE plans.origin_digest = plan_origins.digest)');
    this.list = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM plans p ORDER BY p.created_at DESC, p.plan_id DESC LIMIT ?`);
    this.listCluster = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM plans p WHERE p.source_kind = 'cluster' AND p.source = ? ORDER BY p.created_at DESC, p.plan_id DESC LIMIT ?`);
    this.get = db.prepare(`SELECT ${SUMMARY_COLUMNS}, p.script, p.options, p.plan_gz, p.origin_digest, o.origin_gz
                           FROM plans p LEFT JOIN plan_origins o ON o.digest = p.origin_digest WHERE p.plan_id = ?`);
    // a plan dropped meanwhile (retention) links nothing
    this.link = db.prepare('INSERT OR REPLACE INTO plan_runs (run_id, plan_id) SELECT ?, plan_id FROM plans WHERE plan_id = ?');
  }

  /**
   * Adds a plan (its origin first, unless kept already) and drops all but the newest `keep`, with
   * the origins no kept plan references; call inside a write transaction.
   */
  add(plan: NewPlanRecord, keep: number): AddedPlan {
    const { origin } = plan;
    if (origin !== null) {
      if (origin.body !== null) this.insertOrigin.run(origin.digest, origin.body);
      else if (this.hasOrigin.get(origin.digest) === undefined) return 'origin-missing';
    }
    this.insert.run({
      ...plan,
      sourceKind: plan.source.kind,
      source: plan.source.name,
      options: JSON.stringify(plan.options ?? {}),
      explanation: JSON.stringify(plan.explanation),
      originDigest: origin?.digest ?? null,
    });
    if (this.trim.run(keep).changes > 0) this.dropOrphans.run();
    return 'added';
  }

  /** True when the origin of this digest is kept (a plan may then name it without its body). */
  keepsOrigin(digest: string): boolean {
    return this.hasOrigin.get(digest) !== undefined;
  }

  summaries(query: PlanQuery, parse: <T>(text: string, what: string) => T): PlanRecordSummary[] {
    const rows = (query.clusterId === undefined ? this.list.all(query.limit) : this.listCluster.all(query.clusterId, query.limit)) as PlanRow[];
    return rows.map((r) => summaryOf(r, parse));
  }

  find(planId: string, parse: <T>(text: string, what: string) => T): PlanRecord | undefined {
    const row = this.get.get(planId) as FullRow | undefined;
    if (!row) return undefined;
    const origin = row.origin_digest === null ? null : { digest: row.origin_digest, body: row.origin_gz };
    return { ...summaryOf(row, parse), script: row.script, options: parse(row.options, `the options of plan ${planId}`), body: row.plan_gz, origin };
  }

  /** True when the plan exists (and now names the run). */
  linkRun(planId: string, runId: string): boolean {
    return this.link.run(runId, planId).changes > 0;
  }
}

function summaryOf(r: PlanRow, parse: <T>(text: string, what: string) => T): PlanRecordSummary {
  const what = `plan ${r.plan_id}`;
  return {
    planId: r.plan_id,
    requestId: r.request_id,
    createdAt: r.created_at,
    source: { kind: r.source_kind === 'file' ? 'file' : 'cluster', name: r.source },
    scriptName: r.script_name,
    constraintHash: r.constraint_hash,
    status: r.status,
    steps: r.steps,
    migrations: r.migrations,
    durationSeconds: r.duration_s,
    memoryMovedMiB: r.memory_moved_mib,
    objective: r.objective,
    lowerBound: r.lower_bound,
    gap: r.gap,
    explanation: parse<string[]>(r.explanation, what),
    runIds: parse<string[]>(r.run_ids, what),
  };
}
