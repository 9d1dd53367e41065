import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { type ErrorBody, type OutputOf, type Reply, parseReply } from '../../src/contract/index.js';
import { demoDir } from '../../main/node/data-dir.js';
import { DemoEngine } from '../../main/node/demo/index.js';
import { Journal } from '../../main/node/journal/journal.js';
import { ClusterService } from '../../main/services/cluster.js';
import { PlanHistory } from '../../main/services/plan-history.js';
import { PlanningService } from '../../main/services/planning.js';
import { RunService } from '../../main/services/runs.js';
import { type CallableName, type RpcServer, type RpcServices, createHandlers } from '../../main/rpc/index.js';

/**
 * A plan reopened from History in a later session runs as a fresh one does: run:create and
 * run:rehearse by `planId`, through the real handler table on a temporary FERRY home with the demo
 * cluster. Session A computes (its handler table, its Session), session B (a fresh table over the
 * same services and journal, as after a reload) starts the kept plan: the same steps, or a
 * conflict that says the cluster changed — and then nothing is created.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const SCRIPT = readFileSync(join(ROOT, 'examples', 'demo-maintenance.btrp'), 'utf8');
const ACTOR = 'alice@ws1';
const OPTIONS = { timeLimitS: 2, migrationTime: 'memory' } as const;

let home: string;
let journal: Journal;
let history: PlanHistory;
let services: RpcServices;
let sessionA: RpcServer;
let sessionB: RpcServer;

beforeEach(() => {
  process.env.FERRY_DEMO_SPEED = '50';
  home = mkdtempSync(join(tmpdir(), 'ferry-rpc-reopen-'));
  journal = Journal.open(join(home, 'journal.sqlite'));
  history = new PlanHistory({ journal, log: () => {} });
  const clusters = new ClusterService(home);
  const planning = new PlanningService({ pickRunner: null });
  const runs = new RunService({ home, journal, clusters, planning, clock: { now: () => Date.now() }, actor: ACTOR });
  services = { home, journal, clusters, planning, runs, actor: ACTOR, planHistory: history };
  sessionA = createHandlers(services, { checkOutputs: true });
  sessionB = createHandlers(services, { checkOutputs: true });
});

afterEach(async () => {
  await history.whenIdle();
  sessionA.close();
  sessionB.close();
  journal.close();
  rmSync(home, { recursive: true, force: true });
});

/** A reply that follows the contract for its procedure once through JSON. */
async function call(server: RpcServer, name: string, input: unknown): Promise<Reply<unknown>> {
  const reply = await server.invoke(name, input);
  const parsed = parseReply(name as CallableName, JSON.parse(JSON.stringify(reply)));
  if (!parsed.ok) throw new Error(`the reply of ${name} does not follow the contract: ${parsed.error.message}`);
  return reply;
}

async function value<N extends CallableName>(server: RpcServer, name: N, input: unknown): Promise<OutputOf<N>> {
  const reply = await call(server, name, input);
  if (!reply.ok) throw new Error(`${name} failed: ${reply.error.code}: ${reply.error.message}`);
  return reply.value as OutputOf<N>;
}

async function refused(server: RpcServer, name: CallableName, input: unknown): Promise<ErrorBody> {
  const reply = await call(server, name, input);
  if (reply.ok) throw new Error(`${name} was expected to be refused`);
  return reply.error;
}

/** Session A computes; the plan's durable id once kept. */
async function computeInA(requestId: string, script = SCRIPT) {
  const computed = await value(sessionA, 'plan:compute', { clusterId: 'demo', requestId, script: { text: script, name: 'demo-maintenance.btrp' }, options: OPTIONS });
  if (computed.kind !== 'result') throw new Error('the script applies');
  await history.whenIdle();
  const planId = (await value(sessionB, 'plan:list', {})).plans.find((p) => p.requestId === requestId)?.planId;
  if (planId === undefined) throw new Error('the plan was kept');
  return { computed, planId };
}

describe('run:create and run:rehearse by planId, in a later session', () => {
  it('starts a kept plan with the very steps computed; rehearses it too; History names both runs', async () => {
    const { computed, planId } = await computeInA('q-a');
    const plan = computed.result.plan;
    if (plan === null) throw new Error('the demo script has a plan');
    const expected = computed.result.stepIds.map((id, i) => [id, plan.actions[i]?.start, plan.actions[i]?.end]);
    expect(expected.length).toBeGreaterThan(0);

    const rehearsal = await value(sessionB, 'run:rehearse', { clusterId: 'demo', planId, constraintHash: computed.constraintHash, faults: [] });
    expect(rehearsal.run.clusterId).toMatch(/^rehearsal:/);
    expect(rehearsal.run.steps.map((s) => [s.id, s.plannedStart, s.plannedEnd])).toEqual(expected);
    await value(sessionB, 'run:event', { runId: rehearsal.run.runId, revision: 1, event: { type: 'abort' } });

    const created = await value(sessionB, 'run:create', { clusterId: 'demo', planId, constraintHash: computed.constraintHash, mode: 'manual' });
    expect(created.run).toMatchObject({ clusterId: 'demo', state: 'draft', constraintHash: computed.constraintHash });
    expect(created.run.steps.map((s) => [s.id, s.plannedStart, s.plannedEnd])).toEqual(expected);
    // the very plan journaled: the run's first revision is the kept plan's actions
    expect(journal.loadRun(created.run.runId)?.revisions[0]?.plan).toMatchObject({ actions: plan.actions });
    await history.whenIdle();
    const listed = (await value(sessionB, 'plan:list', {})).plans.find((p) => p.planId === planId);
    expect(listed?.runIds).toEqual([rehearsal.run.runId, created.run.runId]);
    // the cluster is held by that run: a second start of the plan is refused while it runs
    expect(await refused(sessionA, 'run:create', { clusterId: 'demo', planId, constraintHash: computed.constraintHash })).toMatchObject({ code: 'conflict' });
    await value(sessionB, 'run:event', { runId: created.run.runId, revision: 1, event: { type: 'abort' } });
  }, 90_000);

  it('the cluster changed since the plan was computed: conflict, said with the time, and no run, no lock', async () => {
    const { computed, planId } = await computeInA('q-moved');
    const engine = DemoEngine.open(demoDir(home));
    engine.injectFault({ kind: 'move-vm', vm: 'ci1', to: 'r3-h4' });
    engine.close();

    const moved = await refused(sessionB, 'run:create', { clusterId: 'demo', planId, constraintHash: computed.constraintHash });
    expect(moved.code).toBe('conflict');
    expect(moved.message).toMatch(/^cluster demo changed since this plan was computed at \d\d:\d\d UTC \(ci1 is running on r3-h4, was running on [^)]*\): compute it again$/);
    const rehearsed = await refused(sessionB, 'run:rehearse', { clusterId: 'demo', planId, constraintHash: computed.constraintHash, faults: [] });
    expect(rehearsed.code).toBe('conflict');
    expect((await value(sessionB, 'run:list', {})).runs).toEqual([]);
    expect(journal.currentLock('demo')).toBeUndefined();
    expect((await value(sessionB, 'plan:list', {})).plans[0]?.runIds).toEqual([]);
  }, 60_000);

  it('refuses a plan of a file, a plan that found none, another cluster, another hash, an unknown id, each with its sentence', async () => {
    const snapshot = await value(sessionA, 'cluster:snapshot', { clusterId: 'demo' });
    const opened = await value(sessionA, 'instance:open', { instance: snapshot.instance });
    await value(sessionA, 'plan:compute', { instanceId: opened.instanceId, requestId: 'q-file', sourceName: 'what-if.json', script: { text: SCRIPT }, options: OPTIONS });
    const { computed: none, planId: nonePlanId } = await computeInA('q-none', 'root(db1);\noffline(@r1-h1);\n');
    expect(none.result.plan).toBeNull();
    const { computed, planId } = await computeInA('q-ok');
    const filePlanId = (await value(sessionB, 'plan:list', {})).plans.find((p) => p.requestId === 'q-file')?.planId;

    const file = await refused(sessionB, 'run:create', { clusterId: 'demo', planId: filePlanId, constraintHash: computed.constraintHash });
    expect(file).toMatchObject({ code: 'invalid-request', path: '$.input.planId' });
    expect(file.message).toContain('was computed on the instance file what-if.json, not on a cluster: a plan of a file cannot run');
    const nothing = await refused(sessionB, 'run:create', { clusterId: 'demo', planId: nonePlanId, constraintHash: none.constraintHash });
    expect(nothing.code).toBe('conflict');
    expect(nothing.message).toBe(`plan ${nonePlanId} found no plan (infeasible): there is nothing to run`);
    expect(await refused(sessionB, 'run:create', { clusterId: 'lab', planId, constraintHash: computed.constraintHash })).toMatchObject({ code: 'invalid-request', path: '$.input.clusterId' });
    expect((await refused(sessionB, 'run:create', { clusterId: 'demo', planId, constraintHash: 'sha256:other' })).message).toContain('not the one approved');
    expect(await refused(sessionB, 'run:rehearse', { clusterId: 'demo', planId: 'p20261207-000000-00000000', constraintHash: 'sha256:x', faults: [] })).toMatchObject({ code: 'not-found', path: '$.input.planId' });
    expect(await value(sessionB, 'run:list', {})).toEqual({ runs: [] });
  }, 90_000);

  it('names the plan by exactly one of requestId and planId, with the place of the mistake', async () => {
    const both = await refused(sessionB, 'run:create', { clusterId: 'demo', requestId: 'q', planId: 'p', constraintHash: 'sha256:x' });
    expect(both).toMatchObject({ code: 'invalid-request', path: '$.input.planId' });
    expect(both.message).toContain('expected requestId or planId, not both');
    const neither = await refused(sessionB, 'run:rehearse', { clusterId: 'demo', constraintHash: 'sha256:x', faults: [] });
    expect(neither).toMatchObject({ code: 'invalid-request', path: '$.input' });
    expect(neither.message).toContain('missing the plan: expected requestId');
    // a plan of this session is still named by its request
    expect(await refused(sessionB, 'run:create', { clusterId: 'demo', requestId: 'never', constraintHash: 'sha256:x' })).toMatchObject({ code: 'not-found', path: '$.input.requestId' });
  });

  it('a damaged origin: plan:get and run:create answer where it is, never a stack', async () => {
    const { computed, planId } = await computeInA('q-damaged');
    const db = new Database(join(home, 'journal.sqlite'));
    try {
      db.prepare('UPDATE plan_origins SET origin_gz = ?').run(Buffer.from('not gzip'));
    } finally {
      db.close();
    }
    const got = await refused(sessionB, 'plan:get', { planId });
    expect(got).toMatchObject({ code: 'unavailable', path: '$.input.planId' });
    expect(got.message).toMatch(new RegExp(`plan ${planId} is damaged \\(its origin sha256:[0-9a-f]{12}… is not gzip-compressed\\); compute the plan again$`));
    expect(got.message).not.toContain('\n');
    const run = await refused(sessionB, 'run:create', { clusterId: 'demo', planId, constraintHash: computed.constraintHash });
    expect(run).toMatchObject({ code: 'unavailable', path: '$.input.planId', message: got.message });
  }, 60_000);
});
