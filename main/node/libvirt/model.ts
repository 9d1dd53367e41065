/**
 * The cluster's model from the hosts' facts. Nodes follow the cluster file's order; VMs are named
 * by their domain names. Capacity is what plans and the checker count: CPU = logical CPUs × the
 * host's `cpuOvercommit` (so a cluster run at 3 vCPUs per core is not over capacity), memory in
 * MiB × `memoryOvercommit` (1 unless configured), less what paused domains hold (BtrPlace counts
 * a sleeping VM on no resource, libvirt keeps its memory).
 *
 * A domain seen on two hosts is a migration in flight: the host where it runs holds it, the
 * other (paused for the incoming migration) is where it goes.
 */
import type { HostReading, VmJob } from '../../../src/cluster/ports.js';
import { PAUSED_MIGRATION } from '../../../src/cluster/virsh/index.js';
import { Model, NamingService, ShareableResource } from '../../../src/model/index.js';
import type { HostConfig } from './config.js';
import type { DomainFacts, HostFacts } from './host-facts.js';

/** One host's latest facts: fresh from this read, kept from an earlier one, or none yet. */
export interface HostRecord {
  readonly host: HostConfig;
  readonly reading: HostReading;
  readonly facts: HostFacts | null;
  /** The facts come from an earlier read (the host did not answer this time, or was not asked). */
  readonly stale: boolean;
  /** Powered off (or never seen up): an offline node, hosting nothing. */
  readonly offline?: boolean;
}

interface Sighting {
  readonly node: number;
  readonly hostName: string;
  readonly domain: DomainFacts;
  readonly stale: boolean;
}

const MIB = 1024;

export function buildModel(records: readonly HostRecord[], now: number): { model: Model; jobs: Map<string, VmJob> } {
  const model = new Model({ vmNames: new NamingService('vm'), nodeNames: new NamingService('node') });
  const cpu = new ShareableResource('cpu', 0, 0);
  const mem = new ShareableResource('mem', 0, 0);
  model.addResource(cpu).addResource(mem);
  const sightings = new Map<string, Sighting[]>();
  records.forEach((record, node) => {
    if (record.offline) model.mapping.addOfflineNode(node);
    else model.mapping.addOnlineNode(node);
    model.nodeNames?.register(record.host.name, node);
    const attributes: [string, string | number | boolean][] = [['cpuOvercommit', record.host.cpuOvercommit], ['memoryOvercommit', record.host.memoryOvercommit]];
    if (record.host.rack !== undefined) attributes.push(['rack', record.host.rack]);
    if (record.host.linkGbps !== undefined) attributes.push(['linkGbps', record.host.linkGbps]);
    if (!record.reading.reachable) attributes.push(['unreachable', true]);
    const facts = record.facts;
    if (facts && !record.offline) {
      attributes.push(['cores', facts.cpus], ['memMiB', Math.floor(facts.memoryKiB / MIB)]);
      if (facts.freeMemoryKiB !== undefined) attributes.push(['memFreeMiB', Math.floor(facts.freeMemoryKiB / MIB)]);
      for (const domain of facts.domains) {
        const list = sightings.get(domain.name) ?? [];
        list.push({ node, hostName: record.host.name, domain, stale: record.stale });
        sightings.set(domain.name, list);
      }
    }
    model.attributes.putAll('node', node, attributes);
    // a host never read has no known capacity: nothing is planned onto it
    cpu.setCapacity(node, facts ? Math.floor(facts.cpus * record.host.cpuOvercommit) : 0);
    mem.setCapacity(node, facts ? Math.floor((facts.memoryKiB / MIB) * record.host.memoryOvercommit) : 0);
  });
  const jobs = new Map<string, VmJob>();
  let nextVm = 0;
  for (const [name, seen] of sightings) {
    const primary = pickPrimary(seen);
    const vm = nextVm++;
    model.vmNames?.register(name, vm);
    const d = primary.domain;
    const memMiB = Math.ceil(d.maxMemoryKiB / MIB);
    cpu.setConsumption(vm, d.vcpus);
    mem.setConsumption(vm, memMiB);
    const attributes: [string, string | number | boolean][] = [['state', d.state]];
    if (d.rssKiB !== undefined) attributes.push(['memUsed', Math.ceil(d.rssKiB / MIB)]);
    if (d.cpuTimeNs !== undefined) attributes.push(['cpuTimeSeconds', Math.round(d.cpuTimeNs / 1e6) / 1e3]);
    if (d.dirtyRateMiBs !== undefined) attributes.push(['dirtyRateMiBs', d.dirtyRateMiBs]);
    if (primary.stale) attributes.push(['stale', true]);
    switch (d.state) {
      case 'running':
      case 'blocked':
      case 'in shutdown':
        model.mapping.addRunningVM(vm, primary.node);
        break;
      case 'paused':
      case 'pmsuspended':
        model.mapping.addSleepingVM(vm, primary.node);
        mem.setCapacity(primary.node, Math.max(0, mem.capacity(primary.node) - memMiB));
        break;
      default:
        // shut off, crashed, no state: defined on a host, running nowhere (BtrPlace's ready)
        model.mapping.addReadyVM(vm);
        attributes.push(['definedOn', primary.hostName]);
    }
    model.attributes.putAll('vm', vm, attributes);
    const target = seen.find((s) => s !== primary && !s.stale && s.domain.state === 'paused' && s.domain.reason === PAUSED_MIGRATION);
    if (target && model.mapping.isRunning(vm)) jobs.set(name, { kind: 'migrate', to: target.hostName, startedAt: now, fraction: 0 });
  }
  return { model, jobs };
}

/** Where a VM is: fresh sightings before stale ones, running before paused for a migration, before the rest. */
function pickPrimary(seen: readonly Sighting[]): Sighting {
  const rank = (s: Sighting): number => {
    const d = s.domain;
    const base = d.state === 'running' || d.state === 'blocked' || d.state === 'in shutdown' ? 0 : d.state === 'paused' && d.reason === PAUSED_MIGRATION ? 2 : d.state === 'paused' || d.state === 'pmsuspended' ? 1 : 3;
    return (s.stale ? 10 : 0) + base;
  };
  return [...seen].sort((a, b) => rank(a) - rank(b))[0] as Sighting;
}
