/** Test support for the btrpsl tests: models whose elements are named through naming views. */
import { Mapping, Model, NamingService, ShareableResource } from '../../src/model/index.js';

export interface ModelSpec {
  /** VM names; each gets id = index */
  vms?: readonly string[];
  /** node names; each gets id = index */
  nodes?: readonly string[];
  resources?: readonly string[];
}

/** A model naming the given VMs and nodes; nodes online, VMs running round-robin on them. */
export function namedModel(spec: ModelSpec): Model {
  const mapping = new Mapping();
  const nodeNames = new NamingService('node');
  const vmNames = new NamingService('vm');
  (spec.nodes ?? []).forEach((n, i) => {
    mapping.addOnlineNode(i);
    nodeNames.register(n, i);
  });
  const nodeCount = spec.nodes?.length ?? 0;
  (spec.vms ?? []).forEach((v, i) => {
    if (nodeCount > 0) mapping.addRunningVM(i, i % nodeCount);
    else mapping.addReadyVM(i);
    vmNames.register(v, i);
  });
  return new Model({ mapping, vmNames, nodeNames, resources: (spec.resources ?? []).map((r) => new ShareableResource(r, 10, 1)) });
}

export const range = (prefix: string, from: number, to: number, suffix = ''): string[] => Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}${suffix}`);
