import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import Database from 'better-sqlite3';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { type PlanComputed, planResultToWire } from '../../src/contract/events.js';
import type { Instance } from '../../src/instance/instance.js';
import { parseInstanceText } from '../../src/instance/json.js';
import type { PlanResult } from '../../src/solver/planner.js';
import { Journal } from '../../main/node/journal/journal.js';
import { originDigest } from '../../main/node/journal/plan-origins.js';
import { APPLICATION_ID, SCHEMA_VERSION, V1, V2 } from '../../main/node/journal/schema.js';
import { type PlanAsked, PlanHistory, type PlannedOutcome, PlanningService } from '../../main/services/index.js';

/**
 * Each kept plan's origin stored once (schema version 3): plans on one cluster read share one
 * `plan_origins` row, retention drops the origins no plan starts from any more, a version 2
 * journal's plans are moved over, and a damaged origin is said as damage of that plan.
 * Real plans of examples/seed.json in a real journal on a temporary folder.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const SEED_SCRIPT = readFileSync(join(ROOT, 'examples', 'seed.btrp'), 'utf8');

function seed(): Instance {
  const read = parseInstanceText(readFileSync(join(ROOT, 'examples', 'seed.json'), 'utf8'));
  if (!read.ok) throw new Error(read.error.message);
  return read.value;
}

const asked = (requestId: string): PlanAsked => ({ requestId, source: { kind: 'cluster', name: 'lab' }, script: { text: SEED_SCRIPT, name: 'seed.btrp' }, options: { timeLimitS: 2 } });

/** The same plan on another origin: one attribute more (another read of the cluster). */
function onAnotherOrigin(outcome: PlannedOutcome): PlannedOutcome {
  const plan = outcome.result.plan;
  if (!plan) throw new Error('a plan');
  const origin = plan.origin.clone();
  origin.attributes.put('node', 0, 'rack', 'r9');
  return { ...outcome, result: { ...outcome.result, plan: { ...plan, origin } } };
}

/** The result as if no plan had been found: nothing to split. */
function withoutPlan(result: PlanResult): PlanResult {
  const { plan: _found, ...rest } = result;
  return rest;
}

let feasible: PlannedOutcome;
let home: string;
let file: string;
let journal: Journal;

beforeAll(async () => {
  const planning = new PlanningService({ pickRunner: null, solveParts: null });
  const outcome = await planning.compute({ instance: seed(), script: { text: SEED_SCRIPT, name: 'seed.btrp' }, objective: 'mttr', timeLimitMs: 2_000, migrationTime: 'attributes', budgets: { maxConcurrentMigrationsPerHost: 2 } });
  if (outcome.kind !== 'result' || !outcome.result.plan) throw new Error('the seed has a plan');
  feasible = outcome;
});

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'ferry-origins-'));
  file = join(home, 'journal.sqlite');
  journal = Journal.open(file);
});

afterEach(() => {
  journal.close();
  rmSync(home, { recursive: true, force: true });
});

function history(now: () => number): PlanHistory {
  return new PlanHistory({ journal, now, log: () => {} });
}

/** Runs `fn` on a second connection to the journal file. */
function onFile<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(file);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const count = (db: Database.Database, table: string): number => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('plan origins kept once', () => {
  it('20 plans on one origin keep one origin row, and each comes back whole', async () => {
    let t = Date.UTC(2026, 11, 7, 9, 0, 0);
    const plans = history(() => (t += 1_000));
    const ids = Array.from({ length: 20 }, (_, i) => plans.record(asked(`q${i}`), feasible) ?? '');
    await plans.whenIdle();
    const wholePlan = planResultToWire(feasible.result).plan;
    const digest = originDigest(JSON.stringify((wholePlan as { origin: unknown }).origin));
    onFile((db) => {
      expect(count(db, 'plans')).toBe(20);
      expect(db.prepare('SELECT digest FROM plan_origins').all()).toEqual([{ digest }]);
      expect(db.prepare('SELECT DISTINCT origin_digest AS d FROM plans').all()).toEqual([{ d: digest }]);
    });
    for (const planId of [ids[0] ?? '', ids[19] ?? '']) {
      const kept = await plans.get(planId);
      if (kept?.computed.kind !== 'result') throw new Error('kept');
      expect(kept.computed.result.plan).toEqual(wholePlan);
    }
  });

  it('dropping plans past 200 drops the origins no kept plan starts from, in the same transaction', async () => {
    let t = Date.UTC(2026, 11, 7, 0, 0, 0);
    const plans = history(() => (t += 1_000));
    const other = onAnotherOrigin(feasible);
    const [first, second] = [plans.record(asked('a0'), feasible), plans.record(asked('a1'), feasible)];
    for (let i = 0; i < 198; i++) plans.record(asked(`b${i}`), other);
    await plans.whenIdle();
    const origins = (): number => onFile((db) => count(db, 'plan_origins'));
    expect(origins()).toBe(2);
    // the first plan goes; the second still starts from its origin
    plans.record(asked('b198'), other);
    await plans.whenIdle();
    expect(await plans.get(first ?? '')).toBeUndefined();
    expect(origins()).toBe(2);
    // the last plan on that origin goes: so does the origin
    plans.record(asked('b199'), other);
    await plans.whenIdle();
    expect(await plans.get(second ?? '')).toBeUndefined();
    expect(origins()).toBe(1);
    onFile((db) => expect(count(db, 'plans')).toBe(200));
    const kept = await plans.get(plans.list({ limit: 1 }).plans[0]?.planId ?? '');
    if (kept?.computed.kind !== 'result') throw new Error('kept');
    expect(kept.computed.result.plan).toEqual(planResultToWire(other.result).plan);
  }, 60_000);

  it('a damaged origin is said as damage of the plan, where it is: missing, not gzip, not the digest', async () => {
    const plans = history(() => Date.UTC(2026, 11, 7, 14, 2, 0));
    const planId = plans.record(asked('q-damaged'), feasible) ?? '';
    await plans.whenIdle();
    onFile((db) => db.prepare('UPDATE plan_origins SET origin_gz = ?').run(Buffer.from('not gzip')));
    await expect(plans.get(planId)).rejects.toThrow(new RegExp(`plan ${planId} is damaged \\(its origin sha256:[0-9a-f]{12}… is not gzip-compressed\\); compute the plan again`));
    onFile((db) => db.prepare('UPDATE plan_origins SET origin_gz = ?').run(gzipSync('{"mapping":{}}')));
    await expect(plans.get(planId)).rejects.toThrow('does not match its digest');
    onFile((db) => db.prepare('DELETE FROM plan_origins').run());
    await expect(plans.get(planId)).rejects.toThrow(/its origin sha256:[0-9a-f]{12}… is missing/);
    // the listing does not read bodies: the plan is still listed
    expect(plans.list({}).plans.map((p) => p.planId)).toEqual([planId]);
  });
});

describe('journal schema 2 → 3', () => {
  /** A plan row as Ferry with schema version 2 wrote it: the result whole, origin included. */
  function insertV2(db: Database.Database, planId: string, createdAt: number, body: Buffer): void {
    db.prepare(`INSERT INTO plans (plan_id, request_id, created_at, source_kind, source, script, script_name, options, constraint_hash, status, steps, explanation, plan_gz)
                VALUES (?, ?, ?, 'cluster', 'lab', '', 'seed.btrp', '{}', 'sha256:ab', 'feasible', 1, '[]', ?)`).run(planId, `q-${planId}`, createdAt, body);
  }

  const computedOf = (outcome: PlannedOutcome, requestId: string): PlanComputed => ({ kind: 'result', requestId, result: planResultToWire(outcome.result), constraintHash: outcome.constraintHash, diagnostics: [] });

  it('moves the origins of a version 2 journal once each; plans come back as they were; a damaged row stays as it was', async () => {
    journal.close();
    rmSync(file, { force: true });
    const other = onAnotherOrigin(feasible);
    const before: Record<string, PlanComputed> = {
      'p20261201-100000-00000001': computedOf(feasible, 'q1'),
      'p20261201-100001-00000002': computedOf(feasible, 'q2'),
      'p20261201-100002-00000003': computedOf(other, 'q3'),
      'p20261201-100003-00000004': computedOf({ ...feasible, result: withoutPlan(feasible.result) }, 'q4'),
    };
    onFile((db) => {
      db.exec(V1);
      db.exec(V2);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma('user_version = 2');
      Object.entries(before).forEach(([planId, computed], i) => insertV2(db, planId, i, gzipSync(JSON.stringify(computed))));
      insertV2(db, 'p20261201-100004-00000005', 4, Buffer.from('not gzip'));
    });

    journal = Journal.open(file);
    expect(SCHEMA_VERSION).toBe(3);
    onFile((db) => {
      expect(db.pragma('user_version', { simple: true })).toBe(3);
      expect(count(db, 'plan_origins')).toBe(2);
      const digests = db.prepare('SELECT plan_id AS id, origin_digest AS d FROM plans ORDER BY plan_id').all() as { id: string; d: string | null }[];
      expect(digests.map((r) => r.d === null)).toEqual([false, false, false, true, true]);
      expect(digests[0]?.d).toBe(digests[1]?.d);
      expect(digests[2]?.d).not.toBe(digests[0]?.d);
    });
    const plans = history(Date.now);
    for (const [planId, computed] of Object.entries(before)) expect((await plans.get(planId))?.computed).toEqual(computed);
    await expect(plans.get('p20261201-100004-00000005')).rejects.toThrow('is damaged (not gzip-compressed JSON)');

    // a new plan on a moved origin names it
    plans.record(asked('q-new'), feasible);
    await plans.whenIdle();
    onFile((db) => expect(count(db, 'plan_origins')).toBe(2));
  });
});
