import { describe, expect, it } from 'vitest';

import type { Model } from '../../src/model/index.js';
import type { Action, Allocate, BootNode, BootVM, ForgeVM, KillVM, MigrateVM, ResumeVM, ShutdownNode, ShutdownVM, SuspendVM } from '../../src/plan/actions.js';
import type { Plan } from '../../src/plan/plan.js';
import { type ReplayResult, replay } from '../../src/plan/replay.js';
import { buildModel, id } from './support.js';

// Builders taking names (VM2, N1) so plans read like the human format.
const relocate = (vm: string, from: string, to: string, start: number, end: number): MigrateVM => ({ kind: 'migrateVM', vm: id(vm), from: id(from), to: id(to), start, end });
const bootVm = (vm: string, node: string, start: number, end: number): BootVM => ({ kind: 'bootVM', vm: id(vm), node: id(node), start, end });
const shutdownVm = (vm: string, node: string, start: number, end: number): ShutdownVM => ({ kind: 'shutdownVM', vm: id(vm), node: id(node), start, end });
const suspend = (vm: string, from: string, to: string, start: number, end: number): SuspendVM => ({ kind: 'suspendVM', vm: id(vm), from: id(from), to: id(to), start, end });
const resume = (vm: string, from: string, to: string, start: number, end: number): ResumeVM => ({ kind: 'resumeVM', vm: id(vm), from: id(from), to: id(to), start, end });
const kill = (vm: string, node: string | null, start: number, end: number): KillVM => ({ kind: 'killVM', vm: id(vm), node: node === null ? null : id(node), start, end });
const forge = (vm: string, start: number, end: number): ForgeVM => ({ kind: 'forgeVM', vm: id(vm), start, end });
const bootNode = (node: string, start: number, end: number): BootNode => ({ kind: 'bootNode', node: id(node), start, end });
const shutdownNode = (node: string, start: number, end: number): ShutdownNode => ({ kind: 'shutdownNode', node: id(node), start, end });
const allocate = (vm: string, node: string, rc: string, amount: number, start: number, end: number): Allocate => ({ kind: 'allocate', vm: id(vm), node: id(node), rc, amount, start, end });

function ok(result: ReplayResult): Model {
  if (!result.ok) throw new Error(`expected the plan to replay, got: ${result.problem.message}`);
  return result.result;
}
function problem(result: ReplayResult): string {
  if (result.ok) throw new Error('expected the replay to fail');
  return result.problem.message;
}

/** N1 {VM1, VM2}, N2 {VM4}, N3 {}, N4 {VM3} online; N5 offline; VM5 ready. mem capacity 64 everywhere. */
const cluster = (): Model =>
  buildModel({
    on: { N1: ['VM1', 'VM2'], N2: ['VM4'], N3: [], N4: ['VM3'] },
    off: ['N5'],
    ready: ['VM5'],
    rc: { mem: { cap: 64, cons: { VM1: 20, VM2: 30, VM3: 10, VM4: 40, VM5: 16 } }, cpu: { cap: 8, cons: 2 } },
  });

describe('replay: plans that must pass', () => {
  it("replays the seed's kind of plan and returns the final model without touching the origin", () => {
    const origin = cluster();
    const plan: Plan = { origin, actions: [relocate('VM2', 'N1', 'N3', 0, 2), relocate('VM3', 'N4', 'N3', 0, 3), shutdownNode('N4', 4, 8), allocate('VM1', 'N1', 'cpu', 3, 5, 6)] };
    const result = ok(replay(plan));
    expect(result.mapping.host(id('VM2'))).toBe(id('N3'));
    expect(result.mapping.host(id('VM3'))).toBe(id('N3'));
    expect(result.mapping.isOffline(id('N4'))).toBe(true);
    expect(result.resource('cpu')?.consumption(id('VM1'))).toBe(3);
    // origin unchanged
    expect(origin.mapping.host(id('VM2'))).toBe(id('N1'));
    expect(origin.mapping.isOnline(id('N4'))).toBe(true);
    expect(origin.resource('cpu')?.consumption(id('VM1'))).toBe(2);
    expect(origin.equals(cluster())).toBe(true);
  });

  it('accepts an end and a start at the same instant (ends are processed first)', () => {
    // N2 (64) holds VM4 (40): VM2 (30) may arrive exactly when VM4 has left
    const plan: Plan = { origin: cluster(), actions: [relocate('VM2', 'N1', 'N2', 3, 5), relocate('VM4', 'N2', 'N3', 0, 3)] };
    const result = ok(replay(plan));
    expect([...result.mapping.runningVMs(id('N2'))]).toEqual([id('VM2')]);
    // the same VM moving twice back to back, and a node shut down the second its last VM left
    const chain: Plan = { origin: cluster(), actions: [relocate('VM3', 'N4', 'N3', 0, 2), relocate('VM3', 'N3', 'N2', 2, 4), shutdownNode('N4', 2, 3)] };
    expect(ok(replay(chain)).mapping.host(id('VM3'))).toBe(id('N2'));
  });

  it('boots a node, then VMs arrive once the boot has ended', () => {
    const plan: Plan = { origin: cluster(), actions: [bootNode('N5', 0, 4), relocate('VM1', 'N1', 'N5', 4, 6), bootVm('VM5', 'N5', 4, 5)] };
    const result = ok(replay(plan));
    expect(result.mapping.isOnline(id('N5'))).toBe(true);
    expect(new Set(result.mapping.runningVMs(id('N5')))).toEqual(new Set([id('VM1'), id('VM5')]));
  });

  it('suspends a VM, then resumes it on another node', () => {
    const plan: Plan = { origin: cluster(), actions: [suspend('VM1', 'N1', 'N1', 0, 2), resume('VM1', 'N1', 'N3', 2, 4)] };
    const result = ok(replay(plan));
    expect(result.mapping.isRunning(id('VM1'))).toBe(true);
    expect(result.mapping.host(id('VM1'))).toBe(id('N3'));
  });

  it('shuts down, kills, forges and boots VMs', () => {
    const origin = cluster();
    origin.attributes.put('vm', 7, 'template', 'small');
    origin.vmNames?.register('VM7', 7);
    const plan: Plan = {
      origin,
      actions: [shutdownVm('VM1', 'N1', 0, 2), kill('VM3', 'N4', 0, 1), kill('VM5', null, 0, 1), forge('VM7', 0, 3), bootVm('VM7', 'N3', 3, 5), shutdownNode('N4', 1, 2)],
    };
    const result = ok(replay(plan));
    expect(result.vmState(id('VM1'))).toBe('ready');
    expect(result.vmState(id('VM3'))).toBe('killed');
    expect(result.vmState(id('VM5'))).toBe('killed');
    expect(result.mapping.host(7)).toBe(id('N3'));
    expect(result.mapping.isOffline(id('N4'))).toBe(true);
    expect(origin.killedVMs.size).toBe(0);
    expect(origin.vmState(id('VM3'))).toBe('running');
  });

  it('re-instantiates a VM: forge a clone, boot it with a substitution, shut the original down', () => {
    const origin = cluster();
    const boot: BootVM = { ...bootVm('VM9', 'N3', 1, 3), hooks: { pre: [{ kind: 'substitutedVM', vm: id('VM1'), newVm: id('VM9') }], post: [] } };
    const result = ok(replay({ origin, actions: [forge('VM9', 0, 1), boot, shutdownVm('VM1', 'N1', 3, 4)] }));
    expect(result.mapping.host(9)).toBe(id('N3'));
    expect(result.resource('mem')?.consumption(9)).toBe(20);
    expect(result.vmName(9)).toBe('VM1');
    expect(result.vmState(1)).toBe('ready');
    // the clone books the original's memory on N3 from the start of its boot
    origin.resource('mem')?.setCapacity(id('N3'), 19);
    expect(problem(replay({ origin, actions: [forge('VM9', 0, 1), boot, shutdownVm('VM1', 'N1', 3, 4)] }))).toBe("0'01: N3 over 'mem' capacity (20 > 19) while VM1 boots");
  });

  it('decreasing then increasing allocations on one node (BtrPlace dependency example)', () => {
    const origin = buildModel({ on: { N0: ['VM0', 'VM1'] }, rc: { cpu: { cap: 8, cons: { VM0: 3, VM1: 5 } } } });
    const plan: Plan = { origin, actions: [allocate('VM0', 'N0', 'cpu', 5, 5, 7), allocate('VM1', 'N0', 'cpu', 3, 0, 3)] };
    const result = ok(replay(plan));
    expect(result.resource('cpu')?.consumption(0)).toBe(5);
    expect(result.resource('cpu')?.consumption(1)).toBe(3);
    // instantaneous allocations (BtrPlace emits them with start = end) happen before the starts
    const instant: Plan = { origin, actions: [allocate('VM1', 'N0', 'cpu', 3, 2, 2), allocate('VM0', 'N0', 'cpu', 5, 2, 2)] };
    expect(ok(replay(instant)).resource('cpu')?.consumption(0)).toBe(5);
  });

  it('books the post-allocation of a migrated VM on the destination from the start', () => {
    const origin = buildModel({ on: { N1: ['VM1'], N2: ['VM2'] }, rc: { cpu: { cap: 11, cons: { VM1: 4, VM2: 3 } } } });
    const mig: MigrateVM = { ...relocate('VM1', 'N1', 'N2', 0, 2), hooks: { pre: [], post: [{ kind: 'allocateEvent', vm: 1, rc: 'cpu', amount: 8 }] } };
    const result = ok(replay({ origin, actions: [mig] }));
    expect(result.resource('cpu')?.consumption(1)).toBe(8);
    origin.resource('cpu')?.setCapacity(2, 10);
    expect(problem(replay({ origin, actions: [mig] }))).toBe("0'00: N2 over 'cpu' capacity (11 > 10) while VM1 arrives");
  });

  it('replays 30,000 actions (speed is measured by the benchmarks)', () => {
    const origin = buildModel({ on: { N1: [], N2: [] }, rc: { mem: { cap: 1_000_000, cons: 1 } } });
    const actions: Action[] = [];
    for (let v = 0; v < 15_000; v++) origin.mapping.addRunningVM(10 + v, 1);
    for (let v = 0; v < 15_000; v++) actions.push({ kind: 'migrateVM', vm: 10 + v, from: 1, to: 2, start: v % 100, end: (v % 100) + 3 });
    for (let v = 0; v < 15_000; v++) actions.push({ kind: 'migrateVM', vm: 10 + v, from: 2, to: 1, start: 200 + (v % 50), end: 201 + (v % 50) });
    const result = ok(replay({ origin, actions }));
    expect(result.mapping.runningVMs(1).size).toBe(15_000);
  });
});

describe('replay: subtly wrong plans that must fail', () => {
  it('capacity exceeded during a migration, although the end state fits', () => {
    // N2 (64) holds VM4 (40); VM2 (30) starts arriving at 3 while VM4 leaves only at 5
    const plan: Plan = { origin: cluster(), actions: [relocate('VM2', 'N1', 'N2', 3, 6), relocate('VM4', 'N2', 'N3', 0, 5)] };
    const r = replay(plan);
    expect(problem(r)).toBe("0'03 to 0'05: N2 over 'mem' capacity (70 > 64) while VM2 arrives and VM4 has not left yet");
    if (!r.ok) {
      expect(r.problem.time).toBe(3);
      expect(r.problem.action).toBe(plan.actions[0]);
    }
    // the final placement alone would fit: N2 = 30
    const late: Plan = { origin: cluster(), actions: [relocate('VM2', 'N1', 'N2', 5, 6), relocate('VM4', 'N2', 'N3', 0, 5)] };
    expect(ok(replay(late)).usage(id('N2'), 'mem')).toBe(30);
  });

  it('a node shut down one second before its last VM left', () => {
    const plan: Plan = { origin: cluster(), actions: [relocate('VM3', 'N4', 'N3', 0, 3), shutdownNode('N4', 2, 5)] };
    expect(problem(replay(plan))).toBe("0'02: cannot shut down N4: VM3 has not left it yet (relocate(VM3,N3) ends at 0'03)");
    // and a node shut down with a VM that never leaves
    expect(problem(replay({ origin: cluster(), actions: [shutdownNode('N4', 0, 1)] }))).toBe("0'00: cannot shut down N4: VM3 is still on it");
  });

  it('a VM booted on an offline node', () => {
    expect(problem(replay({ origin: cluster(), actions: [bootVm('VM5', 'N5', 0, 2)] }))).toBe("0'00: cannot boot VM5 on N5: N5 is offline");
  });

  it('a VM arriving on a node before its boot has ended', () => {
    const plan: Plan = { origin: cluster(), actions: [bootNode('N5', 0, 4), relocate('VM1', 'N1', 'N5', 3, 5)] };
    expect(problem(replay(plan))).toBe("0'03: cannot relocate VM1 to N5: N5 is still booting (until 0'04)");
  });

  it('a VM arriving on a node whose shutdown has started', () => {
    const plan: Plan = { origin: cluster(), actions: [shutdownNode('N3', 0, 4), relocate('VM1', 'N1', 'N3', 2, 5)] };
    expect(problem(replay(plan))).toBe("0'02: cannot relocate VM1 to N3: N3 is shutting down (since 0'00)");
  });

  it('a migration of a VM that is not running', () => {
    expect(problem(replay({ origin: cluster(), actions: [relocate('VM5', 'N1', 'N2', 0, 2)] }))).toBe("0'00: cannot relocate VM5 to N2: VM5 is not running (it is ready)");
    expect(problem(replay({ origin: cluster(), actions: [relocate('VM1', 'N2', 'N3', 0, 2)] }))).toBe("0'00: cannot relocate VM1 to N3: VM1 runs on N1, not on N2");
    expect(problem(replay({ origin: cluster(), actions: [relocate('VM1', 'N1', 'N5', 1, 2)] }))).toBe("0'01: cannot relocate VM1 to N5: N5 is offline");
  });

  it('a resume that starts before the suspend has ended, or from the wrong node', () => {
    const early: Plan = { origin: cluster(), actions: [suspend('VM1', 'N1', 'N1', 0, 2), resume('VM1', 'N1', 'N3', 1, 3)] };
    expect(problem(replay(early))).toBe("0'01: cannot resume VM1 on N3: VM1 is already busy with suspend(VM1) (0'00 to 0'02)");
    const wrongNode: Plan = { origin: cluster(), actions: [suspend('VM1', 'N1', 'N1', 0, 2), resume('VM1', 'N2', 'N3', 2, 3)] };
    expect(problem(replay(wrongNode))).toBe("0'02: cannot resume VM1 on N3: VM1 sleeps on N1, not on N2");
    expect(problem(replay({ origin: cluster(), actions: [resume('VM1', 'N1', 'N3', 0, 1)] }))).toBe("0'00: cannot resume VM1 on N3: VM1 is not sleeping (it is running on N1)");
  });

  it('an increasing allocation before the decreasing one has freed the room', () => {
    const origin = buildModel({ on: { N0: ['VM0', 'VM1'] }, rc: { cpu: { cap: 8, cons: { VM0: 3, VM1: 5 } } } });
    const plan: Plan = { origin, actions: [allocate('VM0', 'N0', 'cpu', 5, 2, 4), allocate('VM1', 'N0', 'cpu', 3, 0, 3)] };
    expect(problem(replay(plan))).toBe("0'02 to 0'03: N0 over 'cpu' capacity (10 > 8) while VM0 gets more 'cpu' and VM1 has not released its 'cpu' yet");
  });

  it('a VM booted over capacity, an initial overload, a second action on a busy node', () => {
    const tight = cluster();
    tight.resource('mem')?.setCapacity(id('N3'), 10);
    expect(problem(replay({ origin: tight, actions: [bootVm('VM5', 'N3', 0, 2)] }))).toBe("0'00: N3 over 'mem' capacity (16 > 10) while VM5 boots");
    const over = cluster();
    over.resource('mem')?.setCapacity(id('N1'), 40);
    expect(problem(replay({ origin: over, actions: [] }))).toBe("0'00: N1 is over 'mem' capacity from the start (50 > 40)");
    expect(problem(replay({ origin: cluster(), actions: [bootNode('N5', 0, 3), bootNode('N5', 1, 2)] }))).toBe("0'01: cannot boot N5: N5 is still booting (until 0'03)");
    expect(problem(replay({ origin: cluster(), actions: [bootNode('N3', 0, 3)] }))).toBe("0'00: cannot boot N3: N3 is already online");
    expect(problem(replay({ origin: cluster(), actions: [shutdownNode('N5', 0, 3)] }))).toBe("0'00: cannot shut down N5: N5 is already offline");
  });

  it('states that do not allow the action: forge an existing VM, kill twice, boot a running VM', () => {
    expect(problem(replay({ origin: cluster(), actions: [forge('VM1', 0, 1)] }))).toBe("0'00: cannot forge VM1: VM1 already exists (it is running on N1)");
    expect(problem(replay({ origin: cluster(), actions: [kill('VM1', 'N1', 0, 1), kill('VM1', null, 1, 2)] }))).toBe("0'01: cannot kill VM1: VM1 has already been killed");
    expect(problem(replay({ origin: cluster(), actions: [bootVm('VM1', 'N3', 0, 1)] }))).toBe("0'00: cannot boot VM1 on N3: VM1 is not ready (it is running on N1)");
    expect(problem(replay({ origin: cluster(), actions: [shutdownVm('VM1', 'N2', 0, 1)] }))).toBe("0'00: cannot shut down VM1: VM1 runs on N1, not on N2");
    expect(problem(replay({ origin: cluster(), actions: [allocate('VM1', 'N1', 'gpu', 1, 0, 0)] }))).toBe("0'00: cannot allocate 1 'gpu' to VM1: there is no resource 'gpu'");
  });

  it('elements the model does not know', () => {
    expect(problem(replay({ origin: cluster(), actions: [relocate('VM1', 'N1', 'N9', 0, 1)] }))).toBe("0'00: cannot relocate VM1 to node#9: node#9 is not in the model");
    expect(problem(replay({ origin: cluster(), actions: [bootNode('N9', 0, 1)] }))).toBe("0'00: cannot boot node#9: node#9 is not in the model");
    expect(problem(replay({ origin: cluster(), actions: [shutdownVm('VM8', 'N1', 0, 1)] }))).toBe("0'00: cannot shut down vm#8: vm#8 is not running (it does not exist yet)");
  });

  it('bad times', () => {
    expect(problem(replay({ origin: cluster(), actions: [relocate('VM1', 'N1', 'N3', 4, 2)] }))).toBe("0'04: relocate(VM1,N3) ends (0'02) before it starts");
    expect(problem(replay({ origin: cluster(), actions: [relocate('VM1', 'N1', 'N3', -1, 2)] }))).toContain('starts before the plan');
  });
});

describe('replay observer', () => {
  it('sees ends before starts, and a migrating VM on its source until its end', () => {
    const log: string[] = [];
    const plan: Plan = { origin: cluster(), actions: [relocate('VM2', 'N1', 'N2', 3, 5), relocate('VM4', 'N2', 'N3', 0, 3)] };
    const where = (m: Model, vm: string): string => m.nodeName(m.mapping.host(id(vm)) ?? -1);
    const name = (m: Model, a: Action): string => (a.kind === 'migrateVM' ? m.vmName(a.vm) : a.kind);
    ok(
      replay(plan, {
        startsWith: (m) => log.push(`startsWith VM4@${where(m, 'VM4')}`),
        beforeStart: (a, t, m) => log.push(`${t} beforeStart ${name(m, a)}@${where(m, m.vmName(a.kind === 'migrateVM' ? a.vm : 0))}`),
        afterStart: (a, t, m) => log.push(`${t} afterStart ${name(m, a)}@${where(m, m.vmName(a.kind === 'migrateVM' ? a.vm : 0))}`),
        beforeEnd: (a, t, m) => log.push(`${t} beforeEnd ${name(m, a)}@${where(m, m.vmName(a.kind === 'migrateVM' ? a.vm : 0))}`),
        afterEnd: (a, t, m) => log.push(`${t} afterEnd ${name(m, a)}@${where(m, m.vmName(a.kind === 'migrateVM' ? a.vm : 0))}`),
        endsWith: (m) => log.push(`endsWith VM2@${where(m, 'VM2')}`),
      }),
    );
    expect(log).toEqual([
      'startsWith VM4@N2',
      '0 beforeStart VM4@N2',
      '0 afterStart VM4@N2',
      '3 beforeEnd VM4@N2',
      '3 afterEnd VM4@N3',
      '3 beforeStart VM2@N1',
      '3 afterStart VM2@N1',
      '5 beforeEnd VM2@N1',
      '5 afterEnd VM2@N2',
      'endsWith VM2@N2',
    ]);
  });
});
