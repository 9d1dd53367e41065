import { describe, expect, it } from 'vitest';

import { NativeMznRunner } from '../../main/node/solver/native-runner.js';
import type { Constraint } from '../../src/catalogue/constraint.js';
import { parseDeadline } from '../../src/catalogue/deadline/encoding.js';
import type { Model } from '../../src/model/index.js';
import { type ExactObjective, buildExact } from '../../src/solver/exact/build.js';
import { ENCODERS } from '../../src/solver/exact/encoders.js';
import { EXACT_MODEL, EXACT_SOLVE } from '../../src/solver/exact/model.js';
import { type ExactResult, solveExact } from '../../src/solver/exact/solve.js';
import { coreViolations, cstr, find, tinyModel } from './fixtures.js';

/** Every catalogue constraint's encoding, each on a tiny instance where it changes the answer. */

const native = await NativeMznRunner.detect();

const CATALOGUE_IDS = [
  'among', 'ban', 'fence', 'gather', 'lonely', 'spread', 'split', 'splitAmong', 'quarantine', 'root', 'online', 'offline', 'maxOnline',
  'running', 'ready', 'sleeping', 'killed', 'seq', 'overbook', 'preserve', 'resourceCapacity', 'runningCapacity', 'noDelay', 'Deadline',
  'Precedence', 'Serialize', 'Sync', 'maxMigrations',
];

async function solve(model: Model, constraints: Constraint[], objective: ExactObjective = 'migrations'): Promise<ExactResult> {
  const result = await solveExact({ model, constraints }, native as NativeMznRunner, { objective });
  // the core checker knows raw capacities only: an overbooked plan is checked by overbook's own checker
  if (result.solution && !constraints.some((c) => c.id === 'overbook')) expect(coreViolations(model, result.solution.plan)).toEqual([]);
  return result;
}

/** Final host of every VM (origin host when the plan leaves it alone). */
function hosts(model: Model, r: ExactResult): Map<number, number | null> {
  const out = new Map<number, number | null>();
  for (const vm of model.mapping.vms()) out.set(vm, model.mapping.host(vm) ?? null);
  for (const [vm, t] of r.solution?.target.vms ?? []) out.set(vm, t.host);
  return out;
}

describe('encoder registry', () => {
  it('has an encoder for every catalogue constraint id', () => {
    expect([...ENCODERS.keys()].sort()).toEqual([...CATALOGUE_IDS].sort());
  });

  it('reads relative deadlines and refuses the others with a sentence', () => {
    expect(parseDeadline('90')).toBe(90);
    expect(parseDeadline('+00:01:30')).toBe(90);
    expect(parseDeadline("+1'30")).toBe(90);
    expect(parseDeadline('45')).toBe(45);
    expect(parseDeadline('12:00:00')).toMatch(/absolute/);
    expect(parseDeadline('+1:xx')).toMatch(/expected "\+hh:mm:ss"/);
    expect(parseDeadline('-3')).toMatch(/expected "\+hh:mm:ss"/);
  });

  it('locates a bad argument by constraint index', () => {
    const model = tinyModel({ nodes: [{ cpu: 4 }], vms: [{ on: 0, cpu: 1 }] });
    const built = buildExact({ model, constraints: [cstr('ban', { vm: 0, nodes: [0] }), cstr('spread', { vms: 'all' })] }, ENCODERS, EXACT_MODEL, EXACT_SOLVE, 'mttr');
    expect(built.ok).toBe(false);
    if (!built.ok) expect(built.reasons).toEqual(['constraints[1].vms: expected a list of VM ids, got "all"']);
  });
});

describe.skipIf(native === undefined)('constraint encodings on native gecode', () => {
  // three nodes with room for everything; VMs 0..3 on node 0 unless said otherwise
  const roomy = (vms = 4): Model => tinyModel({ nodes: [{ cpu: 16 }, { cpu: 16 }, { cpu: 16 }], vms: Array.from({ length: vms }, () => ({ on: 0, cpu: 1 })) });

  it('among: the VMs end within one group, the cheapest one', async () => {
    const model = tinyModel({ nodes: [{ cpu: 9 }, { cpu: 9 }, { cpu: 9 }], vms: [{ on: 0, cpu: 1 }, { on: 0, cpu: 1 }, { on: 2, cpu: 1 }] });
    const r = await solve(model, [cstr('among', { vms: [0, 1, 2], parts: [[0, 1], [2]] })]);
    expect(r.status).toBe('OPTIMAL_SOLUTION');
    expect(r.solution?.migrations).toBe(1);
    expect(hosts(model, r).get(2)).not.toBe(2);
  });

  it('gather and lonely', async () => {
    const model = tinyModel({ nodes: [{ cpu: 9 }, { cpu: 9 }, { cpu: 9 }], vms: [{ on: 0, cpu: 1 }, { on: 1, cpu: 1 }, { on: 1, cpu: 1 }] });
    const g = await solve(model, [cstr('gather', { vms: [0, 1] })]);
    expect(g.solution?.migrations).toBe(1);
    const h = hosts(model, g);
    expect(h.get(0)).toBe(h.get(1));
    const l = await solve(model, [cstr('lonely', { vms: [1] })]);
    expect(l.solution?.migrations).toBe(1);
    const hl = hosts(model, l);
    expect([...hl].filter(([vm, n]) => vm !== 1 && n === hl.get(1))).toEqual([]);
  });

  it('split and splitAmong', async () => {
    const model = roomy(4);
    const s = await solve(model, [cstr('split', { parts: [[0, 1], [2, 3]] })]);
    expect(s.solution?.migrations).toBe(2);
    const h = hosts(model, s);
    expect(h.get(0)).not.toBe(h.get(2));
    expect(h.get(2)).toBe(h.get(3)); // moving them together is not required but any optimum moves one whole group
    const sa = await solve(model, [cstr('splitAmong', { vParts: [[0, 1], [2, 3]], pParts: [[0], [1, 2]] })]);
    expect(sa.solution?.migrations).toBe(2);
    const ha = hosts(model, sa);
    expect(new Set([ha.get(0), ha.get(1)]).size === 1 || [ha.get(0), ha.get(1)].every((n) => n !== 0)).toBe(true);
    expect([0, 1, 2, 3].map((v) => (ha.get(v) === 0 ? 0 : 1)).sort()).toEqual([0, 0, 1, 1]);
  });

  it('root and quarantine keep VMs in place; offline then forces the others out', async () => {
    const model = roomy(3);
    const rooted = await solve(model, [cstr('offline', { node: 0 }), cstr('root', { vm: 0 }, true)]);
    expect(rooted.status).toBe('UNSATISFIABLE');
    const q = await solve(model, [cstr('quarantine', { node: 1 }), cstr('fence', { vm: 0, nodes: [1, 2] })]);
    expect(hosts(model, q).get(0)).toBe(2);
  });

  it('maxOnline: discrete counts the end, continuous forbids booting before the shutdown has ended', async () => {
    const model = tinyModel({ nodes: [{ cpu: 9 }, { cpu: 9, online: false }], vms: [{ on: 0, cpu: 1 }] });
    const swap = [cstr('offline', { node: 0 }), cstr('online', { node: 1 })];
    const d = await solve(model, [...swap, cstr('maxOnline', { nodes: [0, 1], amount: 1 })], 'mttr');
    expect(d.status).toBe('OPTIMAL_SOLUTION');
    // the VM must reach node 1, so node 1 boots first and both are online for a while: continuous refuses
    const c = await solve(model, [...swap, cstr('maxOnline', { nodes: [0, 1], amount: 1 }, true)], 'mttr');
    expect(c.status).toBe('UNSATISFIABLE');
    const two = await solve(model, [...swap, cstr('maxOnline', { nodes: [0, 1], amount: 2 }, true)], 'mttr');
    expect(two.status).toBe('OPTIMAL_SOLUTION');
  });

  it('state constraints plan boot, shutdown, suspend, kill; seq orders them', async () => {
    const model = tinyModel({ nodes: [{ cpu: 9 }, { cpu: 9 }], vms: [{ on: 0, cpu: 1 }, { on: null, cpu: 1 }, { on: 1, cpu: 1 }, { on: 1, cpu: 1 }] });
    const constraints = [cstr('ready', { vm: 0 }), cstr('running', { vm: 1 }), cstr('sleeping', { vm: 2 }), cstr('killed', { vm: 3 }), cstr('seq', { vms: [1, 0, 2] })];
    const r = await solve(model, constraints, 'mttr');
    expect(r.status).toBe('OPTIMAL_SOLUTION');
    const plan = r.solution?.plan;
    if (!plan) throw new Error('no plan');
    const boot = find(plan, 'bootVM');
    const shut = find(plan, 'shutdownVM');
    const sus = find(plan, 'suspendVM');
    expect(boot).toMatchObject({ vm: 1, start: 0, end: 1 });
    expect(shut).toMatchObject({ vm: 0, node: 0, start: 1, end: 2 });
    expect(sus).toMatchObject({ vm: 2, from: 1, to: 1, start: 2, end: 3 });
    expect(find(plan, 'killVM')).toMatchObject({ vm: 3, node: 1, start: 0 });
    expect(r.solution?.target.vms.get(2)).toEqual({ state: 'sleeping', host: 1 });
    expect(r.solution?.target.vms.get(0)).toEqual({ state: 'ready', host: null });
  });

  it('overbook lifts a capacity, resourceCapacity and runningCapacity lower one', async () => {
    const model = tinyModel({ nodes: [{ cpu: 4 }, { cpu: 8 }], vms: [{ on: 1, cpu: 3 }, { on: 1, cpu: 3 }] });
    const noRoom = await solve(model, [cstr('offline', { node: 1 })]);
    expect(noRoom.status).toBe('UNSATISFIABLE');
    const over = await solve(model, [cstr('offline', { node: 1 }), cstr('overbook', { node: 0, rc: 'cpu', ratio: 1.5 }, true)]);
    expect(over.status).toBe('OPTIMAL_SOLUTION');
    expect(over.solution?.migrations).toBe(2);
    const rc = await solve(model, [cstr('resourceCapacity', { nodes: [1], rc: 'cpu', amount: 4 })]);
    expect(rc.solution?.migrations).toBe(1);
    const run = await solve(model, [cstr('runningCapacity', { nodes: [1], amount: 0 })]);
    expect(run.status).toBe('UNSATISFIABLE'); // node 0 takes one 3-cpu VM only
    const cont = await solve(model, [cstr('resourceCapacity', { nodes: [0, 1], rc: 'cpu', amount: 5 }, true)]);
    expect(cont.status).toBe('UNSATISFIABLE'); // 6 used at the start
  });

  it('noDelay, Deadline, Precedence, Serialize and Sync shape the schedule', async () => {
    const model = tinyModel({
      nodes: [{ cpu: 16 }, { cpu: 16 }, { cpu: 16 }],
      vms: [{ on: 0, cpu: 1, migrate: 4 }, { on: 0, cpu: 1, migrate: 2 }, { on: 1, cpu: 1, migrate: 3 }],
    });
    const leave = [cstr('ban', { vm: 0, nodes: [0] }), cstr('ban', { vm: 1, nodes: [0] }), cstr('ban', { vm: 2, nodes: [1] })];
    const span = (r: ExactResult, vm: number): [number, number] => {
      const m = r.solution && find(r.solution.plan, 'migrateVM', (a) => a.vm === vm);
      return m ? [m.start, m.end] : [NaN, NaN];
    };
    const prec = await solve(model, [...leave, cstr('Precedence', { vm1: 0, vm2: 1 })], 'mttr');
    expect(span(prec, 1)[0]).toBeGreaterThanOrEqual(span(prec, 0)[1]);
    const ser = await solve(model, [...leave, cstr('Serialize', { vms: [0, 1, 2] })], 'mttr');
    const spans = [0, 1, 2].map((v) => span(ser, v)).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]?.[0]).toBeGreaterThanOrEqual(spans[i - 1]?.[1] ?? Infinity);
    const sync = await solve(model, [...leave, cstr('Sync', { vms: [0, 1] })], 'mttr');
    expect(span(sync, 0)[1]).toBe(span(sync, 1)[1]);
    const late = await solve(model, [...leave, cstr('Precedence', { vm1: 0, vm2: 1 }), cstr('Deadline', { vm: 1, timestamp: '+0:05' })], 'mttr');
    expect(late.status).toBe('UNSATISFIABLE'); // 4 s then 2 s cannot end by 5 s
    const delayed = await solve(model, [...leave, cstr('Precedence', { vm1: 0, vm2: 1 }), cstr('noDelay', { vm: 1 })], 'mttr');
    expect(delayed.status).toBe('UNSATISFIABLE');
  });
});
