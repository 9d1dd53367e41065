/**
 * Control-plane benchmarks (issue: the executor and its journal), each against a baseline
 * measured in the same run:
 * - journal cost per state change: `Journal.record` (event row + state, WAL, synchronous=FULL)
 *   against a bare one-row SQLite transaction with the same pragmas;
 * - resume after a crash with 1,000 journaled steps: open the journal, load the run, recover;
 *   against opening the journal alone;
 * - executor overhead per step on the demo cluster for BtrPlace's li-r6 plan (590 migrations) at a
 *   demo speed where actions take no time: the whole run through the executor (preflight read,
 *   effect, verify read, journal) against the same actions sent straight to the effector.
 *
 * `node dist/test/bench/execution.js` prints the Markdown section; `npm run bench` includes it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { readInstanceFile } from '../../main/node/instance-file.js';
import { DemoEngine, demoEffector, demoProvider } from '../../main/node/demo/index.js';
import { Journal, type RevisionRecord, type RunMeta } from '../../main/node/journal/journal.js';
import type { ClusterHandle } from '../../main/services/cluster.js';
import { RunDriver } from '../../main/services/execution.js';
import { PlanningService } from '../../main/services/planning.js';
import { factsOf } from '../../src/executor/facts.js';
import { transition } from '../../src/executor/machine.js';
import { freshStep, newRun, stepsFromPlan } from '../../src/executor/steps.js';
import type { ExecEvent, Run, Step } from '../../src/executor/types.js';
import type { Instance } from '../../src/instance/instance.js';
import { plan } from '../../src/solver/planner.js';

const TDSC_DIR = process.env['FERRY_BENCH_DIR'] ?? '/work/shared/bench/btrplace-tdsc';
const META: RunMeta = { createdBy: 'bench@ferry', script: '', scriptName: 'bench', options: {} };

function revision(run: Run, facts: unknown = { facts: { vms: {}, nodes: {} }, applied: [] }): RevisionRecord {
  return { revision: 1, constraintHash: run.constraintHash, plan: { origin: {}, actions: [] }, originFacts: facts, createdAt: Date.now(), reason: 'initial plan' };
}

/** Synthetic independent migrations, as many as asked. */
function syntheticSteps(count: number): Step[] {
  const steps: Step[] = [];
  for (let i = 1; i <= count; i++) {
    steps.push(freshStep({ id: `s${i}`, action: { kind: 'migrateVM', vm: `vm${i}`, from: `n${i % 50}`, to: `n${50 + (i % 50)}` }, plannedStart: 0, plannedEnd: 10, dependsOn: [], memoryMiB: 4096 }));
  }
  return steps;
}

/** Drives a run to its end with an environment that answers every command at once; yields every event. */
function* drive(run: Run): Generator<{ event: ExecEvent; next: Run }> {
  let at = run.createdAt;
  const queue: ExecEvent[] = [
    { type: 'start', at, by: 'bench' },
    { type: 'set-mode', at, by: 'bench', mode: 'unattended', maxPerHost: 1000 },
  ];
  let current = run;
  while (queue.length > 0) {
    const event = queue.shift() as ExecEvent;
    const t = transition(current, event);
    if (t.refused !== undefined) continue;
    current = t.run;
    yield { event, next: current };
    at++;
    for (const c of t.commands) {
      if (c.type === 'preflight') queue.push({ type: 'preflight-ok', at, stepId: c.stepId });
      else if (c.type === 'perform') queue.push({ type: 'effect-ended', at, stepId: c.stepId, outcome: { status: 'succeeded' } });
      else if (c.type === 'verify') queue.push({ type: 'verified', at, stepId: c.stepId, result: 'done', detail: 'bench' });
    }
  }
}

function bareCommitMs(dir: string, count: number): number {
  const db = new Database(join(dir, 'bare.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)');
  const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
  const t0 = performance.now();
  for (let i = 0; i < count; i++) db.transaction(() => insert.run(`{"type":"verified","stepId":"s${i}"}`))();
  const ms = performance.now() - t0;
  db.close();
  return ms / count;
}

interface JournalBench {
  readonly steps: number;
  readonly events: number;
  readonly recordMs: number;
  readonly bareMs: number;
  readonly resumeMs: number;
  readonly openMs: number;
}

function benchJournal(dir: string, stepCount: number): JournalBench {
  const file = join(dir, 'journal.sqlite');
  const journal = Journal.open(file);
  const run = newRun({ runId: 'rbench-journal', clusterId: 'bench', steps: syntheticSteps(stepCount), constraintHash: 'sha256:bench', maxPerHost: 1000, windowSeconds: null, createdAt: Date.now() });
  journal.createRun(run, META, revision(run));
  let events = 0;
  const t0 = performance.now();
  for (const { event, next } of drive(run)) {
    journal.record(run.runId, event, next);
    events++;
  }
  const recordMs = (performance.now() - t0) / events;
  journal.close();

  const tOpen = performance.now();
  Journal.open(file).close();
  const openMs = performance.now() - tOpen;
  const tResume = performance.now();
  const reopened = Journal.open(file);
  const stored = reopened.loadRun(run.runId);
  if (!stored) throw new Error('run lost');
  transition(stored.run, { type: 'recovered', at: Date.now(), by: 'bench' });
  const resumeMs = performance.now() - tResume;
  reopened.close();
  return { steps: stepCount, events, recordMs, bareMs: bareCommitMs(dir, 2000), resumeMs, openMs };
}

interface ExecutorBench {
  readonly steps: number;
  readonly total: number;
  readonly migrations: number;
  readonly executorMs: number;
  readonly effectorMs: number;
  readonly state: string;
}

/**
 * The first `count` steps of li-r6-c0's plan in plan order, closed under dependencies (a step is
 * taken only when every step it waits for is); the benchmark runs the whole plan.
 */
async function li6Plan(count: number): Promise<{ instance: Instance; steps: Step[]; total: number; migrations: number } | string> {
  const read = await readInstanceFile(join(TDSC_DIR, 'li-r6-c0.json.gz'));
  if (!read.ok) return `li-r6-c0 unavailable: ${String(read.error)}`;
  const result = await plan(read.value, { timeLimitMs: 20_000 });
  if (!result.plan) return `li-r6-c0: no plan (${result.status})`;
  const all = stepsFromPlan(result.plan);
  const taken = new Set<string>();
  const steps: Step[] = [];
  for (const step of all) {
    if (steps.length >= count) break;
    if (!step.dependsOn.every((d) => taken.has(d))) continue;
    taken.add(step.id);
    steps.push(step);
  }
  return { instance: read.value, steps, total: all.length, migrations: result.migrations };
}

async function benchExecutor(dir: string, count: number): Promise<ExecutorBench | string> {
  const planned = await li6Plan(count);
  if (typeof planned === 'string') return planned;
  const speed = 1e6;
  // baseline: the same actions straight to the effector, one after the other, on a copy of the cluster
  const bare = DemoEngine.open(join(dir, 'bare-demo'), { seed: planned.instance, speed });
  const effector = demoEffector(bare);
  const never = new AbortController().signal;
  const t0 = performance.now();
  for (const step of planned.steps) await effector.perform({ requestId: `bare:${step.id}`, action: step.action, timeoutMs: 60_000, signal: never, onProgress: () => undefined });
  const effectorMs = (performance.now() - t0) / planned.steps.length;
  bare.close();

  const engine = DemoEngine.open(join(dir, 'demo'), { seed: planned.instance, speed });
  const cluster: ClusterHandle = { id: 'bench', kind: 'demo', description: 'bench', provider: demoProvider(engine, 'bench'), effector: demoEffector(engine), close: () => engine.close() };
  const journal = Journal.open(join(dir, 'executor-journal.sqlite'));
  const run = newRun({ runId: 'rbench-exec', clusterId: 'bench', steps: planned.steps, constraintHash: 'sha256:bench', maxPerHost: 2, windowSeconds: null, createdAt: Date.now() });
  const rev = revision(run, { facts: factsOf(planned.instance.model), applied: [] });
  journal.createRun(run, META, rev);
  const driver = new RunDriver(
    { journal, cluster, planning: new PlanningService({ pickRunner: null, solveParts: null }), clock: { now: () => Date.now() }, actor: 'bench', replanRequest: () => { throw new Error('no re-plan in the bench'); }, stepTimeoutMs: () => 60_000, heartbeatMs: 0 },
    run,
    META,
    [rev],
  );
  const t1 = performance.now();
  driver.dispatch({ type: 'start', at: Date.now(), by: 'bench' });
  driver.dispatch({ type: 'set-mode', at: Date.now(), by: 'bench', mode: 'unattended' });
  const end = await driver.settled();
  const executorMs = (performance.now() - t1) / planned.steps.length;
  driver.close();
  journal.close();
  engine.close();
  return { steps: planned.steps.length, total: planned.total, migrations: planned.migrations, executorMs, effectorMs, state: end.state };
}

export async function benchExecution(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-exec-'));
  try {
    const j = benchJournal(dir, 1000);
    const lines = [
      '## Control plane: journal and executor (test/bench/execution.ts)',
      '',
      '| measure | Ferry | baseline | ratio |',
      '|---|---|---|---|',
      `| journal cost per state change (${j.events} changes of a ${j.steps}-step run; WAL, synchronous=FULL) | ${j.recordMs.toFixed(3)} ms | ${j.bareMs.toFixed(3)} ms (bare one-row transaction) | ${(j.recordMs / j.bareMs).toFixed(2)} |`,
      `| resume after a crash with ${j.steps} journaled steps (open, load, recover) | ${j.resumeMs.toFixed(1)} ms | ${j.openMs.toFixed(1)} ms (open the journal alone) | ${(j.resumeMs / j.openMs).toFixed(2)} |`,
    ];
    const e = await benchExecutor(dir, Number.POSITIVE_INFINITY);
    if (typeof e === 'string') lines.push(`| executor overhead per step (li-r6-c0) | ${e} | | |`);
    else lines.push(`| executor overhead per step, demo cluster seeded with li-r6-c0 (its plan: ${e.migrations} migrations, ${e.total} steps; ${e.steps === e.total ? 'all run' : `measured on the first ${e.steps}`}, run ${e.state}; preflight read, effect, verify read, journal) | ${e.executorMs.toFixed(1)} ms | ${e.effectorMs.toFixed(1)} ms (the effect alone, sent straight to the effector) | ${(e.executorMs / e.effectorMs).toFixed(2)} |`);
    lines.push('');
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (/bench[\\/]execution\.(ts|js)$/.test(process.argv[1] ?? '')) {
  process.stdout.write(`${(await benchExecution()).join('\n')}\n`);
}
