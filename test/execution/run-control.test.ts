import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

import type { Run } from '../../src/executor/types.js';
import { demoDir } from '../../main/node/data-dir.js';
import { DemoEngine, readActionsLog } from '../../main/node/demo/index.js';
import { Journal } from '../../main/node/journal/journal.js';
import { type HttpClient, type SocketConstructor, createHttpClient } from '../../renderer/api/http.js';
import { type FerryStore, createFerryStore } from '../../renderer/store/index.js';
import { type Served, serve } from '../serve/harness.js';

/**
 * Pause, Resume and Abort as the console sends them: the real serve-mode server over the real
 * services and demo cluster, the renderer's HTTP client and its store. The console once showed a
 * run aborted while its migrations were executing as still running, forever (issue 16): the abort's
 * cancelled effects end the run within the same turn, so run:changed (WebSocket) told "cancelled"
 * before the HTTP reply to the abort arrived, and the store then put the reply's older state back.
 * Each case checks the services (run and journal), the hypervisor (no job left, none started after
 * the abort) and what the console shows.
 */

// ws's handler properties name its own event classes where the client only reads `data`
const Socket = WebSocket as unknown as SocketConstructor;
const DRAIN = "offline(@r2-h3);\n";
const REASON = 'aborted by the operator from the console';

let served: Served;
let client: HttpClient;

beforeEach(async () => {
  served = await serve();
  // the harness's demo is fast; at 2 a migration of the drain takes 1.5 to 6.5 s, long enough to act during it
  process.env.FERRY_DEMO_SPEED = '2';
  client = createHttpClient({ baseUrl: served.server.origin, token: served.server.token, WebSocket: Socket });
});

afterEach(async () => {
  client.close();
  await served.close();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: () => boolean, timeoutMs: number, say: () => string): Promise<void> {
  const start = Date.now();
  while (!what()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms: ${say()}`);
    await sleep(10);
  }
}

function described(run: Run | null | undefined): string {
  if (!run) return 'no run';
  return `${run.state}${run.stopping ? ` (stopping: ${run.stopping})` : ''}: ${run.steps.map((s) => `${s.id} ${s.state}${s.phase ? `/${s.phase}` : ''}`).join(', ')}`;
}

/** Plans the drain of r2-h3, creates the run, starts it and approves every ready step, as the console does. */
async function startDrain(store: FerryStore): Promise<string> {
  const computed = await client.invoke('plan:compute', { clusterId: 'demo', requestId: 'drain', script: { text: DRAIN, name: 'drain.btrp' }, options: { timeLimitS: 2 } });
  if (!computed.ok || computed.value.kind !== 'result') throw new Error(`no plan: ${JSON.stringify(computed)}`);
  const created = await client.invoke('run:create', { clusterId: 'demo', requestId: 'drain', constraintHash: computed.value.constraintHash });
  if (!created.ok) throw new Error(`no run: ${created.error.message}`);
  store.getState().adoptRun(created.value.run, created.value.progress);
  expect(await store.getState().sendRunEvent({ type: 'start' })).toBe(true);
  expect(await store.getState().approveAllReady()).toBe(true);
  return created.value.run.runId;
}

async function serverRun(runId: string): Promise<Run> {
  const got = await client.invoke('run:get', { runId });
  if (!got.ok) throw new Error(got.error.message);
  return got.value.run;
}

const shown = (store: FerryStore): Run | null => store.getState().run;
const executing = (store: FerryStore) => (): boolean => shown(store)?.steps.some((s) => s.phase === 'executing') ?? false;

/**
 * The run ended cancelled for the services, the journal and the console; no step is left running;
 * the hypervisor has no job in flight and started none after the abort.
 */
async function expectCancelled(store: FerryStore, runId: string): Promise<Run> {
  let run = await serverRun(runId);
  const deadline = Date.now() + 15_000;
  while (run.state !== 'cancelled' && Date.now() < deadline) {
    await sleep(50);
    run = await serverRun(runId);
  }
  expect(run.state, described(run)).toBe('cancelled');
  expect(run.stopping).toBeNull();
  expect(run.reason).toBe(REASON);
  expect(run.steps.filter((s) => s.state === 'running')).toEqual([]);

  await until(() => shown(store)?.state === 'cancelled', 5_000, () => `the console shows ${described(shown(store))}`);
  // nothing older comes back afterwards
  await sleep(300);
  expect(shown(store)?.state).toBe('cancelled');
  expect(shown(store)?.steps.filter((s) => s.state === 'running')).toEqual([]);

  // the abort as the services received it: effects begun before that may have started, none after
  let abortedAt: number;
  const journal = Journal.open(join(served.home, 'journal.sqlite'));
  try {
    expect(journal.loadRun(runId)?.run.state).toBe('cancelled');
    const entries = journal.entries(runId);
    const aborts = entries.filter((e) => e.type === 'abort');
    expect(aborts).toHaveLength(1);
    abortedAt = aborts[0]?.at ?? Number.NaN;
  } finally {
    journal.close();
  }

  const engine = DemoEngine.open(demoDir(served.home));
  try {
    expect(engine.snapshot().jobs).toEqual([]);
  } finally {
    engine.close();
  }
  const started = readActionsLog(demoDir(served.home)).filter((e) => 'result' in e && e.result === 'accepted');
  expect(started.filter((e) => e.at > abortedAt)).toEqual([]);
  return run;
}

async function abort(store: FerryStore): Promise<void> {
  expect(await store.getState().abortRun(REASON)).toBe(true);
}

describe('pause, resume and abort from the console', () => {
  it('Pause and Resume while migrations execute, then Abort while they execute again: the console shows "cancelled"', async () => {
    const store = createFerryStore(client);
    const runId = await startDrain(store);
    await until(executing(store), 10_000, () => described(shown(store)));
    expect(await store.getState().pauseRun()).toBe(true);
    await sleep(300);
    expect(await store.getState().resumeRun()).toBe(true);
    await until(executing(store), 10_000, () => described(shown(store)));
    await abort(store);
    const run = await expectCancelled(store, runId);
    // the migrations under way were cancelled on the hypervisor (or had just ended): none is lost
    expect(run.steps.some((s) => s.lastOutcome?.status === 'cancelled')).toBe(true);
  }, 60_000);

  it('Abort while paused, migrations still executing: they are cancelled and the run ends cancelled', async () => {
    const store = createFerryStore(client);
    const runId = await startDrain(store);
    await until(executing(store), 10_000, () => described(shown(store)));
    expect(await store.getState().pauseRun()).toBe(true);
    expect(shown(store)?.state).toBe('paused');
    await abort(store);
    const run = await expectCancelled(store, runId);
    expect(run.steps.some((s) => s.lastOutcome?.status === 'cancelled')).toBe(true);
  }, 60_000);

  it('Abort right after Resume, the next steps starting: none of them starts its effect after the abort', async () => {
    const store = createFerryStore(client);
    const runId = await startDrain(store);
    await until(executing(store), 10_000, () => described(shown(store)));
    expect(await store.getState().pauseRun()).toBe(true);
    // the migrations under way end while the run is paused; Resume starts the next ones (preflight first)
    await until(() => !executing(store)(), 20_000, () => described(shown(store)));
    const resumed = store.getState().resumeRun();
    await abort(store);
    expect(await resumed).toBe(true);
    const run = await expectCancelled(store, runId);
    expect(run.steps.filter((s) => s.state === 'succeeded').length).toBeGreaterThan(0);
  }, 60_000);

  for (const [pauseMs, resumeMs] of [
    [0, 0],
    [100, 50],
    [900, 0],
    [1_800, 700],
  ] as const) {
    it(`Pause after ${pauseMs} ms, Resume ${resumeMs} ms later, Abort at once, sent without waiting for the answers`, async () => {
      const store = createFerryStore(client);
      const runId = await startDrain(store);
      await sleep(pauseMs);
      const paused = store.getState().pauseRun();
      await sleep(resumeMs);
      const resumed = store.getState().resumeRun();
      const aborted = store.getState().abortRun(REASON);
      // pause and resume may be refused (sent against a revision or state already left): the abort is not
      await Promise.all([paused, resumed]);
      expect(await aborted).toBe(true);
      await expectCancelled(store, runId);
    }, 60_000);
  }
});
