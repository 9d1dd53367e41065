import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

import type { Constraint } from '../../src/catalogue/constraint.js';
import type { Instance, ObjectiveId } from '../../src/instance/instance.js';
import { Mapping, Model, NamingService, ShareableResource } from '../../src/model/index.js';

/**
 * A lenient reader of BtrPlace instance JSON for the benchmark, used when the project's reader
 * (main/node/instance-file.ts + the catalogue) does not know every constraint id yet: constraints
 * are kept as plain `{id, continuous, args}` with their JSON fields as arguments.
 */
export function readRawInstance(file: string): Instance {
  const bytes = readFileSync(file);
  const text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
  const raw = JSON.parse(text) as {
    model: {
      mapping: { onlineNodes: Record<string, { runningVMs: number[]; sleepingVMs: number[] }>; offlineNodes: number[]; readyVMs: number[] };
      attributes?: { nodes?: Record<string, Record<string, unknown>>; vms?: Record<string, Record<string, unknown>> };
      views?: Record<string, unknown>[];
    };
    constraints?: Record<string, unknown>[];
    objective?: { id: string };
  };
  const mapping = new Mapping();
  for (const [id, on] of Object.entries(raw.model.mapping.onlineNodes)) {
    const n = Number(id);
    mapping.addOnlineNode(n);
    for (const v of on.runningVMs) mapping.addRunningVM(v, n);
    for (const v of on.sleepingVMs) mapping.addSleepingVM(v, n);
  }
  for (const n of raw.model.mapping.offlineNodes) mapping.addOfflineNode(n);
  for (const v of raw.model.mapping.readyVMs) mapping.addReadyVM(v);
  const model = new Model({ mapping });
  for (const kind of ['nodes', 'vms'] as const) {
    for (const [id, attrs] of Object.entries(raw.model.attributes?.[kind] ?? {})) {
      for (const [k, v] of Object.entries(attrs)) {
        if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') model.attributes.put(kind === 'nodes' ? 'node' : 'vm', Number(id), k, v);
      }
    }
  }
  for (const view of raw.model.views ?? []) {
    if (view['id'] === 'shareableResource') {
      const r = new ShareableResource(String(view['rcId']), Number(view['defCapacity'] ?? 0), Number(view['defConsumption'] ?? 0));
      for (const [n, c] of Object.entries((view['nodes'] ?? {}) as Record<string, number>)) r.setCapacity(Number(n), c);
      for (const [v, c] of Object.entries((view['vms'] ?? {}) as Record<string, number>)) r.setConsumption(Number(v), c);
      model.addResource(r);
    } else if (view['id'] === 'ns') {
      const kind = view['type'] === 'node' ? 'node' : 'vm';
      const ns = new NamingService(kind);
      for (const [name, id] of Object.entries((view['map'] ?? {}) as Record<string, number>)) ns.register(name, id);
      if (kind === 'node') model.nodeNames = ns;
      else model.vmNames = ns;
    }
  }
  const constraints: Constraint[] = (raw.constraints ?? []).map((c) => {
    const { id, continuous, ...args } = c;
    return { id: String(id), continuous: continuous === true, args };
  });
  const objective = (raw.objective?.id ?? 'minimizeMTTR') as ObjectiveId;
  return { model, constraints, objective: { id: objective } };
}
