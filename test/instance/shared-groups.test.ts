import { describe, expect, it } from 'vitest';

import { groupOf } from '../../src/catalogue/among/index.js';
import { constraintFromJson } from '../../src/catalogue/registry.js';
import { firstOverlap } from '../../src/catalogue/common/fields.js';
import { instanceFromJson, parseInstanceJsonText } from '../../src/instance/json.js';
import { parseJsonText } from '../../src/json/read.js';

/** Four online nodes 0..3, VMs 0..3 running one per node. */
function instance(constraints: unknown[]): unknown {
  const onlineNodes: Record<string, unknown> = {};
  for (let n = 0; n < 4; n++) onlineNodes[String(n)] = { runningVMs: [n], sleepingVMs: [] };
  return {
    model: { mapping: { offlineNodes: [], readyVMs: [], onlineNodes }, attributes: { nodes: {}, vms: {} }, views: [] },
    constraints,
    objective: { id: 'minimizeMTTR' },
  };
}

const among = (vms: number[], parts: unknown): unknown => ({ id: 'among', vms, parts, continuous: false });

describe('constraints repeating the same groups of nodes (TDSC files)', () => {
  it('reads equal groups once and keeps them equal', () => {
    const read = instanceFromJson(instance([among([0, 1], [[0, 1], [2, 3]]), among([2], [[0, 1], [2, 3]]), among([3], [[0, 1], [2], [3]])]));
    if (!read.ok) throw new Error(read.error.message);
    const [a, b, c] = read.value.constraints.map((x) => x.args as { parts: number[][] });
    expect(a?.parts).toEqual([[0, 1], [2, 3]]);
    expect(b?.parts).toEqual([[0, 1], [2, 3]]);
    expect(c?.parts).toEqual([[0, 1], [2], [3]]);
  });

  it('still refuses overlapping groups after equal valid ones', () => {
    const read = instanceFromJson(instance([among([0], [[0, 1], [2, 3]]), among([1], [[0, 1], [2, 3]]), among([2], [[0, 1], [1, 3]])]));
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.error.path).toBe('$.constraints[2].parts');
    expect(read.error.message).toContain('node#1');
  });

  it('refuses overlapping groups repeated by a second constraint too', () => {
    const read = instanceFromJson(instance([among([0], [[0, 1], [1, 3]]), among([1], [[0, 1], [1, 3]])]));
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.error.path).toBe('$.constraints[0].parts');
  });

  it('still refuses an undeclared node or a malformed id in a group after equal valid ones', () => {
    const unknown = instanceFromJson(instance([among([0], [[0, 1], [2, 3]]), among([1], [[0, 1], [2, 9]])]));
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.error.message).toContain('node#9');
    const malformed = instanceFromJson(instance([among([0], [[0, 1], [2, 3]]), among([1], [[0, 1], [2, '3']])]));
    expect(malformed.ok).toBe(false);
    if (!malformed.ok) expect(malformed.error.path).toBe('$.constraints[1].parts[1][1]');
  });
});

describe('group lookups', () => {
  it('finds the first group holding a node, -1 elsewhere', () => {
    const parts = [[4, 7], [1], [9, 7]];
    expect(groupOf(parts, 7)).toBe(0);
    expect(groupOf(parts, 1)).toBe(1);
    expect(groupOf(parts, 9)).toBe(2);
    expect(groupOf(parts, 2)).toBe(-1);
    expect(groupOf(parts, 100)).toBe(-1);
    expect(groupOf([[2_000_000_000], [3]], 2_000_000_000)).toBe(0);
    expect(groupOf([[2_000_000_000], [3]], 5)).toBe(-1);
  });

  it('finds overlaps in dense and sparse ids, call after call', () => {
    expect(firstOverlap([[0, 1], [2, 3]])).toBeUndefined();
    expect(firstOverlap([[0, 1], [2, 1]])).toBe(1);
    expect(firstOverlap([[0, 0], [2, 3]])).toBeUndefined();
    expect(firstOverlap([[5], [6]])).toBeUndefined();
    expect(firstOverlap([[2_000_000_000], [7, 2_000_000_000]])).toBe(2_000_000_000);
  });
});

describe('instance text repeating one long groups value', () => {
  const groups = JSON.stringify([Array.from({ length: 300 }, (_, i) => i), Array.from({ length: 300 }, (_, i) => 300 + i)]);
  const text = (constraints: string, extra = ''): string =>
    `{"model":{"mapping":{"offlineNodes":[],"readyVMs":[],"onlineNodes":{${Array.from({ length: 600 }, (_, n) => `"${n}":{"runningVMs":[],"sleepingVMs":[]}`).join(',')}}},"attributes":{"nodes":{},"vms":{}},"views":[${extra}]},"constraints":[${constraints}],"objective":{"id":"minimizeMTTR"}}`;

  it('parses to the same value as the plain parser', () => {
    const t = text(`{"id":"among","vms":[],"parts":${groups},"continuous":false},{"id":"among","vms":[],"parts":${groups},"continuous":true}`);
    const fast = parseInstanceJsonText(t);
    expect(fast.ok).toBe(true);
    if (fast.ok) expect(fast.value).toEqual(JSON.parse(t));
  });

  it('falls back when a copy is outside a constraint or the text is broken', () => {
    const t = text(`{"id":"among","vms":[],"parts":${groups},"continuous":false}`, `{"id":"x","parts":${groups}}`);
    const fast = parseInstanceJsonText(t);
    expect(fast.ok && fast.value).toEqual(JSON.parse(t));
    const broken = `${text(`{"id":"among","vms":[],"parts":${groups},"continuous":false},{"id":"among","vms":[],"parts":${groups},"continuous":false}`)}x`;
    const plain = parseJsonText(broken);
    expect(parseInstanceJsonText(broken)).toEqual(plain);
    expect(plain.ok).toBe(false);
  });
});

describe('one raw groups value shared by several constraints (identity within a read)', () => {
  it('takes one raw groups value met twice in a read as is, and reads it again once changed', () => {
    const parts = [[0, 1], [2, 3]];
    const raw = instance([among([0], parts), among([1], parts)]);
    const first = instanceFromJson(raw);
    if (!first.ok) throw new Error(first.error.message);
    const [a, b] = first.value.constraints.map((x) => x.args as { parts: number[][] });
    expect(a?.parts).toEqual([[0, 1], [2, 3]]);
    expect(b?.parts).toBe(a?.parts);
    // the caller changes its raw JSON between two reads: the second read sees the change
    parts[1] = [2, 1];
    const overlapping = instanceFromJson(raw);
    expect(overlapping.ok).toBe(false);
    if (!overlapping.ok) expect(overlapping.error.path).toBe('$.constraints[0].parts');
    parts[1] = [3, 2];
    const changed = instanceFromJson(raw);
    if (!changed.ok) throw new Error(changed.error.message);
    expect(changed.value.constraints.map((x) => (x.args as { parts: number[][] }).parts)).toEqual([
      [[0, 1], [3, 2]],
      [[0, 1], [3, 2]],
    ]);
  });

  it('reads a changed raw groups value again between two single constraint reads', () => {
    const parts = [[0, 1], [2, 3]];
    const first = constraintFromJson(among([0], parts), '$');
    expect('error' in first ? first.error : first.args['parts']).toEqual([[0, 1], [2, 3]]);
    parts[1] = [3];
    const second = constraintFromJson(among([0], parts), '$');
    expect('error' in second ? second.error : second.args['parts']).toEqual([[0, 1], [3]]);
  });

});
