import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { type OutputOf, type Reply, parseReply } from '../../src/contract/index.js';
import { Journal } from '../../main/node/journal/journal.js';
import { ClusterService } from '../../main/services/cluster.js';
import { PlanHistory } from '../../main/services/plan-history.js';
import { PlanningService } from '../../main/services/planning.js';
import { RunService } from '../../main/services/runs.js';
import { type CallableName, type RpcServer, createHandlers } from '../../main/rpc/index.js';

/**
 * plan:list and plan:get through the real handler table on a temporary FERRY home with the demo
 * cluster: every plan:compute with a result is kept after its answer, listed newest first, reopened
 * as plan:compute answered it, linked to the run created from it; a journal that cannot be written
 * leaves planning alone and History says so.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const SCRIPT = readFileSync(join(ROOT, 'examples', 'demo-maintenance.btrp'), 'utf8');
const ACTOR = 'alice@ws1';
const OPTIONS = { timeLimitS: 2, migrationTime: 'memory' } as const;

let home: string;
let journal: Journal;
let history: PlanHistory;
let server: RpcServer;
let logged: string[];

beforeEach(() => {
  process.env.FERRY_DEMO_SPEED = '50';
  home = mkdtempSync(join(tmpdir(), 'ferry-rpc-plans-'));
  journal = Journal.open(join(home, 'journal.sqlite'));
  logged = [];
  history = new PlanHistory({ journal, log: (m) => logged.push(m) });
  const clusters = new ClusterService(home);
  const planning = new PlanningService({ pickRunner: null });
  const runs = new RunService({ home, journal, clusters, planning, clock: { now: () => Date.now() }, actor: ACTOR });
  server = createHandlers({ home, journal, clusters, planning, runs, actor: ACTOR, planHistory: history }, { checkOutputs: true });
});

afterEach(async () => {
  await history.whenIdle();
  server.close();
  journal.close();
  rmSync(home, { recursive: true, force: true });
});

/** A reply that follows the contract for its procedure once through JSON. */
async function call(name: string, input: unknown): Promise<Reply<unknown>> {
  const reply = await server.invoke(name, input);
  const parsed = parseReply(name as CallableName, JSON.parse(JSON.stringify(reply)));
  if (!parsed.ok) throw new Error(`the reply of ${name} does not follow the contract: ${parsed.error.message}`);
  return reply;
}

async function value<N extends CallableName>(name: N, input: unknown): Promise<OutputOf<N>> {
  const reply = await call(name, input);
  if (!reply.ok) throw new Error(`${name} failed: ${reply.error.code}: ${reply.error.message}`);
  return reply.value as OutputOf<N>;
}

async function computeDemo(requestId: string) {
  const computed = await value('plan:compute', { clusterId: 'demo', requestId, script: { text: SCRIPT, name: 'demo-maintenance.btrp' }, options: OPTIONS });
  if (computed.kind !== 'result' || computed.result.plan === null) throw new Error('the demo script has a plan');
  return computed;
}

describe('plan:list and plan:get', () => {
  it('lists a computed plan with its figures, reopens it as plan:compute answered, and names the run created from it', async () => {
    const computed = await computeDemo('q-history');
    await history.whenIdle();
    const { plans, notes } = await value('plan:list', {});
    expect(notes).toEqual([]);
    expect(plans).toHaveLength(1);
    const [past] = plans;
    if (!past) throw new Error('one plan');
    expect(past).toMatchObject({
      requestId: 'q-history',
      source: { kind: 'cluster', name: 'demo' },
      scriptName: 'demo-maintenance.btrp',
      constraintHash: computed.constraintHash,
      status: computed.result.status,
      steps: computed.result.stepIds.length,
      migrations: computed.result.migrations,
      durationSeconds: computed.result.durationSeconds,
      gap: computed.result.gap,
      runIds: [],
    });
    expect(past.planId).toMatch(/^p\d{8}-\d{6}-[0-9a-f]{8}$/);

    const kept = await value('plan:get', { planId: past.planId });
    expect(kept.plan).toEqual(past);
    expect(kept.script).toEqual({ text: SCRIPT, name: 'demo-maintenance.btrp' });
    expect(kept.options).toEqual(OPTIONS);
    if (kept.computed.kind !== 'result' || kept.computed.result.plan === null) throw new Error('kept with its plan');
    expect(kept.computed.result.plan.actions).toEqual(computed.result.plan?.actions);
    expect(kept.computed.result.stepIds).toEqual(computed.result.stepIds);
    // kept whole: the plan shows again without the cluster read it was computed on
    expect(kept.computed.result.plan).toHaveProperty('origin');
    expect(kept.computed.constraintHash).toBe(computed.constraintHash);

    const created = await value('run:create', { clusterId: 'demo', requestId: 'q-history', constraintHash: computed.constraintHash });
    await history.whenIdle();
    expect((await value('plan:list', { clusterId: 'demo' })).plans[0]?.runIds).toEqual([created.run.runId]);
    expect((await value('plan:list', { clusterId: 'elsewhere' })).plans).toEqual([]);
  }, 60_000);

  it('lists a what-if on a file under the file name the console gave', async () => {
    const snapshot = await value('cluster:snapshot', { clusterId: 'demo' });
    const opened = await value('instance:open', { instance: snapshot.instance });
    await value('plan:compute', { instanceId: opened.instanceId, requestId: 'q-file', sourceName: 'li-r6 <b>.json', script: { text: SCRIPT }, options: OPTIONS });
    await value('plan:compute', { instanceId: opened.instanceId, requestId: 'q-unnamed', script: { text: SCRIPT }, options: OPTIONS });
    await history.whenIdle();
    const { plans } = await value('plan:list', {});
    expect(plans.map((p) => [p.requestId, p.source])).toEqual([
      ['q-unnamed', { kind: 'file', name: opened.instanceId }],
      ['q-file', { kind: 'file', name: 'li-r6 <b>.json' }],
    ]);
    // a file's plans are no cluster's
    expect((await value('plan:list', { clusterId: 'demo' })).plans).toEqual([]);
  }, 60_000);

  it('refuses an unknown plan and a malformed query where they are wrong; script errors are not kept', async () => {
    const unknown = await call('plan:get', { planId: 'p20261207-000000-00000000' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not-found', path: '$.input.planId' } });
    expect(await call('plan:list', { limit: 0 })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(await call('plan:list', { since: 1 })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    const errors = await value('plan:compute', { clusterId: 'demo', requestId: 'q-bad', script: { text: 'spread({web1, nosuch});' } });
    expect(errors.kind).toBe('script-errors');
    await history.whenIdle();
    expect((await value('plan:list', {})).plans).toEqual([]);
  }, 60_000);

  it('a journal locked by another process does not break plan:compute: the plan is lost, History says so', async () => {
    const other = new Database(join(home, 'journal.sqlite'), { timeout: 0 });
    other.exec('BEGIN IMMEDIATE');
    try {
      const computed = await computeDemo('q-locked');
      expect(computed.result.plan).not.toBeNull();
      await history.whenIdle();
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    const { plans, notes } = await value('plan:list', {});
    expect(plans).toEqual([]);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^The plan computed at .* UTC \(request q-locked\) was not kept in History: cannot write the journal .*another Ferry process kept it busy/);
    expect(logged).toEqual(notes);
    // planning goes on, and the next plan is kept
    await computeDemo('q-next');
    await history.whenIdle();
    expect((await value('plan:list', {})).plans.map((p) => p.requestId)).toEqual(['q-next']);
  }, 60_000);
});
