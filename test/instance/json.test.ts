import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import type { Instance } from '../../src/instance/instance.js';
import { instanceFromJson, instanceToJson, modelFromJson, modelToJson, parseInstanceText, parseModelText } from '../../src/instance/json.js';
import { Attributes, Mapping, Model, NamingService, ShareableResource } from '../../src/model/index.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'instances');

function fixture(name: string): Instance {
  const result = parseInstanceText(readFileSync(join(FIXTURES, name), 'utf8'));
  if (!result.ok) throw new Error(`${name}: ${result.error.path}: ${result.error.message}`);
  return result.value;
}

/** import → export → (JSON text) → import must give an equal model and equal constraints. */
function expectLosslessRoundTrip(instance: Instance): void {
  const text = JSON.stringify(instanceToJson(instance));
  const again = parseInstanceText(text);
  if (!again.ok) throw new Error(`re-import failed: ${again.error.path}: ${again.error.message}`);
  expect(again.value.model.equals(instance.model)).toBe(true);
  expect(again.value.constraints).toEqual(instance.constraints);
  expect(again.value.objective).toEqual(instance.objective);
  // and a second export is the same text: the export is a fixed point
  expect(JSON.stringify(instanceToJson(again.value))).toBe(text);
}

describe('BtrPlace real example 1 (issue #112: running, runningCapacity, among)', () => {
  let instance: Instance;
  beforeAll(() => {
    instance = fixture('issue112.json');
  });

  it('reads the mapping', () => {
    const m = instance.model.mapping;
    expect(m.onlineNodes()).toEqual([0, 1, 2]);
    expect(m.offlineNodes()).toEqual([]);
    expect([...m.runningVMs(0)]).toEqual([0]);
    expect([...m.runningVMs(1)]).toEqual([2, 1]);
    expect(m.runningVMs(2).size).toBe(0);
    expect(m.host(1)).toBe(1);
    expect(instance.model.resources.size).toBe(0);
  });

  it('reads the nine constraints with their BtrPlace ids, modes and arguments', () => {
    expect(instance.constraints.map((c) => c.id)).toEqual(['running', 'running', 'running', 'runningCapacity', 'runningCapacity', 'runningCapacity', 'among', 'among', 'among']);
    expect(instance.constraints.every((c) => !c.continuous)).toBe(true);
    expect(instance.constraints[0]?.args).toEqual({ vm: 0 });
    expect(instance.constraints[4]?.args).toEqual({ nodes: [1], amount: 1 });
    expect(instance.constraints[8]?.args).toEqual({ vms: [2], parts: [[0, 1, 2]] });
    expect(instance.objective).toEqual({ id: 'minimizeMTTR' });
  });

  it('round-trips losslessly', () => expectLosslessRoundTrip(instance));
});

describe('BtrPlace real example 2 (ban + preserve over a CPU view with defaults)', () => {
  let instance: Instance;
  beforeAll(() => {
    instance = fixture('ban-preserve.json');
  });

  it('applies the view defaults to every element', () => {
    const cpu = instance.model.resource('CPU');
    expect(cpu).toBeDefined();
    expect(cpu?.capacity(0)).toBe(7);
    expect(cpu?.capacity(1)).toBe(7);
    expect(cpu?.consumption(0)).toBe(2);
    expect([...(cpu?.definedNodes() ?? [])]).toEqual([]);
    expect(instance.model.usage(0, 'CPU')).toBe(2);
  });

  it('reads ban and preserve', () => {
    expect(instance.constraints.map((c) => [c.id, c.args])).toEqual([
      ['ban', { vm: 0, nodes: [0] }],
      ['ban', { vm: 1, nodes: [1] }],
      ['preserve', { vm: 0, rc: 'CPU', amount: 4 }],
      ['preserve', { vm: 1, rc: 'CPU', amount: 4 }],
    ]);
  });

  it('round-trips losslessly', () => expectLosslessRoundTrip(instance));
});

describe('BtrPlace real example 3 (issue #93: attributes, resourceCapacity, network view)', () => {
  let instance: Instance;
  beforeAll(() => {
    instance = fixture('issue93.json');
  });

  it('keeps integer attributes', () => {
    expect(instance.model.attributes.get('vm', 1, 'memUsed')).toBe(204);
  });

  it('keeps the network view verbatim', () => {
    expect(instance.model.opaqueViews).toHaveLength(1);
    const net = instance.model.opaqueViews[0] as Record<string, unknown>;
    expect(net['id']).toBe('net');
    expect(net['switches']).toEqual([{ id: 0, capacity: -1 }]);
    expect((net['links'] as unknown[]).length).toBe(3);
  });

  it('reads explicit capacities and consumptions', () => {
    const cpu = instance.model.resource('cpu');
    expect([0, 1, 2].map((n) => cpu?.capacity(n))).toEqual([8, 10, 10]);
    expect([0, 1, 2].map((v) => cpu?.consumption(v))).toEqual([8, 1, 1]);
    expect(instance.constraints[0]).toMatchObject({ id: 'resourceCapacity', continuous: false, args: { nodes: [0], rc: 'cpu', amount: 6 } });
  });

  it('round-trips losslessly, network view included', () => {
    expectLosslessRoundTrip(instance);
    const views = (modelToJson(instance.model)['views'] as Record<string, unknown>[]).map((v) => v['id']);
    expect(views).toEqual(['shareableResource', 'net']);
  });
});

describe('the seed instance', () => {
  let instance: Instance;
  beforeAll(() => {
    instance = fixture('seed.json');
  });
  let model: Model;
  beforeAll(() => {
    model = instance.model;
  });
  const vm = (name: string): number => model.vmNames?.resolve(name) ?? -1;
  const node = (name: string): number => model.nodeNames?.resolve(name) ?? -1;

  it('names 4 online nodes and 6 running VMs', () => {
    expect(model.mapping.onlineNodes().map((n) => model.nodeName(n))).toEqual(['N1', 'N2', 'N3', 'N4']);
    expect(model.mapping.allRunningVMs().map((v) => model.vmName(v)).sort()).toEqual(['VM1', 'VM2', 'VM3', 'VM4', 'VM5', 'VM6']);
    expect(instance.constraints).toEqual([]);
    expect(instance.objective.id).toBe('minimizeMTTR');
  });

  it('is set up so that the seed script forces changes', () => {
    // spread(VM[2..3]) is continuous: it must already hold, so VM2 and VM3 start apart
    expect(model.mapping.host(vm('VM2'))).not.toBe(model.mapping.host(vm('VM3')));
    // offline(@N4): N4 hosts VM3, which must leave
    expect(model.mapping.host(vm('VM3'))).toBe(node('N4'));
    // preserve(VM1, 'cpu', 3): VM1 has less, and its host has no spare cpu for the difference
    const cpu = model.resource('cpu');
    const host = model.mapping.host(vm('VM1')) ?? -1;
    expect(cpu?.consumption(vm('VM1'))).toBeLessThan(3);
    expect(model.usage(host, 'cpu') - (cpu?.consumption(vm('VM1')) ?? 0) + 3).toBeGreaterThan(cpu?.capacity(host) ?? 0);
    // and the initial state is viable: no node over capacity
    for (const n of model.mapping.onlineNodes()) {
      for (const rc of model.resources.values()) expect(model.usage(n, rc.id)).toBeLessThanOrEqual(rc.capacity(n));
    }
  });

  it('round-trips losslessly', () => expectLosslessRoundTrip(instance));
});

describe('modelToJson', () => {
  function sample(): Model {
    const mapping = new Mapping().addOnlineNode(0).addOnlineNode(1).addOfflineNode(2);
    mapping.addRunningVM(10, 0).addSleepingVM(11, 0).addReadyVM(12).addRunningVM(13, 1);
    const attributes = new Attributes()
      .put('vm', 10, 'template', 'tiny')
      .put('vm', 10, 'clone', true)
      .put('vm', 10, 'boot', 7)
      .put('vm', 10, 'hotDirtySize', 5.5)
      .put('node', 2, 'boot', 30)
      // an INIT VM, known through its attributes only
      .put('vm', 14, 'template', 'large');
    const cpu = new ShareableResource('cpu', 8, 1).setCapacity(1, 16).setConsumption(13, 4);
    const vmNames = new NamingService('vm');
    vmNames.register('web-1', 10);
    vmNames.register('__proto__', 11);
    const nodeNames = new NamingService('node');
    nodeNames.register('N1', 0);
    return new Model({ mapping, attributes, resources: [cpu], vmNames, nodeNames, opaqueViews: [{ id: 'net', switches: [], links: [], routing: { type: 'default' } }] });
  }

  it("writes BtrPlace's exact shape", () => {
    expect(JSON.parse(JSON.stringify(modelToJson(sample())))).toEqual({
      mapping: {
        offlineNodes: [2],
        readyVMs: [12],
        onlineNodes: { '0': { runningVMs: [10], sleepingVMs: [11] }, '1': { runningVMs: [13], sleepingVMs: [] } },
      },
      attributes: { nodes: { '2': { boot: 30 } }, vms: { '10': { template: 'tiny', clone: true, boot: 7, hotDirtySize: 5.5 }, '14': { template: 'large' } } },
      views: [
        { id: 'shareableResource', rcId: 'cpu', defCapacity: 8, defConsumption: 1, nodes: { '1': 16 }, vms: { '13': 4 } },
        { id: 'ns', type: 'vm', map: { 'web-1': 10, ['__proto__']: 11 } },
        { id: 'ns', type: 'node', map: { N1: 0 } },
        { id: 'net', switches: [], links: [], routing: { type: 'default' } },
      ],
    });
  });

  it('reads back an equal model, attribute types included', () => {
    const model = sample();
    const back = modelFromJson(JSON.parse(JSON.stringify(modelToJson(model))));
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(back.value.equals(model)).toBe(true);
    expect(back.value.attributes.getBoolean('vm', 10, 'clone')).toBe(true);
    expect(back.value.attributes.getString('vm', 10, 'template')).toBe('tiny');
    expect(back.value.attributes.getNumber('vm', 10, 'hotDirtySize')).toBe(5.5);
    expect(back.value.vmNames?.resolve('__proto__')).toBe(11);
    expect(back.value.knownVMs().has(14)).toBe(true);
    expect(back.value.vmState(14)).toBe('init');
  });

  it('detects a difference after a round trip (equals is not vacuous)', () => {
    const model = sample();
    const json = modelToJson(model) as { views: { vms?: Record<string, number> }[] };
    const cpuView = json.views[0];
    if (cpuView?.vms) cpuView.vms['13'] = 5;
    const back = modelFromJson(JSON.parse(JSON.stringify(json)));
    expect(back.ok && back.value.equals(model)).toBe(false);
  });

  it('does not share opaque views with the caller', () => {
    const raw = { mapping: { offlineNodes: [], readyVMs: [], onlineNodes: {} }, attributes: {}, views: [{ id: 'vendorView', links: [1] }] };
    const read = modelFromJson(raw);
    expect(read.ok).toBe(true);
    raw.views[0]!.links.push(2);
    if (read.ok) expect(read.value.opaqueViews).toEqual([{ id: 'vendorView', links: [1] }]);
  });
});

describe('BtrPlace reading quirks kept', () => {
  const base = (views: unknown[], attributes: unknown = { nodes: {}, vms: {} }): unknown => ({
    mapping: { offlineNodes: [], readyVMs: [], onlineNodes: { '0': { runningVMs: [0], sleepingVMs: [] } } },
    attributes,
    views,
  });

  it('accepts null vms/nodes tables and integer strings as amounts and naming ids', () => {
    const read = modelFromJson(
      base(
        [
          { id: 'shareableResource', rcId: 'mem', defCapacity: 4, defConsumption: 1, vms: null, nodes: { '0': '12' } },
          { id: 'ns', type: 'vm', map: { a: '0' } },
        ],
        { vms: null },
      ),
    );
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.value.resource('mem')?.capacity(0)).toBe(12);
    expect(read.value.vmNames?.resolve('a')).toBe(0);
  });

  it('reads an instance from parsed JSON and from text alike', () => {
    const text = readFileSync(join(FIXTURES, 'seed.json'), 'utf8');
    const fromValue = instanceFromJson(JSON.parse(text));
    const fromText = parseInstanceText(`\uFEFF${text}`);
    expect(fromValue.ok && fromText.ok && fromValue.value.model.equals(fromText.value.model)).toBe(true);
    const model = parseModelText(JSON.stringify((JSON.parse(text) as { model: unknown }).model));
    expect(model.ok).toBe(true);
  });
});
