/**
 * Elements and states, as BtrPlace defines them: VMs and nodes are plain integer ids;
 * everything else about them lives in the mapping, the attributes and the views.
 */

export type VmId = number;
export type NodeId = number;

/** A VM's life-cycle state. Only READY, RUNNING and SLEEPING VMs sit in a mapping. */
export type VmState = 'init' | 'ready' | 'running' | 'sleeping' | 'killed';
export const VM_STATES: readonly VmState[] = ['init', 'ready', 'running', 'sleeping', 'killed'];

export type NodeState = 'online' | 'offline';

/** How an element is printed when no naming view names it: `vm#3`, `node#0` (BtrPlace's toString). */
export function vmLabel(vm: VmId): string {
  return `vm#${vm}`;
}
export function nodeLabel(node: NodeId): string {
  return `node#${node}`;
}

/**
 * The VM transitions BtrPlace can plan (TransitionFactory). A requested transition outside this
 * table (sleeping → ready, killed → anything, ...) has no plan.
 */
const VM_TRANSITIONS: Readonly<Record<VmState, readonly VmState[]>> = {
  init: ['init', 'ready', 'killed'],
  ready: ['ready', 'running', 'killed'],
  running: ['running', 'ready', 'sleeping', 'killed'],
  sleeping: ['sleeping', 'running', 'killed'],
  killed: ['killed'],
};

export function isVmTransitionAllowed(from: VmState, to: VmState): boolean {
  return VM_TRANSITIONS[from].includes(to);
}
