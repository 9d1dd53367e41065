// @vitest-environment jsdom
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { demoDir } from '../../../main/node/data-dir.js';
import { DemoEngine } from '../../../main/node/demo/index.js';
import { Journal } from '../../../main/node/journal/journal.js';
import { type RpcServer, type RpcServices, createHandlers } from '../../../main/rpc/index.js';
import { ClusterService } from '../../../main/services/cluster.js';
import { PlanHistory } from '../../../main/services/plan-history.js';
import { PlanningService } from '../../../main/services/planning.js';
import { RunService } from '../../../main/services/runs.js';
import { createLocalClient } from '../../../renderer/api/local.js';
import PlanScreen from '../../../renderer/screens/plan/PlanScreen.js';
import { type FerryStore, StoreProvider, createFerryStore } from '../../../renderer/store/index.js';
import { DEMO_SCRIPT, TEST_PLAN_OPTIONS, until } from '../plan/harness.js';

/**
 * A plan reopened from History starts as a fresh one does, from another console session (a reload,
 * a restart): two handler tables over the same services and journal, each with its own store, as
 * two page loads. Start execution says next to it why it cannot run a plan of a file or a result
 * without a plan; the services' refusal of a plan whose cluster changed is shown in their words.
 */

let home: string;
let journal: Journal;
let history: PlanHistory;
let services: RpcServices;
const servers: RpcServer[] = [];
const stores: FerryStore[] = [];

beforeEach(() => {
  process.env['FERRY_DEMO_SPEED'] = '50';
  home = mkdtempSync(join(tmpdir(), 'ferry-console-reopen-'));
  journal = Journal.open(join(home, 'journal.sqlite'));
  history = new PlanHistory({ journal, log: () => {} });
  const clusters = new ClusterService(home);
  const planning = new PlanningService({ pickRunner: null });
  const actor = 'alice@ws1';
  services = { home, journal, clusters, planning, runs: new RunService({ home, journal, clusters, planning, clock: { now: () => Date.now() }, actor }), actor, planHistory: history };
});

afterEach(async () => {
  cleanup();
  for (const store of stores.splice(0)) store.getState().forgetRun();
  await history.whenIdle();
  for (const server of servers.splice(0)) server.close();
  journal.close();
  rmSync(home, { recursive: true, force: true });
});

/** A console page: its own session of the handler table, its own store. */
function pageLoad(): FerryStore {
  const server = createHandlers(services, { checkOutputs: true });
  servers.push(server);
  const store = createFerryStore(createLocalClient(server));
  store.getState().setPlanOptions(TEST_PLAN_OPTIONS);
  stores.push(store);
  return store;
}

/** Computes `script` on the demo cluster in `store`; the plan's id once History keeps it. */
async function computeKept(store: FerryStore, script = DEMO_SCRIPT): Promise<string> {
  await store.getState().loadSnapshot();
  store.getState().setScript(script);
  await store.getState().computePlan();
  const computed = store.getState().currentPlan;
  if (!computed) throw new Error(`no result: ${store.getState().planError ?? ''}`);
  await history.whenIdle();
  await store.getState().loadHistory();
  const planId = store.getState().pastPlans.find((p) => p.requestId === computed.requestId)?.planId;
  if (planId === undefined) throw new Error('the plan was kept');
  return planId;
}

function showPlan(store: FerryStore): void {
  render(
    <StoreProvider store={store}>
      <PlanScreen />
    </StoreProvider>,
  );
}

/** Start execution, and the text that describes it (its accessible description). */
function startButton(): { button: HTMLButtonElement; description: string } {
  const button = screen.getByRole('button', { name: 'Start execution' }) as HTMLButtonElement;
  const ids = (button.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
  const description = ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
  return { button, description };
}

describe('Start execution of a plan reopened from History', () => {
  it('starts in a later session by the kept plan: the run has the plan\'s steps; then the button says it is running', async () => {
    const first = pageLoad();
    const planId = await computeKept(first);
    const shown = first.getState().currentPlan;

    const later = pageLoad();
    expect(await later.getState().openPastPlan(planId)).toBe(true);
    expect(later.getState().currentPlan?.planId).toBe(planId);
    showPlan(later);
    expect(startButton().button.disabled).toBe(false);
    expect(startButton().description).toMatch(/^approves this plan under sha256:/);

    let runId: string | null = null;
    await act(async () => {
      runId = await later.getState().startExecution();
    });
    if (runId === null) throw new Error(`no run: ${JSON.stringify(later.getState().notifications)}`);
    const run = later.getState().run;
    const plan = shown?.result.plan;
    expect(run?.steps.map((s) => [s.id, s.plannedStart, s.plannedEnd])).toEqual(shown?.result.stepIds.map((id, i) => [id, plan?.actions[i]?.start, plan?.actions[i]?.end]));
    expect(startButton().button.disabled).toBe(true);
    expect(startButton().description).toBe('this plan is running');
    await later.getState().abortRun('test over');
  }, 60_000);

  it('a kept plan whose cluster changed since is refused in the services\' words, and nothing runs', async () => {
    const planId = await computeKept(pageLoad());
    const engine = DemoEngine.open(demoDir(home));
    engine.injectFault({ kind: 'move-vm', vm: 'ci1', to: 'r3-h4' });
    engine.close();

    const later = pageLoad();
    expect(await later.getState().openPastPlan(planId)).toBe(true);
    expect(await later.getState().startExecution()).toBeNull();
    const told = later.getState().notifications.at(-1);
    expect(told?.title).toBe('The run was not created');
    expect(told?.detail ?? '').toMatch(/^cluster demo changed since this plan was computed at \d\d:\d\d UTC \(ci1 is running on r3-h4.*: compute it again$/);
    expect(later.getState().run).toBeNull();
  }, 60_000);

  it('is disabled, with the reason next to it, for a result without a plan and for a plan of a file', async () => {
    const store = pageLoad();
    await computeKept(store, 'root(db1);\noffline(@r1-h1);\n');
    expect(store.getState().currentPlan?.result.plan).toBeNull();
    showPlan(store);
    expect(startButton().button.disabled).toBe(true);
    expect(startButton().description).toBe('no plan to run: the constraints cannot all hold (see why below)');
    cleanup();

    const file = await createLocalClient(servers[0] as RpcServer).invoke('cluster:snapshot', { clusterId: 'demo' });
    if (!file.ok) throw new Error(file.error.message);
    expect(store.getState().openInstanceText('what-if.json', JSON.stringify(file.value.instance))).toBe(true);
    store.getState().setScript('root(db1);');
    await store.getState().computePlan();
    await until(() => store.getState().planStatus === 'done', 10_000, () => store.getState().planStatus);
    expect(store.getState().currentPlan?.clusterId).toBeNull();
    showPlan(store);
    expect(startButton().button.disabled).toBe(true);
    expect(startButton().description).toBe('a plan of a file cannot run: open a cluster to run it');
  }, 60_000);
});
