import { providerOvercommit } from '../../../src/cluster/overcommit.js';
import type { InventorySnapshot } from '../../../src/cluster/ports.js';
import { safeName } from '../../../src/executor/describe.js';
import { instanceToJson } from '../../../src/instance/json.js';
import { formatUtc } from '../../../src/report/maintenance-report.js';
import { isMemoryResource } from '../../../src/solver/problem.js';
import { libvirtClusterId } from '../../node/libvirt/index.js';
import { type Command, UsageError } from '../command.js';
import { openServices } from '../services.js';

const USAGE = `usage: ferry inventory (--cluster ID | --config CLUSTER.yaml) [--format text|json]

Reads the live cluster: --cluster demo is the embedded demo cluster, --config a libvirt/KVM
cluster described by a YAML file (its hosts over SSH). text (default): one line per host (rack, reachable or the error, cpu and
memory used of capacity, VMs, when it was read), then operations in flight. json: the cluster
as a BtrPlace instance, which ferry plan, check and replay accept as it is.`;

export const inventoryCommand: Command = {
  name: 'inventory',
  summary: 'read a live cluster: hosts, VMs, load (text) or a BtrPlace instance (json)',
  usage: USAGE,
  async run(args, io) {
    let cluster: string | undefined;
    let format: 'text' | 'json' = 'text';
    for (let i = 0; i < args.length; i++) {
      const arg = args[i] ?? '';
      if (arg === '--cluster' || arg === '--config') {
        if (cluster !== undefined) throw new UsageError('give one of --cluster and --config');
        const v = args[++i];
        if (v === undefined) throw new UsageError(`${arg} needs a value`);
        cluster = arg === '--config' ? libvirtClusterId(v) : v;
      } else if (arg === '--format') {
        const v = args[++i];
        if (v !== 'text' && v !== 'json') throw new UsageError(`--format must be text or json, got '${v ?? ''}'`);
        format = v;
      } else throw new UsageError(`unknown option '${arg}'`);
    }
    if (cluster === undefined) throw new UsageError('missing --cluster (demo is the embedded demo cluster) or --config CLUSTER.yaml');
    const opened = openServices();
    if (!opened.ok) {
      io.err(`ferry inventory: ${opened.message}`);
      return 1;
    }
    try {
      let snapshot: InventorySnapshot;
      try {
        snapshot = await opened.services.clusters.snapshot(cluster);
      } catch (e) {
        io.err(`ferry inventory: ${e instanceof Error ? e.message : String(e)}`);
        return 1;
      }
      if (format === 'json') io.out(JSON.stringify(instanceToJson({ model: snapshot.model, constraints: [], objective: { id: 'minimizeMTTR' } })));
      else io.out(formatInventory(snapshot));
      return 0;
    } finally {
      opened.services.close();
    }
  },
};

/**
 * One resource of one host: memory in GiB (views count MiB), other resources as they are. The
 * capacity is the one plans count; when the provider states an overcommit (src/cluster/overcommit:
 * CPU overcommit is how clusters run), the physical figure and the ratio follow it, and the use per
 * physical unit when demand exceeds the physical capacity.
 */
function formatLoad(rc: string, used: number, capacity: number, overcommit: number): string {
  const physical = capacity / overcommit;
  const stated = overcommit === 1 ? '' : ` (${Math.round(physical)}${rc === 'cpu' ? ' cores' : ''} ×${overcommit}${physical > 0 && used > physical ? `, ${(used / physical).toFixed(1)}:1` : ''})`;
  if (isMemoryResource(rc)) return `${rc} ${(used / 1024).toFixed(0)}/${(capacity / 1024).toFixed(0)} GiB${stated}`;
  const ratio = overcommit === 1 && capacity > 0 && used > capacity ? ` (${(used / capacity).toFixed(1)}:1)` : '';
  return `${rc} ${used}/${capacity}${stated}${ratio}`;
}

export function formatInventory(snapshot: InventorySnapshot): string {
  const { model } = snapshot;
  const ids = new Map<string, number>();
  for (const n of model.mapping.nodes()) ids.set(model.nodeName(n), n);
  const resources = [...model.resources.keys()];
  const lines = [`cluster ${snapshot.clusterId}, read ${formatUtc(snapshot.readAt)} UTC: ${model.mapping.nodeCount()} hosts, ${model.mapping.vmCount()} VMs`];
  for (const host of snapshot.hosts) {
    const node = ids.get(host.name);
    const state = node === undefined ? 'unknown' : model.mapping.isOnline(node) ? 'online' : 'offline';
    const load =
      node === undefined
        ? ''
        : resources
            .map((rc) => {
              const r = model.resource(rc);
              return r ? formatLoad(rc, model.usage(node, rc), r.capacity(node), providerOvercommit(model, node, rc)) : '';
            })
            .join('  ');
    const vms = node === undefined ? 0 : model.mapping.hostedCount(node);
    const reach = host.reachable ? '' : `  NOT ANSWERING: ${safeName(host.error ?? 'no answer')}`;
    lines.push(`${safeName(host.name).padEnd(8)} ${(host.rack ?? '').padEnd(4)} ${state.padEnd(8)} ${load}  ${vms} VMs${reach}`);
  }
  for (const [name, job] of snapshot.jobs) lines.push(`in flight: ${job.kind} ${safeName(name)}${job.to ? ` → ${safeName(job.to)}` : ''} ${Math.round(job.fraction * 100)} %`);
  return lines.join('\n');
}
