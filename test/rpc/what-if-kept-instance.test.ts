import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { type OutputOf, type PlanJson, type WirePlan, isOnHeldOrigin } from '../../src/contract/index.js';
import { Journal } from '../../main/node/journal/journal.js';
import { ClusterService } from '../../main/services/cluster.js';
import { PlanningService } from '../../main/services/planning.js';
import { RunService } from '../../main/services/runs.js';
import { type CallableName, type RpcServer, createHandlers } from '../../main/rpc/index.js';

/**
 * plan:compute and constraints:lint share the opened instance (and the remembered cluster read)
 * rather than copying it for every what-if: a script's attributes go to a copy the planning service
 * makes, so the next what-if on the same instance never sees them.
 */

const ACTOR = 'alice@ws1';
const OPTIONS = { timeLimitS: 2 } as const;

let home: string;
let journal: Journal;
let server: RpcServer;

beforeEach(() => {
  process.env.FERRY_DEMO_SPEED = '50';
  home = mkdtempSync(join(tmpdir(), 'ferry-what-if-'));
  journal = Journal.open(join(home, 'journal.sqlite'));
  const clusters = new ClusterService(home);
  const planning = new PlanningService({ pickRunner: null, solveParts: null });
  const runs = new RunService({ home, journal, clusters, planning, clock: { now: () => Date.now() }, actor: ACTOR });
  server = createHandlers({ home, journal, clusters, planning, runs, actor: ACTOR }, { checkOutputs: true });
});

afterEach(() => {
  server.close();
  journal.close();
  rmSync(home, { recursive: true, force: true });
});

async function value<N extends CallableName>(name: N, input: unknown): Promise<OutputOf<N>> {
  const reply = await server.invoke(name, input);
  if (!reply.ok) throw new Error(`${name} failed: ${reply.error.code}: ${reply.error.message}`);
  return reply.value as OutputOf<N>;
}

function wholePlan(plan: WirePlan | null): PlanJson {
  if (plan === null) throw new Error('expected a plan');
  if (isOnHeldOrigin(plan)) throw new Error('expected the plan with its origin');
  return plan;
}

async function originOf(source: Record<string, unknown>, requestId: string, text: string): Promise<PlanJson['origin']> {
  const computed = await value('plan:compute', { ...source, requestId, script: { text }, options: OPTIONS });
  if (computed.kind !== 'result') throw new Error(`the script has errors: ${JSON.stringify(computed.diagnostics)}`);
  return wholePlan(computed.result.plan).origin;
}

describe('what-ifs on one instance', () => {
  it('a script’s attributes stay with its own plan: the kept instance and the cluster read are planned again as they were', async () => {
    const snapshot = await value('cluster:snapshot', { clusterId: 'demo' });
    const opened = await value('instance:open', { instance: snapshot.instance });
    // the demo fleet's names (main/node/demo/fleet.ts)
    const node = 'r2-h3';
    const vm = 'web1';
    const drain = `offline(@${node});`;
    const withAttribute = `${vm} : tiny<boot=7777>;\n${drain}`;
    for (const source of [{ instanceId: opened.instanceId }, { clusterId: 'demo' }]) {
      const tag = 'instanceId' in source ? 'i' : 'c';
      const plain = await originOf(source, `${tag}1`, drain);
      const attributed = await originOf(source, `${tag}2`, withAttribute);
      expect(JSON.stringify(attributed)).toContain('"boot":7777');
      expect(attributed).not.toEqual(plain);
      const again = await originOf(source, `${tag}3`, drain);
      expect(again).toEqual(plain);
      expect(JSON.stringify(again)).not.toContain('7777');
      // the lint reads the same instance: a clean script, the same hash as before
      const lint = await value('constraints:lint', { ...source, script: { text: drain } });
      expect(lint.constraints).toBe(1);
    }
  });
});
