import type { Constraint } from '../../src/catalogue/constraint.js';
import type { Instance } from '../../src/instance/instance.js';
import { Mapping, Model, NamingService, ShareableResource } from '../../src/model/index.js';

export interface NodeSpec {
  readonly cpu: number;
  readonly mem?: number;
  readonly offline?: boolean;
}
export interface VmSpec {
  readonly on: string | null;
  readonly cpu: number;
  readonly mem?: number;
  readonly sleeping?: boolean;
}

/**
 * A small cluster by names: `cluster({N1: {cpu: 4}}, {VM1: {on: 'N1', cpu: 2}})`. Ids follow the
 * declaration order; names are registered so constraints and explanations read naturally.
 */
export function cluster(nodes: Record<string, NodeSpec>, vms: Record<string, VmSpec>): { model: Model; vm: (name: string) => number; node: (name: string) => number } {
  const mapping = new Mapping();
  const cpu = new ShareableResource('cpu', 0, 0);
  const mem = new ShareableResource('mem', 0, 0);
  const nodeNames = new NamingService('node');
  const vmNames = new NamingService('vm');
  Object.entries(nodes).forEach(([name, spec], id) => {
    if (spec.offline) mapping.addOfflineNode(id);
    else mapping.addOnlineNode(id);
    cpu.setCapacity(id, spec.cpu);
    mem.setCapacity(id, spec.mem ?? 1_000_000);
    nodeNames.register(name, id);
  });
  Object.entries(vms).forEach(([name, spec], id) => {
    if (spec.on === null) mapping.addReadyVM(id);
    else if (spec.sleeping) mapping.addSleepingVM(id, nodeNames.resolve(spec.on) as number);
    else mapping.addRunningVM(id, nodeNames.resolve(spec.on) as number);
    cpu.setConsumption(id, spec.cpu);
    mem.setConsumption(id, spec.mem ?? 1024);
    vmNames.register(name, id);
  });
  const model = new Model({ mapping, resources: [cpu, mem], vmNames, nodeNames });
  return {
    model,
    vm: (name) => {
      const id = vmNames.resolve(name);
      if (id === undefined) throw new Error(`no VM ${name}`);
      return id;
    },
    node: (name) => {
      const id = nodeNames.resolve(name);
      if (id === undefined) throw new Error(`no node ${name}`);
      return id;
    },
  };
}

export function instanceOf(model: Model, constraints: Constraint[]): Instance {
  return { model, constraints, objective: { id: 'minimizeMTTR' } };
}

export const c = (id: string, args: Record<string, unknown>, continuous = false): Constraint => ({ id, continuous, args });
