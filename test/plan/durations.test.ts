import { describe, expect, it } from 'vitest';

import { ACTION_KINDS } from '../../src/plan/actions.js';
import { DurationError, DurationModel, constantDuration, linearToResource, memoryOverBandwidth } from '../../src/plan/durations.js';
import { buildModel } from './support.js';

const model = () =>
  buildModel({
    on: { N1: ['VM1', 'VM2'], N2: ['VM3'] },
    off: ['N3'],
    rc: { mem: { cap: { N1: 64, N2: 32 }, cons: { VM1: 4, VM2: 2, VM3: 0 } } },
  });

describe('DurationModel.defaults (BtrPlace newBundle)', () => {
  it('makes every action last 1 s', () => {
    const d = DurationModel.defaults();
    const mo = model();
    for (const kind of ACTION_KINDS) {
      const element = kind === 'bootNode' || kind === 'shutdownNode' ? 3 : 1;
      expect(d.duration(kind, element, mo), kind).toBe(1);
    }
  });

  it('takes the per-element attribute of the action, boot/shutdown serving VMs and nodes', () => {
    const mo = model();
    mo.attributes.put('vm', 1, 'migrate', 12).put('vm', 2, 'boot', 5).put('node', 3, 'boot', 7).put('node', 1, 'shutdown', 9);
    mo.attributes.put('vm', 2, 'shutdown', 4).put('vm', 1, 'suspend', 6).put('vm', 1, 'resume', 8).put('vm', 1, 'kill', 2);
    mo.attributes.put('vm', 1, 'forge', 3).put('vm', 1, 'allocate', 11);
    const d = DurationModel.defaults();
    expect(d.duration('migrateVM', 1, mo)).toBe(12);
    expect(d.duration('migrateVM', 2, mo)).toBe(1);
    expect(d.duration('bootVM', 2, mo)).toBe(5);
    expect(d.duration('bootNode', 3, mo)).toBe(7);
    // the node's `boot` does not leak onto the VM with the same id, nor the reverse
    expect(d.duration('bootVM', 3, mo)).toBe(1);
    expect(d.duration('bootNode', 2, mo)).toBe(1);
    expect(d.duration('shutdownNode', 1, mo)).toBe(9);
    expect(d.duration('shutdownVM', 2, mo)).toBe(4);
    expect(d.duration('shutdownVM', 1, mo)).toBe(1);
    expect(d.duration('suspendVM', 1, mo)).toBe(6);
    expect(d.duration('resumeVM', 1, mo)).toBe(8);
    expect(d.duration('killVM', 1, mo)).toBe(2);
    expect(d.duration('forgeVM', 1, mo)).toBe(3);
    expect(d.duration('allocate', 1, mo)).toBe(11);
  });

  it('refuses durations that are not positive whole seconds', () => {
    const mo = model();
    mo.attributes.put('vm', 1, 'migrate', 0).put('vm', 2, 'migrate', -3).put('vm', 3, 'migrate', 'fast').put('node', 1, 'boot', 2.5);
    const d = DurationModel.defaults();
    expect(() => d.duration('migrateVM', 1, mo)).toThrow(DurationError);
    expect(() => d.duration('migrateVM', 2, mo)).toThrow(/evaluates to -3/);
    expect(() => d.duration('migrateVM', 3, mo)).toThrow(DurationError);
    expect(() => d.duration('bootNode', 1, mo)).toThrow(DurationError);
    const r = d.tryDuration('migrateVM', 1, mo);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('VM1');
  });

  it('refuses an action kind without an evaluator', () => {
    expect(() => new DurationModel().duration('migrateVM', 1, model())).toThrow(/no duration model/);
  });
});

describe('evaluators', () => {
  it('constant', () => {
    const d = DurationModel.defaults().register('migrateVM', constantDuration(20));
    expect(d.duration('migrateVM', 1, model())).toBe(20);
  });

  it('linear to a resource: round(a × consumption + b), capacity for nodes (ModelCustomization: mem 2 → 7 s)', () => {
    const mo = model();
    const d = DurationModel.defaults().register('migrateVM', linearToResource('mem', 2, 3)).register('shutdownNode', linearToResource('mem', 0.1, 0));
    expect(d.duration('migrateVM', 2, mo)).toBe(7);
    expect(d.duration('migrateVM', 1, mo)).toBe(11);
    expect(d.duration('shutdownNode', 1, mo)).toBe(6); // round(6.4)
    expect(d.duration('shutdownNode', 2, mo)).toBe(3); // round(3.2)
    // VM3 consumes 0 and b = 0 would give 0: an error, never 0 s
    const zero = DurationModel.defaults().register('migrateVM', linearToResource('mem', 2));
    expect(() => zero.duration('migrateVM', 3, mo)).toThrow(DurationError);
    // a rounding half-way goes up, like Java's Math.round
    const half = DurationModel.defaults().register('migrateVM', linearToResource('mem', 1.25));
    expect(half.duration('migrateVM', 2, mo)).toBe(3); // 2.5 → 3
  });

  it('linear to a missing resource is an error; a negative base is refused upfront', () => {
    const d = DurationModel.defaults().register('migrateVM', linearToResource('cpu', 1, 1));
    expect(() => d.duration('migrateVM', 1, model())).toThrow(DurationError);
    expect(() => linearToResource('mem', 1, -1)).toThrow(RangeError);
  });

  it('the element attribute still wins over a registered evaluator, unless asked otherwise', () => {
    const mo = model();
    mo.attributes.put('vm', 1, 'migrate', 42);
    expect(DurationModel.defaults().register('migrateVM', linearToResource('mem', 2, 3)).duration('migrateVM', 1, mo)).toBe(42);
    expect(DurationModel.defaults().register('migrateVM', linearToResource('mem', 2, 3), { attributeOverride: false }).duration('migrateVM', 1, mo)).toBe(11);
  });

  it('memory over bandwidth: ceil(GiB × 8 / Gbit/s) with the source node link speed', () => {
    const mo = model();
    mo.attributes.put('node', 1, 'linkGbps', 10);
    const d = DurationModel.defaults().register('migrateVM', memoryOverBandwidth());
    expect(d.duration('migrateVM', 1, mo)).toBe(4); // 4 GiB × 8 / 10 = 3.2 → 4
    expect(d.duration('migrateVM', 2, mo)).toBe(2); // 1.6 → 2
    expect(d.duration('migrateVM', 3, mo)).toBe(1); // no memory: at least 1 s
    mo.resource('mem')?.setConsumption(3, 5);
    expect(d.duration('migrateVM', 3, mo)).toBe(40); // N2 has no link attribute: 1 Gbit/s
    const mib = DurationModel.defaults().register('migrateVM', memoryOverBandwidth({ unitsPerGiB: 1024, defaultGbps: 25, linkAttribute: 'nic' }));
    mo.resource('mem')?.setConsumption(3, 8192);
    expect(mib.duration('migrateVM', 3, mo)).toBe(3); // 8 GiB × 8 / 25 = 2.56 → 3
    mo.attributes.put('node', 2, 'nic', 100);
    expect(mib.duration('migrateVM', 3, mo)).toBe(1); // 0.64 → 1
    mo.attributes.put('node', 2, 'nic', 64);
    expect(mib.duration('migrateVM', 3, mo)).toBe(1); // exactly 1
  });
});
