/**
 * libvirt provider benchmarks (issue 17), against in-process SSH hosts answering recorded `virsh`
 * output (test/libvirt/fake-cluster.ts), each with a baseline measured in the same run:
 * - inventory of 200 hosts × 20 domains (one SSH connection and five virsh commands per host,
 *   concurrency limit 16 and 64): time and memory, against reading one host 200 times in a row;
 * - time from the operator's approval to the `virsh migrate` command reaching the source host,
 *   through RunService and the executor (journal, preflight read, effect), against the effector
 *   alone (connect and send).
 *
 * `node dist/test/bench/libvirt.js` prints the Markdown section; `npm run bench` includes it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import { Journal } from '../../main/node/journal/journal.js';
import { libvirtClusterId, openLibvirtCluster } from '../../main/node/libvirt/index.js';
import { ClusterService } from '../../main/services/cluster.js';
import { PlanningService } from '../../main/services/planning.js';
import { RunService } from '../../main/services/runs.js';
import { FakeCluster, type HostSpec } from '../libvirt/fake-cluster.js';

const HOSTS = 200;
const DOMAINS = 20;

function specs(count: number, domains: number): HostSpec[] {
  return Array.from({ length: count }, (_, h) => ({
    name: `hv${h}`,
    cpus: 32,
    memKiB: 256 * 1024 * 1024,
    rack: `r${Math.floor(h / 20)}`,
    domains: Array.from({ length: domains }, (_, d) => ({ name: `vm${h}-${d}`, state: 'running' as const, vcpus: 4, memKiB: 4 * 1024 * 1024 })),
  }));
}

interface InventoryMeasure {
  readonly ms: number;
  /** CPU time of the process (client and in-process servers together). */
  readonly cpuMs: number;
  readonly heapMB: number;
  readonly rssMB: number;
  readonly reachable: number;
  readonly vms: number;
}

async function inventory(fake: FakeCluster, concurrency: number): Promise<InventoryMeasure> {
  const cluster = openLibvirtCluster(fake.writeConfig({ extra: `concurrency: ${concurrency}\nconnectTimeoutSeconds: 30\ncommandTimeoutSeconds: 30`, file: `c${concurrency}.yaml` }));
  (globalThis as { gc?: () => void }).gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const snap = await cluster.provider.read();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const usage = process.memoryUsage();
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, heapMB: Math.max(0, usage.heapUsed - heap0) / 2 ** 20, rssMB: usage.rss / 2 ** 20, reachable: snap.hosts.filter((h) => h.reachable).length, vms: snap.model.mapping.vmCount() };
}

/** One host read `times` times in a row: the sequential baseline (wall and CPU ms). */
async function sequential(times: number): Promise<{ ms: number; cpuMs: number }> {
  const fake = await FakeCluster.start(specs(1, DOMAINS));
  try {
    const cluster = openLibvirtCluster(fake.writeConfig());
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < times; i++) await cluster.provider.read();
    const cpu = process.cpuUsage(cpu0);
    return { ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
  } finally {
    await fake.close();
  }
}

/** Approval (start of an unattended run) to the migrate command at the source host, through the executor. */
async function approvalToMigrate(): Promise<{ executorMs: number; effectorMs: number }> {
  const fake = await FakeCluster.start([
    { name: 'hv1', domains: [{ name: 'vm1', state: 'running', vcpus: 1, memKiB: 65536 }] },
    { name: 'hv2', domains: [] },
  ]);
  const home = mkdtempSync(join(tmpdir(), 'ferry-bench-libvirt-'));
  fake.migrationMs = 50;
  try {
    const file = fake.writeConfig();
    const migrateSeen = (): Promise<number> =>
      new Promise((resolve) => {
        const hv = fake.hv('hv1');
        hv.override = (argv) => {
          if (argv.includes('migrate')) {
            resolve(performance.now());
            delete hv.override;
          }
          return undefined;
        };
      });
    // the effector alone: connect to the source and send the command
    const cluster = openLibvirtCluster(file);
    const seen0 = migrateSeen();
    const t0 = performance.now();
    const done0 = cluster.effector.perform({ requestId: 'bench:1', action: { kind: 'migrateVM', vm: 'vm1', from: 'hv1', to: 'hv2' }, timeoutMs: 10_000, signal: new AbortController().signal, onProgress: () => undefined });
    const effectorMs = (await seen0) - t0;
    await done0;
    // back to hv1, then the same migration through the executor
    await cluster.effector.perform({ requestId: 'bench:2', action: { kind: 'migrateVM', vm: 'vm1', from: 'hv2', to: 'hv1' }, timeoutMs: 10_000, signal: new AbortController().signal, onProgress: () => undefined });
    const journal = Journal.open(join(home, 'journal.sqlite'));
    try {
      const clusters = new ClusterService(home);
      const runs = new RunService({ home, journal, clusters, planning: new PlanningService({ pickRunner: null }), clock: { now: () => Date.now() } });
      const created = await runs.create({ clusterId: libvirtClusterId(file), script: { text: '>>ban({vm1}, {@hv1});\n', name: 'drain.btrp' }, options: { objective: 'mttr', timeLimitS: 2, maxConcurrent: 2, migrationTime: 'memory' } });
      if (created.kind !== 'created') throw new Error(`no run: ${created.kind}`);
      const seen = migrateSeen();
      const t1 = performance.now();
      created.driver.dispatch({ type: 'set-mode', at: Date.now(), by: 'bench', mode: 'unattended' });
      created.driver.dispatch({ type: 'start', at: Date.now(), by: 'bench' });
      const executorMs = (await seen) - t1;
      await created.driver.settled();
      created.driver.close();
      return { executorMs, effectorMs };
    } finally {
      journal.close();
    }
  } finally {
    await fake.close();
    rmSync(home, { recursive: true, force: true });
  }
}

export async function benchLibvirt(): Promise<string[]> {
  const fake = await FakeCluster.start(specs(HOSTS, DOMAINS));
  let c16: InventoryMeasure;
  let c64: InventoryMeasure;
  try {
    await inventory(fake, 16); // warm-up: module loading, JIT, key parsing
    c16 = await inventory(fake, 16);
    c64 = await inventory(fake, 64);
  } finally {
    await fake.close();
  }
  const seq = await sequential(HOSTS);
  const load = loadavg()[0] ?? 0;
  const a = await approvalToMigrate();
  return [
    '## libvirt provider over SSH (test/bench/libvirt.ts)',
    '',
    `In-process ssh2 hosts answering recorded virsh output (${HOSTS} hosts × ${DOMAINS} domains; each host: one connection, ed25519 key exchange and login, nodeinfo + capabilities + nodememstats + domstats --raw).`,
    '',
    '| measure | Ferry | baseline | ratio |',
    '|---|---|---|---|',
    `| inventory of ${HOSTS} hosts, concurrency 16 (${c16.reachable} reachable, ${c16.vms} VMs) | ${c16.ms.toFixed(0)} ms (CPU ${c16.cpuMs.toFixed(0)} ms), heap +${c16.heapMB.toFixed(0)} MB, RSS ${c16.rssMB.toFixed(0)} MB | ${seq.ms.toFixed(0)} ms (CPU ${seq.cpuMs.toFixed(0)} ms; one host read ${HOSTS} times in a row) | ${(c16.ms / seq.ms).toFixed(2)} |`,
    `| inventory of ${HOSTS} hosts, concurrency 64 (${c64.reachable} reachable, ${c64.vms} VMs) | ${c64.ms.toFixed(0)} ms (CPU ${c64.cpuMs.toFixed(0)} ms), heap +${c64.heapMB.toFixed(0)} MB, RSS ${c64.rssMB.toFixed(0)} MB | ${seq.ms.toFixed(0)} ms (same) | ${(c64.ms / seq.ms).toFixed(2)} |`,
    `| approval to \`virsh migrate\` at the source host, through RunService and the executor (journal, preflight read of both hosts, effect) | ${a.executorMs.toFixed(0)} ms | ${a.effectorMs.toFixed(0)} ms (the effector alone: connect and send) | ${(a.executorMs / a.effectorMs).toFixed(2)} |`,
    '',
    `The client and the ${HOSTS} servers share one Node process: every handshake is computed on both sides on the same event loop, so these times are an upper bound for the client side (machine load average during the run: ${load.toFixed(1)} on ${cpus().length} cores; wall times under load mostly measure waiting for a core).`,
    '',
  ];
}

if (/bench[\\/]libvirt\.(ts|js)$/.test(process.argv[1] ?? '')) {
  process.stdout.write(`${(await benchLibvirt()).join('\n')}\n`);
  process.exit(0);
}
