import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

import type { Effector, InventoryProvider, InventoryScope, InventorySnapshot } from '../../src/cluster/ports.js';
import { statesOvercommit } from '../../src/cluster/overcommit.js';
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
import { type TextDiagnostic, checkClusterText, keyBlockLine, writeClusterFile } from '../node/libvirt/config-file.js';
import { PasswordKeeper } from '../node/libvirt/passwords.js';
import type { PasswordPrompt } from '../node/libvirt/ssh.js';

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
/** What libvirt clusters must remember across restarts (the hosts Ferry powered off), in the data directory. */
const LIBVIRT_STATE = 'libvirt-state';

/** A libvirt cluster as the Connect screen lists it: never a credential, only where and who. */
export interface LibvirtClusterSummary {
  readonly clusterId: string;
  readonly name: string;
  readonly file: string;
  readonly hosts: readonly { readonly name: string; readonly address: string; readonly port: number | null; readonly user: string | null; readonly rack: string | null }[];
}

/** What saving a cluster file's text gave: the cluster as now read, or where the text is wrong (nothing written). */
export type ConfigSaveResult = { readonly saved: true; readonly cluster: LibvirtClusterSummary } | { readonly saved: false; readonly diagnostics: readonly TextDiagnostic[] };

export class ClusterService {
  private readonly libvirtClusters = new Map<string, { readonly cluster: LibvirtCluster; readonly mtimeMs: number }>();
  /** Passwords of `askPassword` hosts: asked once per user@host, in this process's memory only. */
  private readonly passwords: PasswordKeeper;
  private readonly libvirtOptions: LibvirtClusterOptions;

  constructor(
    private readonly home: string,
    /** SSH options of libvirt clusters (a password prompt from the front end, the agent socket). */
    libvirtOptions: LibvirtClusterOptions = {},
  ) {
    this.passwords = new PasswordKeeper(libvirtOptions.askPassword);
    this.libvirtOptions = { ...libvirtOptions, askPassword: this.passwords.prompt, forgetPassword: this.passwords.forget };
  }

  /** Who asks for passwords from now on (the console's dialog instead of the terminal); known ones stay known. */
  usePasswordPrompt(prompt: PasswordPrompt | undefined): void {
    this.passwords.useFrontEnd(prompt);
  }

  list(): { id: string; kind: string; description: string }[] {
    const libvirt = this.libvirtFiles().map((file) => ({ id: libvirtClusterId(file), kind: 'libvirt', description: `libvirt/KVM hosts over SSH (${file})` }));
    return [{ id: DEMO_CLUSTER_ID, kind: 'demo', description: 'the demo cluster: 3 racks of 4 simulated hosts, about 60 VMs (state in the data directory)' }, ...libvirt];
  }

  /** Reads a libvirt cluster file (located errors as ClusterUnavailableError), remembers it, and sums it up. */
  addLibvirtConfig(file: string): LibvirtClusterSummary {
    const cluster = this.openLibvirt(libvirtClusterId(file));
    this.remember(cluster.config.file);
    return summarise(cluster);
  }

  /** The text of a cluster file the list knows (for the console's editor); never one holding a key. */
  readConfigText(clusterId: string): { clusterId: string; file: string; text: string } {
    const file = this.knownFile(clusterId);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ClusterUnavailableError(`${file}: cannot read the cluster file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    const keyLine = keyBlockLine(text);
    if (keyLine !== null) throw new ClusterUnavailableError(`${file}:${keyLine}:1: the file holds a private key: Ferry does not show it; move the key to its own file and name it with identityFile`);
    return { clusterId: libvirtClusterId(file), file, text };
  }

  /**
   * Saves a cluster file's text when the config parser accepts it (else the located errors, and
   * the file untouched). Only a file the list knows, or — `create` — a new file the operator names
   * (absolute, .yaml/.yml, in an existing folder, not there yet), which the list then knows.
   */
  saveConfigText(file: string, text: string, create = false): ConfigSaveResult {
    const absolute = create ? this.newFile(file) : this.knownFile(libvirtClusterId(file));
    const checked = checkClusterText(text, absolute);
    if (!checked.ok) return { saved: false, diagnostics: checked.diagnostics };
    try {
      writeClusterFile(absolute, text);
    } catch (e) {
      throw new ClusterUnavailableError(`${absolute}: the cluster file was not written (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    // read again from the file just written: the next open sees the new hosts and settings
    this.libvirtClusters.delete(absolute);
    const cluster = this.openLibvirt(libvirtClusterId(absolute));
    if (create) this.remember(absolute);
    return { saved: true, cluster: summarise(cluster) };
  }

  private knownFile(clusterId: string): string {
    if (!clusterId.startsWith(LIBVIRT_PREFIX)) throw new UnknownClusterError(`'${clusterId}' is not a libvirt cluster (libvirt:/path/to/cluster.yaml)`);
    const file = resolve(clusterId.slice(LIBVIRT_PREFIX.length));
    if (!this.libvirtFiles().includes(file)) throw new UnknownClusterError(`${file} is not a cluster file Ferry knows: add it on the Connect screen first, or save it as a new cluster file`);
    return file;
  }

  private newFile(file: string): string {
    if (!isAbsolute(file)) throw new ClusterUnavailableError(`${file}: give the new cluster file's full path (it is written on the machine running Ferry)`);
    const absolute = resolve(file);
    if (!/\.ya?ml$/i.test(absolute)) throw new ClusterUnavailableError(`${absolute}: a cluster file's name ends in .yaml or .yml`);
    if (existsSync(absolute)) throw new ClusterUnavailableError(`${absolute} exists already: a new cluster file never replaces a file (add it instead, then edit it)`);
    if (!existsSync(dirname(absolute))) throw new ClusterUnavailableError(`${dirname(absolute)}: no such folder`);
    return absolute;
  }

  private remember(file: string): void {
    const files = this.libvirtFiles();
    if (!files.includes(file)) writeFileSync(join(this.home, LIBVIRT_LIST), `${JSON.stringify([...files, file], null, 2)}\n`, { mode: 0o600 });
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
      const cluster = openLibvirtCluster(file, { ...this.libvirtOptions, stateDir: join(this.home, LIBVIRT_STATE) });
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
    // a cluster's read (or its export) states capacity with its overcommit applied already
    // (src/cluster/overcommit): the copy must not apply a ratio again; another instance file keeps
    // the simulator's default policy
    let overbook: Record<string, number> | undefined;
    if ('instance' in source) {
      seed = source.instance;
      if (statesOvercommit(seed.model)) overbook = {};
    } else {
      overbook = {};
      const live = this.open(source.clusterId);
      try {
        const snap = await live.provider.read();
        seed = { model: snap.model, constraints: [], objective: { id: 'minimizeMTTR' } };
      } finally {
        live.close();
      }
    }
    const engine = rehearsalCopy(seed, dir, overbook === undefined ? {} : { overbook });
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

/** A libvirt cluster as the Connect screen lists it: where and who, never a credential. */
function summarise(cluster: LibvirtCluster): LibvirtClusterSummary {
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
