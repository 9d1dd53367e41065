import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach } from 'vitest';

import { defaultFleet } from '../../main/node/demo/fleet.js';
import type { Instance } from '../../src/instance/instance.js';
import { DemoEngine, type DemoEngineOptions } from '../../main/node/demo/engine.js';
import type { Model } from '../../src/model/index.js';

/** Temporary state directories and engines, removed and closed after each test. */
export function demoSandbox(): { dir(): string; open(dir?: string, options?: DemoEngineOptions): DemoEngine } {
  const dirs: string[] = [];
  const engines: DemoEngine[] = [];
  afterEach(() => {
    for (const e of engines.splice(0)) {
      try {
        e.close();
      } catch {
        // already closed by the test
      }
    }
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const dir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'ferry-demo-'));
    dirs.push(d);
    return d;
  };
  return {
    dir,
    open(where = dir(), options = { speed: 100 }) {
      const engine = DemoEngine.open(where, options);
      engines.push(engine);
      return engine;
    },
  };
}

export function hostOf(model: Model, vm: string): string | undefined {
  const id = model.vmNames?.resolve(vm);
  const node = id === undefined ? undefined : model.mapping.host(id);
  return node === undefined ? undefined : model.nodeName(node);
}

export function stateOf(model: Model, vm: string): string {
  const id = model.vmNames?.resolve(vm);
  if (id === undefined) throw new Error(`no VM ${vm}`);
  return model.vmState(id);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `engine`'s job for `requestId` has ended (bounded, so a bug fails instead of hanging). */
export async function waitEnded(engine: DemoEngine, requestId: string, limitMs = 10_000): Promise<void> {
  const until = Date.now() + limitMs;
  while (engine.status(requestId).state === 'running') {
    if (Date.now() > until) throw new Error(`${requestId} still running after ${limitMs} ms`);
    await sleep(10);
  }
}

/** The fleet with r3-h2 emptied (its VMs on r3-h1) and powered off. */
export function fleetWithOfflineHost(): Instance {
  const fleet = defaultFleet();
  const m = fleet.model;
  const r31 = m.nodeNames?.resolve('r3-h1') ?? -1;
  const r32 = m.nodeNames?.resolve('r3-h2') ?? -1;
  for (const vm of [...m.mapping.runningVMs(r32)]) m.mapping.addRunningVM(vm, r31);
  m.mapping.addOfflineNode(r32);
  return fleet;
}
