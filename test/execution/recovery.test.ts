import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { NamedAction } from '../../src/cluster/ports.js';
import type { Run } from '../../src/executor/types.js';
import { demoDir } from '../../main/node/data-dir.js';
import { DemoEngine, readActionsLog } from '../../main/node/demo/index.js';
import { Journal } from '../../main/node/journal/journal.js';
import { ClusterService } from '../../main/services/cluster.js';
import type { RunDriver } from '../../main/services/execution.js';
import { PlanningService } from '../../main/services/planning.js';
import { RunService } from '../../main/services/runs.js';

/**
 * A process that dies in the middle of a migration leaves it running on the hypervisor. The run
 * picked up again must learn from the hosts how it ended, even when the first reads cannot tell
 * (the destination not answering): a step whose migration is then found finished succeeded — it is
 * neither migrated a second time nor held as drift and planned around (issue 17).
 */

const SCRIPT = readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'demo-maintenance.btrp'), 'utf8');
const BY = 'alice@ws1';
let home: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'ferry-recovery-'));
  process.env.FERRY_DEMO_SPEED = '50';
});

afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

async function until(driver: RunDriver, what: (run: Run) => boolean, timeoutMs = 30_000): Promise<Run> {
  const start = Date.now();
  while (!what(driver.run)) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out; run is ${driver.run.state}: ${JSON.stringify(driver.run.steps.map((s) => [s.id, s.state, s.phase, s.reason]))}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return driver.run;
}

/** One Ferry process: its own journal connection (closing it is the process dying: nothing more is written). */
function process_(journal: Journal): RunService {
  return new RunService({ home, journal, clusters: new ClusterService(home), planning: new PlanningService(), clock: { now: () => Date.now() }, actor: BY });
}

function withEngine<T>(use: (engine: DemoEngine) => T): T {
  const engine = DemoEngine.open(demoDir(home));
  try {
    return use(engine);
  } finally {
    engine.close();
  }
}

describe('a migration left running by a process that died', () => {
  it('found finished only after a first read could not tell: succeeded, migrated once, no drift, no re-plan', async () => {
    const file = join(home, 'journal.sqlite');
    const first = Journal.open(file);
    const created = await process_(first).create({ clusterId: 'demo', script: { text: SCRIPT, name: 'demo-maintenance.btrp' }, options: { objective: 'mttr', timeLimitS: 3, maxConcurrent: 2, migrationTime: 'memory', stepTimeoutS: 1 } });
    if (created.kind !== 'created') throw new Error(`no run: ${JSON.stringify(created)}`);
    const dying = created.driver;
    const step = dying.run.steps.find((s) => s.action.kind === 'migrateVM' && s.dependsOn.length === 0);
    if (!step) throw new Error('no migration to start with');
    const action = step.action as Extract<NamedAction, { kind: 'migrateVM' }>;
    // a migration of 8 to 16 s, so that the process dies in its middle whatever the machine's load
    withEngine((e) => e.injectFault({ kind: 'slow-migration', vm: action.vm, factor: 60 }));
    dying.dispatch({ type: 'start', at: Date.now(), by: BY });
    dying.dispatch({ type: 'approve', at: Date.now(), by: BY, stepIds: [step.id] });
    await until(dying, (r) => r.steps.some((s) => s.id === step.id && s.phase === 'executing'));

    // the process dies; the migration goes on on the hypervisor, and its destination stops answering
    first.close();
    dying.close();
    withEngine((e) => e.injectFault({ kind: 'host-down', node: action.to }));
    expect(withEngine((e) => e.snapshot().jobs.map((j) => j.subject)), 'the migration is still under way').toEqual([action.vm]);

    const second = Journal.open(file);
    try {
      const resumed = process_(second).resume(dying.runId);
      if (!resumed.ok) throw new Error(resumed.message);
      const driver = resumed.driver;
      // the destination is silent past the step's timeout: whether it happened is unknown, the step waits again, held
      await until(driver, (r) => r.steps.some((s) => s.id === step.id && s.state === 'held'));
      expect(driver.run.steps.find((s) => s.id === step.id)?.reason).toMatch(new RegExp(`${action.to} is not answering`));
      // meanwhile the migration finished on the hypervisor; the host answers again and the step is looked at again
      await until(driver, () => withEngine((e) => e.snapshot().jobs.length === 0), 30_000);
      withEngine((e) => e.injectFault({ kind: 'host-up', node: action.to }));
      driver.dispatch({ type: 'release', at: Date.now(), by: BY, stepId: step.id });
      const done = await until(driver, (r) => r.steps.some((s) => s.id === step.id && s.state !== 'running'));
      driver.dispatch({ type: 'abort', at: Date.now(), by: BY, reason: 'test done' });
      await driver.settled();
      driver.close();

      const after = done.steps.find((s) => s.id === step.id);
      expect(after).toMatchObject({ state: 'succeeded', attempts: 1 });
      expect(done.replan).toBeNull();
      expect(done.revision).toBe(1);
      const entries = second.entries(dying.runId).filter((e) => (e.event as { stepId?: unknown } | null)?.stepId === step.id);
      const types = entries.map((e) => e.type);
      expect(types).not.toContain('preflight-drift');
      expect(entries.at(-1)?.event).toMatchObject({ type: 'verified', result: 'done', detail: expect.stringMatching(/^found done before trying again: /) });
      // the hypervisor was asked to migrate the VM once, and the VM is where the step takes it
      const starts = readActionsLog(demoDir(home)).filter((e) => 'result' in e && e.result === 'accepted' && e.action.kind === 'migrateVM' && e.action.vm === action.vm);
      expect(starts).toHaveLength(1);
      const live = await new ClusterService(home).snapshot('demo', { vms: [action.vm] });
      const vm = live.model.vmNames?.resolve(action.vm) as number;
      expect(live.model.nodeName(live.model.mapping.host(vm) as number)).toBe(action.to);
    } finally {
      second.close();
    }
  }, 90_000);
});
