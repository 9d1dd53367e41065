import { Attributes } from './attributes.js';
import { type NodeId, type VmId, type VmState, nodeLabel, vmLabel } from './elements.js';
import { Mapping } from './mapping.js';
import type { NamingService } from './naming.js';
import type { ShareableResource } from './resource.js';

/** A JSON value kept verbatim (views Ferry does not interpret yet, such as BtrPlace's `net`). */
export type OpaqueJson = null | boolean | number | string | OpaqueJson[] | { [key: string]: OpaqueJson };

/**
 * The state of a cluster at one instant (BtrPlace's Model): mapping, attributes and views.
 * Mutable for speed (plan replay applies thousands of actions); `clone()` before changing a model
 * somebody else holds.
 */
export class Model {
  readonly mapping: Mapping;
  readonly attributes: Attributes;
  /** Shareable resources by id, in declaration order. */
  readonly resources: Map<string, ShareableResource>;
  /** Naming views (`ns`), at most one per element kind. */
  vmNames: NamingService | undefined;
  nodeNames: NamingService | undefined;
  /**
   * Other views in their original JSON form, kept verbatim so round trips are lossless: the
   * network view (`net`) is read from here by `src/plan/network.ts`; unknown ids are only kept.
   */
  readonly opaqueViews: OpaqueJson[];
  /** VMs removed by a KillVM (the mapping alone cannot tell them from INIT VMs). */
  readonly killedVMs: Set<VmId>;

  constructor(init?: {
    mapping?: Mapping;
    attributes?: Attributes;
    resources?: Iterable<ShareableResource>;
    vmNames?: NamingService | undefined;
    nodeNames?: NamingService | undefined;
    opaqueViews?: OpaqueJson[];
    killedVMs?: Iterable<VmId>;
  }) {
    this.mapping = init?.mapping ?? new Mapping();
    this.attributes = init?.attributes ?? new Attributes();
    this.resources = new Map();
    for (const r of init?.resources ?? []) this.resources.set(r.id, r);
    this.vmNames = init?.vmNames;
    this.nodeNames = init?.nodeNames;
    this.opaqueViews = init?.opaqueViews ?? [];
    this.killedVMs = new Set(init?.killedVMs ?? []);
  }

  addResource(resource: ShareableResource): this {
    this.resources.set(resource.id, resource);
    return this;
  }

  resource(id: string): ShareableResource | undefined {
    return this.resources.get(id);
  }

  /** A VM's state: from the mapping, else killed if a plan killed it, else init. */
  vmState(vm: VmId): VmState {
    return this.mapping.vmState(vm) ?? (this.killedVMs.has(vm) ? 'killed' : 'init');
  }

  /** Resource usage of the running VMs on a node. */
  usage(node: NodeId, rc: string): number {
    const r = this.resources.get(rc);
    return r ? r.sumConsumption(this.mapping.runningVMs(node)) : 0;
  }

  vmName(vm: VmId): string {
    return this.vmNames?.nameOf(vm) ?? vmLabel(vm);
  }
  nodeName(node: NodeId): string {
    return this.nodeNames?.nameOf(node) ?? nodeLabel(node);
  }

  /** Every VM id the model mentions (mapping, attributes, resource views, names, killed). */
  knownVMs(): Set<VmId> {
    const ids = new Set<VmId>(this.mapping.vms());
    for (const v of this.attributes.elements('vm')) ids.add(v);
    for (const r of this.resources.values()) for (const v of r.definedVMs()) ids.add(v);
    if (this.vmNames) for (const [, id] of this.vmNames.entries()) ids.add(id);
    for (const v of this.killedVMs) ids.add(v);
    return ids;
  }

  /** Every node id the model mentions. */
  knownNodes(): Set<NodeId> {
    const ids = new Set<NodeId>(this.mapping.nodes());
    for (const n of this.attributes.elements('node')) ids.add(n);
    for (const r of this.resources.values()) for (const n of r.definedNodes()) ids.add(n);
    if (this.nodeNames) for (const [, id] of this.nodeNames.entries()) ids.add(id);
    return ids;
  }

  clone(): Model {
    return new Model({
      mapping: this.mapping.clone(),
      attributes: this.attributes.clone(),
      resources: [...this.resources.values()].map((r) => r.clone()),
      vmNames: this.vmNames?.clone(),
      nodeNames: this.nodeNames?.clone(),
      opaqueViews: JSON.parse(JSON.stringify(this.opaqueViews)) as OpaqueJson[],
      killedVMs: this.killedVMs,
    });
  }

  equals(other: Model): boolean {
    if (!this.mapping.equals(other.mapping) || !this.attributes.equals(other.attributes)) return false;
    if (this.resources.size !== other.resources.size) return false;
    for (const [id, r] of this.resources) {
      const o = other.resources.get(id);
      if (!o || !r.equals(o)) return false;
    }
    if (!sameNaming(this.vmNames, other.vmNames) || !sameNaming(this.nodeNames, other.nodeNames)) return false;
    if (JSON.stringify(this.opaqueViews) !== JSON.stringify(other.opaqueViews)) return false;
    if (this.killedVMs.size !== other.killedVMs.size) return false;
    for (const v of this.killedVMs) if (!other.killedVMs.has(v)) return false;
    return true;
  }
}

function sameNaming(a: NamingService | undefined, b: NamingService | undefined): boolean {
  if (!a || !b) return a === b || (a?.size() ?? 0) + (b?.size() ?? 0) === 0;
  return a.equals(b);
}
