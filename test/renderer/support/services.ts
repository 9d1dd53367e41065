import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Journal } from '../../../main/node/journal/journal.js';
import { type RpcServer, createHandlers } from '../../../main/rpc/index.js';
import { ClusterService } from '../../../main/services/cluster.js';
import { PlanningService } from '../../../main/services/planning.js';
import { RunService } from '../../../main/services/runs.js';
import { type FerryClient, createLocalClient } from '../../../renderer/api/index.js';
import { type FerryStore, createFerryStore } from '../../../renderer/store/index.js';

/**
 * The real services on a temporary FERRY home with the demo cluster, their handler table, a
 * client over it (no transport, JSON round trips as on a wire) and a store over the client:
 * renderer tests talk to what main would answer, nothing mocked.
 */
export interface RendererHarness {
  readonly home: string;
  readonly server: RpcServer;
  readonly client: FerryClient;
  readonly store: FerryStore;
  close(): void;
}

const ACTOR = 'tester@renderer';

export function openHarness(): RendererHarness {
  process.env['FERRY_DEMO_SPEED'] = '50';
  const home = mkdtempSync(join(tmpdir(), 'ferry-renderer-'));
  const journal = Journal.open(join(home, 'journal.sqlite'));
  const clusters = new ClusterService(home);
  const planning = new PlanningService({ pickRunner: null });
  const runs = new RunService({ home, journal, clusters, planning, clock: { now: () => Date.now() }, actor: ACTOR });
  const server = createHandlers({ home, journal, clusters, planning, runs, actor: ACTOR }, { checkOutputs: true });
  const client = createLocalClient(server);
  const store = createFerryStore(client);
  return {
    home,
    server,
    client,
    store,
    close: () => {
      server.close();
      journal.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Waits until `what` holds (polling), or fails saying what was awaited. */
export async function until(what: () => boolean, describe: string, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!what()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${describe}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
