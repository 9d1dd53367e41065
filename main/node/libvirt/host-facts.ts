/**
 * What one host says about itself and its domains: capacity from `virsh capabilities` (its NUMA
 * topology; `nodeinfo` when capabilities cannot be read), memory in use from `nodememstats`, and
 * every domain from one `domstats --raw` (with `dominfo` for a domain whose stats lack vCPUs or
 * memory). Garbage in any answer is an error for this host, located in the output.
 */
import { type DomainState, type DomainStats, parseCapabilities, parseDomInfo, parseDomStats, parseNodeInfo, parseNodeMemStats } from '../../../src/cluster/virsh/index.js';
import { type CommandResult, virsh } from './access.js';
import type { HostConfig } from './config.js';
import type { SshSession } from './ssh.js';

export interface DomainFacts {
  readonly name: string;
  readonly state: DomainState;
  readonly reason?: number;
  readonly vcpus: number;
  readonly maxMemoryKiB: number;
  readonly rssKiB?: number;
  readonly cpuTimeNs?: number;
  readonly dirtyRateMiBs?: number;
}

export interface HostFacts {
  /** Logical CPUs. */
  readonly cpus: number;
  readonly memoryKiB: number;
  readonly freeMemoryKiB?: number;
  readonly cpuModel?: string;
  readonly domains: readonly DomainFacts[];
}

export type FactsResult = { readonly ok: true; readonly facts: HostFacts } | { readonly ok: false; readonly error: string };

/** Reads the host's facts; the four commands run at once over the one connection. */
export async function readHostFacts(session: SshSession, host: HostConfig): Promise<FactsResult> {
  const [nodeinfo, capabilities, memstats, domstats] = await Promise.all([
    virsh(session, host, ['nodeinfo']),
    virsh(session, host, ['capabilities']),
    virsh(session, host, ['nodememstats']),
    virsh(session, host, ['domstats', '--raw']),
  ]);
  if (!nodeinfo.ok) return nodeinfo;
  if (!domstats.ok) return domstats;
  const info = parseNodeInfo(nodeinfo.stdout);
  if (!info.ok) return { ok: false, error: `${host.name}: ${info.error}` };
  const caps = capabilities.ok ? parseCapabilities(capabilities.stdout) : undefined;
  if (caps && !caps.ok) return { ok: false, error: `${host.name}: ${caps.error}` };
  const mem = memstats.ok ? parseNodeMemStats(memstats.stdout) : undefined;
  if (mem && !mem.ok) return { ok: false, error: `${host.name}: ${mem.error}` };
  const stats = parseDomStats(domstats.stdout);
  if (!stats.ok) return { ok: false, error: `${host.name}: ${stats.error}` };
  const domains = await completeDomains(session, host, stats.value);
  if (!domains.ok) return domains;
  const capsValue = caps?.ok ? caps.value : undefined;
  return {
    ok: true,
    facts: {
      cpus: capsValue?.cpus ?? info.value.cpus,
      memoryKiB: capsValue?.memoryKiB ?? info.value.memoryKiB,
      ...(mem?.ok ? { freeMemoryKiB: mem.value.freeKiB } : {}),
      ...(capsValue?.cpuModel || info.value.cpuModel ? { cpuModel: capsValue?.cpuModel ?? info.value.cpuModel } : {}),
      domains: domains.domains,
    },
  };
}

/** Domains whose stats lack vCPUs or memory (older libvirt, inactive domains): asked one by one. */
async function completeDomains(session: SshSession, host: HostConfig, stats: readonly DomainStats[]): Promise<{ ok: true; domains: DomainFacts[] } | { ok: false; error: string }> {
  const domains: DomainFacts[] = [];
  for (const d of stats) {
    if (d.vcpus !== undefined && d.maxMemoryKiB !== undefined) {
      domains.push({ ...d, vcpus: d.vcpus, maxMemoryKiB: d.maxMemoryKiB });
      continue;
    }
    const answer: CommandResult = await virsh(session, host, ['dominfo', '--domain', d.name]);
    if (!answer.ok) return answer;
    const info = parseDomInfo(answer.stdout);
    if (!info.ok) return { ok: false, error: `${host.name}: ${info.error}` };
    domains.push({ ...d, vcpus: d.vcpus ?? info.value.vcpus, maxMemoryKiB: d.maxMemoryKiB ?? info.value.maxMemoryKiB });
  }
  return { ok: true, domains };
}
