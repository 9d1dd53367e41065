import { describe, expect, it } from 'vitest';

import { modelToJson } from '../../src/instance/json.js';
import { Attributes, Mapping, Model, NamingService, ShareableResource } from '../../src/model/index.js';

// A clone is equal to its original (same JSON, same listings) and independent of it: a change on
// one side, through any mutable part, never shows on the other. Clones copy their VM tables as
// arrays and share a registry of VM ids (mapping), or share maps until a change (the views).

function cluster(): Model {
  const mapping = new Mapping();
  const cpu = new ShareableResource('cpu', 8, 1);
  const vmNames = new NamingService('vm');
  const nodeNames = new NamingService('node');
  for (let n = 0; n < 4; n++) {
    mapping.addOnlineNode(n);
    nodeNames.register(`N${n}`, n);
    cpu.setCapacity(n, 16 + n);
  }
  mapping.addOfflineNode(4);
  for (let v = 0; v < 20; v++) {
    vmNames.register(`VM${v}`, v);
    cpu.setConsumption(v, 1 + (v % 3));
    if (v % 5 === 4) mapping.addReadyVM(v);
    else if (v % 7 === 6) mapping.addSleepingVM(v, v % 4);
    else mapping.addRunningVM(v, v % 4);
  }
  const attributes = new Attributes().put('vm', 3, 'migrate', 4).put('node', 1, 'boot', 9);
  return new Model({ mapping, attributes, resources: [cpu], vmNames, nodeNames, killedVMs: [30] });
}

const json = (m: Model): string => JSON.stringify(modelToJson(m));
/** Different models: by their JSON, or by what it does not carry (the killed VMs). */
const differ = (a: Model, b: Model): boolean => json(a) !== json(b) || !a.equals(b);

/** Every change a caller can make, through every mutable part of a model. */
const CHANGES: readonly [string, (m: Model) => void][] = [
  ['a VM migrates', (m) => m.mapping.addRunningVM(0, 3)],
  ['a VM is suspended', (m) => m.mapping.addSleepingVM(1, 1)],
  ['a VM stops (ready)', (m) => m.mapping.addRunningVM(2, 2).addReadyVM(2)],
  ['a VM leaves the mapping', (m) => m.mapping.remove(5)],
  ['a new VM is booted', (m) => m.mapping.addRunningVM(1000, 0)],
  ['a node goes offline', (m) => m.mapping.addRunningVM(3, 0).addRunningVM(7, 0).addRunningVM(11, 0).addRunningVM(15, 0).addRunningVM(19, 0).addSleepingVM(15, 0).addOfflineNode(3)],
  ['a node comes online', (m) => m.mapping.addOnlineNode(4)],
  ['a node is removed', (m) => m.mapping.removeNode(4)],
  ['a capacity changes', (m) => m.resource('cpu')?.setCapacity(0, 1)],
  ['a consumption changes', (m) => m.resource('cpu')?.setConsumption(0, 7)],
  ['a consumption is unset', (m) => m.resource('cpu')?.unsetConsumption(2)],
  ['a resource is added', (m) => m.addResource(new ShareableResource('mem', 4, 2))],
  ['an attribute is put', (m) => m.attributes.put('vm', 3, 'migrate', 40)],
  ['an attribute is cleared', (m) => m.attributes.clear('node', 1)],
  ['a VM is renamed', (m) => m.vmNames?.register('web', 0)],
  ['a node is renamed', (m) => m.nodeNames?.register('gateway', 1)],
  ['a VM is killed', (m) => m.killedVMs.add(31)],
];

describe('Model.clone: equal', () => {
  it('gives the same JSON and the same listings, in the same order', () => {
    const model = cluster();
    const copy = model.clone();
    expect(json(copy)).toBe(json(model));
    expect(copy.equals(model)).toBe(true);
    expect([...copy.mapping.vms()]).toEqual([...model.mapping.vms()]);
    expect(copy.mapping.readyVMs()).toEqual(model.mapping.readyVMs());
    expect(copy.mapping.allSleepingVMs()).toEqual(model.mapping.allSleepingVMs());
    for (const n of model.mapping.nodes()) expect([...copy.mapping.runningVMs(n)]).toEqual([...model.mapping.runningVMs(n)]);
  });
});

describe('Model.clone: independent', () => {
  for (const [what, change] of CHANGES) {
    it(`${what} on the copy leaves the original as it was`, () => {
      const model = cluster();
      const before = json(model);
      const copy = model.clone();
      change(copy);
      expect(differ(copy, model)).toBe(true);
      expect(json(model)).toBe(before);
      expect(model.equals(cluster())).toBe(true);
    });
    it(`${what} on the original leaves the copy as it was`, () => {
      const model = cluster();
      const copy = model.clone();
      change(model);
      expect(differ(model, copy)).toBe(true);
      expect(json(copy)).toBe(json(cluster()));
      expect(copy.equals(cluster())).toBe(true);
    });
  }

  it('keeps copies of copies apart, each adding VMs the others never saw', () => {
    const model = cluster();
    const a = model.clone();
    const b = a.clone();
    a.mapping.addRunningVM(500, 0);
    b.mapping.addReadyVM(600);
    b.mapping.addSleepingVM(500, 1);
    expect(model.mapping.hasVM(500)).toBe(false);
    expect(model.mapping.hasVM(600)).toBe(false);
    expect(a.mapping.vmState(500)).toBe('running');
    expect(a.mapping.hasVM(600)).toBe(false);
    expect(b.mapping.vmState(500)).toBe('sleeping');
    expect(b.mapping.host(500)).toBe(1);
    expect(b.mapping.vmState(600)).toBe('ready');
    expect(model.mapping.vmCount()).toBe(20);
    expect(a.mapping.vmCount()).toBe(21);
    expect(b.mapping.vmCount()).toBe(22);
  });
});

describe('Mapping: VM order and ids', () => {
  it('keeps insertion order as a Map would: a state change keeps the place, a removal then an add moves it last', () => {
    const m = new Mapping().addOnlineNode(0).addOnlineNode(1);
    m.addRunningVM(5, 0).addReadyVM(3).addSleepingVM(9, 1).addRunningVM(1, 1);
    m.addReadyVM(5); // same place
    m.remove(3);
    m.addRunningVM(3, 0); // last now
    expect([...m.vms()]).toEqual([5, 9, 1, 3]);
    expect(m.readyVMs()).toEqual([5]);
    expect(m.allRunningVMs()).toEqual([1, 3]);
    expect(m.allSleepingVMs()).toEqual([9]);
    expect(m.host(5)).toBeUndefined();
    expect(m.remove(3)).toBe(true);
    expect(m.remove(3)).toBe(false);
    expect(m.vmCount()).toBe(3);
  });

  it('keeps the order through many removals and additions (holes dropped as the list grows)', () => {
    const m = new Mapping().addOnlineNode(0);
    const expected: number[] = [];
    for (let round = 0; round < 5; round++) {
      for (let v = 0; v < 100; v++) {
        const id = round * 1000 + v;
        m.addRunningVM(id, 0);
        expected.push(id);
      }
      // remove every other VM added so far
      for (const id of expected.filter((_, i) => i % 2 === 0)) m.remove(id);
      expected.splice(0, expected.length, ...expected.filter((_, i) => i % 2 === 1));
    }
    expect([...m.vms()]).toEqual(expected);
    expect([...m.runningVMs(0)]).toEqual(expected);
    expect(m.vmCount()).toBe(expected.length);
    expect([...m.clone().vms()]).toEqual(expected);
  });

  it('takes the largest ids a file may hold, and ids far apart, without growing to their size', () => {
    const m = new Mapping().addOnlineNode(2147483647).addOnlineNode(0);
    m.addRunningVM(2147483647, 2147483647).addRunningVM(0, 0).addReadyVM(1_000_000_000);
    const c = m.clone();
    expect(c.host(2147483647)).toBe(2147483647);
    expect(c.vmState(1_000_000_000)).toBe('ready');
    expect([...c.vms()]).toEqual([2147483647, 0, 1_000_000_000]);
    expect(c.vmState(12)).toBeUndefined();
    expect(c.host(0)).toBe(0);
  });

  it('visits every VM once while VMs are removed during the iteration', () => {
    const m = new Mapping().addOnlineNode(0);
    for (let v = 0; v < 10; v++) m.addRunningVM(v, 0);
    const seen: number[] = [];
    for (const v of m.vms()) {
      seen.push(v);
      m.remove(v + 1);
    }
    expect(seen).toEqual([0, 2, 4, 6, 8]);
  });
});

describe('ShareableResource.withCapacitiesOf', () => {
  it('has these consumptions and those capacities, and changes on neither side show on the other', () => {
    const live = new ShareableResource('cpu', 100, 1).setCapacity(0, 50).setConsumption(3, 4);
    const original = new ShareableResource('cpu', 8, 2).setCapacity(0, 6).setCapacity(1, 7);
    const mixed = live.withCapacitiesOf(original, original.defaultCapacity);
    expect(mixed.capacity(0)).toBe(6);
    expect(mixed.capacity(1)).toBe(7);
    expect(mixed.capacity(9)).toBe(8);
    expect(mixed.consumption(3)).toBe(4);
    expect(mixed.consumption(9)).toBe(1);
    mixed.setCapacity(1, 70);
    mixed.setConsumption(3, 40);
    original.setCapacity(0, 60);
    live.setConsumption(4, 5);
    expect(original.capacity(1)).toBe(7);
    expect(live.consumption(3)).toBe(4);
    expect(mixed.capacity(0)).toBe(6);
    expect(mixed.hasConsumption(4)).toBe(false);
    const lifted = live.withCapacitiesOf(undefined, Number.MAX_SAFE_INTEGER);
    expect([...lifted.definedNodes()]).toEqual([]);
    expect(lifted.capacity(0)).toBe(Number.MAX_SAFE_INTEGER);
    expect(lifted.consumption(4)).toBe(5);
  });
});
