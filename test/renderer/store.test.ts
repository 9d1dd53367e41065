// @vitest-environment jsdom
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { type RendererHarness, openHarness, until } from './support/services.js';
import { INITIAL_SCRIPT } from '../../renderer/store/constraints.js';

const ROOT = join(import.meta.dirname, '..', '..');
let h: RendererHarness;

beforeEach(() => {
  window.location.hash = '';
  h = openHarness();
});
afterEach(() => h.close());

describe('cluster slice', () => {
  it('lists the demo cluster and reads it into a decoded inventory', async () => {
    const s = () => h.store.getState();
    expect(s().clusterId).toBe('demo');
    await s().loadClusters();
    expect(s().clusters.map((c) => c.clusterId)).toContain('demo');
    await s().loadSnapshot();
    expect(s().connection).toBe('connected');
    expect(s().clusterError).toBeNull();
    expect(s().inventory?.model.mapping.nodeCount()).toBe(12);
    expect(s().inventory?.model.nodeNames?.resolve('r2-h3')).toBeTypeOf('number');
    expect(s().hosts.find((x) => x.name === 'r2-h3')?.rack).toBe('r2');
    expect(s().readAt).toBeGreaterThan(0);
    expect(s().sourceInput()).toEqual({ clusterId: 'demo' });
    // the demo's cpu overcommit is in the capacity its read states: the script needs no overbook line
    expect(s().scriptText).toBe(INITIAL_SCRIPT);
    expect(s().activeConstraints).toEqual([]);
    const r11 = s().inventory?.model.nodeNames?.resolve('r1-h1') as number;
    expect(s().inventory?.model.attributes.getNumber('node', r11, 'cpuOvercommit')).toBe(3);
    s().appendConstraint('offline(@r2-h3);');
    await s().lintOnServer();
    expect(s().serverLint).toMatchObject({ constraints: 1, errors: 0 });
  });

  it('follows cluster:changed: a refresh elsewhere brings a newer read', async () => {
    const s = () => h.store.getState();
    await s().loadSnapshot();
    const first = s().readAt ?? 0;
    const stop = s().startClusterFeed();
    await new Promise((r) => setTimeout(r, 5));
    // another front end reads the cluster again
    const reply = await h.client.invoke('cluster:refresh', { clusterId: 'demo' });
    expect(reply.ok).toBe(true);
    await until(() => (s().readAt ?? 0) > first, 'the store to take the newer read');
    stop();
  });

  it('refuses an unknown cluster with the service words, and uses an instance file as the cluster', async () => {
    const s = () => h.store.getState();
    await s().selectCluster('nowhere');
    expect(s().connection).toBe('error');
    expect(s().clusterError).toMatch(/nowhere/);

    const seed = readFileSync(join(ROOT, 'examples', 'seed.json'), 'utf8');
    expect(s().openInstanceText('seed.json', seed)).toBe(true);
    expect(s().source.kind).toBe('file');
    expect(s().inventory?.model.mapping.nodeCount()).toBe(4);
    const input = s().sourceInput();
    expect('instance' in input).toBe(true);
    s().setScript('offline(@N4);\n');
    await s().lintOnServer();
    expect(s().serverLint?.constraints).toBe(1);
    expect(s().serverLint?.constraintHash).toMatch(/^sha256:/);
  });

  it('says where a broken instance file is broken, and keeps the cluster', async () => {
    const s = () => h.store.getState();
    await s().loadSnapshot();
    expect(s().openInstanceText('bad.json', '{"model": {"mapping": 3}, "constraints": [], "objective": {"id": "minimizeMTTR"}}')).toBe(false);
    expect(s().source.kind).toBe('cluster');
    const n = s().notifications.at(-1);
    expect(n?.variant).toBe('danger');
    expect(n?.detail).toMatch(/\$\.model\.mapping/);
    expect(s().openInstanceText('bad.json', '{"model": ')).toBe(false);
    expect(s().notifications.at(-1)?.detail).toMatch(/^1:\d+: /);
  });

  it("keeps the operator's script when a file stands in for the cluster", async () => {
    const s = () => h.store.getState();
    await s().loadSnapshot();
    const seed = readFileSync(join(ROOT, 'examples', 'seed.json'), 'utf8');
    expect(s().openInstanceText('seed.json', seed)).toBe(true);
    expect(s().scriptText).toBe(INITIAL_SCRIPT);
    s().setScript('offline(@N4);\n');
    expect(s().openInstanceText('seed.json', seed)).toBe(true);
    expect(s().scriptText).toBe('offline(@N4);\n');
  });
});

describe('constraints slice', () => {
  it('locates diagnostics against the cluster read, lists the statements and toggles them off for what-ifs', async () => {
    const s = () => h.store.getState();
    await s().loadSnapshot();
    s().setScript('spread({web1, web2, web3});\nroot(dbx);\noffline(@r2-h3);\n');
    const error = s().diagnostics.find((d) => d.severity === 'error');
    expect(error).toMatchObject({ line: 2, column: 6, endLine: 2, endColumn: 9, code: 'unknown-vm' });
    expect(error?.suggestion).toBe('db1');

    s().setScript('spread({web1, web2, web3});\nroot(db1);\noffline(@r2-h3);\n');
    expect(s().diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(s().activeConstraints.map((c) => [c.line, c.constraintId])).toEqual([
      [1, 'spread'],
      [2, 'root'],
      [3, 'offline'],
    ]);
    s().toggleConstraint(2, false);
    expect(s().disabled.has(2)).toBe(true);
    const effective = s().effectiveScript();
    expect(effective).not.toContain('root(db1)');
    expect(effective.split('\n')).toHaveLength(4);
    expect(effective.split('\n')[2]).toBe('offline(@r2-h3);');

    await s().lintOnServer();
    expect(s().serverLint?.constraints).toBe(2);

    // an edit above keeps the toggle on the statement, which moved one line down
    s().setScript(`// header\n${s().scriptText}`);
    expect([...s().disabled]).toEqual([3]);
    expect(s().effectiveScript()).not.toContain('root(db1)');
    s().toggleConstraint(3, true);
    expect(s().effectiveScript()).toContain('root(db1)');
  });

  it('appends a constraint with a notification, formats, and focuses a line on the Constraints screen', async () => {
    const s = () => h.store.getState();
    await s().loadSnapshot();
    s().setScript('root(db1);');
    s().appendConstraint('offline(@r2-h3);');
    expect(s().scriptText).toBe('root(db1);\noffline(@r2-h3);\n');
    expect(s().notifications.at(-1)).toMatchObject({ variant: 'success', title: 'Added offline(@r2-h3);' });

    s().setScript('spread(  {web1,web2} ) ;\n');
    expect(s().formatScript()).toBe(true);
    expect(s().scriptText).toBe('spread({web1, web2});\n');
    s().setScript('spread({web1,');
    expect(s().formatScript()).toBe(false);
    expect(s().scriptText).toBe('spread({web1,');

    s().navigate('inventory');
    s().focusScriptLine(1);
    expect(s().route).toBe('constraints');
    expect(window.location.hash).toBe('#/constraints');
    expect(s().focusRequest?.line).toBe(1);
  });
});
