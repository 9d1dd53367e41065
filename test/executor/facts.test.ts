import { describe, expect, it } from 'vitest';

import type { HostReading, NamedAction, VmJob } from '../../src/cluster/ports.js';
import { applyNamed, expectedFacts, factsOf, inFlightActions, preflight, verify } from '../../src/executor/index.js';
import type { Model } from '../../src/model/index.js';
import { buildModel, id } from '../plan/support.js';
import { OP, bootNode, mig, ok, okAll, run, shutdownNode, shutdownVm, snapshot, step, succeed } from './support.js';

/** N1 {VM1, VM2}, N2 {VM3}, N3 {}, N4 offline; VM5 ready; VM7 to be forged. */
const origin = (): Model =>
  buildModel({ on: { N1: ['VM1', 'VM2'], N2: ['VM3'], N3: [] }, off: ['N4'], ready: ['VM5'], vms: ['VM7'], rc: { cpu: { cap: 8, cons: { VM1: 2 } } } });

/** A copy of the origin changed by `change` (a live read). */
const live = (change: (m: Model) => void = () => {}): Model => {
  const m = origin().clone();
  change(m);
  return m;
};

const down = (name: string, error = 'ssh: connection timed out'): HostReading => ({ name, readAt: 1000, reachable: false, error });
const job = (kind: VmJob['kind'], fraction = 0.3): VmJob => ({ kind, startedAt: 900, fraction });

describe('facts', () => {
  it('factsOf: every VM by name with its state and host, every node with its power state', () => {
    const f = factsOf(origin());
    expect(f.vms).toEqual({
      VM1: { state: 'running', host: 'N1' },
      VM2: { state: 'running', host: 'N1' },
      VM3: { state: 'running', host: 'N2' },
      VM5: { state: 'ready', host: null },
      VM7: { state: 'init', host: null },
    });
    expect(f.nodes).toEqual({ N1: 'online', N2: 'online', N3: 'online', N4: 'offline' });
  });

  it('applyNamed returns a new object; an allocation changes nothing', () => {
    const f = factsOf(origin());
    const g = applyNamed(f, mig('VM1', 'N1', 'N3'));
    expect(g.vms.VM1).toEqual({ state: 'running', host: 'N3' });
    expect(f.vms.VM1).toEqual({ state: 'running', host: 'N1' });
    expect(applyNamed(f, { kind: 'allocate', vm: 'VM1', node: 'N1', rc: 'cpu', amount: 4 })).toEqual(f);
    expect(applyNamed(f, { kind: 'forgeVM', vm: 'VM7' }).vms.VM7).toEqual({ state: 'ready', host: null });
    expect(applyNamed(f, { kind: 'killVM', vm: 'VM2', node: 'N1' }).vms.VM2).toEqual({ state: 'killed', host: null });
    expect(applyNamed(f, bootNode('N4')).nodes.N4).toBe('online');
    expect(applyNamed(f, { kind: 'suspendVM', vm: 'VM3', from: 'N2', to: 'N2' }).vms.VM3).toEqual({ state: 'sleeping', host: 'N2' });
    expect(applyNamed(f, shutdownVm('VM3', 'N2')).vms.VM3).toEqual({ state: 'ready', host: null });
  });

  it('expectedFacts: the origin plus every succeeded step, in planned end order', () => {
    let r = run([step('s1', mig('VM1', 'N2', 'N3'), [], 10, 20), step('s2', mig('VM1', 'N1', 'N2'), [], 0, 10), step('s3', mig('VM2', 'N1', 'N3'), [], 0, 10)], { maxPerHost: 5 });
    r = okAll(r, [{ type: 'approve', at: 1, by: OP, stepIds: ['s1', 's2', 's3'] }, { type: 'start', at: 2, by: OP }]).run;
    r = succeed(succeed(r, 's2').run, 's1').run;
    const f = expectedFacts(factsOf(origin()), r);
    expect(f.vms.VM1).toEqual({ state: 'running', host: 'N3' });
    expect(f.vms.VM2).toEqual({ state: 'running', host: 'N1' });
    // an origin read after s2 already shows it (and VM1 has moved on since): s2 is not replayed
    const later = applyNamed(factsOf(origin()), mig('VM1', 'N1', 'N4'));
    expect(expectedFacts(later, r, new Set(['s2'])).vms.VM1).toEqual({ state: 'running', host: 'N3' });
    expect(inFlightActions(r, 's1')).toEqual([mig('VM2', 'N1', 'N3')]);
  });
});

describe('preflight', () => {
  const expected = () => factsOf(origin());
  const migrate = step('s1', mig('VM1', 'N1', 'N2'));

  it('ok when the read is what the plan expects', () => {
    expect(preflight(expected(), snapshot(live()), migrate)).toEqual({ kind: 'ok' });
  });

  it('drift: the VM is elsewhere', () => {
    const read = live((m) => m.mapping.addRunningVM(id('VM1'), id('N3')));
    expect(preflight(expected(), snapshot(read), migrate)).toEqual({ kind: 'drift', drift: ['VM VM1 is on N3, the plan expected N1'] });
  });

  it('drift: a VM arrived on a host behind Ferry’s back, another left', () => {
    const read = live((m) => {
      m.vmNames?.register('db1', 40);
      m.mapping.addRunningVM(40, id('N2'));
      m.mapping.addRunningVM(id('VM2'), id('N3'));
    });
    expect(preflight(expected(), snapshot(read), migrate)).toEqual({
      kind: 'drift',
      drift: ['VM2 is no longer on N1 (it is running on N3), the plan expected it there', 'N2 hosts db1, which the plan did not expect'],
    });
  });

  it('drift: a host powered off, a VM in another state, unknown names', () => {
    expect(preflight(expected(), snapshot(live((m) => m.mapping.addOfflineNode(id('N3')))), step('s1', mig('VM1', 'N1', 'N3')))).toEqual({
      kind: 'drift',
      drift: ['host N3 is offline, the plan expected it online'],
    });
    expect(preflight(expected(), snapshot(live((m) => m.mapping.addReadyVM(id('VM1')))), migrate)).toEqual({ kind: 'drift', drift: ['VM VM1 is ready, the plan expected it running on N1'] });
    expect(preflight(expected(), snapshot(live()), step('s1', mig('VM1', 'N1', 'N9')))).toEqual({ kind: 'drift', drift: ['host N9 is not in the inventory'] });
    const ghost = preflight(expected(), snapshot(live()), step('s1', mig('ghost', 'N1', 'N2')));
    expect(ghost).toEqual({ kind: 'drift', drift: ['ghost is not running on N1 (it is not created yet)'] });
  });

  it('drift: the action’s precondition does not hold live even though the plan expected this', () => {
    // the migration off N2 was skipped: the plan's facts and the read agree, N2 is not empty
    expect(preflight(expected(), snapshot(live()), step('s2', shutdownNode('N2')))).toEqual({ kind: 'drift', drift: ['host N2 still hosts VM3'] });
    expect(preflight(expected(), snapshot(live()), step('s2', bootNode('N4')))).toEqual({ kind: 'ok' });
    expect(preflight(expected(), snapshot(live()), step('s2', { kind: 'bootVM', vm: 'VM5', node: 'N3' }))).toEqual({ kind: 'ok' });
    expect(preflight(expected(), snapshot(live()), step('s2', { kind: 'forgeVM', vm: 'VM7' }))).toEqual({ kind: 'ok' });
  });

  it('blocked, checked first: a named host not answering, then a VM busy with an operation', () => {
    const moved = live((m) => m.mapping.addRunningVM(id('VM1'), id('N3')));
    expect(preflight(expected(), snapshot(moved, { hosts: [down('N2')] }), migrate)).toEqual({ kind: 'blocked', reason: 'host N2 is not answering: ssh: connection timed out' });
    // an unreachable host the step does not touch does not matter
    expect(preflight(expected(), snapshot(live(), { hosts: [down('N3')] }), migrate)).toEqual({ kind: 'ok' });
    expect(preflight(expected(), snapshot(live(), { jobs: new Map([['VM1', job('migrate')]]) }), migrate)).toEqual({ kind: 'blocked', reason: 'VM VM1 is busy: migration in flight' });
    expect(preflight(expected(), snapshot(live(), { jobs: new Map([['N4', job('bootNode')]]) }), step('s2', bootNode('N4')))).toEqual({ kind: 'blocked', reason: 'host N4 is busy: node boot in flight' });
  });

  it('what other running steps change may show either way: not drift', () => {
    const others: NamedAction[] = [mig('VM2', 'N1', 'N3')];
    const read = live((m) => m.mapping.addRunningVM(id('VM2'), id('N3')));
    expect(preflight(expected(), snapshot(read), migrate, others)).toEqual({ kind: 'ok' });
    expect(preflight(expected(), snapshot(read), migrate).kind).toBe('drift');
  });
});

describe('verify', () => {
  const migrate = step('s1', mig('VM1', 'N1', 'N2'));
  const moved = (): Model => live((m) => m.mapping.addRunningVM(id('VM1'), id('N2')));

  it('migrateVM: done iff running on the destination; in flight while the hypervisor is at it', () => {
    expect(verify(snapshot(moved()), migrate)).toEqual({ result: 'done', detail: 'VM1 is running on N2' });
    expect(verify(snapshot(live(), { jobs: new Map([['VM1', job('migrate', 0.5)]]) }), migrate)).toEqual({ result: 'in-flight', detail: 'VM VM1: migration in flight (50%)' });
    expect(verify(snapshot(live()), migrate)).toEqual({ result: 'not-done', detail: 'VM1 is running on N1, not running on N2' });
  });

  it('a host not answering means read again, unless the read already proves it done', () => {
    expect(verify(snapshot(live(), { hosts: [down('N2', 'no route')] }), migrate)).toEqual({ result: 'in-flight', detail: 'host N2 is not answering: no route, reading again' });
    expect(verify(snapshot(moved(), { hosts: [down('N1')] }), migrate).result).toBe('done');
  });

  it('every other kind', () => {
    const v = (m: Model, a: NamedAction): string => verify(snapshot(m), step('s', a)).result;
    expect(v(live((m) => m.mapping.addRunningVM(id('VM5'), id('N3'))), { kind: 'bootVM', vm: 'VM5', node: 'N3' })).toBe('done');
    expect(v(live(), { kind: 'bootVM', vm: 'VM5', node: 'N3' })).toBe('not-done');
    expect(v(live((m) => m.mapping.addReadyVM(id('VM3'))), shutdownVm('VM3', 'N2'))).toBe('done');
    expect(v(live(), shutdownVm('VM3', 'N2'))).toBe('not-done');
    expect(v(live((m) => m.mapping.addSleepingVM(id('VM3'), id('N2'))), { kind: 'suspendVM', vm: 'VM3', from: 'N2', to: 'N2' })).toBe('done');
    expect(v(live(), { kind: 'resumeVM', vm: 'VM3', from: 'N2', to: 'N2' })).toBe('done');
    expect(v(live((m) => m.mapping.addOnlineNode(id('N4'))), bootNode('N4'))).toBe('done');
    expect(v(live(), bootNode('N4'))).toBe('not-done');
    expect(v(live((m) => m.mapping.addOfflineNode(id('N3'))), shutdownNode('N3'))).toBe('done');
    expect(v(live(), shutdownNode('N3'))).toBe('not-done');
    expect(v(live((m) => m.mapping.remove(id('VM2'))), { kind: 'killVM', vm: 'VM2', node: 'N1' })).toBe('done');
    expect(v(live(), { kind: 'killVM', vm: 'VM2', node: 'N1' })).toBe('not-done');
    expect(v(live((m) => m.mapping.addReadyVM(id('VM7'))), { kind: 'forgeVM', vm: 'VM7' })).toBe('done');
    expect(v(live(), { kind: 'forgeVM', vm: 'VM7' })).toBe('not-done');
    const allocate: NamedAction = { kind: 'allocate', vm: 'VM1', node: 'N1', rc: 'cpu', amount: 4 };
    expect(v(live((m) => m.resource('cpu')?.setConsumption(id('VM1'), 4)), allocate)).toBe('done');
    expect(verify(snapshot(live()), step('s', allocate))).toEqual({ result: 'not-done', detail: "VM1 has 2 'cpu', not 4" });
  });

  it('node operations in flight are found by node name', () => {
    expect(verify(snapshot(live(), { jobs: new Map([['N4', job('bootNode', 0.9)]]) }), step('s', bootNode('N4'))).result).toBe('in-flight');
  });
});

describe('preflight and verify from a run', () => {
  it('the expected facts of a running run make the next step’s preflight pass', () => {
    let r = run([step('s1', mig('VM1', 'N1', 'N3'), [], 0, 5), step('s2', mig('VM3', 'N2', 'N1'), ['s1'], 5, 10)]);
    r = okAll(r, [{ type: 'approve', at: 1, by: OP, stepIds: ['s1', 's2'] }, { type: 'start', at: 2, by: OP }]).run;
    r = succeed(r, 's1').run;
    const read = live((m) => m.mapping.addRunningVM(id('VM1'), id('N3')));
    const s2 = r.steps[1];
    if (!s2) throw new Error('no s2');
    expect(s2.state).toBe('running');
    expect(preflight(expectedFacts(factsOf(origin()), r), snapshot(read), s2, inFlightActions(r, 's2'))).toEqual({ kind: 'ok' });
    expect(ok(r, { type: 'preflight-ok', at: 3, stepId: 's2' }).commands).toEqual([{ type: 'perform', stepId: 's2', requestId: 'r1:s2:1' }]);
  });
});

describe('factsAround: what a step reads, without copying the whole cluster', () => {
  it('agrees with factsOf on every node of the demo fleet and its VMs', async () => {
    const { defaultFleet } = await import('../../main/node/demo/fleet.js');
    const { factsAround, factsOf } = await import('../../src/executor/facts.js');
    const model = defaultFleet().model;
    const all = factsOf(model);
    for (const node of Object.keys(all.nodes)) {
      const around = factsAround(model, [node], ['db1']);
      expect(around.nodes).toEqual({ [node]: all.nodes[node] });
      const expectedVms = Object.entries(all.vms).filter(([name, f]) => name === 'db1' || (f.host === node && (f.state === 'running' || f.state === 'sleeping')));
      expect(Object.entries(around.vms).sort()).toEqual(expectedVms.sort());
    }
  });
});
