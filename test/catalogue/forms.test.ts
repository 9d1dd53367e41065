import { describe, expect, it } from 'vitest';

import type { Constraint } from '../../src/catalogue/constraint.js';
import { CATALOGUE, constraintFromJson, constraintToJson, definitionOf } from '../../src/catalogue/registry.js';
import { NAMES, SAMPLES } from './samples.js';

const entries = CATALOGUE.map((d) => [d.id, d] as const);

function readOk(raw: unknown): Constraint {
  const r = constraintFromJson(raw, '$.constraints[0]');
  if ('error' in r) throw new Error(`${r.path}: ${r.error}`);
  return r;
}

function readErr(raw: unknown): { error: string; path: string } {
  const r = constraintFromJson(raw, '$.constraints[0]');
  if (!('error' in r)) throw new Error(`expected an error, read ${JSON.stringify(r)}`);
  return r;
}

describe.each(entries)('%s JSON form', (id, def) => {
  const samples = SAMPLES[id] ?? [];
  const bothModes = def.modes.discrete && def.modes.continuous;

  it('round-trips every sample', () => {
    for (const s of samples) {
      const json = constraintToJson(s.constraint);
      expect(json['id']).toBe(id);
      // through text, as a file would
      expect(readOk(JSON.parse(JSON.stringify(json)))).toEqual(s.constraint);
    }
  });

  it("writes BtrPlace's converter fields, `continuous` where BtrPlace writes it", () => {
    const s = samples[0];
    if (!s) throw new Error('no sample');
    const json = constraintToJson(s.constraint);
    const fieldKeys = Object.keys(s.constraint.args).sort();
    const writesContinuous = bothModes || ['noDelay', 'Deadline', 'Precedence', 'Serialize', 'Sync'].includes(id);
    expect(Object.keys(json).sort()).toEqual(['id', ...fieldKeys, ...(writesContinuous ? ['continuous'] : [])].sort());
    if (!bothModes && writesContinuous) expect(json['continuous']).toBe(false);
  });

  it('reports a missing field at its path', () => {
    const s = samples[0];
    if (!s) throw new Error('no sample');
    for (const key of Object.keys(s.constraint.args)) {
      const json = constraintToJson(s.constraint);
      delete json[key];
      expect(readErr(json)).toEqual({ path: `$.constraints[0].${key}`, error: 'required field is missing' });
    }
  });

  it('reports a field of the wrong type at its path', () => {
    const s = samples[0];
    if (!s) throw new Error('no sample');
    for (const key of Object.keys(s.constraint.args)) {
      const json = { ...constraintToJson(s.constraint), [key]: typeof s.constraint.args[key] === 'string' ? 42 : 'oops' };
      const e = readErr(json);
      expect(e.path).toBe(`$.constraints[0].${key}`);
      expect(e.error).toMatch(/^expected /);
    }
  });

  it('reports a bad element id inside a set, at its index', () => {
    const s = samples[0];
    if (!s) throw new Error('no sample');
    const key = Object.keys(s.constraint.args).find((k) => Array.isArray(s.constraint.args[k]));
    if (!key) return;
    const value = s.constraint.args[key] as unknown[];
    const bad = Array.isArray(value[0]) ? [[-1]] : [0, -1];
    const e = readErr({ ...constraintToJson(s.constraint), [key]: bad });
    expect(e.path).toBe(Array.isArray(value[0]) ? `$.constraints[0].${key}[0][0]` : `$.constraints[0].${key}[1]`);
  });

  it(bothModes ? 'requires `continuous` (both modes exist)' : 'takes an optional `continuous` and keeps its only mode', () => {
    const s = samples[0];
    if (!s) throw new Error('no sample');
    const json = constraintToJson(s.constraint);
    delete json['continuous'];
    if (bothModes) {
      expect(readErr(json)).toEqual({ path: '$.constraints[0].continuous', error: 'required field is missing' });
    } else {
      expect(readOk(json).continuous).toBe(def.modes.continuous);
      // BtrPlace files carry `"continuous": false` on discrete-only constraints, and older ones `true`
      expect(readOk({ ...json, continuous: !def.modes.continuous }).continuous).toBe(def.modes.continuous);
    }
    expect(readErr({ ...json, continuous: 'yes' })).toMatchObject({ path: '$.constraints[0].continuous' });
  });
});

describe('JSON form: BtrPlace files and validations', () => {
  it('reads the constraints of BtrPlace issue #112 and IssuesTest#testFoo verbatim', () => {
    const raw = [
      { vm: 0, continuous: false, id: 'running' },
      { amount: 2, nodes: [0], continuous: false, id: 'runningCapacity' },
      { continuous: false, parts: [[0, 1, 2]], id: 'among', vms: [0] },
      { nodes: [0], vm: 0, continuous: false, id: 'ban' },
      { rc: 'CPU', amount: 4, vm: 0, id: 'preserve' },
      { rc: 'cpu', amount: 6, nodes: [0], continuous: false, id: 'resourceCapacity' },
    ];
    expect(raw.map(readOk)).toEqual([
      { id: 'running', continuous: false, args: { vm: 0 } },
      { id: 'runningCapacity', continuous: false, args: { nodes: [0], amount: 2 } },
      { id: 'among', continuous: false, args: { vms: [0], parts: [[0, 1, 2]] } },
      { id: 'ban', continuous: false, args: { vm: 0, nodes: [0] } },
      { id: 'preserve', continuous: false, args: { vm: 0, rc: 'CPU', amount: 4 } },
      { id: 'resourceCapacity', continuous: false, args: { nodes: [0], rc: 'cpu', amount: 6 } },
    ]);
  });

  it('rejects arguments BtrPlace rejects, at the offending field', () => {
    const cases: [unknown, string, RegExp][] = [
      [{ id: 'maxOnline', nodes: [1], amount: -2, continuous: false }, '$.constraints[0].amount', /non-negative/],
      [{ id: 'resourceCapacity', nodes: [1], rc: 'cpu', amount: -1, continuous: false }, '$.constraints[0].amount', /non-negative/],
      [{ id: 'resourceCapacity', nodes: [1], rc: 'cpu', amount: 3.2, continuous: false }, '$.constraints[0].amount', /integer/],
      [{ id: 'runningCapacity', nodes: [1], amount: -1 }, '$.constraints[0].amount', /non-negative/],
      [{ id: 'preserve', vm: 1, rc: 'cpu', amount: -3 }, '$.constraints[0].amount', /non-negative/],
      [{ id: 'overbook', node: 1, rc: 'cpu', ratio: 0.5, continuous: true }, '$.constraints[0].ratio', />= 1\.0/],
      [{ id: 'split', parts: [[1, 2], [2, 3]], continuous: false }, '$.constraints[0].parts', /disjoint.*vm#2/],
      [{ id: 'among', vms: [1], parts: [[0, 1], [1]], continuous: false }, '$.constraints[0].parts', /disjoint.*node#1/],
      [{ id: 'splitAmong', vParts: [[1]], pParts: [[0], [0]], continuous: false }, '$.constraints[0].pParts', /disjoint/],
      [{ id: 'seq', vms: [1, 2, 1] }, '$.constraints[0].vms', /duplicates/],
      [{ id: 'Serialize', vms: [1] }, '$.constraints[0].vms', /at least 2/],
      [{ id: 'Sync', vms: [] }, '$.constraints[0].vms', /at least 2/],
      [{ id: 'Deadline', vm: 1, timestamp: 'soon' }, '$.constraints[0].timestamp', /hh:mm:ss/],
      [{ id: 'Precedence', vm1: 1, vm2: 1 }, '$.constraints[0].vm2', /itself/],
    ];
    for (const [raw, path, message] of cases) {
      const e = readErr(raw);
      expect(e.path).toBe(path);
      expect(e.error).toMatch(message);
    }
  });

  it('reports an unknown id and a non-object at the right place', () => {
    expect(readErr({ id: 'antiAffinity', vms: [1] })).toMatchObject({ path: '$.constraints[0].id' });
    expect(readErr({ id: 'spread', vms: [1] }).path).toBe('$.constraints[0].continuous');
    expect(readErr([1, 2]).path).toBe('$.constraints[0]');
  });
});

describe.each(entries)('%s script form', (id, def) => {
  const samples = SAMPLES[id] ?? [];

  it('formats every sample, and builds it back from the script values', () => {
    for (const s of samples) {
      expect(def.script.format(s.constraint, NAMES)).toBe(s.script);
      const discrete = s.script.startsWith('>>');
      expect(def.script.build(s.values, !discrete)).toEqual([s.constraint]);
    }
  });

  it('matches the schema on what it builds', () => {
    for (const s of samples) {
      const built = def.script.build(s.values, !s.script.startsWith('>>'));
      if ('error' in built) throw new Error(built.error);
      for (const c of built) expect(def.schema.safeParse(c.args).success).toBe(true);
    }
  });

  it('refuses the wrong number of values', () => {
    const s = samples[0];
    if (!s) throw new Error('no sample');
    const r = def.script.build([...s.values, 1], true);
    expect('error' in r).toBe(true);
  });

  if (!def.modes.discrete) {
    it('refuses `>>` (no discrete mode)', () => {
      const s = samples[0];
      if (!s) throw new Error('no sample');
      const r = def.script.build(s.values, false);
      expect(r).toMatchObject({ error: expect.stringMatching(/discrete restriction/) as unknown });
    });
  }
  if (!def.modes.continuous) {
    it('stays discrete without `>>` (setContinuous(true) is refused silently)', () => {
      const s = samples[0];
      if (!s) throw new Error('no sample');
      const r = def.script.build(s.values, true);
      if ('error' in r) throw new Error(r.error);
      expect(r.every((c) => !c.continuous)).toBe(true);
    });
  }
});

describe('script form: BtrPlace builder expectations (btrpsl *BuilderTest)', () => {
  const buildOf = (id: string, values: unknown[], continuous = true): ReturnType<NonNullable<ReturnType<typeof definitionOf>>['script']['build']> => {
    const def = definitionOf(id);
    if (!def) throw new Error(id);
    return def.script.build(values, continuous);
  };

  it('>>spread(VM[1..5]) gives one discrete Spread over 5 VMs', () => {
    expect(buildOf('spread', [[1, 2, 3, 4, 5]], false)).toEqual([{ id: 'spread', continuous: false, args: { vms: [1, 2, 3, 4, 5] } }]);
  });

  it('>>among(VM[1..5], @N[1..10] / 2) gives one Among with 2 groups', () => {
    const r = buildOf('among', [[1, 2, 3, 4, 5], [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]], false);
    expect(r).toEqual([{ id: 'among', continuous: false, args: { vms: [1, 2, 3, 4, 5], parts: [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]] } }]);
  });

  it('>>resourceCapacity(@N[1..3], "bar", 7-5%2) gives amount 6; 3.2 is refused', () => {
    expect(buildOf('resourceCapacity', [[1, 2, 3], 'bar', 6], false)).toEqual([
      { id: 'resourceCapacity', continuous: false, args: { nodes: [1, 2, 3], rc: 'bar', amount: 6 } },
    ]);
    expect(buildOf('resourceCapacity', [[1, 2, 3], 'foo', 3.2])).toMatchObject({ error: expect.stringMatching(/integer/) as unknown });
  });

  it('maxOnline({@N2}, -2) is refused', () => {
    expect(buildOf('maxOnline', [[2], -2])).toMatchObject({ error: expect.stringMatching(/amount.*non-negative/) as unknown });
  });

  it('spread(@N[1..10]) is a kind error (nodes given for VMs)', () => {
    // the DSL rejects it by kinds before build; build refuses values of the wrong kind anyway
    expect(definitionOf('spread')?.script.params.map((p) => p.kind)).toEqual(['vms']);
  });

  it('overlapping parts are refused by split and among', () => {
    expect(buildOf('split', [[[1, 2], [2]]])).toMatchObject({ error: expect.stringMatching(/disjoint/) as unknown });
    expect(buildOf('among', [[1], [[1], [1, 2]]])).toMatchObject({ error: expect.stringMatching(/disjoint/) as unknown });
  });

  it('before(VMs1, VMs2) gives the cross product of Precedences; before(VMs, "+…") one Deadline per VM', () => {
    expect(buildOf('Precedence', [[1, 2], [3, 4]])).toEqual([
      { id: 'Precedence', continuous: true, args: { vm1: 1, vm2: 3 } },
      { id: 'Precedence', continuous: true, args: { vm1: 1, vm2: 4 } },
      { id: 'Precedence', continuous: true, args: { vm1: 2, vm2: 3 } },
      { id: 'Precedence', continuous: true, args: { vm1: 2, vm2: 4 } },
    ]);
    expect(buildOf('Precedence', [[1], []])).toMatchObject({ error: expect.stringMatching(/non-empty/) as unknown });
    expect(buildOf('Deadline', [1, '+00:05:00'])).toEqual([{ id: 'Deadline', continuous: true, args: { vm: 1, timestamp: '+00:05:00' } }]);
    expect(buildOf('Deadline', [1, ''])).toMatchObject({ error: expect.stringMatching(/timestamp/) as unknown });
  });

  it('serialize and sync need at least 2 VMs', () => {
    expect(buildOf('Serialize', [[1]])).toMatchObject({ error: expect.stringMatching(/at least 2/) as unknown });
    expect(buildOf('Sync', [[1]])).toMatchObject({ error: expect.stringMatching(/at least 2/) as unknown });
  });

  it('a negative preserve amount and an overbooking ratio below 1 are refused', () => {
    expect(buildOf('preserve', [1, 'cpu', -1])).toMatchObject({ error: expect.stringMatching(/non-negative/) as unknown });
    expect(buildOf('overbook', [1, 'cpu', 0.9])).toMatchObject({ error: expect.stringMatching(/>= 1\.0/) as unknown });
  });

  it('formats node names that already carry the btrpsl @ once', () => {
    const def = definitionOf('online');
    expect(def?.script.format({ id: 'online', continuous: false, args: { node: 3 } }, { vm: (v) => `VM${v}`, node: () => '@srv-3' })).toBe('online(@srv-3)');
  });
});
