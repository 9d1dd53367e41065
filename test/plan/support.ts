import { Model, NamingService, ShareableResource } from '../../src/model/index.js';

/**
 * Builds small named models for plan tests: names are `VM<n>` / `N<n>`, and the id is `<n>`
 * (VM2 has id 2), so BtrPlace-style labels and names are both easy to predict.
 */
export interface ModelSpec {
  /** online node → its running VMs */
  readonly on?: Readonly<Record<string, readonly string[]>>;
  readonly off?: readonly string[];
  readonly ready?: readonly string[];
  /** online node → its sleeping VMs (the node must also appear in `on`) */
  readonly sleeping?: Readonly<Record<string, readonly string[]>>;
  /** resources: capacity per node (or a default), consumption per VM (or a default) */
  readonly rc?: Readonly<Record<string, { readonly cap: number | Readonly<Record<string, number>>; readonly cons: number | Readonly<Record<string, number>> }>>;
  /** extra VM names to register (e.g. VMs to forge) */
  readonly vms?: readonly string[];
}

export function id(name: string): number {
  const m = /(\d+)$/.exec(name);
  if (!m?.[1]) throw new Error(`no id in ${name}`);
  return Number(m[1]);
}

export function buildModel(spec: ModelSpec): Model {
  const model = new Model({ vmNames: new NamingService('vm'), nodeNames: new NamingService('node') });
  const vmNames = model.vmNames as NamingService;
  const nodeNames = model.nodeNames as NamingService;
  const vm = (name: string): number => {
    vmNames.register(name, id(name));
    return id(name);
  };
  const node = (name: string): number => {
    nodeNames.register(name, id(name));
    return id(name);
  };
  for (const [n, vms] of Object.entries(spec.on ?? {})) {
    model.mapping.addOnlineNode(node(n));
    for (const v of vms) model.mapping.addRunningVM(vm(v), id(n));
  }
  for (const n of spec.off ?? []) model.mapping.addOfflineNode(node(n));
  for (const [n, vms] of Object.entries(spec.sleeping ?? {})) for (const v of vms) model.mapping.addSleepingVM(vm(v), node(n));
  for (const v of spec.ready ?? []) model.mapping.addReadyVM(vm(v));
  for (const v of spec.vms ?? []) vm(v);
  for (const [rcId, r] of Object.entries(spec.rc ?? {})) {
    const res = new ShareableResource(rcId, typeof r.cap === 'number' ? r.cap : 0, typeof r.cons === 'number' ? r.cons : 0);
    if (typeof r.cap !== 'number') for (const [n, c] of Object.entries(r.cap)) res.setCapacity(id(n), c);
    if (typeof r.cons !== 'number') for (const [v, c] of Object.entries(r.cons)) res.setConsumption(id(v), c);
    model.addResource(res);
  }
  return model;
}
