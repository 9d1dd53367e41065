/**
 * Building constraints from scripts through the real catalogue: BtrPlace's builder one-liners
 * (btrpsl/src/test/java/.../constraint/*BuilderTest.java) with their expected results, the
 * rejected ones with located, worded diagnostics, and the seed example.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import type { ParamKind } from '../../src/catalogue/constraint.js';
import { CATALOGUE } from '../../src/catalogue/registry.js';
import { parseScript } from '../../src/dsl/script.js';
import { parseInstanceText } from '../../src/instance/json.js';
import { namedModel, range } from './support.js';

const model = namedModel({ vms: range('VM', 1, 10), nodes: range('N', 1, 10), resources: ['cpu', 'mem', 'bar', 'foo'] });
const build = (text: string) => parseScript(text, { model });
const errors = (text: string): string[] =>
  build(text)
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => `${d.line}:${d.column}-${d.endColumn} ${d.message}`);

describe('the catalogue as seen by scripts', () => {
  it("has the 27 BtrPlace constraints and Ferry's maxMigrations, 27 script names (before is shared)", () => {
    expect(CATALOGUE).toHaveLength(28);
    expect(new Set(CATALOGUE.map((d) => d.script.name)).size).toBe(27);
    expect(CATALOGUE.filter((d) => d.script.name === 'before').map((d) => d.id).sort()).toEqual(['Deadline', 'Precedence']);
  });

  // one sample value per parameter kind; every entry must build from a script and format back to it
  const sample: Record<ParamKind, string> = {
    vm: 'VM1',
    vms: '{VM1, VM2}',
    orderedVms: '{VM2, VM1}',
    node: '@N1',
    nodes: '{@N1, @N2}',
    vmParts: '{{VM1}, {VM2}}',
    nodeParts: '{{@N1}, {@N2}}',
    int: '1',
    number: '1',
    string: '"cpu"',
    timestamp: '"+00:00:30"',
  };
  for (const def of CATALOGUE) {
    it(`builds ${def.id} from ${def.script.name}(...) and formats it back`, () => {
      // Precedence refuses a VM before itself: give its two sets distinct VMs
      const call = def.id === 'Precedence' ? 'before({VM1, VM2}, {VM3});' : `${def.script.name}(${def.script.params.map((p) => sample[p.kind]).join(', ')});`;
      const r = build(call);
      expect(r.diagnostics.filter((d) => d.severity === 'error'), call).toEqual([]);
      expect(r.constraints.length).toBeGreaterThan(0);
      expect(r.constraints.every((c) => c.id === def.id)).toBe(true);
      const names = { vm: (id: number) => model.vmName(id), node: (id: number) => model.nodeName(id) };
      const again = build(r.constraints.map((c) => `${def.script.format(c, names)};`).join('\n'));
      expect(again.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(again.constraints).toEqual(r.constraints);
    });
  }
});

describe("BtrPlace's builder one-liners", () => {
  it('>>spread(VM[1..5]) gives one discrete spread over 5 VMs', () => {
    expect(build('>>spread(VM[1..5]);').constraints).toEqual([{ id: 'spread', continuous: false, args: { vms: [0, 1, 2, 3, 4] } }]);
  });

  it('spread is continuous unless >> (btrpsl forces the continuous mode when supported)', () => {
    expect(build('spread(VM[1..2]);').constraints[0]?.continuous).toBe(true);
  });

  it('ban({VM1,VM2},@N[1..10]) gives 2 continuous bans over 10 nodes', () => {
    const r = build('ban({VM1,VM2},@N[1..10]);');
    expect(r.constraints).toEqual([0, 1].map((vm) => ({ id: 'ban', continuous: true, args: { vm, nodes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] } })));
  });

  it('>>among(VM[1..5],@N[1..10] / 2) gives an among with 2 groups of 5 nodes', () => {
    const r = build('>>among(VM[1..5],@N[1..10] / 2);');
    expect(r.constraints).toEqual([{ id: 'among', continuous: false, args: { vms: [0, 1, 2, 3, 4], parts: [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]] } }]);
  });

  it('>>resourceCapacity(@N[1..3],"bar", 7-5%2) has amount 6', () => {
    expect(build('>>resourceCapacity(@N[1..3],"bar", 7-5%2);').constraints).toEqual([{ id: 'resourceCapacity', continuous: false, args: { nodes: [0, 1, 2], rc: 'bar', amount: 6 } }]);
  });

  it('expands a VM set where one VM is expected, and a node set where one node is expected', () => {
    expect(build('running(VM[1..3]);').constraints.map((c) => c.args)).toEqual([{ vm: 0 }, { vm: 1 }, { vm: 2 }]);
    expect(build('offline(@N[1..3]);').constraints.map((c) => c.args)).toEqual([{ node: 0 }, { node: 1 }, { node: 2 }]);
    expect(build('preserve(VM[1..2], "cpu", 3);').constraints).toHaveLength(2);
  });

  it('tells the two before forms apart by their arguments', () => {
    const r = build('before(VM[1..2], VM3);\nbefore(VM4, "+00:01:00");');
    expect(r.constraints.map((c) => [c.id, c.args])).toEqual([
      ['Precedence', { vm1: 0, vm2: 2 }],
      ['Precedence', { vm1: 1, vm2: 2 }],
      ['Deadline', { vm: 3, timestamp: '+00:01:00' }],
    ]);
  });

  it('keeps the order of seq', () => {
    expect(build('seq({VM3, VM1, VM2});').constraints[0]?.args).toEqual({ vms: [2, 0, 1] });
  });
});

describe('rejected scripts: located and worded', () => {
  it('spread(@N[1..10]) — nodes where VMs are expected', () => {
    expect(errors('spread(@N[1..10]);')).toEqual(['1:8-17 spread expects a set of VMs as argument 1 (vms), got a set of nodes']);
  });

  it('resourceCapacity(@N[1..3],"foo", 3.2) — a real where an integer is expected', () => {
    const e = errors('resourceCapacity(@N[1..3],"foo", 3.2);');
    expect(e).toHaveLength(1);
    expect(e[0]).toMatch(/^1:34-37 .*integer.*3\.2/);
  });

  it('maxOnline({@N2}, -2) — a negative amount', () => {
    const e = errors('maxOnline({@N2}, -2);');
    expect(e).toHaveLength(1);
    expect(e[0]).toMatch(/^1:18-20 .*amount.*-2/);
  });

  it('unknown constraints, with a suggestion or the modern name', () => {
    const r = build('sprad(VM1);\ncapacity({@N1}, 3);');
    expect(r.diagnostics.map((d) => [d.message, d.suggestion, d.code])).toEqual([
      ["unknown constraint 'sprad'; did you mean spread?", 'spread', 'unknown-constraint'],
      ["'capacity' is an old BtrPlace name; today's constraint is 'runningCapacity'", 'runningCapacity', 'unknown-constraint'],
    ]);
  });

  it('wrong arity', () => {
    expect(errors('spread(VM1, VM2);')).toEqual(['1:8-16 spread takes 1 argument (vms), got 2']);
    expect(errors('before(VM1);')[0]).toMatch(/before takes 2 arguments \(.*\) or 2 arguments \(.*\), got 1/);
  });

  it('unknown resources, with the closest id', () => {
    const r = build('preserve(VM1, "cpuu", 3);');
    expect(r.diagnostics.map((d) => [d.column, d.message, d.suggestion])).toEqual([[15, "no resource 'cpuu' in this instance; did you mean 'cpu'?", 'cpu']]);
    const bare = parseScript('overbook(@N1, "cpu", 2);', { model: namedModel({ nodes: ['N1'] }) });
    expect(bare.diagnostics.map((d) => d.message)).toEqual(["no resource 'cpu' in this instance (it defines none)"]);
  });

  it('>> on a constraint without a discrete mode', () => {
    expect(errors('>>root(VM1);')).toEqual(["1:1-13 Discrete restriction is not supported by constraint 'root': it is always continuous; remove '>>'"]);
  });

  it('unknown VMs and nodes, with the closest name', () => {
    const r = build('spread({VM12, VM3});\nban(VM1, @M4);');
    expect(r.diagnostics.map((d) => [d.line, d.column, d.message, d.suggestion])).toEqual([
      [1, 9, "unknown VM 'VM12'; did you mean VM2?", 'VM2'],
      [2, 10, "unknown node '@M4'; did you mean @N4?", '@N4'],
    ]);
  });

  it('empty sets and parts of the wrong kind', () => {
    expect(errors('spread(VM[1..3] - VM[1..3]);')).toEqual(['1:8-27 spread expects a non-empty set as argument 1 (vms)']);
    expect(errors('among(VM1, @N[1..4]);')).toEqual(['1:12-20 among expects a set of sets of nodes as argument 2 (parts), got a set of nodes']);
  });
});

describe('the seed example', () => {
  const seedScript = (): string => {
    const shipped = fileURLToPath(new URL('../../examples/seed/seed.btrp', import.meta.url));
    return readFileSync(existsSync(shipped) ? shipped : fileURLToPath(new URL('../fixtures/scripts/seed.btrp', import.meta.url)), 'utf8');
  };
  const seedModel = () => {
    const file = fileURLToPath(new URL('../fixtures/instances/seed.json', import.meta.url));
    if (existsSync(file)) {
      const parsed = parseInstanceText(readFileSync(file, 'utf8'));
      if (parsed.ok) return parsed.value.model;
    }
    return namedModel({ vms: range('VM', 1, 6), nodes: range('N', 1, 4), resources: ['cpu', 'mem'] });
  };

  it('builds spread(VM2, VM3), preserve(VM1, cpu, 3) and offline(N4) against VMs named VM1..VM6', () => {
    const m = seedModel();
    const r = parseScript(seedScript(), { model: m });
    expect(r.diagnostics).toEqual([]);
    const vm = (n: string) => m.vmNames?.resolve(n);
    const node = (n: string) => m.nodeNames?.resolve(n) ?? m.nodeNames?.resolve(`@${n}`);
    expect(r.constraints).toEqual([
      { id: 'spread', continuous: true, args: { vms: [vm('VM2'), vm('VM3')] } },
      { id: 'preserve', continuous: false, args: { vm: vm('VM1'), rc: 'cpu', amount: 3 } },
      { id: 'offline', continuous: false, args: { node: node('N4') } },
    ]);
  });
});
