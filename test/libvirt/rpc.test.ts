import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { type RpcServer, createHandlers } from '../../main/rpc/index.js';
import { Journal } from '../../main/node/journal/journal.js';
import { ClusterService } from '../../main/services/cluster.js';
import { PlanningService } from '../../main/services/planning.js';
import { RunService } from '../../main/services/runs.js';
import { FakeCluster } from './fake-cluster.js';

/** The Connect screen's procedures over a libvirt cluster of in-process SSH hosts. */

let home: string;
let journal: Journal;
let server: RpcServer;
let fake: FakeCluster;
const internal: string[] = [];

beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'ferry-rpc-libvirt-'));
  journal = Journal.open(join(home, 'journal.sqlite'));
  const clusters = new ClusterService(home);
  const planning = new PlanningService({ pickRunner: null });
  const runs = new RunService({ home, journal, clusters, planning, clock: { now: () => Date.now() }, actor: 'alice@ws1' });
  server = createHandlers({ home, journal, clusters, planning, runs, actor: 'alice@ws1' }, { checkOutputs: true, onInternalError: (where) => internal.push(where) });
  fake = await FakeCluster.start([{ name: 'hv1', rack: 'r1', domains: [{ name: 'vm1', state: 'running', vcpus: 1, memKiB: 65536 }] }, { name: 'hv2' }]);
});

afterEach(async () => {
  server.close();
  journal.close();
  await fake.close();
  rmSync(home, { recursive: true, force: true });
  expect(internal).toEqual([]);
});

describe('Connect screen procedures (libvirt)', () => {
  it('adds a cluster file, lists it, tests its hosts, trusts a confirmed key, then reads it', async () => {
    const file = fake.writeConfig({ unknown: ['hv2'] });
    const added = await server.invoke('cluster:add-config', { path: file });
    expect(added.ok).toBe(true);
    const summary = added.ok ? added.value : undefined;
    expect(summary).toMatchObject({ clusterId: `libvirt:${file}`, name: 'fake', file });
    expect(summary?.hosts.map((h) => [h.name, h.address, h.user, h.rack])).toEqual([
      ['hv1', '127.0.0.1', 'root', 'r1'],
      ['hv2', '127.0.0.1', 'root', null],
    ]);
    // credentials never in a summary: not the key's path, let alone the key
    expect(JSON.stringify(added)).not.toContain('id_ed25519');
    expect(JSON.stringify(added)).not.toContain('PRIVATE KEY');

    const list = await server.invoke('cluster:list', {});
    expect(list.ok && list.value.clusters.map((c) => [c.clusterId, c.provider])).toEqual([
      ['demo', 'demo'],
      [`libvirt:${file}`, 'libvirt'],
    ]);

    const tested = await server.invoke('cluster:test', { clusterId: `libvirt:${file}` });
    expect(tested.ok).toBe(true);
    const hosts = tested.ok ? tested.value.hosts : [];
    expect(hosts[0]).toMatchObject({ host: 'hv1', reachable: true, error: null, unknownHostKey: null });
    const fingerprint = fake.hv('hv2').host.hostKey.fingerprint;
    expect(hosts[1]).toMatchObject({ host: 'hv2', reachable: false, unknownHostKey: { fingerprint, keyType: 'ssh-ed25519' }, hostKeyChanged: false });

    const trusted = await server.invoke('cluster:trust-host-key', { clusterId: `libvirt:${file}`, host: 'hv2', fingerprint });
    expect(trusted).toEqual({ ok: true, value: { clusterId: `libvirt:${file}`, host: 'hv2', knownHostsFile: join(fake.dir, 'known_hosts') } });
    expect(readFileSync(join(fake.dir, 'known_hosts'), 'utf8')).toContain(`[127.0.0.1]:${fake.hv('hv2').host.port} ssh-ed25519 `);

    const snap = await server.invoke('cluster:snapshot', { clusterId: `libvirt:${file}` });
    expect(snap.ok && snap.value.hosts.every((h) => h.reachable)).toBe(true);
    // a partial refresh asks hv1 only; hv2 keeps the facts and time of the read before
    const hv2Before = snap.ok ? snap.value.hosts.find((h) => h.name === 'hv2') : undefined;
    const asked = fake.hv('hv2').host.commands.length;
    const partial = await server.invoke('cluster:refresh', { clusterId: `libvirt:${file}`, scope: { nodes: ['hv1'] } });
    expect(partial.ok && partial.value.hosts.find((h) => h.name === 'hv2')).toEqual(hv2Before);
    expect(fake.hv('hv2').host.commands.length).toBe(asked);
  });

  it('refuses a wrong fingerprint (conflict), a bad file (located), an unknown cluster (not-found)', async () => {
    const file = fake.writeConfig({ unknown: ['hv2'] });
    const wrong = await server.invoke('cluster:trust-host-key', { clusterId: `libvirt:${file}`, host: 'hv2', fingerprint: `SHA256:${'B'.repeat(43)}` });
    expect(wrong.ok).toBe(false);
    expect(!wrong.ok && wrong.error.code).toBe('conflict');
    const malformed = await server.invoke('cluster:trust-host-key', { clusterId: `libvirt:${file}`, host: 'hv2', fingerprint: 'md5:aa' });
    expect(!malformed.ok && malformed.error.code).toBe('invalid-request');
    const bad = join(fake.dir, 'bad.yaml');
    writeFileSync(bad, 'hosts:\n  - name: hv1\n    colour: blue\n');
    const refused = await server.invoke('cluster:add-config', { path: bad });
    expect(!refused.ok && refused.error).toMatchObject({ code: 'unavailable', message: `${bad}:2:5: hosts.0: Unrecognized key(s) in object: 'colour'` });
    const missing = await server.invoke('cluster:test', { clusterId: 'libvirt:/nowhere/x.yaml' });
    expect(!missing.ok && missing.error.code).toBe('not-found');
    const notLibvirt = await server.invoke('cluster:test', { clusterId: 'demo' });
    expect(!notLibvirt.ok && notLibvirt.error.code).toBe('not-found');
  });
});
