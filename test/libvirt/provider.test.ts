import { afterEach, describe, expect, it } from 'vitest';

import { checkHosts, openLibvirtCluster, trustHost } from '../../main/node/libvirt/index.js';
import { FakeCluster, type HostSpec } from './fake-cluster.js';
import { keyPair, silentHost } from './fake-host.js';

const TWO_HOSTS: HostSpec[] = [
  {
    name: 'hv1',
    cpus: 4,
    memKiB: 8 * 1024 * 1024,
    rack: 'r1',
    domains: [
      { name: 'vm1', state: 'running', vcpus: 2, memKiB: 1024 * 1024 },
      { name: 'vm2', state: 'paused', vcpus: 1, memKiB: 512 * 1024 },
      { name: 'vm3', state: 'shut off', vcpus: 1, memKiB: 256 * 1024 },
    ],
  },
  { name: 'hv2', cpus: 2, memKiB: 4 * 1024 * 1024, rack: 'r2', domains: [{ name: 'vm4', state: 'running', vcpus: 12, memKiB: 2 * 1024 * 1024 }] },
];

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function fakeCluster(specs: readonly HostSpec[] = TWO_HOSTS): Promise<FakeCluster> {
  const cluster = await FakeCluster.start(specs);
  cleanup.push(() => cluster.close());
  return cluster;
}

describe('libvirt inventory over SSH', () => {
  it('reads hosts and domains into a named model: capacity = CPUs × overcommit, memory in MiB', async () => {
    const fake = await fakeCluster();
    const cluster = openLibvirtCluster(fake.writeConfig({ hostExtra: { hv2: '    cpuOvercommit: 8' } }));
    const snap = await cluster.provider.read();
    const { model } = snap;
    expect(snap.clusterId).toBe(`libvirt:${fake.dir}/cluster.yaml`);
    expect(snap.hosts.map((h) => [h.name, h.reachable, h.rack])).toEqual([
      ['hv1', true, 'r1'],
      ['hv2', true, 'r2'],
    ]);
    const node = (n: string): number => model.nodeNames?.resolve(n) as number;
    const vm = (n: string): number => model.vmNames?.resolve(n) as number;
    const cpu = model.resource('cpu');
    const mem = model.resource('mem');
    // default 4 vCPUs per CPU on hv1; hv2 configured at 8, so its 12 vCPUs on 2 CPUs are not over capacity
    expect(cpu?.capacity(node('hv1'))).toBe(16);
    expect(cpu?.capacity(node('hv2'))).toBe(16);
    expect(model.usage(node('hv2'), 'cpu')).toBe(12);
    // memory never overcommitted; the paused vm2 holds its 512 MiB
    expect(mem?.capacity(node('hv1'))).toBe(8 * 1024 - 512);
    expect(mem?.capacity(node('hv2'))).toBe(4 * 1024);
    expect(model.mapping.isRunning(vm('vm1')) && model.mapping.host(vm('vm1'))).toBe(node('hv1'));
    expect(model.mapping.isSleeping(vm('vm2'))).toBe(true);
    expect(model.mapping.isReady(vm('vm3'))).toBe(true);
    expect(model.attributes.get('vm', vm('vm3'), 'definedOn')).toBe('hv1');
    expect(mem?.consumption(vm('vm1'))).toBe(1024);
    expect(cpu?.consumption(vm('vm4'))).toBe(12);
    expect(model.attributes.get('vm', vm('vm1'), 'memUsed')).toBe(Math.ceil((1024 * 1024 * 0.6) / 1024));
    expect(model.attributes.get('node', node('hv1'), 'cores')).toBe(4);
  });

  it('runs every command as LC_ALL=C virsh -c qemu:///system, one connection per host', async () => {
    const fake = await fakeCluster();
    const cluster = openLibvirtCluster(fake.writeConfig());
    await cluster.provider.read();
    const commands = [...fake.hosts.values()].flatMap((h) => h.host.commands);
    expect(commands.length).toBeGreaterThanOrEqual(8);
    for (const c of commands) expect(c.startsWith('LC_ALL=C virsh -c qemu:///system ')).toBe(true);
    // the inactive vm3 had no vCPU/memory stats: dominfo asked for it, by a quoted --domain
    expect(commands).toContain('LC_ALL=C virsh -c qemu:///system dominfo --domain vm3');
  });

  it('reports an unknown host key with its SHA256 fingerprint, and trusts it once confirmed', async () => {
    const fake = await fakeCluster();
    const file = fake.writeConfig({ unknown: ['hv2'] });
    const cluster = openLibvirtCluster(file);
    const snap = await cluster.provider.read();
    const hv2 = snap.hosts.find((h) => h.name === 'hv2');
    const expected = fake.hv('hv2').host.hostKey.fingerprint;
    expect(hv2?.reachable).toBe(false);
    expect(hv2?.error).toContain(expected);
    expect(hv2?.error).toMatch(/unknown ssh-ed25519 host key/);
    expect(snap.hosts.find((h) => h.name === 'hv1')?.reachable).toBe(true);
    const checks = await checkHosts(cluster);
    expect(checks.find((c) => c.host === 'hv2')?.unknownHostKey).toEqual({ fingerprint: expected, keyType: 'ssh-ed25519' });
    // a wrong confirmation trusts nothing
    const wrong = await trustHost(cluster, 'hv2', keyPair().fingerprint);
    expect(wrong.ok).toBe(false);
    expect((await checkHosts(cluster)).find((c) => c.host === 'hv2')?.reachable).toBe(false);
    const trusted = await trustHost(cluster, 'hv2', expected);
    expect(trusted).toEqual({ ok: true, file: `${fake.dir}/known_hosts` });
    const again = openLibvirtCluster(file);
    expect((await again.provider.read()).hosts.every((h) => h.reachable)).toBe(true);
  });

  it('refuses loudly a host whose key changed, and never replaces the listed key', async () => {
    const fake = await fakeCluster();
    const file = fake.writeConfig();
    // hv2 reinstalled (or impersonated): a new host key on the same address
    const old = fake.hv('hv2').host;
    await old.close();
    const impostor = await FakeCluster.start([{ name: 'hv2' }], fake.clientKey);
    cleanup.push(() => impostor.close());
    const { writeFileSync, readFileSync } = await import('node:fs');
    const yaml = readFileSync(file, 'utf8').replace(`port: ${old.port}`, `port: ${impostor.hv('hv2').host.port}`);
    writeFileSync(file, yaml);
    const known = readFileSync(`${fake.dir}/known_hosts`, 'utf8').replace(`[127.0.0.1]:${old.port}`, `[127.0.0.1]:${impostor.hv('hv2').host.port}`);
    writeFileSync(`${fake.dir}/known_hosts`, known);
    const cluster = openLibvirtCluster(file);
    const snap = await cluster.provider.read();
    const hv2 = snap.hosts.find((h) => h.name === 'hv2');
    expect(hv2?.reachable).toBe(false);
    expect(hv2?.error).toMatch(/^REFUSED: the host key of hv2 .* HAS CHANGED/);
    expect(hv2?.error).toContain(impostor.hv('hv2').host.hostKey.fingerprint);
    expect(hv2?.error).toContain(old.hostKey.fingerprint);
    expect(impostor.hv('hv2').host.commands).toEqual([]);
    const trusted = await trustHost(cluster, 'hv2', impostor.hv('hv2').host.hostKey.fingerprint);
    expect(trusted.ok).toBe(false);
    expect(readFileSync(`${fake.dir}/known_hosts`, 'utf8')).toBe(known);
    expect((await checkHosts(cluster)).find((c) => c.host === 'hv2')?.hostKeyChanged).toBe(true);
  });

  it('a host that never answers does not delay the others beyond its timeout', async () => {
    const fake = await fakeCluster();
    const silent = await silentHost();
    cleanup.push(() => silent.close());
    const cluster = openLibvirtCluster(fake.writeConfig({ extraHosts: [{ name: 'mute', port: silent.port }], extra: 'connectTimeoutSeconds: 3' }));
    const started = Date.now();
    const snap = await cluster.provider.read();
    const elapsed = Date.now() - started;
    const mute = snap.hosts.find((h) => h.name === 'mute');
    expect(mute?.reachable).toBe(false);
    expect(mute?.error).toMatch(/did not answer within 3 s|no SSH handshake within 3 s/);
    expect(mute?.readAt).toBeGreaterThanOrEqual(started + 2900);
    expect(snap.hosts.filter((h) => h.reachable).map((h) => h.name)).toEqual(['hv1', 'hv2']);
    // the others were read without waiting for it, and the read ended when its timeout did
    for (const h of snap.hosts.filter((x) => x.reachable)) expect(h.readAt).toBeLessThan(mute?.readAt ?? 0);
    expect(elapsed).toBeLessThan(3000 + 2000 + 1000);
    // a never-read host is offline with no capacity: nothing is planned onto it
    const node = snap.model.nodeNames?.resolve('mute') as number;
    expect(snap.model.mapping.isOffline(node)).toBe(true);
    expect(snap.model.resource('cpu')?.capacity(node)).toBe(0);
  });

  it('a host printing garbage is reported with a located error; the others are read', async () => {
    const fake = await fakeCluster();
    fake.hv('hv2').override = (argv) => (argv.includes('domstats') ? { stdout: "Domain: 'vm4'\n  state.state=1\n\u001b[31mSegmentation fault\n" } : undefined);
    const cluster = openLibvirtCluster(fake.writeConfig());
    const snap = await cluster.provider.read();
    const hv2 = snap.hosts.find((h) => h.name === 'hv2');
    expect(hv2?.reachable).toBe(false);
    expect(hv2?.error).toBe('hv2: virsh domstats --raw output, line 3: expected an indented key=value, got "\uFFFD[31mSegmentation fault"');
    expect(snap.hosts.find((h) => h.name === 'hv1')?.reachable).toBe(true);
  });

  it('a command timing out on one host leaves that host unread, with its last facts kept (stale)', async () => {
    const fake = await fakeCluster();
    const cluster = openLibvirtCluster(fake.writeConfig({ extra: 'commandTimeoutSeconds: 0.5' }));
    const first = await cluster.provider.read();
    expect(first.hosts.every((h) => h.reachable)).toBe(true);
    fake.hv('hv2').override = (argv) => (argv.includes('nodeinfo') ? new Promise(() => undefined) : undefined);
    const started = Date.now();
    const second = await cluster.provider.read();
    // bounded by the host's connect + command timeouts (2 s + 0.5 s) and a second of slack
    expect(Date.now() - started).toBeLessThan(2000 + 500 + 1000);
    const hv2 = second.hosts.find((h) => h.name === 'hv2');
    expect(hv2?.error).toMatch(/virsh nodeinfo on hv2: no answer from hv2 within 0.5 s/);
    const vm4 = second.model.vmNames?.resolve('vm4') as number;
    expect(second.model.nodeName(second.model.mapping.host(vm4) as number)).toBe('hv2');
    expect(second.model.attributes.get('vm', vm4, 'stale')).toBe(true);
  });

  it('a translated virsh (no LC_ALL=C) would be garbage: the parsers refuse it', async () => {
    const fake = await fakeCluster([{ name: 'hv1' }]);
    const cluster = openLibvirtCluster(fake.writeConfig());
    const hv = fake.hv('hv1');
    const translated = await cluster.access.withSession('hv1', (s) => s.exec('virsh nodeinfo', { timeoutMs: 2000 }));
    const { parseNodeInfo } = await import('../../src/cluster/virsh/index.js');
    expect(translated.ok && parseNodeInfo(translated.value.stdout).ok).toBe(false);
    expect(hv.host.commands).toEqual(['virsh nodeinfo']);
  });

  it('holds the concurrency limit across hosts', async () => {
    const specs: HostSpec[] = Array.from({ length: 6 }, (_, i) => ({ name: `h${i}` }));
    const fake = await fakeCluster(specs);
    let active = 0;
    let peak = 0;
    for (const hv of fake.hosts.values()) {
      hv.override = (argv) => {
        if (!argv.includes('domstats')) return undefined;
        active++;
        peak = Math.max(peak, active);
        return new Promise((resolve) =>
          setTimeout(() => {
            active--;
            resolve({ stdout: '\n' });
          }, 100),
        );
      };
    }
    const cluster = openLibvirtCluster(fake.writeConfig({ extra: 'concurrency: 2' }));
    const snap = await cluster.provider.read();
    expect(snap.hosts.every((h) => h.reachable)).toBe(true);
    expect(peak).toBe(2);
    expect(cluster.access.limiter.highWater).toBe(2);
  });

  it('a scoped read asks only the hosts in scope; the others keep their reading time', async () => {
    const fake = await fakeCluster();
    const cluster = openLibvirtCluster(fake.writeConfig());
    const first = await cluster.provider.read();
    const before = fake.hv('hv1').host.commands.length;
    await new Promise((r) => setTimeout(r, 20));
    const second = await cluster.provider.read({ vms: ['vm4'] });
    expect(fake.hv('hv1').host.commands.length).toBe(before);
    expect(second.hosts.find((h) => h.name === 'hv1')?.readAt).toBe(first.hosts.find((h) => h.name === 'hv1')?.readAt);
    expect(second.hosts.find((h) => h.name === 'hv2')?.readAt).toBeGreaterThan(first.hosts.find((h) => h.name === 'hv2')?.readAt ?? 0);
    expect(second.model.mapping.vmCount()).toBe(4);
  });
});

describe('libvirt inventory through a ProxyJump host', () => {
  it('reaches a host through the jump host named in the SSH config, checking both host keys', async () => {
    const fake = await fakeCluster([{ name: 'inner', domains: [{ name: 'vmj', state: 'running', vcpus: 1, memKiB: 65536 }] }]);
    const jump = await FakeCluster.start([{ name: 'bastion' }], fake.clientKey);
    cleanup.push(() => jump.close());
    const { writeFileSync, appendFileSync } = await import('node:fs');
    const file = fake.writeConfig();
    appendFileSync(`${fake.dir}/known_hosts`, `${jump.hv('bastion').host.knownHostsLine()}\n`);
    writeFileSync(
      `${fake.dir}/ssh_config`,
      [`Host inner-alias`, `  HostName 127.0.0.1`, `  Port ${fake.hv('inner').host.port}`, `  ProxyJump bastion`, `Host bastion`, `  HostName 127.0.0.1`, `  Port ${jump.hv('bastion').host.port}`, `  User root`, `  IdentityFile ${fake.dir}/id_ed25519`, ''].join('\n'),
    );
    const { readFileSync } = await import('node:fs');
    const yaml = readFileSync(file, 'utf8')
      .replace('sshConfig: none', 'sshConfig: ./ssh_config')
      .replace(/address: 127\.0\.0\.1\n {4}port: \d+/, 'address: inner-alias');
    writeFileSync(file, yaml);
    const cluster = openLibvirtCluster(file);
    const snap = await cluster.provider.read();
    expect(snap.hosts[0]).toMatchObject({ name: 'inner', reachable: true });
    expect(snap.model.vmNames?.resolve('vmj')).toBe(0);
    expect(jump.hv('bastion').host.forwards).toEqual([`127.0.0.1:${fake.hv('inner').host.port}`]);
    // the jump host ran nothing itself
    expect(jump.hv('bastion').host.commands).toEqual([]);
  });
});

describe('password logins', () => {
  it('asks for a password only when the cluster file says so, and never puts it in an error', async () => {
    const fake = await FakeCluster.start([{ name: 'hv1' }], keyPair(), 's3cret-pw');
    cleanup.push(() => fake.close());
    // the key written to the file is the fake's own client key: swap in another so keys fail
    const file = fake.writeConfig();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${fake.dir}/id_ed25519`, keyPair().privateKey, { mode: 0o600 });
    const asked: string[] = [];
    const prompt = (t: { label: string; user: string }): Promise<string> => {
      asked.push(`${t.user}@${t.label}`);
      return Promise.resolve('s3cret-pw');
    };
    const unasked = await openLibvirtCluster(file, { askPassword: prompt, agentSocket: '' }).provider.read();
    expect(unasked.hosts[0]?.reachable).toBe(false);
    expect(unasked.hosts[0]?.error).toBe('hv1: login as root refused (tried 1 key file(s))');
    expect(asked).toEqual([]);
    expect(fake.hv('hv1').host.passwordsTried).toEqual([]);
    const { readFileSync } = await import('node:fs');
    writeFileSync(file, readFileSync(file, 'utf8').replace('user: root', 'user: root\naskPassword: true'));
    const withPassword = await openLibvirtCluster(file, { askPassword: prompt, agentSocket: '' }).provider.read();
    expect(withPassword.hosts[0]?.reachable).toBe(true);
    expect(asked).toEqual(['root@hv1']);
    // a wrong password: refused, and the error does not repeat it
    const wrong = await openLibvirtCluster(file, { askPassword: () => Promise.resolve('nope-pw'), agentSocket: '' }).provider.read();
    expect(wrong.hosts[0]?.error).toBe('hv1: login as root refused (tried 1 key file(s), a password)');
    expect(JSON.stringify(wrong.hosts)).not.toContain('nope-pw');
  });
});
