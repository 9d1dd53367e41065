import { describe, expect, it } from 'vitest';

import { Attributes, Mapping, Model, NamingService, ShareableResource } from '../../src/model/index.js';

// Clones share their tables until one side changes (copy on write): each side must still only
// ever see its own changes, whichever side changes first, and through chains of clones.
describe('copy-on-write clones', () => {
  it('Attributes: a change on either side stays on that side', () => {
    const a = new Attributes().put('vm', 1, 'boot', 3).put('node', 0, 'linkGbps', 10);
    const b = a.clone();
    const c = b.clone();
    b.put('vm', 1, 'boot', 7);
    a.put('vm', 2, 'template', 'db');
    c.clear('node', 0);
    expect(a.get('vm', 1, 'boot')).toBe(3);
    expect(a.get('vm', 2, 'template')).toBe('db');
    expect(a.get('node', 0, 'linkGbps')).toBe(10);
    expect(b.get('vm', 1, 'boot')).toBe(7);
    expect(b.get('vm', 2, 'template')).toBeUndefined();
    expect(b.get('node', 0, 'linkGbps')).toBe(10);
    expect(c.get('vm', 1, 'boot')).toBe(3);
    expect(c.get('node', 0, 'linkGbps')).toBeUndefined();
    // the inner per-element maps are not shared either
    const d = a.clone();
    d.put('vm', 1, 'shutdown', 2);
    expect(a.keys('vm', 1)).toEqual(['boot']);
    expect(d.keys('vm', 1)).toEqual(['boot', 'shutdown']);
  });

  it('ShareableResource: capacities and consumptions are copied on the first change', () => {
    const r = new ShareableResource('cpu', 8, 1).setCapacity(0, 4).setConsumption(5, 2);
    const copy = r.clone();
    copy.setConsumption(5, 3);
    copy.setCapacity(1, 16);
    expect(r.consumption(5)).toBe(2);
    expect(r.hasCapacity(1)).toBe(false);
    expect(copy.consumption(5)).toBe(3);
    expect(copy.capacity(1)).toBe(16);
    const again = r.clone();
    r.unsetConsumption(5);
    r.unsetCapacity(0);
    expect(r.consumption(5)).toBe(1);
    expect(r.capacity(0)).toBe(8);
    expect(again.consumption(5)).toBe(2);
    expect(again.capacity(0)).toBe(4);
    expect([...again.definedVMs()]).toEqual([5]);
  });

  it('NamingService: a registration after a clone stays on its side', () => {
    const ns = new NamingService('vm');
    ns.register('VM1', 1);
    const copy = ns.clone();
    expect(copy.register('web', 1)).toBe(true);
    expect(ns.register('VM2', 2)).toBe(true);
    expect(ns.nameOf(1)).toBe('VM1');
    expect(ns.resolve('web')).toBeUndefined();
    expect(copy.nameOf(1)).toBe('web');
    expect(copy.resolve('VM1')).toBeUndefined();
    expect(copy.resolve('VM2')).toBeUndefined();
    expect([...ns.entries()]).toEqual([
      ['VM1', 1],
      ['VM2', 2],
    ]);
  });

  it('Model: a clone changed through every view leaves the original equal to a fresh copy', () => {
    const build = (): Model => {
      const names = new NamingService('vm');
      names.register('VM1', 1);
      return new Model({
        mapping: new Mapping().addOnlineNode(0).addOnlineNode(1).addRunningVM(1, 0),
        attributes: new Attributes().put('vm', 1, 'migrate', 4),
        resources: [new ShareableResource('mem', 16, 2)],
        vmNames: names,
      });
    };
    const model = build();
    const copy = model.clone();
    copy.mapping.addRunningVM(1, 1);
    copy.attributes.put('vm', 1, 'migrate', 9);
    copy.resource('mem')?.setConsumption(1, 8);
    copy.vmNames?.register('VM1bis', 1);
    expect(model.equals(build())).toBe(true);
    expect(copy.equals(model)).toBe(false);
  });
});

describe('Attributes.putAll', () => {
  it('is put key by key, and creates nothing for no keys', () => {
    const a = new Attributes();
    a.putAll('vm', 3, []);
    expect(a.elements('vm')).toEqual([]);
    a.putAll('vm', 3, [
      ['boot', 2],
      ['template', 'db'],
    ]);
    const b = new Attributes().put('vm', 3, 'boot', 2).put('vm', 3, 'template', 'db');
    expect(a.equals(b)).toBe(true);
    expect(a.entries('vm', 3)).toEqual(b.entries('vm', 3));
    const c = a.clone();
    c.putAll('vm', 3, [['boot', 9]]);
    expect(a.get('vm', 3, 'boot')).toBe(2);
    expect(c.get('vm', 3, 'boot')).toBe(9);
  });
});

describe('Mapping.clone', () => {
  it('lists nodes, VMs and the VMs of each node in the original order, and is independent', () => {
    const m = new Mapping().addOnlineNode(2).addOnlineNode(0).addOfflineNode(5).addOnlineNode(1);
    m.addRunningVM(7, 0).addRunningVM(3, 0).addSleepingVM(9, 2).addRunningVM(4, 2).addReadyVM(8);
    // moves reorder the VMs of a node (7 leaves node 0 and comes back last)
    m.addRunningVM(7, 1).addRunningVM(7, 0).addOfflineNode(1).addOnlineNode(1);
    const c = m.clone();
    expect(c.equals(m)).toBe(true);
    expect([...c.nodes()]).toEqual([...m.nodes()]);
    expect([...c.vms()]).toEqual([...m.vms()]);
    for (const n of m.nodes()) {
      expect([...c.runningVMs(n)]).toEqual([...m.runningVMs(n)]);
      expect([...c.sleepingVMs(n)]).toEqual([...m.sleepingVMs(n)]);
    }
    expect([...c.runningVMs(0)]).toEqual([3, 7]);
    c.addRunningVM(3, 1);
    c.addOfflineNode(5);
    expect(m.host(3)).toBe(0);
    expect([...m.runningVMs(1)]).toEqual([]);
    expect(c.host(3)).toBe(1);
  });
});

describe('NamingService.ids', () => {
  it('lists each named element once, renamed ones included', () => {
    const ns = new NamingService('node');
    ns.register('N1', 1);
    ns.register('N2', 2);
    ns.register('gateway', 1);
    expect([...ns.ids()].sort()).toEqual([1, 2]);
    expect([...ns.entries()].map(([, id]) => id).sort()).toEqual([1, 2]);
  });
});
