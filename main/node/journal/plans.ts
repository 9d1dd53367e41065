import { randomBytes } from 'node:crypto';

import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';

/**
 * Computed plans in the journal (table `plans`, schema version 2): what History lists as "Past
 * plans" and reopens. The rows are written by main/services/plan-history.ts after plan:compute
 * answered; this module only knows rows. The plan body is opaque bytes here (the service
 * compresses and decompresses it), so that a listing never reads a plan.
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
  /** The plan:compute result, JSON, gzip-compressed. */
  readonly body: Buffer;
}

/** A stored plan in full. */
export interface PlanRecord extends PlanRecordSummary {
  readonly script: string;
  readonly options: unknown;
  readonly body: Buffer;
}

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

  constructor(db: SqliteDatabase) {
    this.insert = db.prepare(`INSERT INTO plans (plan_id, request_id, created_at, source_kind, source, script, script_name, options, constraint_hash, status, steps,
                                migrations, duration_s, memory_moved_mib, objective, lower_bound, gap, explanation, plan_gz)
                              VALUES (@planId, @requestId, @createdAt, @sourceKind, @source, @script, @scriptName, @options, @constraintHash, @status, @steps,
                                @migrations, @durationSeconds, @memoryMovedMiB, @objective, @lowerBound, @gap, @explanation, @body)`);
    this.trim = db.prepare('DELETE FROM plans WHERE plan_id NOT IN (SELECT plan_id FROM plans ORDER BY created_at DESC, plan_id DESC LIMIT ?)');
    this.list = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM plans p ORDER BY p.created_at DESC, p.plan_id DESC LIMIT ?`);
    this.listCluster = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM plans p WHERE p.source_kind = 'cluster' AND p.source = ? ORDER BY p.created_at DESC, p.plan_id DESC LIMIT ?`);
    this.get = db.prepare(`SELECT ${SUMMARY_COLUMNS}, p.script, p.options, p.plan_gz FROM plans p WHERE p.plan_id = ?`);
    // a plan dropped meanwhile (retention) links nothing
    this.link = db.prepare('INSERT OR REPLACE INTO plan_runs (run_id, plan_id) SELECT ?, plan_id FROM plans WHERE plan_id = ?');
  }

  /** Adds a plan and drops all but the newest `keep`; call inside a write transaction. */
  add(plan: NewPlanRecord, keep: number): void {
    this.insert.run({
      ...plan,
      sourceKind: plan.source.kind,
      source: plan.source.name,
      options: JSON.stringify(plan.options ?? {}),
      explanation: JSON.stringify(plan.explanation),
    });
    this.trim.run(keep);
  }

  summaries(query: PlanQuery, parse: <T>(text: string, what: string) => T): PlanRecordSummary[] {
    const rows = (query.clusterId === undefined ? this.list.all(query.limit) : this.listCluster.all(query.clusterId, query.limit)) as PlanRow[];
    return rows.map((r) => summaryOf(r, parse));
  }

  find(planId: string, parse: <T>(text: string, what: string) => T): PlanRecord | undefined {
    const row = this.get.get(planId) as FullRow | undefined;
    if (!row) return undefined;
    return { ...summaryOf(row, parse), script: row.script, options: parse(row.options, `the options of plan ${planId}`), body: row.plan_gz };
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
