/**
 * The demo fleet: a small but realistic virtualization cluster, fixed (no randomness) so that a
 * demo, a screenshot and a test all see the same cluster. Three racks of four hosts, about sixty
 * VMs of the usual tiers (web, api, databases, caches, workers, CI runners, ...), CPU overcommitted
 * as production clusters run it (up to 2.5 vCPUs per core), memory never overcommitted and kept
 * under 80 % per host. Host r2-h3 is due for maintenance and carries web3 of the web spread group.
 */
import type { Instance } from '../../../src/instance/instance.js';
import { Model, NamingService, ShareableResource } from '../../../src/model/index.js';

/** Link speed of every host (Gbit/s): the migration-time model reads it from the node attribute. */
export const DEMO_LINK_GBPS = 10;

/** The host the demo drains. */
export const MAINTENANCE_HOST = 'r2-h3';

/** Nominal durations (s) of the demo hypervisor, also written as BtrPlace duration attributes. */
export const DEMO_DURATIONS = { bootVM: 5, shutdownVM: 4, suspendVM: 3, resumeVM: 3, bootNode: 30, shutdownNode: 10 } as const;

const GIB = 1024;

interface HostSpec {
  readonly name: string;
  readonly rack: string;
  readonly cores: number;
  readonly memGiB: number;
}

/** A VM size: vCPUs, memory (GiB) and how much of that memory the guest actually touches. */
interface Size {
  readonly vcpus: number;
  readonly memGiB: number;
  readonly usedShare: number;
}

const SIZES = {
  web: { vcpus: 4, memGiB: 8, usedShare: 0.6 },
  api: { vcpus: 8, memGiB: 16, usedShare: 0.7 },
  db: { vcpus: 16, memGiB: 128, usedShare: 0.92 },
  replica: { vcpus: 16, memGiB: 96, usedShare: 0.9 },
  cache: { vcpus: 4, memGiB: 32, usedShare: 0.85 },
  worker: { vcpus: 8, memGiB: 16, usedShare: 0.65 },
  ci: { vcpus: 16, memGiB: 32, usedShare: 0.5 },
  build: { vcpus: 16, memGiB: 32, usedShare: 0.55 },
  mq: { vcpus: 4, memGiB: 16, usedShare: 0.75 },
  search: { vcpus: 8, memGiB: 48, usedShare: 0.8 },
  analytics: { vcpus: 16, memGiB: 64, usedShare: 0.7 },
  small: { vcpus: 2, memGiB: 4, usedShare: 0.5 },
  tiny: { vcpus: 2, memGiB: 2, usedShare: 0.45 },
  ops: { vcpus: 4, memGiB: 8, usedShare: 0.6 },
  backup: { vcpus: 4, memGiB: 16, usedShare: 0.4 },
} as const satisfies Record<string, Size>;

type SizeName = keyof typeof SIZES;

/** Hosts h1/h2 of each rack are the large model, h3/h4 the older, smaller one. */
function hosts(): HostSpec[] {
  const list: HostSpec[] = [];
  for (const rack of ['r1', 'r2', 'r3']) {
    for (const h of [1, 2, 3, 4]) {
      const large = h <= 2;
      list.push({ name: `${rack}-h${h}`, rack, cores: large ? 48 : 32, memGiB: large ? 384 : 256 });
    }
  }
  return list;
}

/**
 * Where every running VM sits, host by host, with its size. Written out rather than computed so
 * that the demo's story (a busy CI host at 2.5×, the database on r1-h1, the web tier spread over
 * three racks) stays readable and stable.
 */
const PLACEMENT: Readonly<Record<string, readonly (readonly [string, SizeName])[]>> = {
  'r1-h1': [['db1', 'db'], ['web1', 'web'], ['api1', 'api'], ['cache1', 'cache'], ['worker1', 'worker'], ['worker2', 'worker'], ['mq1', 'mq'], ['lb1', 'small'], ['dns1', 'tiny'], ['mon1', 'ops']],
  'r1-h2': [['db2', 'replica'], ['web4', 'web'], ['api2', 'api'], ['search1', 'search'], ['worker3', 'worker'], ['ldap1', 'small']],
  'r1-h3': [['api3', 'api'], ['worker5', 'worker'], ['cache2', 'cache'], ['mq2', 'mq'], ['analytics1', 'analytics']],
  'r1-h4': [['ci1', 'ci'], ['ci2', 'ci'], ['ci3', 'ci'], ['ci4', 'ci'], ['ci5', 'ci']],
  'r2-h1': [['worker8', 'worker'], ['api5', 'api'], ['cache3', 'cache'], ['search3', 'search'], ['mq3', 'mq']],
  'r2-h2': [['web6', 'web'], ['api6', 'api'], ['worker10', 'worker']],
  'r2-h3': [['web3', 'web'], ['worker11', 'worker'], ['worker12', 'worker'], ['backup1', 'backup'], ['vpn1', 'small']],
  'r2-h4': [['worker4', 'worker'], ['worker6', 'worker'], ['worker7', 'worker'], ['worker9', 'worker'], ['api4', 'api']],
  'r3-h1': [['web2', 'web'], ['registry1', 'backup'], ['mon2', 'ops'], ['lb2', 'small'], ['search2', 'search']],
  'r3-h2': [['web5', 'web'], ['cache4', 'cache'], ['dns2', 'tiny'], ['wiki1', 'ops']],
  'r3-h3': [['build1', 'build'], ['build2', 'build'], ['build3', 'build'], ['build4', 'build']],
  'r3-h4': [['etl1', 'analytics'], ['analytics2', 'analytics'], ['git1', 'cache']],
};

/** Stopped VMs (ready): spare CI runners and a batch job between runs. */
const STOPPED: readonly (readonly [string, SizeName])[] = [['ci6', 'ci'], ['ci7', 'ci'], ['etl2', 'analytics']];

/** Live migration time (s) over the host link, as the demo hypervisor computes it, rounded up. */
function migrateSeconds(memMiB: number): number {
  return Math.max(1, Math.ceil((memMiB * 8) / (DEMO_LINK_GBPS * 1024)));
}

/**
 * The demo cluster as a BtrPlace instance (no constraints; objective minimizeMTTR). Element ids
 * follow declaration order: nodes 0..11 (r1-h1 .. r3-h4), VMs host by host, then the stopped ones.
 * Every element carries BtrPlace's duration attributes with the demo hypervisor's timings, so
 * plans are timed as the demo runs them.
 */
export function defaultFleet(): Instance {
  const model = new Model({ vmNames: new NamingService('vm'), nodeNames: new NamingService('node') });
  const cpu = new ShareableResource('cpu', 0, 0);
  const mem = new ShareableResource('mem', 0, 0);
  model.addResource(cpu).addResource(mem);
  const nodeIds = new Map<string, number>();
  for (const host of hosts()) nodeIds.set(host.name, addHost(model, host, nodeIds.size));
  let nextVm = 0;
  for (const [hostName, vms] of Object.entries(PLACEMENT)) {
    const node = nodeIds.get(hostName);
    if (node === undefined) throw new Error(`demo fleet: unknown host ${hostName}`);
    for (const [name, size] of vms) model.mapping.addRunningVM(addVm(model, name, SIZES[size], nextVm++), node);
  }
  for (const [name, size] of STOPPED) model.mapping.addReadyVM(addVm(model, name, SIZES[size], nextVm++));
  return { model, constraints: [], objective: { id: 'minimizeMTTR' } };
}

function addHost(model: Model, host: HostSpec, id: number): number {
  model.mapping.addOnlineNode(id);
  model.nodeNames?.register(host.name, id);
  model.resource('cpu')?.setCapacity(id, host.cores);
  model.resource('mem')?.setCapacity(id, host.memGiB * GIB);
  model.attributes.putAll('node', id, [
    ['rack', host.rack],
    ['linkGbps', DEMO_LINK_GBPS],
    ['boot', DEMO_DURATIONS.bootNode],
    ['shutdown', DEMO_DURATIONS.shutdownNode],
  ]);
  if (host.name === MAINTENANCE_HOST) model.attributes.put('node', id, 'maintenance', true);
  return id;
}

function addVm(model: Model, name: string, size: Size, id: number): number {
  const memMiB = size.memGiB * GIB;
  model.vmNames?.register(name, id);
  model.resource('cpu')?.setConsumption(id, size.vcpus);
  model.resource('mem')?.setConsumption(id, memMiB);
  model.attributes.putAll('vm', id, [
    ['memUsed', Math.round(memMiB * size.usedShare)],
    ['migrate', migrateSeconds(memMiB)],
    ['boot', DEMO_DURATIONS.bootVM],
    ['shutdown', DEMO_DURATIONS.shutdownVM],
    ['suspend', DEMO_DURATIONS.suspendVM],
    ['resume', DEMO_DURATIONS.resumeVM],
  ]);
  return id;
}
