import { afterEach, describe, expect, it } from 'vitest';

import type { EffectProgress, EffectRequest, NamedAction } from '../../src/cluster/ports.js';
import { openLibvirtCluster } from '../../main/node/libvirt/index.js';
import { FakeCluster, type HostSpec } from './fake-cluster.js';

const HOSTILE = "x'; touch /tmp/ferry-pwned; echo '$(id)";

const SPECS: HostSpec[] = [
  {
    name: 'hv1',
    domains: [
      { name: 'vm1', state: 'running', vcpus: 1, memKiB: 65536 },
      { name: HOSTILE, state: 'shut off', vcpus: 1, memKiB: 65536 },
      { name: 'idle', state: 'running', vcpus: 1, memKiB: 65536 },
    ],
  },
  { name: 'hv2', domains: [{ name: 'parked', state: 'shut off', vcpus: 1, memKiB: 65536 }] },
];

let fake: FakeCluster | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(extra?: string): Promise<{ fake: FakeCluster; cluster: ReturnType<typeof openLibvirtCluster> }> {
  fake = await FakeCluster.start(SPECS);
  const cluster = openLibvirtCluster(fake.writeConfig(extra === undefined ? {} : { extra }), { pollMs: 50 });
  return { fake, cluster };
}

function request(action: NamedAction, options: { timeoutMs?: number; controller?: AbortController } = {}): EffectRequest & { progress: EffectProgress[] } {
  const progress: EffectProgress[] = [];
  return { requestId: 'run:s1:1', action, timeoutMs: options.timeoutMs ?? 10_000, signal: (options.controller ?? new AbortController()).signal, onProgress: (p) => progress.push(p), progress };
}

const MOVE: NamedAction = { kind: 'migrateVM', vm: 'vm1', from: 'hv1', to: 'hv2' };

async function until(what: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!what()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('libvirt effector', () => {
  it('migrates live, peer to peer, with progress from domjobinfo until it completes', async () => {
    const { fake, cluster } = await setup();
    fake.migrationMs = 800;
    const r = request(MOVE);
    const outcome = await cluster.effector.perform(r);
    expect(outcome).toEqual({ status: 'succeeded' });
    expect(fake.whereIs('vm1')).toEqual(['hv2']);
    const migrate = fake.hv('hv1').host.commands.find((c) => c.includes(' migrate '));
    expect(migrate).toBe(`LC_ALL=C virsh -c qemu:///system migrate --live --persistent --undefinesource --auto-converge --p2p --domain vm1 --desturi qemu+ssh://127.0.0.1:${fake.hv('hv2').host.port}/system`);
    const fractions = r.progress.map((p) => p.fraction);
    expect(fractions.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1] ?? 0);
    expect(fractions.at(-1)).toBeGreaterThan(0.3);
    expect(r.progress[0]?.bytesTotal).toBe(65536 * 1024);
  });

  it('shows a migration in flight in the inventory (both hosts hold the domain)', async () => {
    const { fake, cluster } = await setup();
    fake.migrationMs = 1500;
    const done = cluster.effector.perform(request(MOVE));
    await new Promise((r) => setTimeout(r, 500));
    const snap = await cluster.provider.read();
    const vm1 = snap.model.vmNames?.resolve('vm1') as number;
    expect(snap.model.nodeName(snap.model.mapping.host(vm1) as number)).toBe('hv1');
    expect(snap.jobs.get('vm1')).toMatchObject({ kind: 'migrate', to: 'hv2' });
    // once, on its source: the paused copy on hv2 is the incoming migration
    expect(snap.model.mapping.vmCount()).toBe(4);
    expect(await done).toEqual({ status: 'succeeded' });
  });

  it('cancel sends domjobabort; the VM stays on its source', async () => {
    const { fake, cluster } = await setup();
    fake.migrationMs = Infinity;
    const controller = new AbortController();
    const r = request(MOVE, { controller });
    const done = cluster.effector.perform(r);
    await new Promise((res) => setTimeout(res, 400));
    controller.abort();
    expect(await done).toEqual({ status: 'cancelled' });
    expect(fake.hv('hv1').host.commands.some((c) => c === 'LC_ALL=C virsh -c qemu:///system domjobabort --domain vm1')).toBe(true);
    expect(fake.whereIs('vm1')).toEqual(['hv1']);
  });

  it('a migration that does not converge times out, is aborted, and says the cluster is read again', async () => {
    const { fake, cluster } = await setup();
    fake.migrationMs = Infinity;
    const outcome = await cluster.effector.perform(request(MOVE, { timeoutMs: 600 }));
    expect(outcome.status).toBe('timed-out');
    expect(outcome.status === 'timed-out' && outcome.error).toMatch(/migrate vm1 hv1 → hv2: not finished within 1 s, aborted with domjobabort; the cluster is read again/);
    expect(fake.whereIs('vm1')).toEqual(['hv1']);
  });

  it('a refused migration is a failure quoting virsh', async () => {
    const { cluster } = await setup();
    const outcome = await cluster.effector.perform(request({ kind: 'migrateVM', vm: 'ghost', from: 'hv1', to: 'hv2' }));
    expect(outcome).toEqual({ status: 'failed', error: "migrate ghost hv1 → hv2: virsh migrate on hv1 exited 1: error: failed to get domain 'ghost'" });
  });

  it("quotes a hostile VM name: the shell sees one argument, the domain boots", async () => {
    const { fake, cluster } = await setup();
    const outcome = await cluster.effector.perform(request({ kind: 'bootVM', vm: HOSTILE, node: 'hv1' }));
    expect(outcome).toEqual({ status: 'succeeded' });
    expect(fake.injections).toEqual([]);
    expect(fake.hv('hv1').domains.get(HOSTILE)?.state).toBe('running');
    const snap = await cluster.provider.read();
    const vm = snap.model.vmNames?.resolve(HOSTILE) as number;
    expect(snap.model.mapping.isRunning(vm)).toBe(true);
  });

  it('boots a VM defined on another host by moving its definition first', async () => {
    const { fake, cluster } = await setup();
    await cluster.provider.read();
    const outcome = await cluster.effector.perform(request({ kind: 'bootVM', vm: 'parked', node: 'hv1' }));
    expect(outcome).toEqual({ status: 'succeeded' });
    expect(fake.whereIs('parked')).toEqual(['hv1']);
    expect(fake.hv('hv1').domains.get('parked')?.state).toBe('running');
  });

  it('shuts down, destroying a guest that ignores the request after the shutdown timeout', async () => {
    const { fake, cluster } = await setup('shutdownTimeoutSeconds: 0.3');
    fake.guestsIgnoreShutdown = true;
    const r = request({ kind: 'shutdownVM', vm: 'idle', node: 'hv1' });
    expect(await cluster.effector.perform(r)).toEqual({ status: 'succeeded' });
    expect(fake.hv('hv1').host.commands.filter((c) => /shutdown|destroy/.test(c))).toEqual(['LC_ALL=C virsh -c qemu:///system shutdown --domain idle', 'LC_ALL=C virsh -c qemu:///system destroy --domain idle']);
    expect(r.progress.at(-1)?.message).toMatch(/idle did not stop within 0 s: destroying it|did not stop/);
    expect(fake.hv('hv1').domains.get('idle')?.state).toBe('shut off');
  });

  it('a clean shutdown needs no destroy; suspend and resume work in place', async () => {
    const { fake, cluster } = await setup();
    expect(await cluster.effector.perform(request({ kind: 'suspendVM', vm: 'vm1', from: 'hv1', to: 'hv1' }))).toEqual({ status: 'succeeded' });
    expect(fake.hv('hv1').domains.get('vm1')?.state).toBe('paused');
    expect(await cluster.effector.perform(request({ kind: 'resumeVM', vm: 'vm1', from: 'hv1', to: 'hv1' }))).toEqual({ status: 'succeeded' });
    expect(fake.hv('hv1').domains.get('vm1')?.state).toBe('running');
    expect(await cluster.effector.perform(request({ kind: 'shutdownVM', vm: 'idle', node: 'hv1' }))).toEqual({ status: 'succeeded' });
    expect(fake.hv('hv1').host.commands.some((c) => c.includes('destroy'))).toBe(false);
  });

  it('node power runs the configured command and waits for the host to come up', async () => {
    const { fake, cluster } = await setup(`power:\n  on: "test {name} = hv2 && test {bmc} = '10.0.0.9'"`);
    void fake;
    const noBmc = await cluster.effector.perform(request({ kind: 'bootNode', node: 'hv2' }));
    expect(noBmc.status === 'failed' && noBmc.error).toMatch(/uses \{bmc\}, which this host does not define/);
    const { writeFileSync, readFileSync } = await import('node:fs');
    const file = cluster.config.file;
    writeFileSync(file, readFileSync(file, 'utf8').replace('  - name: hv2\n', "  - name: hv2\n    vars: { bmc: '10.0.0.9' }\n"));
    const reopened = openLibvirtCluster(file, { pollMs: 50 });
    expect(await reopened.effector.perform(request({ kind: 'bootNode', node: 'hv2' }))).toEqual({ status: 'succeeded' });
    const off = await reopened.effector.perform(request({ kind: 'shutdownNode', node: 'hv2' }));
    expect(off.status === 'failed' && off.error).toMatch(/hv2 has no power.off command/);
  });

  it('powers a node off over SSH; the silent host then reads as offline, its capacity kept for a later boot', async () => {
    const { fake, cluster } = await setup('power:\n  off: { ssh: "poweroff" }');
    const hv2 = fake.hv('hv2');
    hv2.override = (argv) => {
      if (argv[0] !== 'poweroff') return undefined;
      void hv2.host.close();
      return new Promise(() => undefined);
    };
    const before = await cluster.provider.read();
    expect(before.model.mapping.isOnline(before.model.nodeNames?.resolve('hv2') as number)).toBe(true);
    expect(await cluster.effector.perform(request({ kind: 'shutdownNode', node: 'hv2' }))).toEqual({ status: 'succeeded' });
    const after = await cluster.provider.read({ nodes: ['hv2'] });
    const node = after.model.nodeNames?.resolve('hv2') as number;
    expect(after.model.mapping.isOffline(node)).toBe(true);
    expect(after.model.resource('cpu')?.capacity(node)).toBe(8);
    expect(after.hosts.find((h) => h.name === 'hv2')?.reachable).toBe(false);
  });

  it('a host Ferry powered off is still known as off, with its capacity, after a restart (state in the data directory)', async () => {
    fake = await FakeCluster.start(SPECS);
    const { mkdtempSync, readdirSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const stateDir = mkdtempSync(`${tmpdir()}/ferry-power-`);
    try {
      const file = fake.writeConfig({ extra: 'power:\n  off: { ssh: "poweroff" }\n  on: "true"' });
      const hv2 = fake.hv('hv2');
      hv2.override = (argv) => {
        if (argv[0] !== 'poweroff') return undefined;
        void hv2.host.close();
        return new Promise(() => undefined);
      };
      const first = openLibvirtCluster(file, { pollMs: 50, stateDir });
      await first.provider.read();
      expect(await first.effector.perform(request({ kind: 'shutdownNode', node: 'hv2' }))).toEqual({ status: 'succeeded' });
      const [stateFile] = readdirSync(stateDir);
      expect(stateFile).toMatch(/^cluster-[0-9a-f]{16}\.power\.json$/);
      expect(JSON.parse(readFileSync(`${stateDir}/${stateFile}`, 'utf8'))).toEqual({ poweredOff: [{ node: 'hv2', cpus: 2, memoryKiB: 4_548_824 }] });
      // a new process: nothing in memory, hv2 silent, never read by it
      const restarted = openLibvirtCluster(file, { pollMs: 50, stateDir });
      const snap = await restarted.provider.read();
      const node = snap.model.nodeNames?.resolve('hv2') as number;
      expect(snap.model.mapping.isOffline(node)).toBe(true);
      expect(snap.model.resource('cpu')?.capacity(node)).toBe(8);
      // without the kept state, the same silent host would be a node of no capacity (nothing could boot it to make room)
      const forgetful = await openLibvirtCluster(file, { pollMs: 50 }).provider.read();
      expect(forgetful.model.resource('cpu')?.capacity(forgetful.model.nodeNames?.resolve('hv2') as number)).toBe(0);
      // powered on again: the host is no longer off on purpose, on disk too
      restarted.provider.notePower('hv2', 'on');
      expect(JSON.parse(readFileSync(`${stateDir}/${stateFile}`, 'utf8'))).toEqual({ poweredOff: [] });
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('a host that went quiet with VMs on it stays online with them (never planned as gone)', async () => {
    const { fake, cluster } = await setup();
    await cluster.provider.read();
    await fake.hv('hv1').host.close();
    const snap = await cluster.provider.read();
    const vm1 = snap.model.vmNames?.resolve('vm1') as number;
    expect(snap.model.mapping.isOnline(snap.model.nodeNames?.resolve('hv1') as number)).toBe(true);
    expect(snap.model.nodeName(snap.model.mapping.host(vm1) as number)).toBe('hv1');
  });

  it('a destination that stopped answering fails the migration within its connect timeout, nothing started', async () => {
    const { fake, cluster } = await setup();
    fake.hv('hv2').host.freeze();
    const started = Date.now();
    const outcome = await cluster.effector.perform(request(MOVE, { timeoutMs: 60_000 }));
    const elapsed = Date.now() - started;
    expect(outcome.status === 'failed' && outcome.error).toMatch(/^migrate vm1 hv1 → hv2: the destination does not answer, nothing was started: hv2 .*within 2 s/);
    // the connect timeout of the file (2 s), not the kernel's TCP retries
    expect(elapsed).toBeGreaterThanOrEqual(1900);
    expect(elapsed).toBeLessThan(4000);
    expect(fake.hv('hv1').host.commands.some((c) => c.includes(' migrate '))).toBe(false);
    expect(fake.whereIs('vm1')).toEqual(['hv1']);
  });

  it('a destination that goes silent during the migration: aborted within its connect timeout, the VM stays on its source', async () => {
    const { fake, cluster } = await setup();
    fake.migrationMs = Infinity;
    const hv2 = fake.hv('hv2');
    const req = request(MOVE, { timeoutMs: 60_000 });
    const pending = cluster.effector.perform(req);
    await until(() => fake?.jobs.has('vm1') === true);
    const frozenAt = Date.now();
    hv2.host.freeze();
    const outcome = await pending;
    expect(Date.now() - frozenAt).toBeLessThan(4500);
    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' && outcome.error).toMatch(/^migrate vm1 hv1 → hv2: the destination hv2 stopped answering \(hv2 stopped answering SSH keepalives\), aborted with domjobabort; the cluster is read again/);
    expect(fake.hv('hv1').host.commands.some((c) => c.includes('domjobabort'))).toBe(true);
    expect(fake.whereIs('vm1')).toEqual(['hv1']);
  });

  it('a host that cannot be reached is a failed outcome, never a rejection', async () => {
    const { fake, cluster } = await setup();
    await fake.hv('hv1').host.close();
    const outcome = await cluster.effector.perform(request(MOVE));
    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' && outcome.error).toMatch(/^migrate vm1 hv1 → hv2: hv1 \(\[127.0.0.1\]:\d+\): ECONNREFUSED/);
  });
});
