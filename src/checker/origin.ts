import type { Model } from '../model/index.js';

/**
 * Why a plan's origin is not the instance's model, in operator words (the first few differences),
 * or null when they are equal. A plan computed for another state of the cluster proves nothing
 * about this one.
 */
export function describeOriginDifference(instanceModel: Model, origin: Model): { message: string; vms: number[]; nodes: number[] } | null {
  // the same object (the usual case: a plan computed for this instance) needs no comparison
  if (origin === instanceModel || origin.equals(instanceModel)) return null;
  const differences: string[] = [];
  const vms = new Set<number>();
  const nodes = new Set<number>();
  const a = instanceModel.mapping;
  const b = origin.mapping;
  const allNodes = new Set([...a.nodes(), ...b.nodes()]);
  for (const n of allNodes) {
    const sa = a.nodeState(n);
    const sb = b.nodeState(n);
    if (sa !== sb) {
      differences.push(`${instanceModel.nodeName(n)} is ${sa ?? 'unknown'} in the instance but ${sb ?? 'unknown'} in the plan`);
      nodes.add(n);
    }
  }
  const allVms = new Set([...a.vms(), ...b.vms()]);
  for (const v of allVms) {
    const sa = instanceModel.vmState(v);
    const sb = origin.vmState(v);
    const ha = a.host(v);
    const hb = b.host(v);
    if (sa !== sb || ha !== hb) {
      const where = (state: string, host: number | undefined): string => (host === undefined ? state : `${state} on ${instanceModel.nodeName(host)}`);
      differences.push(`${instanceModel.vmName(v)} is ${where(sa, ha)} in the instance but ${where(sb, hb)} in the plan`);
      vms.add(v);
    }
  }
  const rcIds = new Set([...instanceModel.resources.keys(), ...origin.resources.keys()]);
  for (const rc of rcIds) {
    const ra = instanceModel.resource(rc);
    const rb = origin.resource(rc);
    if (!ra || !rb) differences.push(`resource '${rc}' is ${ra ? 'missing from the plan' : 'not in the instance'}`);
    else if (!ra.equals(rb)) differences.push(`resource '${rc}' has other capacities or consumptions`);
  }
  if (!instanceModel.attributes.equals(origin.attributes)) differences.push('the attributes differ');
  if (differences.length === 0) differences.push('the naming or the other views differ');
  const shown = differences.slice(0, 3).join('; ');
  const more = differences.length > 3 ? ` (and ${differences.length - 3} more difference(s))` : '';
  return { message: `the plan does not start from the instance's model: ${shown}${more}`, vms: [...vms], nodes: [...nodes] };
}
