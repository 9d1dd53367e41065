import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { Journal } from '../../main/node/journal/journal.js';
import { parseClusterConfig } from '../../main/node/libvirt/index.js';
import { type RpcServer, createHandlers } from '../../main/rpc/index.js';
import { ClusterService } from '../../main/services/cluster.js';
import { PlanningService } from '../../main/services/planning.js';
import { RunService } from '../../main/services/runs.js';
import { STARTER_CLUSTER_YAML } from '../../src/cluster/starter.js';
import { FakeCluster } from './fake-cluster.js';

/** Editing a cluster file from the Connect screen: cluster:config-read and cluster:config-save. */

let home: string;
let journal: Journal;
let server: RpcServer;
let fake: FakeCluster;
let file: string;

beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'ferry-config-edit-'));
  journal = Journal.open(join(home, 'journal.sqlite'));
  const clusters = new ClusterService(home);
  const planning = new PlanningService({ pickRunner: null });
  const runs = new RunService({ home, journal, clusters, planning, clock: { now: () => Date.now() }, actor: 'alice@ws1' });
  server = createHandlers({ home, journal, clusters, planning, runs, actor: 'alice@ws1' }, { checkOutputs: true });
  fake = await FakeCluster.start([{ name: 'hv1', domains: [{ name: 'vm1', state: 'running', vcpus: 1, memKiB: 65536 }] }, { name: 'hv2' }]);
  file = fake.writeConfig();
});

afterEach(async () => {
  server.close();
  journal.close();
  await fake.close();
  rmSync(home, { recursive: true, force: true });
});

describe('cluster files edited from the console', () => {
  it('reads a known file, refuses one the list does not know', async () => {
    const unknown = await server.invoke('cluster:config-read', { clusterId: `libvirt:${file}` });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(!unknown.ok && unknown.error.message).toContain('is not a cluster file Ferry knows');
    await server.invoke('cluster:add-config', { path: file });
    const read = await server.invoke('cluster:config-read', { clusterId: `libvirt:${file}` });
    expect(read).toEqual({ ok: true, value: { clusterId: `libvirt:${file}`, file, text: readFileSync(file, 'utf8') } });
  });

  it('saves a valid text atomically, keeping the mode, and the cluster is read from it at once', async () => {
    await server.invoke('cluster:add-config', { path: file });
    chmodSync(file, 0o640);
    const text = readFileSync(file, 'utf8').replace('name: fake', 'name: renamed').replace(/\n {2}- name: hv2\n[^]*$/, '\n');
    const saved = await server.invoke('cluster:config-save', { file, text });
    expect(saved.ok && saved.value).toMatchObject({ saved: true, diagnostics: [], cluster: { name: 'renamed', file, hosts: [{ name: 'hv1' }] } });
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(statSync(file).mode & 0o777).toBe(0o640);
    // no temporary file left beside it
    expect(readdirSync(fake.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const snap = await server.invoke('cluster:refresh', { clusterId: `libvirt:${file}` });
    expect(snap.ok && snap.value.hosts.map((h) => h.name)).toEqual(['hv1']);
  });

  it('never writes a text the config parser refuses: the errors come located, the file stays as it was', async () => {
    await server.invoke('cluster:add-config', { path: file });
    const before = readFileSync(file, 'utf8');
    const wrongValue = before.replace('connectTimeoutSeconds: 2', 'connectTimeoutSeconds: soon');
    const line = wrongValue.split('\n').findIndex((l) => l.startsWith('connectTimeoutSeconds')) + 1;
    const refused = await server.invoke('cluster:config-save', { file, text: wrongValue });
    expect(refused.ok && refused.value).toEqual({ saved: false, cluster: null, diagnostics: [{ line, column: 24, message: 'connectTimeoutSeconds: Expected number, received string' }] });
    const badYaml = await server.invoke('cluster:config-save', { file, text: 'hosts:\n  - { name: hv1\n' });
    expect(badYaml.ok && badYaml.value.saved).toBe(false);
    expect(badYaml.ok && badYaml.value.diagnostics[0]?.line).toBeGreaterThanOrEqual(2);
    const credential = await server.invoke('cluster:config-save', { file, text: `${before}    vars: { ipmiPassword: hunter2 }\n` });
    expect(credential.ok && credential.value.diagnostics[0]?.message).toMatch(/^hosts\.1\.vars\.ipmiPassword: a cluster file holds no credential/);
    const key = await server.invoke('cluster:config-save', { file, text: `${before}# -----BEGIN OPENSSH PRIVATE KEY-----\n` });
    expect(key.ok && key.value.diagnostics).toEqual([{ line: before.split('\n').length, column: 1, message: 'a cluster file holds no key contents: give identityFile the path of the key file' }]);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('writes a new file only where the operator names one that does not exist; then the list knows it', async () => {
    const elsewhere = join(fake.dir, 'other.yaml');
    writeFileSync(elsewhere, 'name: other\nhosts:\n  - { name: h }\n');
    // a file the list does not know is not written over, whatever its text
    const unknown = await server.invoke('cluster:config-save', { file: elsewhere, text: STARTER_CLUSTER_YAML });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not-found' } });
    const existing = await server.invoke('cluster:config-save', { file: elsewhere, text: STARTER_CLUSTER_YAML, create: true });
    expect(existing).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(!existing.ok && existing.error.message).toContain('exists already');
    expect(await server.invoke('cluster:config-save', { file: 'relative.yaml', text: STARTER_CLUSTER_YAML, create: true })).toMatchObject({ ok: false });
    expect(await server.invoke('cluster:config-save', { file: join(fake.dir, 'notes.txt'), text: STARTER_CLUSTER_YAML, create: true })).toMatchObject({ ok: false });
    expect(readFileSync(elsewhere, 'utf8')).toBe('name: other\nhosts:\n  - { name: h }\n');

    const fresh = join(fake.dir, 'lab.yaml');
    const created = await server.invoke('cluster:config-save', { file: fresh, text: STARTER_CLUSTER_YAML, create: true });
    expect(created.ok && created.value).toMatchObject({ saved: true, cluster: { clusterId: `libvirt:${fresh}`, name: 'lab', hosts: [{ name: 'hv1', address: '192.0.2.10', rack: 'r1' }] } });
    expect(existsSync(fresh)).toBe(true);
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
    const list = await server.invoke('cluster:list', {});
    expect(list.ok && list.value.clusters.map((c) => c.clusterId)).toContain(`libvirt:${fresh}`);
    // and from now on it is a file Ferry knows: editable
    const again = await server.invoke('cluster:config-save', { file: fresh, text: STARTER_CLUSTER_YAML.replace('name: lab', 'name: lab2') });
    expect(again.ok && again.value.cluster?.name).toBe('lab2');
  });

  it("the starter text is a valid cluster file as it is (the parser's own verdict)", () => {
    const config = parseClusterConfig(STARTER_CLUSTER_YAML, '/srv/ferry/lab.yaml');
    expect(config.hosts.map((h) => [h.name, h.address, h.cpuOvercommit, h.connectTimeoutMs])).toEqual([['hv1', '192.0.2.10', 4, 10_000]]);
  });
});
