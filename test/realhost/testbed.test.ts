import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

import { TestBed, missingPrerequisite } from './testbed.js';

/**
 * The test bed itself (scripts/testbed/testbed.sh): real hosts reachable over SSH with the key and
 * known_hosts it writes, a guest running on each, and `down` leaving nothing behind.
 */
const missing = missingPrerequisite();
if (missing !== null) console.warn(`test/realhost/testbed.test.ts skipped: ${missing}`);

const NET = 61;

function sh(command: string): string {
  return execFileSync('sh', ['-c', command], { encoding: 'utf8' });
}

function ssh(bed: TestBed, address: string, knownHosts: string, command: string): { code: number; out: string } {
  try {
    const out = execFileSync(
      'ssh',
      ['-i', join(bed.home, 'clusters', 'testbed.key'), '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', `root@${address}`, command],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return { code: 0, out };
  } catch (e) {
    const err = e as { status: number; stderr: string };
    return { code: err.status, out: err.stderr };
  }
}

interface HostEntry {
  name: string;
  address: string;
  port: number;
  user: string;
  identityFile: string;
  knownHosts: string;
  rack: string;
}

describe.skipIf(missing !== null)('the KVM test bed (real sshd, libvirtd and QEMU in network namespaces)', () => {
  let bed: TestBed;
  let hosts: HostEntry[];

  beforeAll(() => {
    bed = new TestBed(NET);
    bed.up(2, 1);
    hosts = (parseYaml(readFileSync(bed.clusterFile, 'utf8')) as { hosts: HostEntry[] }).hosts;
  }, 120_000);

  afterAll(() => {
    bed?.down();
  }, 60_000);

  it('writes the cluster file into the data directory, with its key and known_hosts', () => {
    expect(bed.clusterFile).toBe(join(bed.home, 'clusters', 'testbed.yaml'));
    expect(hosts.map((h) => [h.name, h.address, h.port, h.user])).toEqual([
      ['hv1', `10.99.${NET}.11`, 22, 'root'],
      ['hv2', `10.99.${NET}.12`, 22, 'root'],
    ]);
    for (const h of hosts) {
      expect(existsSync(h.identityFile)).toBe(true);
      expect(readFileSync(h.knownHosts, 'utf8')).toContain(`${h.address} ssh-ed25519 `);
    }
  });

  it('every host answers over SSH as itself, with its own libvirtd and a running guest', () => {
    for (const [i, h] of hosts.entries()) {
      const r = ssh(bed, h.address, h.knownHosts, 'hostname; LC_ALL=C virsh list --name --state-running');
      expect(r.code, r.out).toBe(0);
      expect(r.out.split('\n').filter((l) => l !== '')).toEqual([h.name, `vm${i + 1}1`]);
    }
  });

  it('a host presenting another key is refused by the known_hosts the test bed wrote', async () => {
    await bed.fault('hv2', 'rekey');
    const h = hosts[1] as HostEntry;
    const r = ssh(bed, h.address, h.knownHosts, 'true');
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  it('keeps the test range on this machine: the unreachable route covers it', () => {
    expect(sh('ip route show')).toMatch(/^unreachable 10\.99\.0\.0\/16/m);
    expect(sh('ip route get 10.99.200.1 2>&1 || true')).toMatch(/unreachable|No route to host/);
  });

  it('up again after a crash replaces the old test bed, killing what the old one started', async () => {
    const old = readFileSync(join(bed.dir, 'pids'), 'utf8').trim().split('\n').map((l) => Number(l.split(' ')[2]));
    expect(old.length).toBe(4);
    bed.up(2, 1);
    await new Promise((r) => setTimeout(r, 500));
    for (const pid of old) {
      const state = existsSync(`/proc/${pid}/status`) ? readFileSync(`/proc/${pid}/status`, 'utf8') : 'State: gone';
      expect(state, `pid ${pid}`).toMatch(/State:\s+(Z|gone)/);
    }
    expect(await bed.running('hv1')).toEqual(['vm11']);
  }, 120_000);

  it('down stops every process by PID and leaves no namespace, link, file or route behind', () => {
    const pids = readFileSync(join(bed.dir, 'pids'), 'utf8').trim().split('\n').map((l) => Number(l.split(' ')[2]));
    const qemu = sh(`ip netns pids ferry${NET}-hv1; ip netns pids ferry${NET}-hv2`).trim().split('\n').map(Number);
    expect(qemu.length).toBeGreaterThanOrEqual(6); // sshd, libvirtd, a QEMU on each host
    bed.down(true);
    for (const pid of [...pids, ...qemu]) {
      const state = existsSync(`/proc/${pid}/status`) ? readFileSync(`/proc/${pid}/status`, 'utf8') : 'State: gone';
      expect(state, `pid ${pid}`).toMatch(/State:\s+(Z|gone)/);
    }
    expect(sh('ip netns list')).not.toContain(`ferry${NET}-`);
    expect(sh('ip -o link show')).not.toMatch(new RegExp(`ferrybr${NET}|fy${NET}-`));
    expect(existsSync(bed.dir)).toBe(false);
    expect(existsSync(bed.clusterFile)).toBe(false);
    // the safety route stays only while another test network still uses the range
    const others = sh('ip -4 route show').split('\n').filter((l) => l.startsWith('10.99.'));
    if (others.length === 0) expect(sh('ip route show')).not.toMatch(/unreachable 10\.99\.0\.0\/16/);
    console.info(`testbed timings: up ${bed.timings.up?.toFixed(1)} s, down ${bed.timings.down?.toFixed(1)} s (2 hosts, 1 guest each)`);
  }, 60_000);
});
