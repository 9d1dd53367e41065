import type { HostReading } from '../../../src/cluster/ports.js';
import { physicalAttribute, providerOvercommit } from '../../../src/cluster/overcommit.js';
import type { Constraint } from '../../../src/catalogue/constraint.js';
import type { Instance } from '../../../src/instance/instance.js';

/**
 * What the inventory shows, computed once per read (and per overbook change) rather than per
 * render: nodes grouped by rack with their resource use, and one row per VM for the table.
 */

export interface ResourceUse {
  readonly resource: string;
  readonly used: number;
  readonly capacity: number;
  /** The ratio in force on this node for this resource: the provider's overcommit × the script's overbook (1 when none); `capacity` is physical. */
  readonly ratio: number;
}

export interface NodeView {
  readonly id: number;
  readonly name: string;
  readonly rack: string;
  readonly state: string;
  /** false when the last read could not reach the host. */
  readonly reachable: boolean;
  readonly error?: string;
  readonly resources: readonly ResourceUse[];
  /** Running and sleeping VMs, by name. */
  readonly vms: readonly string[];
}

export interface VmRow {
  readonly id: number;
  readonly name: string;
  readonly state: string;
  readonly host: string;
  readonly rack: string;
  /** Consumption per resource, in the order of InventoryView.resources. */
  readonly amounts: readonly number[];
}

export interface RackView {
  readonly rack: string;
  readonly nodes: readonly NodeView[];
}

export interface InventoryView {
  readonly resources: readonly string[];
  readonly racks: readonly RackView[];
  readonly nodes: readonly NodeView[];
  readonly vms: readonly VmRow[];
}

export const NO_RACK = 'no rack';

/** The smallest ratio per node and resource among `overbook` constraints (BtrPlace: the smallest wins). */
export function overbookRatios(constraints: Iterable<Constraint>): Map<number, Map<string, number>> {
  const ratios = new Map<number, Map<string, number>>();
  for (const c of constraints) {
    if (c.id !== 'overbook') continue;
    const { node, rc, ratio } = c.args as { node?: unknown; rc?: unknown; ratio?: unknown };
    if (typeof node !== 'number' || typeof rc !== 'string' || typeof ratio !== 'number') continue;
    const perNode = ratios.get(node) ?? new Map<string, number>();
    perNode.set(rc, Math.min(perNode.get(rc) ?? Infinity, ratio));
    ratios.set(node, perNode);
  }
  return ratios;
}

export function inventoryView(instance: Instance, hosts: readonly HostReading[], ratios: ReadonlyMap<number, ReadonlyMap<string, number>>): InventoryView {
  const { model } = instance;
  const resources = [...model.resources.keys()];
  const readings = new Map(hosts.map((h) => [h.name, h]));
  const rackOf = new Map<number, string>();
  const nodes: NodeView[] = [];
  const nodeIds = [...model.mapping.nodes()].sort((a, b) => a - b);
  for (const id of nodeIds) {
    const name = model.nodeName(id);
    const reading = readings.get(name);
    const rack = reading?.rack ?? model.attributes.getString('node', id, 'rack') ?? NO_RACK;
    rackOf.set(id, rack);
    const vms = [...model.mapping.runningVMs(id), ...model.mapping.sleepingVMs(id)].map((vm) => model.vmName(vm));
    nodes.push({
      id,
      name,
      rack,
      state: model.mapping.nodeState(id) ?? 'unknown',
      reachable: reading?.reachable ?? true,
      ...(reading?.error === undefined ? {} : { error: reading.error }),
      resources: resources.map((resource) => {
        const stated = model.resources.get(resource)?.capacity(id) ?? 0;
        // the provider's own overcommit is in the stated capacity: shown as physical × its ratio,
        // times any overbook ratio of the script
        const own = providerOvercommit(model, id, resource);
        const physical = own === 1 ? stated : (model.attributes.getNumber('node', id, physicalAttribute(resource)) ?? stated / own);
        return { resource, used: model.usage(id, resource), capacity: physical, ratio: own * (ratios.get(id)?.get(resource) ?? 1) };
      }),
      vms,
    });
  }
  const racks = new Map<string, NodeView[]>();
  for (const n of nodes) {
    const list = racks.get(n.rack);
    if (list) list.push(n);
    else racks.set(n.rack, [n]);
  }

  const vms: VmRow[] = [];
  for (const id of model.mapping.vms()) {
    const host = model.mapping.host(id);
    vms.push({
      id,
      name: model.vmName(id),
      state: model.vmState(id),
      host: host === undefined ? '' : model.nodeName(host),
      rack: host === undefined ? '' : (rackOf.get(host) ?? NO_RACK),
      amounts: resources.map((r) => model.resources.get(r)?.consumption(id) ?? 0),
    });
  }
  vms.sort((a, b) => compareNames(a.name, b.name));
  return {
    resources,
    racks: [...racks.entries()].sort(([a], [b]) => compareNames(a, b)).map(([rack, list]) => ({ rack, nodes: list })),
    nodes,
    vms,
  };
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Natural order: worker2 before worker10. */
export function compareNames(a: string, b: string): number {
  return collator.compare(a, b);
}

/** Rows whose every word of `query` appears in one of their texts (case-insensitive). */
export function filterRows<R>(rows: readonly R[], query: string, texts: (row: R) => readonly string[]): readonly R[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return rows;
  return rows.filter((row) => {
    const hay = texts(row).join('\u0000').toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

export type SortDirection = 'asc' | 'desc';

/** A sorted copy: numbers by value, texts in natural order; ties keep their order. */
export function sortRows<R>(rows: readonly R[], value: (row: R) => string | number, direction: SortDirection): R[] {
  const sign = direction === 'asc' ? 1 : -1;
  const keyed = rows.map((row, i) => ({ row, key: value(row), i }));
  keyed.sort((x, y) => {
    const c = typeof x.key === 'number' && typeof y.key === 'number' ? x.key - y.key : compareNames(String(x.key), String(y.key));
    return c !== 0 ? sign * c : x.i - y.i;
  });
  return keyed.map((k) => k.row);
}
