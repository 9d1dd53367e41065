import { describe, expect, it } from 'vitest';

import { constraintFromJson } from '../../src/catalogue/registry.js';
import { instanceFromJson } from '../../src/instance/json.js';

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
