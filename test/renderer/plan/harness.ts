import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Journal } from '../../../main/node/journal/journal.js';
import { type RpcServer, createHandlers } from '../../../main/rpc/index.js';
import { ClusterService } from '../../../main/services/cluster.js';
import { PlanningService, type PlanningServiceOptions } from '../../../main/services/planning.js';
import { RunService } from '../../../main/services/runs.js';
import type { FerryClient } from '../../../renderer/api/client.js';
import { createLocalClient } from '../../../renderer/api/local.js';
import { type FerryStore, createFerryStore } from '../../../renderer/store/index.js';

/**
 * The console's store over the real services on the demo cluster: a temporary FERRY home, the
 * real handler table (main/rpc), a client that round-trips every message through JSON. Demo
 * effects run 50× faster than real time so that a run ends within a test.
 */

const ROOT = join(import.meta.dirname, '..', '..', '..');
export const DEMO_SCRIPT = readFileSync(join(ROOT, 'examples', 'demo-maintenance.btrp'), 'utf8');
/** Short plannings: the demo cluster has a good plan within a second or two. */
export const TEST_PLAN_OPTIONS = { timeLimitS: 2, migrationTime: 'memory' } as const;

export interface Harness {
  readonly home: string;
  readonly server: RpcServer;
  readonly client: FerryClient;
  readonly store: FerryStore;
  close(): void;
}

export function openHarness(planning: PlanningServiceOptions = {}): Harness {
  process.env['FERRY_DEMO_SPEED'] = '50';
  const home = mkdtempSync(join(tmpdir(), 'ferry-console-'));
  const journal = Journal.open(join(home, 'journal.sqlite'));
  const clusters = new ClusterService(home);
  const planner = new PlanningService({ pickRunner: null, ...planning });
  const actor = 'alice@ws1';
  const runs = new RunService({ home, journal, clusters, planning: planner, clock: { now: () => Date.now() }, actor });
  const server = createHandlers({ home, journal, clusters, planning: planner, runs, actor }, { checkOutputs: true });
  const client = createLocalClient(server);
  const store = createFerryStore(client);
  store.getState().setPlanOptions(TEST_PLAN_OPTIONS);
  return {
    home,
    server,
    client,
    store,
    close: () => {
      store.getState().forgetRun();
      server.close();
      journal.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Loads the demo cluster and sets the script, as an operator does before planning. */
export async function withDemoScript(h: Harness, script = DEMO_SCRIPT): Promise<void> {
  await h.store.getState().loadSnapshot();
  h.store.getState().setScript(script);
}

export async function until(what: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const start = Date.now();
  while (!what()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out: ${describe()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
