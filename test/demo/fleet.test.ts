import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { defaultFleet } from '../../main/node/demo/fleet.js';
import { demoProvider } from '../../main/node/demo/provider.js';
import { checkPlan } from '../../src/checker/plan-checker.js';
import { parseScript } from '../../src/dsl/index.js';
import { instanceToJson, parseInstanceText } from '../../src/instance/json.js';
import type { Model } from '../../src/model/index.js';
import { plan } from '../../src/solver/planner.js';
import { demoSandbox } from './helpers.js';

const SCRIPT = readFileSync(new URL('../../examples/demo-maintenance.btrp', import.meta.url), 'utf8');
const sandbox = demoSandbox();

function hostNamed(model: Model, name: string): number {
  const id = model.nodeNames?.resolve(name);
  if (id === undefined) throw new Error(`no host ${name}`);
  return id;
}

function vmNamed(model: Model, name: string): number {
  const id = model.vmNames?.resolve(name);
  if (id === undefined) throw new Error(`no VM ${name}`);
  return id;
}

describe('the demo fleet', () => {
  const { model, constraints, objective } = defaultFleet();
  const nodes = [...model.mapping.nodes()];
  const cpu = model.resource('cpu');
  const mem = model.resource('mem');

  it('has 12 online hosts r1-h1 .. r3-h4 in 3 racks of 4, on 10 Gbit/s links', () => {
    expect(nodes).toHaveLength(12);
    const names = nodes.map((n) => model.nodeName(n));
    expect(names).toEqual(['r1', 'r2', 'r3'].flatMap((r) => [1, 2, 3, 4].map((h) => `${r}-h${h}`)));
    for (const n of nodes) {
      expect(model.mapping.isOnline(n)).toBe(true);
      expect(model.attributes.getString('node', n, 'rack')).toBe(model.nodeName(n).slice(0, 2));
      expect(model.attributes.getNumber('node', n, 'linkGbps')).toBe(10);
    }
    expect(constraints).toEqual([]);
    expect(objective.id).toBe('minimizeMTTR');
  });

  it('has about 60 VMs, mostly running, a few stopped, each with cpu, mem and memUsed', () => {
    const vms = [...model.mapping.vms()];
    expect(vms.length).toBeGreaterThanOrEqual(55);
    expect(vms.length).toBeLessThanOrEqual(66);
    const ready = model.mapping.readyVMs();
    expect(ready.length).toBeGreaterThanOrEqual(2);
    expect(ready.length).toBeLessThanOrEqual(6);
    for (const v of vms) {
      const name = model.vmName(v);
      expect(name).toMatch(/^[a-z]+\d+$/); // a btrpsl identifier
      expect(cpu?.consumption(v)).toBeGreaterThan(0);
      const m = mem?.consumption(v) ?? 0;
      expect(m).toBeGreaterThan(0);
      const used = model.attributes.getNumber('vm', v, 'memUsed') ?? -1;
      expect(used).toBeGreaterThan(0);
      expect(used).toBeLessThanOrEqual(m);
    }
    for (const tier of ['web1', 'web6', 'api1', 'db1', 'cache1', 'worker1', 'ci1']) vmNamed(model, tier);
  });

  it('never overcommits memory (at most 80 % per host) and overcommits cpu up to 3× on some hosts', () => {
    let overcommitted = 0;
    for (const n of nodes) {
      const capMem = mem?.capacity(n) ?? 0;
      expect(capMem === 256 * 1024 || capMem === 384 * 1024).toBe(true);
      expect(model.usage(n, 'mem')).toBeLessThanOrEqual(0.8 * capMem);
      const cores = cpu?.capacity(n) ?? 0;
      expect(cores === 32 || cores === 48).toBe(true);
      const vcpus = model.usage(n, 'cpu');
      expect(vcpus).toBeLessThanOrEqual(3 * cores);
      if (vcpus > cores) overcommitted++;
    }
    expect(overcommitted).toBeGreaterThan(0);
    expect(Math.max(...nodes.map((n) => model.usage(n, 'cpu') / (cpu?.capacity(n) ?? 1)))).toBeGreaterThanOrEqual(2);
  });

  it('has r2-h3 due for maintenance, carrying several VMs including web3, with web1..web3 on distinct hosts', () => {
    const h = hostNamed(model, 'r2-h3');
    expect(model.attributes.getBoolean('node', h, 'maintenance')).toBe(true);
    expect(nodes.filter((n) => model.attributes.getBoolean('node', n, 'maintenance') === true)).toEqual([h]);
    expect(model.mapping.runningVMs(h).size).toBeGreaterThanOrEqual(3);
    expect(model.mapping.host(vmNamed(model, 'web3'))).toBe(h);
    const webHosts = ['web1', 'web2', 'web3'].map((w) => model.mapping.host(vmNamed(model, w)));
    expect(new Set(webHosts).size).toBe(3);
  });

  it('is deterministic and survives a BtrPlace JSON round trip', () => {
    const again = defaultFleet().model;
    expect(again.equals(model)).toBe(true);
    const read = parseInstanceText(JSON.stringify(instanceToJson(defaultFleet())));
    expect(read.ok && read.value.model.equals(model)).toBe(true);
  });
});

describe('the demo maintenance script', () => {
  it('parses against the fleet with no diagnostic, and needs no overbook line', () => {
    const r = parseScript(SCRIPT, { model: defaultFleet().model });
    expect(r.diagnostics).toEqual([]);
    expect(r.ok).toBe(true);
    const ids = r.constraints.map((c) => c.id);
    expect(ids).not.toContain('overbook');
    expect(ids).toEqual(expect.arrayContaining(['spread', 'root', 'offline']));
  });

  it("gives a checked plan on the demo provider's read that drains r2-h3 with a handful of migrations, db1 staying put", async () => {
    const model = await demoRead();
    const script = parseScript(SCRIPT, { model });
    const instance = { model, constraints: script.constraints, objective: { id: 'minimizeMTTR' } as const };
    const result = await plan(instance, { timeLimitMs: 5000 });
    expect(result.status === 'optimal' || result.status === 'feasible').toBe(true);
    const p = result.plan;
    if (!p) throw new Error('no plan');
    expect(checkPlan(instance, p).ok).toBe(true);
    const migrations = p.actions.filter((a) => a.kind === 'migrateVM');
    const drained = model.mapping.runningVMs(hostNamed(model, 'r2-h3')).size;
    expect(migrations.length).toBeGreaterThanOrEqual(drained);
    expect(migrations.length).toBeLessThanOrEqual(drained + 3);
    expect(migrations.some((a) => a.vm === vmNamed(model, 'db1'))).toBe(false);
    expect(p.actions.some((a) => a.kind === 'shutdownNode' && a.node === hostNamed(model, 'r2-h3'))).toBe(true);
  });

  it('the read states the overcommit (cpu × 3, memory × 1): the physical fleet alone is infeasible', async () => {
    const model = await demoRead();
    const fleet = defaultFleet();
    const r13 = hostNamed(model, 'r1-h3');
    const physical = fleet.model.resource('cpu')?.capacity(hostNamed(fleet.model, 'r1-h3')) ?? 0;
    expect(model.resource('cpu')?.capacity(r13)).toBe(physical * 3);
    expect(model.attributes.getNumber('node', r13, 'cpuOvercommit')).toBe(3);
    expect(model.attributes.getNumber('node', r13, 'cores')).toBe(physical);
    expect(model.resource('mem')?.capacity(r13)).toBe(fleet.model.resource('mem')?.capacity(hostNamed(fleet.model, 'r1-h3')));
    // the same script on the physical capacities (no overcommit stated anywhere) has no plan
    const script = parseScript(SCRIPT, { model: fleet.model });
    const result = await plan({ ...fleet, constraints: script.constraints }, { timeLimitMs: 3000 });
    expect(result.status).toBe('infeasible');
    expect(result.explanation?.join('\n')).toMatch(/not enough cpu/);
  });

  it('plans the same from the exported instance JSON as from the read (ferry inventory --format json, then ferry plan)', async () => {
    const model = await demoRead();
    const exported = parseInstanceText(JSON.stringify(instanceToJson({ model, constraints: [], objective: { id: 'minimizeMTTR' } })));
    if (!exported.ok) throw new Error('the export does not read back');
    expect(exported.value.model.resource('cpu')?.capacity(hostNamed(model, 'r2-h1'))).toBe(model.resource('cpu')?.capacity(hostNamed(model, 'r2-h1')));
    const script = parseScript(SCRIPT, { model: exported.value.model });
    const result = await plan({ ...exported.value, constraints: script.constraints }, { timeLimitMs: 3000 });
    expect(result.status === 'optimal' || result.status === 'feasible').toBe(true);
  });
});

/** The demo cluster as its provider reads it (a fresh state directory). */
async function demoRead(): Promise<Model> {
  const engine = sandbox.open();
  return (await demoProvider(engine).read()).model;
}
