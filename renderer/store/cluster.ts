import type { StateCreator } from 'zustand';

import { STARTER_CLUSTER_YAML } from '../../src/cluster/starter.js';
import type { ClusterChangedEvent } from '../../src/contract/events.js';
import type { ClusterSummary, OutputOf, PasswordNeededEvent } from '../../src/contract/procedures.js';
import type { ClusterSnapshot, InstanceJson } from '../../src/contract/wire.js';
import type { HostReading, VmJob } from '../../src/cluster/ports.js';
import type { Instance } from '../../src/instance/instance.js';
import type { FerryClient } from '../api/index.js';
import type { Domain } from './domain.js';
import type { DomainSource } from './domain-source.js';
import type { FerryState } from './types.js';

/**
 * The cluster the console works on: the clusters Ferry knows, the one in use, its last read
 * (the wire snapshot and its decoded Instance, which the inventory and the editor services read),
 * kept current by `cluster:changed`. A BtrPlace instance file can stand in for a cluster (what-if
 * on a file): plans and lints then send the instance itself instead of a cluster id.
 */

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'error';

/** What the console plans against: a cluster's last read, or an instance file opened by the operator. */
export type ClusterSource =
  | { readonly kind: 'cluster'; readonly clusterId: string }
  /** `instanceId` once the main process keeps the file's instance (instance:open), null until then. */
  | { readonly kind: 'file'; readonly fileName: string; readonly instance: InstanceJson; readonly instanceId: string | null };

/** The input fields naming the source, as the contract's clusterOrInstance procedures take them. */
export type SourceInput = { readonly clusterId: string } | { readonly instance: InstanceJson } | { readonly instanceId: string };

export const DEFAULT_CLUSTER = 'demo';

/** One host of a connection test (SSH and virsh): reachable or why not, and a host key to confirm. */
export type HostCheck = OutputOf<'cluster:test'>['hosts'][number];

/** A located error of a cluster file's text (1-based), as cluster:config-save reports it. */
export type ClusterFileDiagnostic = OutputOf<'cluster:config-save'>['diagnostics'][number];

/** The cluster file open in the Connect screen's editor: a known file, or a new one the operator names. */
export interface ClusterFileEdit {
  readonly mode: 'edit' | 'new';
  /** The file (absolute); empty for a new file until the operator names it. */
  readonly file: string;
  /** The text the editor opened with. */
  readonly text: string;
  /** Why the last save was refused, at its lines (nothing was written). */
  readonly diagnostics: readonly ClusterFileDiagnostic[];
}

export interface ClusterSlice {
  readonly clusters: readonly ClusterSummary[];
  readonly clustersError: string | null;
  /** The cluster in use (the demo until another is picked); kept while an instance file is open. */
  readonly clusterId: string;
  readonly source: ClusterSource;
  readonly connection: ConnectionState;
  /** Why the last read failed, in the service's words. */
  readonly clusterError: string | null;
  readonly snapshot: ClusterSnapshot | null;
  /** The decoded model (and the constraints the cluster or the file declares). */
  readonly inventory: Instance | null;
  /** Per-host facts of the last read (refreshed by cluster:changed between snapshots). */
  readonly hosts: readonly HostReading[];
  readonly jobs: Readonly<Record<string, VmJob>>;
  /** When the inventory was read (ms since the epoch), null for a file or before the first read. */
  readonly readAt: number | null;

  loadClusters(): Promise<void>;
  /** Uses another cluster (and leaves an open instance file). */
  selectCluster(clusterId: string): Promise<void>;
  /** The cluster's last read (read now when there is none). */
  loadSnapshot(): Promise<void>;
  /** Reads the cluster again (a connection test). */
  refresh(): Promise<void>;
  /**
   * Uses a BtrPlace instance file's text as the cluster; false (with a notification) when it
   * cannot be read. It needs the domain code, here once a read was asked for: see openInstanceFile.
   */
  openInstanceText(fileName: string, text: string): boolean;
  /** openInstanceText once the domain code is here (loaded first when needed). */
  openInstanceFile(fileName: string, text: string): Promise<boolean>;
  /** Back to the cluster in use after a file. */
  closeInstanceFile(): Promise<void>;
  /** `{ clusterId }` or `{ instance }` for plan:compute and constraints:lint. */
  sourceInput(): SourceInput;
  /** Listens to cluster:changed; returns the unsubscribe. */
  startClusterFeed(): () => void;

  /** The last connection test of each SSH cluster, by cluster id. */
  readonly hostChecks: Readonly<Record<string, readonly HostCheck[]>>;
  /** Adds a libvirt cluster from its YAML file on this machine; false (with a notification) when refused. */
  addClusterFile(path: string): Promise<boolean>;
  /** Connects to every host of an SSH cluster (reachability, host keys to confirm). */
  testHosts(clusterId: string): Promise<void>;
  /** Trusts the key a host showed, once the operator confirmed its fingerprint. */
  trustHostKey(clusterId: string, host: string, fingerprint: string): Promise<boolean>;

  readonly clusterFile: ClusterFileEdit | null;
  /** Opens a known cluster file's text in the editor; false (with a notification) when it cannot be read. */
  editClusterFile(clusterId: string): Promise<boolean>;
  /** Opens the editor on a new cluster file's starter text. */
  newClusterFile(): void;
  /** Saves the editor's text (validated by the services); true when written, then the cluster is read again. */
  saveClusterFile(file: string, text: string): Promise<boolean>;
  closeClusterFile(): void;

  /** Hosts waiting for a password, oldest first (who and where: never a password). */
  readonly passwordRequests: readonly PasswordNeededEvent[];
  /** Sends the password (null: declined) to the main process, once; it is kept nowhere here. */
  answerPassword(promptId: string, password: string | null): Promise<void>;
}

export function createClusterSlice(client: FerryClient, domain: DomainSource): StateCreator<FerryState, [], [], ClusterSlice> {
  return (set, get) => {
    /** Snapshot requests answered out of order must not overwrite a newer one (or another cluster's). */
    let snapshotSeq = 0;
    let snapshotInFlight = false;
    let snapshotAgain = false;
    /** cluster:list replies answered out of order: one asked before a read must not undo the list asked after it. */
    let listSeq = 0;
    let listApplied = 0;

    function applySnapshot(snapshot: ClusterSnapshot, decoder: Domain): void {
      const decoded = decoder.decodeSnapshot(snapshot.instance);
      if (!decoded.ok) {
        set({ connection: 'error', clusterError: `the cluster's read cannot be used: ${decoded.message}` });
        return;
      }
      // the cluster's own overcommit is in its capacities (src/cluster/overcommit): the script starts empty
      set({ snapshot, inventory: decoded.value, hosts: snapshot.hosts, jobs: snapshot.jobs, readAt: snapshot.readAt, connection: 'connected', clusterError: null });
      get().scriptChanged();
    }

    /**
     * Hands an opened file's instance to the main process once, so that each what-if names it
     * instead of sending (and having checked and decoded) megabytes again. A refusal changes
     * nothing: the instance keeps travelling whole.
     */
    async function keepInstance(opened: Extract<ClusterSource, { kind: 'file' }>): Promise<void> {
      const reply = await client.invoke('instance:open', { instance: opened.instance });
      if (!reply.ok || get().source !== opened) return;
      set({ source: { ...opened, instanceId: reply.value.instanceId } });
    }

    async function readSnapshot(procedure: 'cluster:snapshot' | 'cluster:refresh'): Promise<void> {
      const clusterId = get().clusterId;
      const seq = ++snapshotSeq;
      set({ connection: 'connecting' });
      get().startTask({ id: 'cluster-read', label: `Reading ${clusterId}`, route: 'connect' });
      // the domain code (decoder, dsl) arrives while the services read the cluster, not after
      const [reply, decoder] = await Promise.all([client.invoke(procedure, { clusterId }), domain.load().catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))))]);
      get().endTask('cluster-read');
      if (seq !== snapshotSeq || get().clusterId !== clusterId) return;
      if (!reply.ok) {
        set({ connection: 'error', clusterError: reply.error.message });
        return;
      }
      if (decoder instanceof Error) {
        set({ connection: 'error', clusterError: `the console could not load its instance reader: ${decoder.message}` });
        return;
      }
      if (get().source.kind === 'cluster') applySnapshot(reply.value, decoder);
      else set({ snapshot: reply.value, connection: 'connected', clusterError: null });
      // the list shows each cluster's last read: this one just changed
      void get().loadClusters();
    }

    /** A cluster:changed brings host facts; the model itself comes with the next snapshot (one at a time). */
    async function followChange(): Promise<void> {
      if (snapshotInFlight) {
        snapshotAgain = true;
        return;
      }
      snapshotInFlight = true;
      try {
        do {
          snapshotAgain = false;
          await readSnapshot('cluster:snapshot');
        } while (snapshotAgain);
      } finally {
        snapshotInFlight = false;
      }
    }

    function onChanged(event: ClusterChangedEvent): void {
      if (event.clusterId !== get().clusterId) return;
      if (get().source.kind === 'cluster') set({ hosts: event.hosts, jobs: event.jobs, readAt: event.readAt });
      void followChange();
    }

    return {
      clusters: [],
      clustersError: null,
      clusterId: DEFAULT_CLUSTER,
      source: { kind: 'cluster', clusterId: DEFAULT_CLUSTER },
      connection: 'idle',
      clusterError: null,
      snapshot: null,
      inventory: null,
      hosts: [],
      jobs: {},
      readAt: null,

      loadClusters: async () => {
        const seq = ++listSeq;
        const reply = await client.invoke('cluster:list', {});
        if (seq < listApplied) return;
        listApplied = seq;
        if (reply.ok) set({ clusters: reply.value.clusters, clustersError: null });
        else set({ clustersError: reply.error.message });
      },

      selectCluster: async (clusterId) => {
        set({ clusterId, source: { kind: 'cluster', clusterId }, snapshot: null, inventory: null, hosts: [], jobs: {}, readAt: null, clusterError: null });
        await readSnapshot('cluster:snapshot');
      },

      loadSnapshot: () => readSnapshot('cluster:snapshot'),

      refresh: () => readSnapshot('cluster:refresh'),

      openInstanceText: (fileName, text) => {
        const refuse = (why: string): false => {
          get().notify('danger', `${fileName} cannot be opened`, why);
          return false;
        };
        const reader = domain.loaded();
        if (!reader) return refuse('the console is still loading its instance reader: open the file again');
        const opened = reader.readInstanceText(text);
        if (!opened.ok) return refuse(opened.message);
        const { json, instance } = opened.value;
        snapshotSeq++;
        const source = { kind: 'file', fileName, instance: json, instanceId: null } as const;
        set({ source, inventory: instance, hosts: [], jobs: {}, readAt: null, connection: 'connected', clusterError: null });
        void keepInstance(source);
        get().scriptChanged();
        get().notify('info', `Using ${fileName} as the cluster`, `${instance.model.mapping.nodeCount()} nodes, ${instance.model.mapping.vmCount()} VMs: plans are what-ifs on this file.`);
        return true;
      },

      openInstanceFile: async (fileName, text) => {
        try {
          await domain.load();
        } catch (e) {
          get().notify('danger', `${fileName} cannot be opened`, `the console could not load its instance reader: ${e instanceof Error ? e.message : String(e)}`);
          return false;
        }
        return get().openInstanceText(fileName, text);
      },

      closeInstanceFile: async () => {
        set({ source: { kind: 'cluster', clusterId: get().clusterId }, inventory: null });
        await readSnapshot('cluster:snapshot');
      },

      sourceInput: () => {
        const source = get().source;
        if (source.kind === 'cluster') return { clusterId: source.clusterId };
        // until the main process keeps the instance, it travels whole (slower, same answer)
        return source.instanceId === null ? { instance: source.instance } : { instanceId: source.instanceId };
      },

      hostChecks: {},

      addClusterFile: async (path) => {
        const reply = await client.invoke('cluster:add-config', { path });
        if (!reply.ok) {
          get().notify('danger', 'The cluster file was not added', reply.error.message);
          return false;
        }
        get().notify('success', `Added ${reply.value.name}`, `${reply.value.hosts.length} hosts; test the connection to confirm their host keys.`);
        await get().loadClusters();
        return true;
      },

      testHosts: async (clusterId) => {
        get().startTask({ id: `test-${clusterId}`, label: `Testing ${clusterId}`, route: 'connect' });
        const reply = await client.invoke('cluster:test', { clusterId });
        get().endTask(`test-${clusterId}`);
        if (!reply.ok) {
          get().notify('danger', 'The connection test failed', reply.error.message);
          return;
        }
        set({ hostChecks: { ...get().hostChecks, [clusterId]: reply.value.hosts } });
      },

      trustHostKey: async (clusterId, host, fingerprint) => {
        const reply = await client.invoke('cluster:trust-host-key', { clusterId, host, fingerprint });
        if (!reply.ok) {
          get().notify('danger', `The key of ${host} was not trusted`, reply.error.message);
          return false;
        }
        get().notify('success', `Trusted the key of ${host}`, `Added to ${reply.value.knownHostsFile}.`);
        await get().testHosts(clusterId);
        return true;
      },

      clusterFile: null,

      editClusterFile: async (clusterId) => {
        const reply = await client.invoke('cluster:config-read', { clusterId });
        if (!reply.ok) {
          get().notify('danger', 'The cluster file cannot be opened', reply.error.message);
          return false;
        }
        set({ clusterFile: { mode: 'edit', file: reply.value.file, text: reply.value.text, diagnostics: [] } });
        return true;
      },

      newClusterFile: () => set({ clusterFile: { mode: 'new', file: '', text: STARTER_CLUSTER_YAML, diagnostics: [] } }),

      saveClusterFile: async (file, text) => {
        const editing = get().clusterFile;
        if (!editing) return false;
        const reply = await client.invoke('cluster:config-save', { file, text, ...(editing.mode === 'new' ? { create: true } : {}) });
        if (!reply.ok) {
          get().notify('danger', 'The cluster file was not saved', reply.error.message);
          return false;
        }
        const saved = reply.value;
        if (!saved.saved || !saved.cluster) {
          set({ clusterFile: { ...editing, file, text, diagnostics: saved.diagnostics } });
          return false;
        }
        set({ clusterFile: null, hostChecks: Object.fromEntries(Object.entries(get().hostChecks).filter(([id]) => id !== saved.cluster?.clusterId)) });
        get().notify('success', `Saved ${saved.cluster.name}`, `${saved.cluster.file}: ${saved.cluster.hosts.length} hosts.`);
        await get().loadClusters();
        // the cluster in use is read again from the file just written
        if (get().source.kind === 'cluster' && get().clusterId === saved.cluster.clusterId) await get().refresh();
        return true;
      },

      closeClusterFile: () => set({ clusterFile: null }),

      passwordRequests: [],

      answerPassword: async (promptId, password) => {
        set({ passwordRequests: get().passwordRequests.filter((r) => r.promptId !== promptId) });
        const reply = await client.invoke('cluster:password', { promptId, password });
        if (!reply.ok) get().notify('danger', 'The password was not delivered', reply.error.message);
        else if (!reply.value.accepted && password !== null) get().notify('warning', 'The password came too late', 'Nothing was waiting for it any more: read the cluster again to be asked anew.');
      },

      startClusterFeed: () => {
        const stopChanges = client.subscribe('cluster:changed', {}, (reply) => {
          if (reply.ok) onChanged(reply.value);
          // the transport was lost: events may have been missed, so read again once it is back
          else if (reply.error.code === 'unavailable') void followChange();
        });
        const stopPasswords = client.subscribe('cluster:password-needed', {}, (reply) => {
          if (reply.ok) set({ passwordRequests: [...get().passwordRequests, reply.value] });
        });
        return () => {
          stopChanges();
          stopPasswords();
        };
      },
    };
  };
}
