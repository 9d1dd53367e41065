import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { planResultToWire } from '../../src/contract/events.js';
import type { Instance } from '../../src/instance/instance.js';
import { parseInstanceText } from '../../src/instance/json.js';
import { Journal } from '../../main/node/journal/journal.js';
import { APPLICATION_ID, SCHEMA_VERSION, V1 } from '../../main/node/journal/schema.js';
import { type PlanAsked, PlanHistory, type PlannedOutcome, PlanningService } from '../../main/services/index.js';

/**
 * History's computed plans in a real journal on a temporary folder, with real plans of
 * examples/seed.json: kept after the answer, listed without bodies, reopened whole, the last 200
 * kept, a v1 journal migrated, and a journal that cannot be written only costs a note.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const SEED_SCRIPT = readFileSync(join(ROOT, 'examples', 'seed.btrp'), 'utf8');
/** Every node of the seed offline while its VMs run: no plan, and why. */
const NO_ROOM = 'offline(@N1);\noffline(@N2);\noffline(@N3);\noffline(@N4);\n';

function seed(): Instance {
  const read = parseInstanceText(readFileSync(join(ROOT, 'examples', 'seed.json'), 'utf8'));
  if (!read.ok) throw new Error(read.error.message);
  return read.value;
}

async function planSeed(script: string): Promise<PlannedOutcome> {
  const planning = new PlanningService({ pickRunner: null, solveParts: null });
  const outcome = await planning.compute({ instance: seed(), script: { text: script, name: 'seed.btrp' }, objective: 'mttr', timeLimitMs: 2_000, migrationTime: 'attributes', budgets: { maxConcurrentMigrationsPerHost: 2 } });
  if (outcome.kind !== 'result') throw new Error('the script has errors');
  return outcome;
}

const asked = (requestId: string, script = SEED_SCRIPT): PlanAsked => ({ requestId, source: { kind: 'file', name: 'seed.json' }, script: { text: script, name: 'seed.btrp' }, options: { timeLimitS: 2 } });

let feasible: PlannedOutcome;
let infeasible: PlannedOutcome;
let home: string;
let file: string;
let journal: Journal;
let logged: string[];

beforeAll(async () => {
  feasible = await planSeed(SEED_SCRIPT);
  infeasible = await planSeed(NO_ROOM);
});

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'ferry-plans-'));
  file = join(home, 'journal.sqlite');
  journal = Journal.open(file);
  logged = [];
});

afterEach(() => {
  journal.close();
  rmSync(home, { recursive: true, force: true });
});

function history(now: () => number = Date.now): PlanHistory {
  return new PlanHistory({ journal, now, log: (m) => logged.push(m) });
}

describe('PlanHistory: computed plans in the journal', () => {
  it('keeps a plan after the answer, lists its figures without the body, and gives it back whole', async () => {
    const plans = history(() => Date.UTC(2026, 11, 7, 14, 2, 0));
    const planId = plans.record(asked('q1'), feasible, ['no MiniZinc runner: native search only']);
    expect(planId).toMatch(/^p20261207-140200-[0-9a-f]{8}$/);
    // nothing is written before the caller has answered: the write waits for the next turn
    expect(plans.list({}).plans).toEqual([]);
    await plans.whenIdle();

    const [listed, ...others] = plans.list({}).plans;
    expect(others).toEqual([]);
    const result = feasible.result;
    expect(listed).toMatchObject({
      planId,
      requestId: 'q1',
      computedAt: Date.UTC(2026, 11, 7, 14, 2, 0),
      source: { kind: 'file', name: 'seed.json' },
      scriptName: 'seed.btrp',
      constraintHash: feasible.constraintHash,
      status: result.status,
      steps: result.plan?.actions.length,
      migrations: result.migrations,
      durationSeconds: result.durationSeconds,
      provenOptimal: result.status === 'optimal',
      explanation: [],
      runIds: [],
    });
    expect(listed).not.toHaveProperty('computed');

    const kept = await plans.get(planId ?? '');
    if (!kept || kept.computed.kind !== 'result') throw new Error('the plan was kept');
    expect(kept.script).toEqual({ text: SEED_SCRIPT, name: 'seed.btrp' });
    expect(kept.options).toEqual({ timeLimitS: 2 });
    // the plan whole, origin included, as plan:compute answered it, with the planner's notices
    const wire = planResultToWire(result);
    expect(kept.computed.result.plan).toEqual(wire.plan);
    expect(kept.computed.result.plan).toHaveProperty('origin');
    expect(kept.computed.result.notes).toEqual([...wire.notes, 'no MiniZinc runner: native search only']);
    expect(kept.computed.constraintHash).toBe(feasible.constraintHash);
  });

  it('keeps a result without a plan, with its explanation; script errors are not kept', async () => {
    const plans = history();
    expect(infeasible.result.plan).toBeUndefined();
    const planId = plans.record(asked('q2', NO_ROOM), infeasible);
    expect(plans.record(asked('q3'), { kind: 'script-errors', diagnostics: [] })).toBeNull();
    await plans.whenIdle();
    expect(logged).toEqual([]);
    const listed = plans.list({}).plans;
    expect(listed.map((p) => p.planId)).toEqual([planId]);
    expect(listed[0]).toMatchObject({ status: infeasible.result.status, steps: 0, migrations: null, durationSeconds: null });
    expect(listed[0]?.explanation).toEqual([...(infeasible.result.explanation ?? [])]);
    expect(listed[0]?.explanation.length).toBeGreaterThan(0);
    const kept = await plans.get(planId ?? '');
    expect(kept?.computed.kind === 'result' && kept.computed.result.plan).toBeNull();
  });

  it('lists newest first, by cluster, links the runs created from a plan, and forgets an unknown id', async () => {
    let t = Date.UTC(2026, 11, 7, 9, 0, 0);
    const plans = history(() => (t += 60_000));
    const a = plans.record({ ...asked('qa'), source: { kind: 'cluster', name: 'demo' } }, feasible);
    const b = plans.record({ ...asked('qb'), source: { kind: 'cluster', name: 'lab' } }, feasible);
    const c = plans.record(asked('qc'), feasible);
    // a run created while the write is still pending is linked once the plan is written
    plans.linkRun('qa', 'r20261207-090200-aaaa');
    plans.linkRun('unknown-request', 'r20261207-090200-bbbb');
    await plans.whenIdle();
    plans.linkRun('qa', 'r20261207-090300-cccc');
    await plans.whenIdle();
    expect(plans.list({}).plans.map((p) => p.planId)).toEqual([c, b, a]);
    expect(plans.list({ limit: 2 }).plans.map((p) => p.planId)).toEqual([c, b]);
    const demo = plans.list({ clusterId: 'demo' }).plans;
    expect(demo.map((p) => p.planId)).toEqual([a]);
    expect(demo[0]?.runIds).toEqual(['r20261207-090200-aaaa', 'r20261207-090300-cccc']);
    expect(await plans.get('p-nosuch')).toBeUndefined();
  });

  it('keeps the last 200 plans: the oldest go in the transaction that adds one', async () => {
    let t = Date.UTC(2026, 11, 7, 0, 0, 0);
    const plans = history(() => (t += 1_000));
    const ids: string[] = [];
    for (let i = 0; i < 203; i++) ids.push(plans.record(asked(`q${i}`), feasible) ?? '');
    plans.linkRun('q0', 'r-first');
    await plans.whenIdle();
    const listed = plans.list({ limit: 200 }).plans.map((p) => p.planId);
    expect(listed).toHaveLength(200);
    expect(listed[0]).toBe(ids[202]);
    expect(listed.at(-1)).toBe(ids[3]);
    for (const dropped of ids.slice(0, 3)) expect(await plans.get(dropped)).toBeUndefined();
    expect(await plans.get(ids[3] ?? '')).toBeDefined();
    // the dropped plan's run link went with it
    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) AS n FROM plans').get()).toEqual({ n: 200 });
      expect(db.prepare('SELECT count(*) AS n FROM plan_runs').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  it('a plan that cannot be written (the journal locked by another process) is logged and becomes a note; planning goes on', async () => {
    const plans = history(() => Date.UTC(2026, 11, 7, 14, 2, 3));
    const other = new Database(file, { timeout: 0 });
    other.exec('BEGIN IMMEDIATE');
    try {
      const started = performance.now();
      expect(plans.record(asked('q-locked'), feasible)).not.toBeNull();
      // recording returns at once: the 5 s wait for the lock happens after the answer
      expect(performance.now() - started).toBeLessThan(200);
      await plans.whenIdle();
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    const { plans: listed, notes } = plans.list({});
    expect(listed).toEqual([]);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('The plan computed at 2026-12-07 14:02:03 UTC (request q-locked) was not kept in History');
    expect(notes[0]).toContain('another Ferry process kept it busy');
    expect(logged).toEqual(notes);
    // the next plan is kept again; the note stays: that plan is lost
    plans.record(asked('q-after'), feasible);
    await plans.whenIdle();
    expect(plans.list({}).plans.map((p) => p.requestId)).toEqual(['q-after']);
    expect(plans.list({}).notes).toEqual(notes);
  }, 20_000);

  it('a journal already closed (the app shutting down) only costs a note, never an uncaught error', async () => {
    const plans = history();
    journal.close();
    expect(plans.record(asked('q-closed'), feasible)).not.toBeNull();
    await plans.whenIdle();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('(request q-closed) was not kept in History');
    journal = Journal.open(file);
  });

  it('a damaged plan body is said as damage, located, not thrown as a stack', async () => {
    const plans = history();
    const planId = plans.record(asked('q-damaged'), feasible) ?? '';
    await plans.whenIdle();
    const db = new Database(file);
    try {
      db.prepare('UPDATE plans SET plan_gz = ? WHERE plan_id = ?').run(Buffer.from('not gzip'), planId);
    } finally {
      db.close();
    }
    await expect(plans.get(planId)).rejects.toThrow(`plan ${planId} is damaged (not gzip-compressed JSON)`);
  });
});

describe('journal schema 1 → 2 → 3', () => {
  it('migrates a journal created by the version 1 tables: its runs stay, computed plans can be kept', async () => {
    journal.close();
    rmSync(file, { force: true });
    const old = new Database(file);
    old.exec(V1);
    old.pragma(`application_id = ${APPLICATION_ID}`);
    old.pragma('user_version = 1');
    old.prepare(`INSERT INTO runs (run_id, cluster_id, state, created_at, updated_at, created_by, script, script_name, options, steps, done, revision, constraint_hash, run, state_seq)
                 VALUES ('r20261201-100000-abcd', 'demo', 'succeeded', 1, 2, 'alice@ws1', '', 'script', '{}', 0, 0, 1, 'sha256:ab', '{}', 0)`).run();
    expect(old.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'plans'").get()).toEqual({ n: 0 });
    old.close();

    journal = Journal.open(file);
    expect(SCHEMA_VERSION).toBe(3);
    expect(journal.listRuns().map((r) => r.runId)).toEqual(['r20261201-100000-abcd']);
    const plans = history();
    const planId = plans.record(asked('q-migrated'), feasible);
    await plans.whenIdle();
    expect(plans.list({}).plans.map((p) => p.planId)).toEqual([planId]);
    journal.close();

    const check = new Database(file, { readonly: true });
    try {
      expect(check.pragma('user_version', { simple: true })).toBe(3);
    } finally {
      check.close();
    }
    journal = Journal.open(file);
    // opening a migrated journal again changes nothing
    expect(journal.listPlans({ limit: 10 }).map((p) => p.planId)).toEqual([planId]);
  });
});
