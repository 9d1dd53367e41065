import { describe, expect, it } from 'vitest';

import { instanceFromJson, modelFromJson } from '../../src/instance/json.js';

// Element ids used as object keys must be canonical decimal integers from 0 to 2^31 - 1.
function withOnlineKey(key: string): unknown {
  return { mapping: { offlineNodes: [], readyVMs: [], onlineNodes: { [key]: { runningVMs: [], sleepingVMs: [] } } }, attributes: { nodes: {}, vms: {} }, views: [] };
}

describe('element ids as object keys', () => {
  it.each(['0', '7', '10', '2147483647'])('accepts %j', (key) => {
    const read = modelFromJson(withOnlineKey(key));
    expect(read.ok).toBe(true);
    if (read.ok) expect([...read.value.mapping.nodes()]).toEqual([Number(key)]);
  });

  it.each(['', '00', '07', '-1', '+1', ' 1', '1 ', '1e1', '1.0', '0x1', '2147483648', '9999999999', '12345678901', 'N1', '１'])('refuses %j', (key) => {
    const read = modelFromJson(withOnlineKey(key));
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.error.message).toMatch(/expected a node id \(an integer from 0 to 2147483647\) as key/);
  });
});

describe('elements a constraint may mention', () => {
  // a VM or node is known when the mapping, the attributes, a resource view or a naming view mentions it
  const model = {
    mapping: { offlineNodes: [3], readyVMs: [1], onlineNodes: { '0': { runningVMs: [2], sleepingVMs: [] } } },
    attributes: { nodes: { '5': { rack: 'r1' } }, vms: { '10': { template: 'tiny' } } },
    views: [
      { id: 'shareableResource', rcId: 'cpu', defCapacity: 8, defConsumption: 1, nodes: { '6': 4 }, vms: { '11': 2 } },
      { id: 'ns', type: 'vm', map: { web: 12 } },
      { id: 'ns', type: 'node', map: { N7: 7 } },
    ],
  };
  const withConstraint = (constraint: unknown, extra: (m: typeof model) => unknown = (m) => m): unknown => ({ model: extra(structuredClone(model)), constraints: [constraint], objective: { id: 'minimizeMTTR' } });

  it.each([1, 2, 10, 11, 12])('knows VM %i', (vm) => {
    expect(instanceFromJson(withConstraint({ id: 'ready', vm })).ok).toBe(true);
  });
  it.each([0, 3, 5, 6, 7])('knows node %i', (node) => {
    expect(instanceFromJson(withConstraint({ id: 'ban', vm: 2, nodes: [node], continuous: false })).ok).toBe(true);
  });
  it.each([0, 3, 13, 100000])('does not know VM %i', (vm) => {
    const read = instanceFromJson(withConstraint({ id: 'ready', vm }));
    expect(read.ok ? '' : read.error.message).toBe(`vm#${vm} is not declared in the model`);
  });
  it('knows sparse ids too (ids far apart)', () => {
    const sparse = (m: typeof model): unknown => ({ ...m, attributes: { nodes: {}, vms: { '2000000000': { template: 'big' } } } });
    expect(instanceFromJson(withConstraint({ id: 'ready', vm: 2000000000 }, sparse)).ok).toBe(true);
    expect(instanceFromJson(withConstraint({ id: 'ready', vm: 1 }, sparse)).ok).toBe(true);
    const read = instanceFromJson(withConstraint({ id: 'ready', vm: 1999999999 }, sparse));
    expect(read.ok ? '' : read.error.message).toBe('vm#1999999999 is not declared in the model');
  });
});
