import type { Model } from '../model/index.js';
import type { CancelSignal } from '../solver/ports.js';

/**
 * The ports between Ferry and a live cluster (the demo cluster, libvirt hosts over SSH, Proxmox,
 * Nutanix). The executor and the services only ever see these interfaces, so a new provider needs
 * no change anywhere else.
 *
 * Identity across reads is by *name* (a VM's and a node's name in the model's naming views): the
 * numeric ids of a `Model` are local to one snapshot.
 */

export type { CancelSignal };

/** One host as the last read saw it. An unreachable host is data, never an exception. */
export interface HostReading {
  readonly name: string;
  /** When this host's facts were read (ms since the epoch). */
  readonly readAt: number;
  readonly reachable: boolean;
  /** Why the host could not be read (operator words), when `reachable` is false. */
  readonly error?: string;
  readonly rack?: string;
}

/** An operation the hypervisor is running on a VM right now (a migration in flight, say). */
export interface VmJob {
  readonly kind: 'migrate' | 'boot' | 'shutdown' | 'suspend' | 'resume' | 'allocate' | 'bootNode' | 'shutdownNode';
  /** The destination of a migration. */
  readonly to?: string;
  readonly startedAt: number;
  /** 0..1 */
  readonly fraction: number;
  /** The request that started it (`EffectRequest.requestId`), when the hypervisor keeps it. */
  readonly requestId?: string;
}

/** A read of the cluster: the model (every element named) and per-host facts. */
export interface InventorySnapshot {
  readonly clusterId: string;
  /** When the read finished (ms since the epoch). */
  readonly readAt: number;
  readonly model: Model;
  readonly hosts: readonly HostReading[];
  /** Operations in flight, by VM name (node operations by node name). */
  readonly jobs: ReadonlyMap<string, VmJob>;
}

/** A partial refresh: only these hosts (and the hosts of these VMs) are re-read. */
export interface InventoryScope {
  readonly nodes?: readonly string[];
  readonly vms?: readonly string[];
}

export interface InventoryProvider {
  readonly clusterId: string;
  /** A fresh read (partial when `scope` is given: the other hosts keep their last facts and times). */
  read(scope?: InventoryScope, signal?: CancelSignal): Promise<InventorySnapshot>;
}

/** A plan action by names, without times: what an effector is asked to do. */
export type NamedAction =
  | { readonly kind: 'migrateVM'; readonly vm: string; readonly from: string; readonly to: string }
  | { readonly kind: 'bootVM'; readonly vm: string; readonly node: string }
  | { readonly kind: 'shutdownVM'; readonly vm: string; readonly node: string }
  | { readonly kind: 'suspendVM'; readonly vm: string; readonly from: string; readonly to: string }
  | { readonly kind: 'resumeVM'; readonly vm: string; readonly from: string; readonly to: string }
  | { readonly kind: 'killVM'; readonly vm: string; readonly node: string | null }
  | { readonly kind: 'forgeVM'; readonly vm: string }
  | { readonly kind: 'bootNode'; readonly node: string }
  | { readonly kind: 'shutdownNode'; readonly node: string }
  | { readonly kind: 'allocate'; readonly vm: string; readonly node: string; readonly rc: string; readonly amount: number };

export interface EffectProgress {
  /** 0..1 */
  readonly fraction: number;
  readonly bytesMoved?: number;
  readonly bytesTotal?: number;
  /** Estimated seconds left, null when unknown. */
  readonly secondsLeft?: number | null;
  readonly message?: string;
}

/** What the effector saw when the operation ended; the executor still verifies from a fresh read. */
export type EffectOutcome =
  | { readonly status: 'succeeded' }
  | { readonly status: 'failed'; readonly error: string }
  | { readonly status: 'timed-out'; readonly error: string }
  | { readonly status: 'cancelled' };

export interface EffectRequest {
  /** Unique per attempt (`run:step:attempt`): hypervisor logs and idempotency keys carry it. */
  readonly requestId: string;
  readonly action: NamedAction;
  readonly timeoutMs: number;
  readonly signal: CancelSignal;
  onProgress(progress: EffectProgress): void;
}

export interface Effector {
  /** Performs one action; resolves when it ended (never rejects: failures are outcomes). */
  perform(request: EffectRequest): Promise<EffectOutcome>;
}

/** Time, injected so that the executor stays pure and tests control it. */
export interface Clock {
  now(): number;
}
