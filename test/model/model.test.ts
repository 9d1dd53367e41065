import { describe, expect, it } from 'vitest';

import {
  Attributes,
  Mapping,
  MappingError,
  Model,
  NamingService,
  ShareableResource,
  castAttribute,
  isVmTransitionAllowed,
} from '../../src/model/index.js';

describe('Mapping', () => {
  it('tracks hosts and states and moves VMs between nodes', () => {
    const m = new Mapping().addOnlineNode(0).addOnlineNode(1).addOfflineNode(2);
    m.addRunningVM(1, 0).addSleepingVM(2, 0).addReadyVM(3);
    expect(m.host(1)).toBe(0);
    expect(m.vmState(2)).toBe('sleeping');
    expect(m.host(3)).toBeUndefined();
    expect([...m.runningVMs(0)]).toEqual([1]);
    m.addRunningVM(1, 1);
    expect(m.host(1)).toBe(1);
    expect([...m.runningVMs(0)]).toEqual([]);
    expect(m.offlineNodes()).toEqual([2]);
  });

  it('refuses a VM on an offline node and a node going offline with VMs', () => {
    const m = new Mapping().addOnlineNode(0).addOfflineNode(1);
    expect(() => m.addRunningVM(1, 1)).toThrow(MappingError);
    m.addSleepingVM(2, 0);
    expect(() => m.addOfflineNode(0)).toThrow(/still hosts 1 running or sleeping/);
    expect(m.isOnline(0)).toBe(true);
  });

  it('clones deeply and compares by content', () => {
    const m = new Mapping().addOnlineNode(0).addOnlineNode(1).addRunningVM(5, 0);
    const c = m.clone();
    expect(c.equals(m)).toBe(true);
    c.addRunningVM(5, 1);
    expect(m.host(5)).toBe(0);
    expect(c.equals(m)).toBe(false);
  });

  it('removes VMs (killed or back to init)', () => {
    const m = new Mapping().addOnlineNode(0).addRunningVM(1, 0);
    expect(m.remove(1)).toBe(true);
    expect(m.hasVM(1)).toBe(false);
    expect(m.hostedCount(0)).toBe(0);
    expect(m.remove(1)).toBe(false);
  });
});

describe('states', () => {
  it('allows only BtrPlace transitions', () => {
    expect(isVmTransitionAllowed('ready', 'running')).toBe(true);
    expect(isVmTransitionAllowed('sleeping', 'ready')).toBe(false);
    expect(isVmTransitionAllowed('killed', 'running')).toBe(false);
    expect(isVmTransitionAllowed('init', 'ready')).toBe(true);
    expect(isVmTransitionAllowed('running', 'sleeping')).toBe(true);
  });
});

describe('Attributes', () => {
  it('casts strings like castAndPut', () => {
    expect(castAttribute('true')).toBe(true);
    expect(castAttribute('FALSE')).toBe(false);
    expect(castAttribute('12')).toBe(12);
    expect(castAttribute('7.5')).toBe(7.5);
    expect(castAttribute('tiny')).toBe('tiny');
  });

  it('keeps typed values per element and compares them', () => {
    const a = new Attributes().put('vm', 1, 'boot', 7).put('node', 2, 'rack', 'r1');
    expect(a.getNumber('vm', 1, 'boot')).toBe(7);
    expect(a.getString('vm', 1, 'boot')).toBeUndefined();
    const b = a.clone();
    expect(b.equals(a)).toBe(true);
    b.put('vm', 1, 'boot', 8);
    expect(b.equals(a)).toBe(false);
  });
});

describe('ShareableResource', () => {
  it('uses defaults and rejects negative values', () => {
    const r = new ShareableResource('cpu', 8, 1).setCapacity(0, 16).setConsumption(3, 4);
    expect(r.capacity(0)).toBe(16);
    expect(r.capacity(1)).toBe(8);
    expect(r.consumption(3)).toBe(4);
    expect(r.consumption(9)).toBe(1);
    expect(() => r.setCapacity(1, -1)).toThrow(RangeError);
  });
});

describe('Model', () => {
  it('computes usage from running VMs only and names elements', () => {
    const mapping = new Mapping().addOnlineNode(0).addRunningVM(1, 0).addRunningVM(2, 0).addSleepingVM(3, 0);
    const names = new NamingService('vm');
    names.register('VM1', 1);
    const model = new Model({ mapping, resources: [new ShareableResource('mem', 0, 4)], vmNames: names });
    expect(model.usage(0, 'mem')).toBe(8);
    expect(model.vmName(1)).toBe('VM1');
    expect(model.vmName(2)).toBe('vm#2');
    expect(model.nodeName(0)).toBe('node#0');
    expect(model.vmState(7)).toBe('init');
  });

  it('clone is independent and equal', () => {
    const model = new Model({ mapping: new Mapping().addOnlineNode(0).addRunningVM(1, 0), resources: [new ShareableResource('cpu', 4, 1)] });
    const copy = model.clone();
    expect(copy.equals(model)).toBe(true);
    copy.resource('cpu')?.setConsumption(1, 3);
    expect(model.resource('cpu')?.consumption(1)).toBe(1);
    expect(copy.equals(model)).toBe(false);
  });

  it('refuses a name already given to another element', () => {
    const ns = new NamingService('node');
    expect(ns.register('N1', 0)).toBe(true);
    expect(ns.register('N1', 1)).toBe(false);
    expect(ns.resolve('N1')).toBe(0);
  });
});
