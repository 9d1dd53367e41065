import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { NamedAction } from '../../src/cluster/ports.js';
import type { Run } from '../../src/executor/types.js';
import { demoDir } from '../../main/node/data-dir.js';
import { DemoEngine } from '../../main/node/demo/index.js';
import { Journal } from '../../main/node/journal/journal.js';
import { ClusterService } from '../../main/services/cluster.js';
import type { RunDriver } from '../../main/services/execution.js';
import { PlanningService } from '../../main/services/planning.js';
import { RunService } from '../../main/services/runs.js';

/**
 * Drift: the cluster changes behind Ferry's back between approval and execution. The step's
 * preflight sees it, holds the step, plans again from the live state and presents the difference
 * (kept, dropped, new) for approval; accepted, the run goes on from the new revision.
 */

const SCRIPT = readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'demo-maintenance.btrp'), 'utf8');
let home: string;
let journal: Journal;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'ferry-drift-'));
  process.env.FERRY_DEMO_SPEED = '50';
  journal = Journal.open(join(home, 'journal.sqlite'));
});

afterEach(() => {
  journal.close();
  rmSync(home, { recursive: true, force: true });
});

async function until(driver: RunDriver, what: (run: Run) => boolean, timeoutMs = 30_000): Promise<Run> {
  const start = Date.now();
  while (!what(driver.run)) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out; run is ${driver.run.state}: ${JSON.stringify(driver.run.steps.map((s) => [s.id, s.state, s.reason]))}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return driver.run;
}

function service(): RunService {
  return new RunService({ home, journal, clusters: new ClusterService(home), planning: new PlanningService(), clock: { now: () => Date.now() }, actor: 'alice@ws1' });
}

async function createRun(runs: RunService): Promise<RunDriver> {
  const created = await runs.create({ clusterId: 'demo', script: { text: SCRIPT, name: 'demo-maintenance.btrp' }, options: { objective: 'mttr', timeLimitS: 3, maxConcurrent: 2, migrationTime: 'memory' } });
  if (created.kind !== 'created') throw new Error(`no run: ${JSON.stringify(created)}`);
  return created.driver;
}

describe('drift between approval and execution', () => {
  it('holds the step, re-plans from the live state, shows kept/dropped/new, and goes on once accepted', async () => {
    const runs = service();
    const driver = await createRun(runs);
    const first = driver.run.steps.find((s) => s.action.kind === 'migrateVM' && s.dependsOn.length === 0);
    expect(first).toBeDefined();
    const action = first?.action as Extract<NamedAction, { kind: 'migrateVM' }>;

    // someone migrates that VM elsewhere by hand, after the plan was made
    const engine = DemoEngine.open(demoDir(home));
    const elsewhere = ['r1-h1', 'r1-h2', 'r3-h1', 'r3-h2', 'r3-h3', 'r3-h4'].find((n) => n !== action.from && n !== action.to) as string;
    engine.injectFault({ kind: 'move-vm', vm: action.vm, to: elsewhere });
    engine.close();

    driver.dispatch({ type: 'start', at: Date.now(), by: 'alice@ws1' });
    driver.dispatch({ type: 'approve', at: Date.now(), by: 'alice@ws1', stepIds: [first?.id as string] });
    const held = await until(driver, (r) => r.replan !== null);

    const step = held.steps.find((s) => s.id === first?.id);
    expect(step?.state).toBe('held');
    expect(step?.heldBy).toBe('drift');
    expect(step?.reason).toContain(action.vm);
    // nothing was sent to the hypervisor for the drifted step
    expect(step?.attempts).toBe(0);

    const proposal = held.replan;
    if (!proposal) throw new Error('no proposal');
    expect(proposal.revision).toBe(2);
    expect(proposal.diff.dropped).toContain(first?.id);
    const unfinished = held.steps.filter((s) => s.state !== 'succeeded' && s.state !== 'skipped' && s.state !== 'cancelled').map((s) => s.id);
    expect([...proposal.diff.kept, ...proposal.diff.dropped].sort()).toEqual([...unfinished].sort());
    // the new plan moves the VM from where it really is now, if it moves it at all
    for (const s of proposal.steps) if (s.action.kind === 'migrateVM' && s.action.vm === action.vm) expect(s.action.from).toBe(elsewhere);
    for (const id of proposal.diff.added) expect(held.steps.some((s) => s.id === id)).toBe(false);

    driver.dispatch({ type: 'replan-accepted', at: Date.now(), by: 'alice@ws1' });
    driver.dispatch({ type: 'set-mode', at: Date.now(), by: 'alice@ws1', mode: 'unattended' });
    const end = await driver.settled();
    driver.close();
    expect(end.state).toBe('succeeded');
    expect(end.revision).toBe(2);
    expect(end.steps.find((s) => s.id === first?.id)?.state).toBe('cancelled');

    const stored = journal.loadRun(end.runId);
    expect(stored?.revisions.map((r) => r.revision)).toEqual([1, 2]);
    expect(stored?.revisions[1]?.reason).toMatch(/re-plan/);
    const types = journal.entries(end.runId).map((e) => e.type);
    expect(types).toContain('preflight-drift');
    expect(types).toContain('replan-accepted');
  });

  it('a migration that fails is re-read, left on its source, and offered retry', async () => {
    const runs = service();
    const driver = await createRun(runs);
    const first = driver.run.steps.find((s) => s.action.kind === 'migrateVM' && s.dependsOn.length === 0);
    const action = first?.action as Extract<NamedAction, { kind: 'migrateVM' }>;
    const engine = DemoEngine.open(demoDir(home));
    engine.injectFault({ kind: 'fail-migration', vm: action.vm });
    engine.close();

    driver.dispatch({ type: 'start', at: Date.now(), by: 'alice@ws1' });
    driver.dispatch({ type: 'approve', at: Date.now(), by: 'alice@ws1', stepIds: [first?.id as string] });
    const failed = await until(driver, (r) => r.steps.some((s) => s.id === first?.id && s.state === 'failed'));
    const step = failed.steps.find((s) => s.id === first?.id);
    expect(step?.lastOutcome?.status).toBe('failed');
    const live = await new ClusterService(home).snapshot('demo', { vms: [action.vm] });
    const vm = live.model.vmNames?.resolve(action.vm) as number;
    expect(live.model.nodeName(live.model.mapping.host(vm) as number)).toBe(action.from);

    // the fault was one-shot: a retry goes through
    driver.dispatch({ type: 'failure-choice', at: Date.now(), by: 'alice@ws1', stepId: first?.id as string, choice: 'retry' });
    await until(driver, (r) => r.steps.some((s) => s.id === first?.id && s.state === 'succeeded'));
    expect(driver.run.steps.find((s) => s.id === first?.id)?.attempts).toBe(2);
    driver.dispatch({ type: 'abort', at: Date.now(), by: 'alice@ws1', reason: 'test done' });
    const end = await driver.settled();
    driver.close();
    expect(end.state).toBe('cancelled');
  });

  it('abort cancels a running migration on the hypervisor: the VM stays on its source, the journal says so', async () => {
    const runs = service();
    const driver = await createRun(runs);
    const first = driver.run.steps.find((s) => s.action.kind === 'migrateVM' && s.dependsOn.length === 0);
    const action = first?.action as Extract<NamedAction, { kind: 'migrateVM' }>;
    const engine = DemoEngine.open(demoDir(home));
    engine.injectFault({ kind: 'slow-migration', vm: action.vm, factor: 200 });
    engine.close();

    driver.dispatch({ type: 'start', at: Date.now(), by: 'alice@ws1' });
    driver.dispatch({ type: 'approve', at: Date.now(), by: 'alice@ws1', stepIds: [first?.id as string] });
    await until(driver, (r) => r.steps.some((s) => s.id === first?.id && s.phase === 'executing'));
    driver.dispatch({ type: 'abort', at: Date.now(), by: 'alice@ws1', reason: 'window closed early' });
    const end = await driver.settled();
    driver.close();
    expect(end.state).toBe('cancelled');
    const step = end.steps.find((s) => s.id === first?.id);
    expect(step?.state).toBe('cancelled');
    expect(step?.lastOutcome?.status).toBe('cancelled');
    const live = await new ClusterService(home).snapshot('demo', { vms: [action.vm] });
    const vm = live.model.vmNames?.resolve(action.vm) as number;
    expect(live.model.nodeName(live.model.mapping.host(vm) as number)).toBe(action.from);
    expect(live.jobs.size).toBe(0);
    const journaled = journal.loadRun(end.runId);
    expect(journaled?.run.steps.find((s) => s.id === first?.id)?.state).toBe('cancelled');
    expect(journaled?.run.reason).toContain('window closed early');
  });
});
