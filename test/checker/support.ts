import type { Constraint } from '../../src/catalogue/constraint.js';
import type { Instance } from '../../src/instance/instance.js';
import type { Model } from '../../src/model/index.js';
import type { Action, BootNode, BootVM, MigrateVM, ShutdownNode, ShutdownVM } from '../../src/plan/actions.js';
import type { Plan } from '../../src/plan/plan.js';
import { id } from '../plan/support.js';

export { buildModel, id } from '../plan/support.js';

export function instanceOf(model: Model, constraints: readonly Constraint[] = []): Instance {
  return { model, constraints, objective: { id: 'minimizeMTTR' } };
}

export function planOf(origin: Model, actions: readonly Action[]): Plan {
  return { origin, actions };
}

export function migrate(vm: string, from: string, to: string, start: number, end: number): MigrateVM {
  return { kind: 'migrateVM', vm: id(vm), from: id(from), to: id(to), start, end };
}
export function bootVm(vm: string, node: string, start: number, end: number): BootVM {
  return { kind: 'bootVM', vm: id(vm), node: id(node), start, end };
}
export function shutdownVm(vm: string, node: string, start: number, end: number): ShutdownVM {
  return { kind: 'shutdownVM', vm: id(vm), node: id(node), start, end };
}
export function bootNode(node: string, start: number, end: number): BootNode {
  return { kind: 'bootNode', node: id(node), start, end };
}
export function shutdownNode(node: string, start: number, end: number): ShutdownNode {
  return { kind: 'shutdownNode', node: id(node), start, end };
}

/** A constraint by JSON id; VM and node arguments given by name. */
export function constraint(cid: string, continuous: boolean, args: Record<string, unknown>): Constraint {
  return { id: cid, continuous, args };
}

export const ids = (...names: string[]): number[] => names.map(id);
