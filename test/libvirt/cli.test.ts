import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { runCli } from '../../main/cli/index.js';
import { FakeCluster, type HostSpec } from './fake-cluster.js';

const SPECS: HostSpec[] = [
  { name: 'hv1', cpus: 2, rack: 'r1', domains: [{ name: 'vm1', state: 'running', vcpus: 1, memKiB: 65536 }, { name: 'vm2', state: 'running', vcpus: 1, memKiB: 65536 }] },
  { name: 'hv2', cpus: 2, rack: 'r2', domains: [{ name: 'vm3', state: 'running', vcpus: 1, memKiB: 65536 }] },
];

async function ferry(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
}

let fake: FakeCluster;
let home: string;
const savedHome = process.env.FERRY_HOME;

beforeEach(async () => {
  fake = await FakeCluster.start(SPECS);
  home = mkdtempSync(path.join(tmpdir(), 'ferry-home-'));
  process.env.FERRY_HOME = home;
});

afterEach(async () => {
  await fake.close();
  rmSync(home, { recursive: true, force: true });
  if (savedHome === undefined) delete process.env.FERRY_HOME;
  else process.env.FERRY_HOME = savedHome;
});

describe('ferry inventory --config', () => {
  it('prints the hosts of a libvirt cluster (text)', async () => {
    const file = fake.writeConfig();
    const r = await ferry('inventory', '--config', file);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^cluster libvirt:${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, read .* UTC: 2 hosts, 3 VMs$`));
    // the capacity plans count, then the physical cores and the cluster file's ratio (default 4)
    expect(lines[1]).toMatch(/^hv1\s+r1\s+online\s+cpu 2\/8 \(2 cores ×4\) +mem 0\/4 GiB +2 VMs$/);
    expect(lines[2]).toMatch(/^hv2\s+r2\s+online\s+cpu 1\/8 \(2 cores ×4\) +mem 0\/4 GiB +1 VMs$/);
  });

  it('prints a BtrPlace instance (json) that names every host and VM', async () => {
    const r = await ferry('inventory', '--config', fake.writeConfig(), '--format', 'json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { model: { mapping: { onlineNodes: Record<string, { runningVMs: number[] }> }; views: { id: string; rcId?: string; nodes?: Record<string, number> }[] } };
    expect(Object.values(json.model.mapping.onlineNodes).flatMap((n) => n.runningVMs)).toHaveLength(3);
    // capacity as plans count it: 2 CPUs × the default 4 vCPUs per CPU
    expect(json.model.views.find((v) => v.rcId === 'cpu')?.nodes).toEqual({ 0: 8, 1: 8 });
    const text = r.out;
    for (const name of ['hv1', 'hv2', 'vm1', 'vm2', 'vm3']) expect(text).toContain(`"${name}"`);
  });

  it('says which host does not answer, and still prints the others', async () => {
    const file = fake.writeConfig();
    await fake.hv('hv2').host.close();
    const r = await ferry('inventory', '--config', file);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/hv2 .*NOT ANSWERING: hv2 \(\[127.0.0.1\]:\d+\): ECONNREFUSED/);
    expect(r.out).toMatch(/hv1 .* 2 VMs/);
  });

  it('reports a broken cluster file with its location, no stack trace', async () => {
    const file = path.join(fake.dir, 'bad.yaml');
    writeFileSync(file, 'hosts:\n  - name: hv1\n    port: twenty-two\n');
    const r = await ferry('inventory', '--config', file);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`ferry inventory: ${file}:3:11: hosts.0.port: Expected number, received string\n`);
    const missing = await ferry('inventory', '--config', path.join(fake.dir, 'nope.yaml'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no cluster file .*nope.yaml/);
    const both = await ferry('inventory', '--config', file, '--cluster', 'demo');
    expect(both.code).toBe(2);
  });
});

describe('ferry run --config', () => {
  it('plans the live libvirt cluster and runs a live migration step by step (--yes)', async () => {
    const file = fake.writeConfig();
    const script = path.join(fake.dir, 'drain.btrp');
    writeFileSync(script, '>>ban({vm1}, {@hv1});\n');
    fake.migrationMs = 200;
    const r = await ferry('run', '--config', file, '--script', script, '--yes');
    expect(r.err).toMatch(/^planning cluster libvirt:.*cluster.yaml under .*drain.btrp/);
    if (process.env.H5_SHOW) console.log(r.out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/migrate vm1 hv1 → hv2|vm1.*hv1.*hv2/);
    expect(fake.whereIs('vm1')).toEqual(['hv2']);
    expect(fake.hv('hv1').host.commands.some((c) => c.includes(' migrate --live --persistent --undefinesource --auto-converge --p2p --domain vm1 '))).toBe(true);
  }, 60_000);
});
