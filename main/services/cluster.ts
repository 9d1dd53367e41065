import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import type { Effector, InventoryProvider, InventoryScope, InventorySnapshot } from '../../src/cluster/ports.js';
import type { Instance } from '../../src/instance/instance.js';
import { demoDir } from '../node/data-dir.js';
import { DemoEngine, type DemoFault, demoEffector, demoProvider, rehearsalCopy } from '../node/demo/index.js';
import {
  ClusterConfigError,
  type HostCheck,
  LIBVIRT_PREFIX,
  type LibvirtCluster,
  type LibvirtClusterOptions,
  type TrustResult,
  checkHosts,
  libvirtClusterId,
  openLibvirtCluster,
  trustHost,
} from '../node/libvirt/index.js';

/**
 * The cluster service: which clusters Ferry knows, and the provider/effector pair of each. The
 * demo cluster is always there (its state lives in the data directory); rehearsals are simulated
 * copies in a directory of their own. libvirt, Proxmox and Nutanix providers plug in here, behind
 * the same two ports, with no change to the executor.
 */

export interface ClusterHandle {
  readonly id: string;
  readonly kind: 'demo' | 'rehearsal' | 'libvirt';
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
/** The libvirt cluster files the operator added (Connect screen), in the data directory. */
const LIBVIRT_LIST = 'libvirt-clusters.json';

/** A libvirt cluster as the Connect screen lists it: never a credential, only where and who. */
export interface LibvirtClusterSummary {
  readonly clusterId: string;
  readonly name: string;
  readonly file: string;
  readonly hosts: readonly { readonly name: string; readonly address: string; readonly port: number | null; readonly user: string | null; readonly rack: string | null }[];
}

export class ClusterService {
  private readonly libvirtClusters = new Map<string, { readonly cluster: LibvirtCluster; readonly mtimeMs: number }>();

  constructor(
    private readonly home: string,
    /** SSH options of libvirt clusters (a password prompt from the front end, the agent socket). */
    private readonly libvirtOptions: LibvirtClusterOptions = {},
  ) {}

  list(): { id: string; kind: string; description: string }[] {
    const libvirt = this.libvirtFiles().map((file) => ({ id: libvirtClusterId(file), kind: 'libvirt', description: `libvirt/KVM hosts over SSH (${file})` }));
    return [{ id: DEMO_CLUSTER_ID, kind: 'demo', description: 'the demo cluster: 3 racks of 4 simulated hosts, about 60 VMs (state in the data directory)' }, ...libvirt];
  }

  /** Reads a libvirt cluster file (located errors as ClusterUnavailableError), remembers it, and sums it up. */
  addLibvirtConfig(file: string): LibvirtClusterSummary {
    const cluster = this.openLibvirt(libvirtClusterId(file));
    const files = this.libvirtFiles();
    if (!files.includes(cluster.config.file)) writeFileSync(join(this.home, LIBVIRT_LIST), `${JSON.stringify([...files, cluster.config.file], null, 2)}\n`, { mode: 0o600 });
    return {
      clusterId: cluster.id,
      name: cluster.config.name,
      file: cluster.config.file,
      hosts: cluster.config.hosts.map((h) => {
        const target = cluster.access.target(h.name);
        return { name: h.name, address: target?.host ?? h.address, port: target?.port ?? null, user: target?.user ?? null, rack: h.rack ?? null };
      }),
    };
  }

  /** Can each host of a libvirt cluster be reached (and run virsh)? Unknown host keys come with their fingerprints. */
  async testLibvirt(clusterId: string): Promise<HostCheck[]> {
    return checkHosts(this.openLibvirt(clusterId));
  }

  /** Trusts the key a host shows, if it is the one the operator confirmed (its SHA256 fingerprint). */
  async trustHostKey(clusterId: string, host: string, fingerprint: string): Promise<TrustResult> {
    const cluster = this.openLibvirt(clusterId);
    if (!cluster.access.host(host)) throw new UnknownClusterError(`cluster ${clusterId} has no host '${host}'`);
    return trustHost(cluster, host, fingerprint);
  }

  private libvirtFiles(): string[] {
    try {
      const parsed: unknown = JSON.parse(readFileSync(join(this.home, LIBVIRT_LIST), 'utf8'));
      return Array.isArray(parsed) ? parsed.filter((f): f is string => typeof f === 'string') : [];
    } catch {
      return [];
    }
  }

  private openLibvirt(clusterId: string): LibvirtCluster {
    if (!clusterId.startsWith(LIBVIRT_PREFIX)) throw new UnknownClusterError(`'${clusterId}' is not a libvirt cluster (libvirt:/path/to/cluster.yaml)`);
    const file = resolve(clusterId.slice(LIBVIRT_PREFIX.length));
    if (!existsSync(file)) throw new UnknownClusterError(`no cluster file ${file}`);
    try {
      // one provider per file while the file is unchanged: its hosts' last facts (a partial read
      // keeps the others'), the hosts it powered off and the migrations it runs outlive each open
      const mtimeMs = statSync(file).mtimeMs;
      const cached = this.libvirtClusters.get(file);
      if (cached && cached.mtimeMs === mtimeMs) return cached.cluster;
      const cluster = openLibvirtCluster(file, this.libvirtOptions);
      this.libvirtClusters.set(file, { cluster, mtimeMs });
      return cluster;
    } catch (e) {
      if (e instanceof ClusterConfigError) throw new ClusterUnavailableError(e.message);
      throw new ClusterUnavailableError(`cluster ${clusterId} cannot be opened: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  open(clusterId: string): ClusterHandle {
    if (clusterId.startsWith(LIBVIRT_PREFIX)) {
      // a libvirt cluster is named by its file: any readable cluster file opens, listed or not
      const cluster = this.openLibvirt(clusterId);
      return { id: cluster.id, kind: 'libvirt', description: `libvirt cluster ${cluster.config.name} (${cluster.config.file})`, provider: cluster.provider, effector: cluster.effector, close: () => undefined };
    }
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
