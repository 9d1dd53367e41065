import type { Model } from '../model/index.js';

/**
 * One overcommit model for every provider: a provider's snapshot states capacity as plans and the
 * checker count it — the physical capacity × the cluster's own overcommit ratio (BtrPlace's
 * `overbook` arithmetic, floor(capacity × ratio), applied by the provider) — and says so on each
 * node: the ratio in `<rc>Overcommit` (`cpuOvercommit`, `memoryOvercommit`) and the physical
 * figure in `cores` (cpu) or `<rc>Physical`. So a cluster run at 3 vCPUs per core is not over
 * capacity, no script needs an `overbook` line for the cluster's own policy (one would multiply
 * again: it is an operator's further policy), and an exported instance plans the same anywhere.
 */

/** The node attribute holding the overcommit ratio a provider applied to resource `rc`. */
export function overcommitAttribute(rc: string): string {
  return rc === 'mem' || rc === 'memory' ? 'memoryOvercommit' : `${rc}Overcommit`;
}

/** The node attribute holding the physical capacity of resource `rc` (before the ratio). */
export function physicalAttribute(rc: string): string {
  return rc === 'cpu' ? 'cores' : `${rc}Physical`;
}

/** The ratio the provider applied to `rc` on `node` (1 when it says none). */
export function providerOvercommit(model: Model, node: number, rc: string): number {
  const ratio = model.attributes.getNumber('node', node, overcommitAttribute(rc));
  return ratio !== undefined && Number.isFinite(ratio) && ratio > 0 ? ratio : 1;
}

/**
 * Scales every node's capacity of each resource in `ratios` (in place), recording the ratio and
 * the physical figure on the node. A ratio of 1 (or none) leaves the resource as it is.
 */
export function applyOvercommit(model: Model, ratios: Readonly<Record<string, number>>): void {
  for (const [rc, ratio] of Object.entries(ratios)) {
    const resource = model.resources.get(rc);
    if (!resource || !Number.isFinite(ratio) || ratio <= 0 || ratio === 1) continue;
    for (const node of model.mapping.nodes()) {
      const physical = resource.capacity(node);
      resource.setCapacity(node, Math.floor(physical * ratio));
      model.attributes.putAll('node', node, [
        [overcommitAttribute(rc), ratio],
        [physicalAttribute(rc), physical],
      ]);
    }
  }
}

/** Whether a model's capacities were stated by a provider with its overcommit applied (a cluster's read or its export). */
export function statesOvercommit(model: Model): boolean {
  for (const node of model.mapping.nodes()) {
    for (const rc of model.resources.keys()) {
      if (model.attributes.getNumber('node', node, overcommitAttribute(rc)) !== undefined) return true;
    }
  }
  return false;
}
