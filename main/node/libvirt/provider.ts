/**
 * The libvirt cluster's InventoryProvider: every host asked at once (within the concurrency
 * limit), each bounded by its own connect + command timeouts, so a host that is down, slow or
 * prints garbage is reported as such (with the error and the time) and never delays the others.
 * A host that did not answer keeps the facts of its last answer (planned with, marked stale).
 */
import type { CancelSignal, HostReading, InventoryProvider, InventoryScope, InventorySnapshot, VmJob } from '../../../src/cluster/ports.js';
import type { ClusterAccess } from './access.js';
import type { HostConfig } from './config.js';
import { type HostFacts, readHostFacts } from './host-facts.js';
import { type HostRecord, buildModel } from './model.js';
import { type PowerState, powerState } from './power-state.js';

/** Operations this process runs on the cluster (migrations it started), by VM name. */
export type InFlight = Map<string, VmJob>;

export interface LibvirtProvider extends InventoryProvider {
  /** The last facts of every host (for the effector: where a domain is defined). */
  lastRecords(): readonly HostRecord[];
  /** The effector powered this host off (it is then offline while it does not answer) or on. */
  notePower(node: string, state: 'on' | 'off'): void;
}

/** `poweredOff`: the hosts Ferry powered off, kept across restarts (see power-state.ts); in memory only when absent. */
export function libvirtProvider(access: ClusterAccess, clusterId: string, inFlight: InFlight, clock: () => number = Date.now, poweredOff: PowerState = powerState(undefined)): LibvirtProvider {
  const last = new Map<string, HostRecord>();
  /**
   * A host that does not answer is offline only when Ferry powered it off, or when it was never
   * read (nothing is known to run there): one that ran VMs keeps them, as last seen, so that no
   * VM is ever planned to start a second time elsewhere because its host went quiet.
   */
  const offline = (r: HostRecord): HostRecord => {
    if (r.reading.reachable) return r;
    if (poweredOff.has(r.host.name)) {
      // never read since a restart: the capacity it had when Ferry powered it off, for a later boot
      const kept = poweredOff.capacity(r.host.name);
      return { ...r, offline: true, facts: r.facts ?? (kept ? { cpus: kept.cpus, memoryKiB: kept.memoryKiB, domains: [] } : null) };
    }
    return r.facts === null ? { ...r, offline: true } : r;
  };
  return {
    clusterId,
    lastRecords: () => access.config.hosts.map((h) => last.get(h.name) ?? neverRead(h, 0)),
    notePower: (node, state) => {
      const facts = last.get(node)?.facts;
      poweredOff.note(node, state, facts ? { cpus: facts.cpus, memoryKiB: facts.memoryKiB } : null);
    },
    async read(scope?: InventoryScope, signal?: CancelSignal): Promise<InventorySnapshot> {
      if (signal?.aborted) throw new Error(`reading cluster ${clusterId} was cancelled`);
      const asked = hostsInScope(access, scope, last);
      const records = await Promise.all(
        access.config.hosts.map(async (host): Promise<HostRecord> => {
          const previous = last.get(host.name);
          if (!asked.has(host.name)) return previous ? { ...previous, stale: previous.facts !== null } : neverRead(host, clock());
          const answer = await readBounded(access, host, clock);
          if (answer.ok) return { host, reading: { name: host.name, readAt: answer.readAt, reachable: true, ...rackOf(host) }, facts: answer.facts, stale: false };
          const reading: HostReading = { name: host.name, readAt: answer.readAt, reachable: false, error: answer.error, ...rackOf(host) };
          return { host, reading, facts: previous?.facts ?? null, stale: previous?.facts != null };
        }),
      );
      for (const r of records) last.set(r.host.name, r);
      const now = clock();
      const { model, jobs } = buildModel(records.map(offline), now);
      for (const [vm, job] of inFlight) jobs.set(vm, job);
      return { clusterId, readAt: now, model, hosts: records.map((r) => r.reading), jobs };
    },
  };
}

function rackOf(host: HostConfig): { rack?: string } {
  return host.rack === undefined ? {} : { rack: host.rack };
}

function neverRead(host: HostConfig, at: number): HostRecord {
  return { host, reading: { name: host.name, readAt: at, reachable: false, error: 'not read yet', ...rackOf(host) }, facts: null, stale: false };
}

/** The hosts a scoped read asks: its nodes and the hosts the last read saw its VMs on; all without a scope. */
function hostsInScope(access: ClusterAccess, scope: InventoryScope | undefined, last: ReadonlyMap<string, HostRecord>): Set<string> {
  const all = access.config.hosts.map((h) => h.name);
  if (!scope) return new Set(all);
  const hosts = new Set((scope.nodes ?? []).filter((n) => all.includes(n)));
  const vms = new Set(scope.vms ?? []);
  for (const record of last.values()) {
    if (record.facts?.domains.some((d) => vms.has(d.name))) hosts.add(record.host.name);
  }
  // a VM never seen may be anywhere: ask every host
  const seen = new Set([...last.values()].flatMap((r) => r.facts?.domains.map((d) => d.name) ?? []));
  if ([...vms].some((vm) => !seen.has(vm))) return new Set(all);
  return hosts;
}

type Bounded = { ok: true; facts: HostFacts; readAt: number } | { ok: false; error: string; readAt: number };

/**
 * One host's read, with a hard bound (connect + command timeout, and a little slack) counted from
 * when its turn comes under the concurrency limit, that holds even if a library misbehaves: past
 * it the host is reported not answering and the read goes on without it.
 */
function readBounded(access: ClusterAccess, host: HostConfig, clock: () => number): Promise<Bounded> {
  return access.limiter.run(async () => {
    const boundMs = host.connectTimeoutMs + host.commandTimeoutMs + 1000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<Bounded>((resolve) => {
      // the time the operator takes to type a password does not count: the bound starts again after it
      const arm = (): void => {
        timer = setTimeout(() => (access.waitsOnOperator(host.name) ? arm() : resolve({ ok: false, error: `${host.name} gave no complete answer within ${Math.round(boundMs / 1000)} s`, readAt: clock() })), boundMs);
      };
      arm();
    });
    const work = (async (): Promise<Bounded> => {
      try {
        const attempt = await access.withSession(host.name, (session) => readHostFacts(session, host), false);
        if (!attempt.ok) return { ok: false, error: attempt.failure.message, readAt: clock() };
        if (!attempt.value.ok) return { ok: false, error: attempt.value.error, readAt: clock() };
        return { ok: true, facts: attempt.value.facts, readAt: clock() };
      } catch (e) {
        return { ok: false, error: `${host.name}: ${e instanceof Error ? e.message : String(e)}`, readAt: clock() };
      }
    })();
    try {
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
    }
  });
}
