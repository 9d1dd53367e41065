import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import type { Effector, InventoryProvider, InventoryScope, InventorySnapshot } from '../../src/cluster/ports.js';
import type { Instance } from '../../src/instance/instance.js';
import { demoDir } from '../node/data-dir.js';
import { DemoEngine, type DemoFault, demoEffector, demoProvider, rehearsalCopy } from '../node/demo/index.js';

/**
 * The cluster service: which clusters Ferry knows, and the provider/effector pair of each. The
 * demo cluster is always there (its state lives in the data directory); rehearsals are simulated
 * copies in a directory of their own. libvirt, Proxmox and Nutanix providers plug in here, behind
 * the same two ports, with no change to the executor.
 */

export interface ClusterHandle {
  readonly id: string;
  readonly kind: 'demo' | 'rehearsal';
  readonly description: string;
  readonly provider: InventoryProvider;
  readonly effector: Effector;
  /** Faults on demand: simulated clusters only. */
  injectFault?(fault: DemoFault): void;
  /** Releases what the handle holds (database handles). */
  close(): void;
}

export class UnknownClusterError extends Error {
  override name = 'UnknownClusterError';
}

/** A known cluster that cannot be opened now (its state unreadable, say): said, never a crash. */
export class ClusterUnavailableError extends Error {
  override name = 'ClusterUnavailableError';
}

function openEngine(dir: string, clusterId: string): DemoEngine {
  try {
    return DemoEngine.open(dir);
  } catch (e) {
    throw new ClusterUnavailableError(`cluster ${clusterId} cannot be opened: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export const DEMO_CLUSTER_ID = 'demo';
const REHEARSAL_PREFIX = 'rehearsal:';

export class ClusterService {
  constructor(private readonly home: string) {}

  list(): { id: string; kind: string; description: string }[] {
    return [{ id: DEMO_CLUSTER_ID, kind: 'demo', description: 'the demo cluster: 3 racks of 4 simulated hosts, about 60 VMs (state in the data directory)' }];
  }

  open(clusterId: string): ClusterHandle {
    if (clusterId.startsWith(REHEARSAL_PREFIX)) {
      // a rehearsal's simulated copy, reopened (to resume a rehearsal run): never reseeded
      const name = clusterId.slice(REHEARSAL_PREFIX.length);
      const dir = join(this.home, 'rehearsals', name);
      if (!/^[\w.-]+$/.test(name) || !existsSync(join(dir, 'state.sqlite'))) throw new UnknownClusterError(`no rehearsal '${name}' in ${join(this.home, 'rehearsals')}`);
      return demoHandle(openEngine(dir, clusterId), clusterId, 'rehearsal', `a simulated copy (${dir})`);
    }
    if (clusterId !== DEMO_CLUSTER_ID) {
      throw new UnknownClusterError(`unknown cluster '${clusterId}'; known clusters: ${this.list().map((c) => c.id).join(', ')}`);
    }
    return demoHandle(openEngine(demoDir(this.home), DEMO_CLUSTER_ID), DEMO_CLUSTER_ID, 'demo', 'the demo cluster');
  }

  /**
   * A simulated copy of a cluster (its live state read now) or of an instance, for rehearsing a
   * plan with faults before the window. Each rehearsal gets a fresh directory under the data
   * directory, so the copy's own action log can be read afterwards.
   */
  async rehearsal(source: { clusterId: string } | { instance: Instance }, name: string): Promise<ClusterHandle> {
    const dir = join(this.home, 'rehearsals', name);
    rmSync(dir, { recursive: true, force: true });
    let seed: Instance;
    if ('instance' in source) seed = source.instance;
    else {
      const live = this.open(source.clusterId);
      try {
        const snap = await live.provider.read();
        seed = { model: snap.model, constraints: [], objective: { id: 'minimizeMTTR' } };
      } finally {
        live.close();
      }
    }
    const engine = rehearsalCopy(seed, dir);
    return demoHandle(engine, `${REHEARSAL_PREFIX}${name}`, 'rehearsal', `a simulated copy (${dir})`);
  }

  async snapshot(clusterId: string, scope?: InventoryScope): Promise<InventorySnapshot> {
    const handle = this.open(clusterId);
    try {
      return await handle.provider.read(scope);
    } finally {
      handle.close();
    }
  }
}

function demoHandle(engine: DemoEngine, id: string, kind: ClusterHandle['kind'], description: string): ClusterHandle {
  return {
    id,
    kind,
    description,
    provider: demoProvider(engine, id),
    effector: demoEffector(engine),
    injectFault: (fault) => engine.injectFault(fault),
    close: () => engine.close(),
  };
}
