import { describe, expect, it } from 'vitest';

import { formatJsonError } from '../../src/json/read.js';
import type { Action } from '../../src/plan/actions.js';
import { actionsFromJson, parsePlanText, planFromJson, planToJson } from '../../src/plan/json.js';
import type { Plan } from '../../src/plan/plan.js';
import { buildModel } from './support.js';

const origin = () =>
  buildModel({
    on: { N0: ['VM0', 'VM1'], N1: ['VM2'], N2: [] },
    off: ['N3'],
    ready: ['VM3'],
    sleeping: { N1: ['VM4'] },
    rc: { cpu: { cap: 8, cons: { VM0: 3, VM1: 5 } } },
  });

/** One action of every kind, with hooks. */
const everyAction = (): Action[] => [
  { kind: 'migrateVM', vm: 0, from: 0, to: 2, start: 0, end: 2, hooks: { pre: [], post: [{ kind: 'allocateEvent', vm: 0, rc: 'cpu', amount: 4 }] } },
  { kind: 'migrateVM', vm: 1, from: 0, to: 2, start: 0, end: 3, bw: 500 },
  { kind: 'bootVM', vm: 3, node: 2, start: 1, end: 4, hooks: { pre: [{ kind: 'substitutedVM', vm: 3, newVm: 9 }], post: [] } },
  { kind: 'shutdownVM', vm: 2, node: 1, start: 0, end: 1 },
  { kind: 'suspendVM', vm: 1, from: 2, to: 2, start: 3, end: 4 },
  { kind: 'resumeVM', vm: 4, from: 1, to: 2, start: 2, end: 5 },
  { kind: 'killVM', vm: 5, node: null, start: 0, end: 1 },
  { kind: 'killVM', vm: 2, node: 1, start: 1, end: 2 },
  { kind: 'forgeVM', vm: 9, start: 0, end: 1 },
  { kind: 'bootNode', node: 3, start: 0, end: 5 },
  { kind: 'shutdownNode', node: 1, start: 5, end: 9 },
  { kind: 'allocate', vm: 0, node: 2, rc: 'cpu', amount: 2, start: 6, end: 6 },
];

describe('plan JSON', () => {
  it('writes BtrPlace ids and fields, hooks always present, bw as Integer.MAX_VALUE by default', () => {
    const json = planToJson({ origin: origin(), actions: everyAction() }) as { origin: unknown; actions: Record<string, unknown>[] };
    expect(json.actions[0]).toEqual({ id: 'migrateVM', start: 0, end: 2, vm: 0, from: 0, to: 2, bw: 2147483647, hooks: { pre: [], post: [{ id: 'allocate', vm: 0, rc: 'cpu', amount: 4 }] } });
    expect(json.actions[1]?.['bw']).toBe(500);
    expect(json.actions[2]).toEqual({ id: 'bootVM', start: 1, end: 4, vm: 3, on: 2, hooks: { pre: [{ id: 'substitutedVM', vm: 3, newVm: 9 }], post: [] } });
    expect(json.actions[3]).toEqual({ id: 'shutdownVM', start: 0, end: 1, vm: 2, on: 1, hooks: { pre: [], post: [] } });
    expect(json.actions[4]).toMatchObject({ id: 'suspendVM', vm: 1, from: 2, to: 2 });
    expect(json.actions[5]).toMatchObject({ id: 'resumeVM', vm: 4, from: 1, to: 2 });
    expect(json.actions[6]).toEqual({ id: 'killVM', start: 0, end: 1, vm: 5, hooks: { pre: [], post: [] } });
    expect(json.actions[7]).toMatchObject({ id: 'killVM', vm: 2, on: 1 });
    expect(json.actions[8]).toMatchObject({ id: 'forgeVM', vm: 9 });
    expect(json.actions[9]).toMatchObject({ id: 'bootNode', node: 3 });
    expect(json.actions[10]).toMatchObject({ id: 'shutdownNode', node: 1 });
    expect(json.actions[11]).toEqual({ id: 'allocate', start: 6, end: 6, vm: 0, rc: 'cpu', amount: 2, on: 2, hooks: { pre: [], post: [] } });
    expect(json.origin).toHaveProperty('mapping');
  });

  it('round-trips through JSON text', () => {
    const plan: Plan = { origin: origin(), actions: everyAction() };
    const text = JSON.stringify(planToJson(plan));
    const back = parsePlanText(text);
    if (!back.ok) throw new Error(formatJsonError(back.error));
    expect(back.value.actions).toEqual(plan.actions);
    expect(back.value.origin.equals(plan.origin)).toBe(true);
    expect(back.value.origin.vmName(2)).toBe('VM2');
    expect(JSON.stringify(planToJson(back.value))).toBe(text);
  });

  it('reads a BtrPlace plan (hooks optional, hook names in any case, extra keys ignored)', () => {
    const raw = {
      origin: { mapping: { readyVMs: [], onlineNodes: { '0': { sleepingVMs: [], runningVMs: [2] }, '1': { sleepingVMs: [], runningVMs: [] } }, offlineNodes: [] }, attributes: { nodes: {}, vms: {} }, views: [] },
      actions: [
        { id: 'migrateVM', start: 0, end: 1, vm: 2, from: 0, to: 1, bw: 2147483647, extra: true, hooks: { PRE: [], post: [{ id: 'allocate', vm: 2, rc: 'cpu', amount: 3 }] } },
        { id: 'shutdownNode', start: 1, end: 2, node: 0 },
      ],
    };
    const r = planFromJson(raw);
    if (!r.ok) throw new Error(formatJsonError(r.error));
    expect(r.value.actions).toEqual([
      { kind: 'migrateVM', vm: 2, from: 0, to: 1, start: 0, end: 1, hooks: { pre: [], post: [{ kind: 'allocateEvent', vm: 2, rc: 'cpu', amount: 3 }] } },
      { kind: 'shutdownNode', node: 0, start: 1, end: 2 },
    ]);
  });

  it('reads actions against a known origin', () => {
    const r = actionsFromJson([{ id: 'bootNode', start: 0, end: 2, node: 3 }], origin());
    expect(r).toEqual({ ok: true, value: [{ kind: 'bootNode', node: 3, start: 0, end: 2 }] });
  });
});

describe('malformed plans give located errors', () => {
  const base = () => JSON.parse(JSON.stringify(planToJson({ origin: origin(), actions: everyAction() }))) as { origin: Record<string, unknown>; actions: Record<string, unknown>[] };
  const errorOf = (raw: unknown): string => {
    const r = planFromJson(raw);
    if (r.ok) throw new Error('expected an error');
    return formatJsonError(r.error);
  };

  it('structure', () => {
    expect(errorOf([])).toBe('$: expected an object, found an array');
    expect(errorOf({ actions: [] })).toBe('$.origin: required field is missing');
    expect(errorOf({ ...base(), actions: {} })).toBe('$.actions: expected an array, found an object');
    const noMapping = base();
    delete noMapping.origin['mapping'];
    expect(errorOf(noMapping)).toBe('$.origin.mapping: required field is missing');
  });

  it('actions', () => {
    const p = base();
    p.actions[3] = { ...p.actions[3], id: 'teleportVM' };
    expect(errorOf(p)).toMatch(/^\$\.actions\[3\]\.id: unknown action "teleportVM" \(expected one of migrateVM, /);

    const q = base();
    delete q.actions[0]?.['to'];
    expect(errorOf(q)).toBe('$.actions[0].to: required field is missing');

    const r = base();
    (r.actions[1] as Record<string, unknown>)['start'] = '0';
    expect(errorOf(r)).toBe('$.actions[1].start: expected an integer, found the string "0"');

    // 1e308 passes Number.isInteger: a plan "ending" in 10^304 s was read, replayed and printed
    const huge = base();
    Object.assign(huge.actions[1] as Record<string, unknown>, { start: 1e308, end: 1e308 });
    expect(errorOf(huge)).toBe('$.actions[1].start: expected an integer, found 1e+308: out of range (at most 9007199254740991 in magnitude)');

    const s = base();
    (s.actions[2] as Record<string, unknown>)['end'] = 0;
    expect(errorOf(s)).toBe('$.actions[2].end: the action ends (0) before it starts (1)');

    const t = base();
    (t.actions[9] as Record<string, unknown>)['node'] = 42;
    expect(errorOf(t)).toBe('$.actions[9].node: undeclared node 42: the origin model does not know it');

    const u = base();
    (u.actions[11] as Record<string, unknown>)['amount'] = -1;
    expect(errorOf(u)).toBe('$.actions[11].amount: expected a non-negative integer, found -1');
  });

  it('hooks', () => {
    const p = base();
    (p.actions[0] as Record<string, unknown>)['hooks'] = { during: [] };
    expect(errorOf(p)).toBe('$.actions[0].hooks.during: unsupported hook "during" (expected pre or post)');
    const q = base();
    (q.actions[0] as Record<string, unknown>)['hooks'] = { pre: [{ id: 'explode', vm: 1 }] };
    expect(errorOf(q)).toBe('$.actions[0].hooks.pre[0].id: unknown event "explode" (expected allocate or substitutedVM)');
    const r = base();
    (r.actions[0] as Record<string, unknown>)['hooks'] = { post: [{ id: 'allocate', vm: 1, amount: 2 }] };
    expect(errorOf(r)).toBe('$.actions[0].hooks.post[0].rc: required field is missing');
  });

  it('JSON syntax errors carry line and column', () => {
    const r = parsePlanText('{\n  "origin": {},\n  "actions": [,]\n}');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.line).toBe(3);
      expect(r.error.column).toBe(15);
      expect(formatJsonError(r.error)).toMatch(/^3:15: /);
    }
    const truncated = parsePlanText('{"origin": {"mapping": ');
    expect(truncated.ok).toBe(false);
    if (!truncated.ok) expect(truncated.error.line).toBe(1);
  });
});
