import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { checkPlan } from '../../src/checker/plan-checker.js';
import { type ErrorBody, type OutputOf, PROCEDURE_NAMES, type PlanJson, type ProcedureName, type Reply, type WirePlan, decodeInstance, decodePlan, findNonJson, isOnHeldOrigin, parseOutput, parseReply } from '../../src/contract/index.js';
import { parseScript } from '../../src/dsl/script.js';
import type { PlanResult } from '../../src/solver/planner.js';
import { demoDir } from '../../main/node/data-dir.js';
import { DemoEngine } from '../../main/node/demo/index.js';
import { Journal } from '../../main/node/journal/journal.js';
import { ClusterService } from '../../main/services/cluster.js';
import { PlanningService, type PlanningServiceOptions } from '../../main/services/planning.js';
import { RunService } from '../../main/services/runs.js';
import { type CallableName, type RpcServer, type SubscriptionName, createHandlers } from '../../main/rpc/index.js';

/**
 * The handler table on a temporary FERRY home with the real demo cluster: every reply is an
 * envelope that follows the contract and survives JSON, malformed messages are refused where they
 * are wrong (and nothing is journaled), and a run is driven to its end through operator events.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const SCRIPT = readFileSync(join(ROOT, 'examples', 'demo-maintenance.btrp'), 'utf8');
const ACTOR = 'alice@ws1';
/** Short plannings: the demo cluster has a good plan within a second or two. */
const OPTIONS = { timeLimitS: 2, migrationTime: 'memory' } as const;

let home: string;
let journal: Journal;
let server: RpcServer;
let internal: string[];

function open(planning: PlanningServiceOptions = {}): RpcServer {
  const clusters = new ClusterService(home);
  const planner = new PlanningService({ pickRunner: null, ...planning });
  const runs = new RunService({ home, journal, clusters, planning: planner, clock: { now: () => Date.now() }, actor: ACTOR });
  return createHandlers({ home, journal, clusters, planning: planner, runs, actor: ACTOR }, { checkOutputs: true, onInternalError: (where) => internal.push(where) });
}

beforeEach(() => {
  process.env.FERRY_DEMO_SPEED = '50';
  home = mkdtempSync(join(tmpdir(), 'ferry-rpc-'));
  journal = Journal.open(join(home, 'journal.sqlite'));
  internal = [];
  server = open();
});

afterEach(() => {
  server.close();
  journal.close();
  rmSync(home, { recursive: true, force: true });
});

/** Every reply: follows the contract's envelope for its procedure, and JSON changes nothing in it. */
function expectWireSafe(name: string, reply: unknown): void {
  const text = JSON.stringify(reply);
  const back: unknown = JSON.parse(text);
  expect(back).toEqual(reply);
  expect(findNonJson(back)).toBeUndefined();
  if ((PROCEDURE_NAMES as readonly string[]).includes(name)) {
    const parsed = parseReply(name as ProcedureName, back);
    if (!parsed.ok) throw new Error(`the reply of ${name} does not follow the contract: ${parsed.error.message}`);
  }
}

async function call(name: string, input: unknown): Promise<Reply<unknown>> {
  const reply = await server.invoke(name, input);
  expectWireSafe(name, reply);
  return reply;
}

/** The value of a successful call, typed by the procedure. */
async function value<N extends CallableName>(name: N, input: unknown): Promise<OutputOf<N>> {
  const reply = await server.invoke(name, input);
  expectWireSafe(name, reply);
  if (!reply.ok) throw new Error(`${name} failed: ${reply.error.code}: ${reply.error.message}`);
  return reply.value as OutputOf<N>;
}

async function refused(name: string, input: unknown): Promise<ErrorBody> {
  const reply = await call(name, input);
  if (reply.ok) throw new Error(`${name} accepted: ${JSON.stringify(reply.value).slice(0, 200)}`);
  return reply.error;
}

/** Collects a subscription's envelopes, each checked against the contract's event schema. */
function collect<N extends SubscriptionName>(name: N, input: unknown): { readonly events: unknown[]; readonly errors: ErrorBody[]; stop: () => void } {
  const events: unknown[] = [];
  const errors: ErrorBody[] = [];
  const stop = server.subscribe(name, input, (reply) => {
    expect(JSON.parse(JSON.stringify(reply))).toEqual(reply);
    if (!reply.ok) {
      errors.push(reply.error);
      return;
    }
    const checked = parseOutput(name, reply.value);
    if (!checked.ok) throw new Error(`a ${name} event does not follow the contract: ${checked.error.message}`);
    events.push(reply.value);
  });
  return { events, errors, stop };
}

async function until(what: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const start = Date.now();
  while (!what()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out: ${describe()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The plan of an answer that was not asked to leave its origin out. */
function wholePlan(plan: WirePlan | null): PlanJson {
  if (plan === null) throw new Error('expected a plan');
  if (isOnHeldOrigin(plan)) throw new Error('expected the plan with its origin');
  return plan;
}

async function computeDemoPlan(requestId: string) {
  const computed = await value('plan:compute', { clusterId: 'demo', requestId, script: { text: SCRIPT, name: 'demo-maintenance.btrp' }, options: OPTIONS });
  if (computed.kind !== 'result') throw new Error(`script errors: ${JSON.stringify(computed.diagnostics)}`);
  return computed;
}

describe('clusters', () => {
  it('lists the demo cluster, with its counts once read', async () => {
    const before = await value('cluster:list', {});
    expect(before.clusters.map((c) => c.clusterId)).toEqual(['demo']);
    expect(before.clusters[0]).toMatchObject({ provider: 'demo', readAt: null, heldBy: null });
    await value('cluster:refresh', { clusterId: 'demo' });
    const after = await value('cluster:list', {});
    expect(after.clusters[0]).toMatchObject({ clusterId: 'demo', nodes: 12, label: 'demo (12 hosts)' });
    expect(after.clusters[0]?.vms).toBeGreaterThan(50);
    expect(after.clusters[0]?.readAt).toBeGreaterThan(0);
  });

  it('a snapshot round-trips through the wire schema and decodes to the cluster model; a refresh tells cluster:changed', async () => {
    const changes = collect('cluster:changed', { clusterId: 'demo' });
    const snapshot = await value('cluster:snapshot', { clusterId: 'demo' });
    const decoded = decodeInstance(snapshot.instance);
    if (!decoded.ok) throw new Error(decoded.error.message);
    expect(decoded.value.model.mapping.nodeCount()).toBe(12);
    expect(snapshot.hosts).toHaveLength(12);
    // the second snapshot is the last read, not a new one
    expect((await value('cluster:snapshot', { clusterId: 'demo' })).readAt).toBe(snapshot.readAt);
    await value('cluster:refresh', { clusterId: 'demo', scope: { nodes: ['r1-h1'] } });
    await until(() => changes.events.length >= 2, 5_000, () => `${changes.events.length} cluster:changed events`);
    expect(changes.events[0]).toMatchObject({ clusterId: 'demo', readAt: snapshot.readAt });
    expect(await refused('cluster:snapshot', { clusterId: 'nowhere' })).toMatchObject({ code: 'not-found' });
  });
});

describe('constraints:lint', () => {
  it('reports a located error for an unknown VM, and the hash of a clean script', async () => {
    const bad = await value('constraints:lint', { clusterId: 'demo', script: { text: 'spread({web1, nosuch});' } });
    const error = bad.diagnostics.find((d) => d.severity === 'error');
    expect(error).toMatchObject({ line: 1, column: 15 });
    expect(error?.message).toContain('nosuch');
    expect(bad).toMatchObject({ constraints: 0, constraintHash: null });

    const good = await value('constraints:lint', { clusterId: 'demo', script: { text: SCRIPT, name: 'demo-maintenance.btrp' } });
    expect(good.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(good.constraints).toBeGreaterThan(0);
    expect(good.constraintHash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('lints against an instance given whole, its errors located in the input', async () => {
    const snapshot = await value('cluster:snapshot', { clusterId: 'demo' });
    const lint = await value('constraints:lint', { instance: snapshot.instance, script: { text: 'root(db1);' } });
    expect(lint.constraints).toBe(1);
    const broken = { ...snapshot.instance, model: { ...snapshot.instance.model, mapping: 'nope' } };
    const error = await refused('constraints:lint', { instance: broken, script: { text: 'root(db1);' } });
    expect(error.code).toBe('invalid-request');
    expect(error.path?.startsWith('$.input.instance.model')).toBe(true);
  });
});

describe('instance:open: a what-if file sent once, then named', () => {
  it('lints and plans by instanceId with the same answers as the instance given whole', async () => {
    const snapshot = await value('cluster:snapshot', { clusterId: 'demo' });
    const opened = await value('instance:open', { instance: snapshot.instance });
    const listed = (await value('cluster:list', {})).clusters.find((c) => c.clusterId === 'demo');
    expect(opened.vms).toBe(listed?.vms);
    expect(opened.nodes).toBe(listed?.nodes);
    const byId = await value('constraints:lint', { instanceId: opened.instanceId, script: { text: SCRIPT } });
    const whole = await value('constraints:lint', { instance: snapshot.instance, script: { text: SCRIPT } });
    expect(byId).toEqual(whole);
    expect(byId.constraintHash).toMatch(/^sha256:/);

    const first = await value('plan:compute', { instanceId: opened.instanceId, requestId: 'qa', script: { text: SCRIPT }, options: OPTIONS });
    if (first.kind !== 'result' || first.result.plan === null) throw new Error('the demo script has a plan');
    expect(first.constraintHash).toBe(byId.constraintHash);
    // planning did not change the kept instance: a second what-if starts from the same placement
    const second = await value('plan:compute', { instanceId: opened.instanceId, requestId: 'qb', script: { text: SCRIPT }, options: OPTIONS });
    if (second.kind !== 'result' || second.result.plan === null) throw new Error('the demo script has a plan');
    expect(wholePlan(second.result.plan).origin).toEqual(wholePlan(first.result.plan).origin);
  });

  it('refuses an unknown or dropped instanceId by its path, and a broken instance where it is wrong', async () => {
    expect(await refused('constraints:lint', { instanceId: 'instance-404', script: { text: 'root(db1);' } })).toMatchObject({ code: 'not-found', path: '$.input.instanceId' });
    const snapshot = await value('cluster:snapshot', { clusterId: 'demo' });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await value('instance:open', { instance: snapshot.instance })).instanceId);
    // the oldest of five is dropped (the process keeps four), the newest still answers
    expect((await refused('constraints:lint', { instanceId: ids[0] as string, script: { text: 'root(db1);' } })).message).toContain('open the file again');
    expect((await value('constraints:lint', { instanceId: ids[4] as string, script: { text: 'root(db1);' } })).constraints).toBe(1);
    const broken = { ...snapshot.instance, model: { ...snapshot.instance.model, mapping: 'nope' } };
    const error = await refused('instance:open', { instance: broken });
    expect(error.path?.startsWith('$.input.instance.model')).toBe(true);
    expect(await refused('constraints:lint', { instanceId: ids[4] as string, clusterId: 'demo', script: { text: '' } })).toMatchObject({ code: 'invalid-request' });
  });
});

describe('plan:compute with originHeld: the caller holds the origin, the answer leaves it out', () => {
  it('by instanceId: the same actions and step ids as the whole answer, named on the opened instance', async () => {
    const snapshot = await value('cluster:snapshot', { clusterId: 'demo' });
    const opened = await value('instance:open', { instance: snapshot.instance });
    const source = { instanceId: opened.instanceId, script: { text: SCRIPT }, options: OPTIONS };
    const full = await value('plan:compute', { ...source, requestId: 'w1' });
    const lean = await value('plan:compute', { ...source, requestId: 'w2', originHeld: { kind: 'instance', instanceId: opened.instanceId } });
    if (full.kind !== 'result' || lean.kind !== 'result' || lean.result.plan === null) throw new Error('the demo script has a plan');
    const plan = lean.result.plan;
    if (!isOnHeldOrigin(plan)) throw new Error('expected the plan without its origin');
    expect(plan.originRef).toEqual({ kind: 'instance', instanceId: opened.instanceId });
    expect(plan).not.toHaveProperty('origin');
    // the planner is deterministic here: the same plan, told apart only by the origin left out
    expect(plan.actions).toEqual(wholePlan(full.result.plan).actions);
    expect(lean.result.stepIds).toEqual(full.result.stepIds);
    // the caller's copy of the origin and the actions make the plan the checker accepts
    const decoded = decodePlan({ origin: snapshot.instance.model, actions: plan.actions });
    const instance = decodeInstance(snapshot.instance);
    if (!decoded.ok || !instance.ok) throw new Error('the wire forms decode');
    expect(checkPlan({ ...instance.value, constraints: parseScript(SCRIPT, { model: instance.value.model }).constraints }, decoded.value).ok).toBe(true);
  });

  it('by cluster read: left out only for the read the caller names; another read or a script setting attributes keeps it', async () => {
    const snapshot = await value('cluster:snapshot', { clusterId: 'demo' });
    const held = { kind: 'snapshot', clusterId: 'demo', readAt: snapshot.readAt } as const;
    const same = await value('plan:compute', { clusterId: 'demo', requestId: 'c1', script: { text: SCRIPT }, options: OPTIONS, originHeld: held });
    if (same.kind !== 'result' || same.result.plan === null) throw new Error('the demo script has a plan');
    expect(isOnHeldOrigin(same.result.plan)).toBe(true);
    const older = await value('plan:compute', { clusterId: 'demo', requestId: 'c2', script: { text: SCRIPT }, options: OPTIONS, originHeld: { ...held, readAt: snapshot.readAt - 1 } });
    if (older.kind !== 'result') throw new Error('the demo script has a plan');
    expect(wholePlan(older.result.plan).origin).toEqual(snapshot.instance.model);
    // an attribute set by the script changes the model planned: its origin is not the one held
    const attributed = await value('plan:compute', { clusterId: 'demo', requestId: 'c3', script: { text: `web1 : tiny<migrate=5>;\n${SCRIPT}` }, options: OPTIONS, originHeld: held });
    if (attributed.kind !== 'result') throw new Error(`script errors: ${JSON.stringify(attributed.diagnostics)}`);
    expect(wholePlan(attributed.result.plan).origin).not.toEqual(snapshot.instance.model);
  });

  it('progress events carry figures, not the plan', async () => {
    const progress = collect('plan:progress', { requestId: 'p1' });
    await computeDemoPlan('p1');
    await until(() => progress.events.length > 0, 5_000, () => 'no plan:progress event');
    for (const event of progress.events) {
      expect(event).not.toHaveProperty('plan');
      expect((event as { steps: number }).steps).toBeGreaterThan(0);
    }
  });
});

describe('plan:compute', () => {
  it('answers a checked plan with the lint hash; progress events follow the contract', async () => {
    const progress = collect('plan:progress', { requestId: 'q1' });
    const computed = await computeDemoPlan('q1');
    const { result } = computed;
    expect(['optimal', 'feasible']).toContain(result.status);
    if (result.plan === null) throw new Error('the demo script has a plan');
    expect(result.stepIds).toHaveLength(result.plan.actions.length);
    expect(result.migrations).toBeGreaterThan(0);

    // the plan checker accepts it against the cluster and every constraint of the script
    const snapshot = await value('cluster:snapshot', { clusterId: 'demo' });
    const instance = decodeInstance(snapshot.instance);
    const plan = decodePlan(wholePlan(result.plan));
    if (!instance.ok || !plan.ok) throw new Error('the wire forms decode');
    const script = parseScript(SCRIPT, { model: instance.value.model });
    expect(checkPlan({ ...instance.value, constraints: script.constraints }, plan.value).ok).toBe(true);

    const lint = await value('constraints:lint', { clusterId: 'demo', script: { text: SCRIPT } });
    expect(computed.constraintHash).toBe(lint.constraintHash);

    await until(() => progress.events.length > 0, 5_000, () => 'no plan:progress event');
    expect(progress.errors).toEqual([]);
    for (const event of progress.events) expect(event).toMatchObject({ requestId: 'q1' });
  });

  it('answers script errors as a value, located', async () => {
    const computed = await value('plan:compute', { clusterId: 'demo', requestId: 'q2', script: { text: 'spread({web1, nosuch});' } });
    expect(computed.kind).toBe('script-errors');
    expect(computed.diagnostics[0]).toMatchObject({ severity: 'error', line: 1 });
  });

  it('plan:cancel stops a planning under way: it answers with what it has', async () => {
    const waitsForCancel = async (_instance: unknown, options: { signal?: { aborted: boolean } }): Promise<PlanResult> => {
      while (!options.signal?.aborted) await new Promise((r) => setTimeout(r, 10));
      return { status: 'unknown', objective: Number.NaN, lowerBound: Number.NaN, gap: Number.NaN, durationSeconds: Number.NaN, durationLowerBound: 0, migrations: Number.NaN, migrationsLowerBound: 0, memoryMovedMiB: Number.NaN, solveMs: 5, notes: ['cancelled'] };
    };
    server.close();
    server = open({ planner: waitsForCancel as never, solveParts: null });
    const pending = server.invoke('plan:compute', { clusterId: 'demo', requestId: 'long', options: { timeLimitS: 3600 } });
    await new Promise((r) => setTimeout(r, 100));
    expect(await value('plan:compute', { clusterId: 'demo', requestId: 'long' }).catch((e: Error) => e.message)).toMatch(/conflict: request long is still planning/);
    expect(await value('plan:cancel', { requestId: 'long' })).toEqual({ cancelled: true });
    const reply = await pending;
    expectWireSafe('plan:compute', reply);
    expect(reply).toMatchObject({ ok: true, value: { kind: 'result', result: { status: 'unknown', plan: null, objective: null } } });
    expect(await value('plan:cancel', { requestId: 'long' })).toEqual({ cancelled: false });
    // nothing to run from a request without a plan
    expect(await refused('run:create', { clusterId: 'demo', requestId: 'long', constraintHash: 'sha256:x' })).toMatchObject({ code: 'conflict' });
  });
});

describe('runs', () => {
  it('run:create journals the plan the operator was shown, or refuses when the cluster changed since', async () => {
    const computed = await computeDemoPlan('shown');
    if (computed.result.plan === null) throw new Error('no plan shown');
    const shown = decodePlan(wholePlan(computed.result.plan), '$.plan');
    if (!shown.ok) throw new Error(shown.error.message);
    const created = await value('run:create', { clusterId: 'demo', requestId: 'shown', constraintHash: computed.constraintHash });
    // the very actions that were shown, in the same order, with the same ids
    expect(created.run.steps.map((st) => st.plannedStart)).toEqual([...shown.value.actions].sort((a, b) => a.start - b.start || a.end - b.end).map((a) => a.start));
    expect(created.run.steps.length).toBe(shown.value.actions.length);
    await value('run:event', { runId: created.run.runId, revision: 1, event: { type: 'abort' } });

    // a colleague moves a VM after the next plan was computed: that plan is not run
    const next = await computeDemoPlan('again');
    const engine = DemoEngine.open(demoDir(home));
    engine.injectFault({ kind: 'move-vm', vm: 'ci1', to: 'r3-h4' });
    engine.close();
    const moved = await refused('run:create', { clusterId: 'demo', requestId: 'again', constraintHash: next.constraintHash });
    expect(moved.code).toBe('conflict');
    expect(moved.message).toMatch(/the cluster changed since the plan was computed \(ci1 is running on r3-h4, was running on/);
  });

  it('run:create, start, unattended: run:changed until it succeeded, every payload following the contract', async () => {
    const changes = collect('run:changed', {});
    const computed = await computeDemoPlan('q1');

    const stale = await refused('run:create', { clusterId: 'demo', requestId: 'q1', constraintHash: 'sha256:not-the-one' });
    expect(stale).toMatchObject({ code: 'conflict' });
    expect(stale.message).toContain('not the one approved');
    expect(journal.listRuns()).toEqual([]);

    const created = await value('run:create', { clusterId: 'demo', requestId: 'q1', constraintHash: computed.constraintHash });
    const { run } = created;
    expect(run).toMatchObject({ clusterId: 'demo', state: 'draft', revision: 1, constraintHash: computed.constraintHash });
    expect(run.steps.length).toBeGreaterThan(0);
    expect((await value('cluster:list', {})).clusters[0]?.heldBy).toBe(run.runId);
    const steps = collect('run:step', { runId: run.runId });

    // the request became a run: it cannot become a second one
    expect(await refused('run:create', { clusterId: 'demo', requestId: 'q1', constraintHash: computed.constraintHash })).toMatchObject({ code: 'not-found' });

    // an approval of a step the run does not have: the executor's own sentence, nothing journaled
    const entries = journal.entries(run.runId).length;
    const unknown = await value('run:event', { runId: run.runId, revision: 1, event: { type: 'approve', stepIds: ['s999'] } });
    expect(unknown.refused).toBe('there is no step s999');
    expect(unknown.run.state).toBe('draft');
    // a stale revision
    expect(await refused('run:event', { runId: run.runId, revision: 7, event: { type: 'start' } })).toMatchObject({ code: 'conflict', path: '$.input.revision' });
    // an event only the service produces
    const forged = await refused('run:event', { runId: run.runId, revision: 1, event: { type: 'effect-ended', stepId: 's1', outcome: { status: 'succeeded' } } });
    expect(forged).toMatchObject({ code: 'invalid-request', path: '$.input.event.type' });
    expect(forged.message).toContain('only the execution service produces');
    expect(journal.entries(run.runId)).toHaveLength(entries);

    const started = await value('run:event', { runId: run.runId, revision: 1, event: { type: 'start' } });
    expect(started).toMatchObject({ refused: null, run: { state: 'running' } });
    await value('run:event', { runId: run.runId, revision: 1, event: { type: 'set-mode', mode: 'unattended' } });

    const ended = (): { run: { runId: string; state: string } } | undefined =>
      (changes.events as { run: { runId: string; state: string } }[]).find((e) => e.run.runId === run.runId && ['succeeded', 'failed', 'cancelled'].includes(e.run.state));
    await until(() => ended() !== undefined, 90_000, () => JSON.stringify((changes.events.at(-1) as { run: { state: string; steps: { id: string; state: string }[] } } | undefined)?.run.steps.map((s) => [s.id, s.state])));
    expect(ended()?.run.state).toBe('succeeded');
    expect(changes.errors).toEqual([]);
    expect(steps.errors).toEqual([]);
    expect(steps.events.length).toBeGreaterThanOrEqual(run.steps.length);

    const got = await value('run:get', { runId: run.runId });
    expect(got.run.state).toBe('succeeded');
    expect(got.progress).toMatchObject({ total: run.steps.length, succeeded: run.steps.length, remaining: 0 });
    expect(got.run.steps.every((s) => s.approvedBy === ACTOR)).toBe(true);

    const listed = await value('run:list', { clusterId: 'demo', states: ['succeeded'] });
    expect(listed.runs.map((r) => r.runId)).toEqual([run.runId]);
    expect((await value('run:list', { states: ['running'] })).runs).toEqual([]);

    // an ended run refuses in the executor's words
    const late = await value('run:event', { runId: run.runId, revision: 1, event: { type: 'pause' } });
    expect(late.refused).toMatch(/succeeded|ended/);
    expect(late.run.state).toBe('succeeded');

    const report = await value('run:report', { runId: run.runId, format: 'md' });
    expect(report.content).toContain(run.runId);
    expect(report.fileName).toBe(`ferry-report-${run.runId}.md`);
    expect((await value('run:report', { runId: run.runId, format: 'html' })).content).toContain('<html');
    expect(internal).toEqual([]);
  });

  it('an event for an interrupted run of the journal resumes it (stale lock taken over); never a second driver of a run', async () => {
    const elsewhere = new RunService({ home, journal, clusters: new ClusterService(home), planning: new PlanningService({ pickRunner: null }), clock: { now: () => Date.now() }, actor: 'bob@ws2' });
    const created = await elsewhere.create({ clusterId: 'demo', script: { text: SCRIPT, name: 'demo-maintenance.btrp' }, options: { objective: 'mttr', timeLimitS: 2, maxConcurrent: 2, migrationTime: 'memory' } });
    if (created.kind !== 'created') throw new Error(`no run: ${created.kind}`);
    const { runId } = created.driver;

    // driven by other code of this very process: refused, not driven twice
    const twice = await refused('run:event', { runId, revision: 1, event: { type: 'start' } });
    expect(twice).toMatchObject({ code: 'conflict' });
    expect(twice.message).toContain('another driver of this process');

    // that process "crashes": its lock is left behind by a pid that no longer runs
    created.driver.close();
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
    journal.releaseLock('demo', runId);
    expect(journal.acquireLock('demo', { runId, user: 'bob', host: hostname(), pid: dead }, Date.now()).ok).toBe(true);

    const started = await value('run:event', { runId, revision: 1, event: { type: 'start' } });
    expect(started.run.state).toBe('running');
    const types = journal.entries(runId).map((e) => e.type);
    expect(types).toContain('recovered');
    expect(journal.entries(runId).some((e) => e.type === 'note' && (e.note ?? '').includes('taken over'))).toBe(true);
    expect(journal.currentLock('demo')).toMatchObject({ runId, pid: process.pid });

    await value('run:event', { runId, revision: 1, event: { type: 'abort', reason: 'test over' } });
    const got = await value('run:get', { runId });
    expect(got.run.stopping === 'abort' || got.run.state === 'cancelled').toBe(true);
  });

  it('run:create takes the approval mode and per-host cap; a plan of an instance given whole is no cluster run', async () => {
    const computed = await computeDemoPlan('q1');
    const { run } = await value('run:create', { clusterId: 'demo', requestId: 'q1', constraintHash: computed.constraintHash, mode: 'unattended', maxPerHost: 1 });
    expect(run).toMatchObject({ state: 'draft', mode: 'unattended', maxPerHost: 1 });
    expect(run.steps.every((s) => s.approved && s.approvedBy === ACTOR)).toBe(true);
    await value('run:event', { runId: run.runId, revision: 1, event: { type: 'abort' } });
    expect((await value('run:get', { runId: run.runId })).run.state).toBe('cancelled');

    const snapshot = await value('cluster:snapshot', { clusterId: 'demo' });
    const onInstance = await value('plan:compute', { instance: snapshot.instance, requestId: 'qi', script: { text: SCRIPT }, options: OPTIONS });
    if (onInstance.kind !== 'result') throw new Error('the script applies');
    const error = await refused('run:create', { clusterId: 'demo', requestId: 'qi', constraintHash: onInstance.constraintHash });
    expect(error).toMatchObject({ code: 'invalid-request', path: '$.input.clusterId' });
    expect(error.message).toContain('an instance given whole');
  });

  it('reads runs of the journal that this process does not drive, and refuses unknown ones', async () => {
    expect(await refused('run:get', { runId: 'r-nope' })).toMatchObject({ code: 'not-found', path: '$.input.runId' });
    expect(await refused('run:report', { runId: 'r-nope', format: 'md' })).toMatchObject({ code: 'not-found' });
    expect(await refused('run:event', { runId: 'r-nope', revision: 1, event: { type: 'start' } })).toMatchObject({ code: 'not-found' });
    expect(await value('run:list', {})).toEqual({ runs: [] });
    expect(await refused('run:create', { clusterId: 'demo', requestId: 'never', constraintHash: 'sha256:x' })).toMatchObject({ code: 'not-found', path: '$.input.requestId' });
  });
});

describe('malformed input is refused where it is wrong, and nothing is journaled', () => {
  it('wrong types, NaN, unknown fields, unknown procedures, service-only events', async () => {
    expect(await refused('cluster:snapshot', { clusterId: 5 })).toEqual({ code: 'invalid-request', message: '$.input.clusterId: expected a string, got 5', path: '$.input.clusterId' });
    expect(await refused('plan:compute', { clusterId: 'demo', requestId: 'q', options: { timeLimitS: Number.NaN } })).toMatchObject({
      message: '$.input.options.timeLimitS: expected a finite number, got NaN',
      path: '$.input.options.timeLimitS',
    });
    expect(await refused('plan:compute', { clusterId: 'demo', instance: {}, requestId: 'q' })).toMatchObject({ code: 'invalid-request', message: '$.input: expected one of clusterId, instance or instanceId, not clusterId and instance' });
    expect(await refused('run:list', { cluster: 'demo' })).toMatchObject({ path: '$.input.cluster', message: '$.input.cluster: unexpected field' });
    const unknown = await refused('plan:compuet', {});
    expect(unknown).toMatchObject({ code: 'invalid-request', path: '$.name' });
    expect(unknown.message).toContain('did you mean plan:compute?');
    expect(await refused('run:event', { runId: 'r1', revision: 1, event: { type: 'effect-ended', stepId: 's1', outcome: { status: 'succeeded' } } })).toMatchObject({ path: '$.input.event.type' });
    expect(await refused('run:event', { runId: 'r1', revision: -1, event: { type: 'start' } })).toMatchObject({ path: '$.input.revision' });
    expect(await refused('plan:progress', { requestId: 'q' })).toMatchObject({ code: 'invalid-request', path: '$.name' });
    expect(journal.listRuns()).toEqual([]);
    expect(internal).toEqual([]);
  });

  it('a refused subscription gets one located error and nothing else', async () => {
    const bad = collect('run:step', { runId: 42 } as never);
    const query = collect('run:get' as never, { runId: 'r1' });
    await until(() => bad.errors.length > 0 && query.errors.length > 0, 1_000, () => 'no refusal');
    expect(bad.errors).toEqual([{ code: 'invalid-request', message: '$.input.runId: expected a string, got 42', path: '$.input.runId' }]);
    expect(query.errors[0]?.message).toContain('run:get is a query, not a subscription');
  });
});

describe('internal errors', () => {
  it('become { code: internal, message } of one line, with no stack trace', async () => {
    server.close();
    server = open({
      planner: (() => {
        throw new Error('the planner fell over\n    at plan (planner.ts:1:1)');
      }) as never,
      solveParts: null,
    });
    const error = await refused('plan:compute', { clusterId: 'demo', requestId: 'q1' });
    expect(error).toEqual({ code: 'internal', message: 'plan:compute: the planner fell over' });
    expect(internal).toEqual(['plan:compute']);
  });
});
