import type { NodeId, VmId } from '../model/index.js';

/**
 * Plan actions, one per BtrPlace action class (`api/plan/event/*`). Times are integer seconds
 * from the start of the plan; `start <= end`.
 */

/** Events hooked before or after an action (BtrPlace's `hooks.pre` / `hooks.post`). */
export type PlanEvent =
  | { readonly kind: 'allocateEvent'; readonly vm: VmId; readonly rc: string; readonly amount: number }
  | { readonly kind: 'substitutedVM'; readonly vm: VmId; readonly newVm: VmId };

export interface Hooks {
  readonly pre: readonly PlanEvent[];
  readonly post: readonly PlanEvent[];
}

interface Timed {
  readonly start: number;
  readonly end: number;
  readonly hooks?: Hooks;
}

/** Live migration: running on `from` → running on `to`; holds resources on both until it ends. */
export interface MigrateVM extends Timed {
  readonly kind: 'migrateVM';
  readonly vm: VmId;
  readonly from: NodeId;
  readonly to: NodeId;
  /** Bandwidth used, when a network model chose one (BtrPlace prints Integer.MAX_VALUE otherwise). */
  readonly bw?: number;
}
/** ready → running on `node` (d-slice from start). */
export interface BootVM extends Timed {
  readonly kind: 'bootVM';
  readonly vm: VmId;
  readonly node: NodeId;
}
/** running on `node` → ready (c-slice until end). */
export interface ShutdownVM extends Timed {
  readonly kind: 'shutdownVM';
  readonly vm: VmId;
  readonly node: NodeId;
}
/** running on `from` → sleeping on `to` (Ferry, like BtrPlace's solver, plans from = to). */
export interface SuspendVM extends Timed {
  readonly kind: 'suspendVM';
  readonly vm: VmId;
  readonly from: NodeId;
  readonly to: NodeId;
}
/** sleeping on `from` → running on `to`. */
export interface ResumeVM extends Timed {
  readonly kind: 'resumeVM';
  readonly vm: VmId;
  readonly from: NodeId;
  readonly to: NodeId;
}
/** Any state → killed (removed from the mapping). `node` is the host when the VM had one. */
export interface KillVM extends Timed {
  readonly kind: 'killVM';
  readonly vm: VmId;
  readonly node: NodeId | null;
}
/** init → ready (needs the `template` attribute). */
export interface ForgeVM extends Timed {
  readonly kind: 'forgeVM';
  readonly vm: VmId;
}
/** offline → online; VMs may arrive only once it has ended. */
export interface BootNode extends Timed {
  readonly kind: 'bootNode';
  readonly node: NodeId;
}
/** online (and empty) → offline; every VM must have left by its start. */
export interface ShutdownNode extends Timed {
  readonly kind: 'shutdownNode';
  readonly node: NodeId;
}
/** Changes a running VM's consumption of one resource on its host. */
export interface Allocate extends Timed {
  readonly kind: 'allocate';
  readonly vm: VmId;
  readonly node: NodeId;
  readonly rc: string;
  readonly amount: number;
}

export type Action =
  | MigrateVM
  | BootVM
  | ShutdownVM
  | SuspendVM
  | ResumeVM
  | KillVM
  | ForgeVM
  | BootNode
  | ShutdownNode
  | Allocate;

export type ActionKind = Action['kind'];

export const ACTION_KINDS: readonly ActionKind[] = [
  'migrateVM',
  'bootVM',
  'shutdownVM',
  'suspendVM',
  'resumeVM',
  'killVM',
  'forgeVM',
  'bootNode',
  'shutdownNode',
  'allocate',
];

/** The VM an action is about, if any. */
export function actionVm(a: Action): VmId | undefined {
  return a.kind === 'bootNode' || a.kind === 'shutdownNode' ? undefined : a.vm;
}

/**
 * The fields that name an action's nodes, whatever names them: node ids in a plan, host names in
 * the ports' NamedAction. One reader serves both.
 */
export type NodeFields<N> =
  | { readonly kind: 'migrateVM' | 'suspendVM' | 'resumeVM'; readonly from: N; readonly to: N }
  | { readonly kind: 'bootVM' | 'shutdownVM' | 'allocate' | 'bootNode' | 'shutdownNode'; readonly node: N }
  | { readonly kind: 'killVM'; readonly node: N | null }
  | { readonly kind: 'forgeVM' };

/** The nodes an action touches (source and destination for a migration, once each). */
export function nodesOf<N>(a: NodeFields<N>): N[] {
  switch (a.kind) {
    case 'migrateVM':
    case 'suspendVM':
    case 'resumeVM':
      return a.from === a.to ? [a.from] : [a.from, a.to];
    case 'killVM':
      return a.node === null ? [] : [a.node];
    case 'forgeVM':
      return [];
    default:
      return [a.node];
  }
}

/** The nodes a plan action touches. */
export function actionNodes(a: Action): NodeId[] {
  return nodesOf<NodeId>(a);
}
