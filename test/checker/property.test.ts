import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { findOverloads } from '../../src/checker/capacity.js';
import { CORE_CAPACITY, CORE_PRECONDITION, checkPlan } from '../../src/checker/plan-checker.js';
import { Model, NamingService, ShareableResource } from '../../src/model/index.js';
import type { Action, MigrateVM, ShutdownNode } from '../../src/plan/actions.js';
import { replay } from '../../src/plan/replay.js';
import { instanceOf } from './support.js';

/**
 * Random small clusters and plans that move VMs one at a time (each migration starts when the
 * previous one ends), then empty one node and shut it down. Capacities are generous (the sum of
 * every consumption), so such a plan is always valid.
 */
interface Scenario {
  readonly model: Model;
  readonly actions: Action[];
  /** index of the last migration leaving the node that is shut down, and of the shutdown */
  readonly lastDeparture: number;
  readonly shutdown: number;
  readonly finalHosts: Map<number, number>;
}

const scenario = fc
  .record({
    nodes: fc.integer({ min: 2, max: 5 }),
    placement: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
    consumption: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 8, maxLength: 8 }),
    moves: fc.array(fc.record({ vm: fc.nat(), to: fc.nat(), duration: fc.integer({ min: 1, max: 4 }) }), { maxLength: 10 }),
    evacuate: fc.nat(),
    shutdownDuration: fc.integer({ min: 1, max: 3 }),
  })
  .map(({ nodes, placement, consumption, moves, evacuate, shutdownDuration }): Scenario => {
    const model = new Model({ vmNames: new NamingService('vm'), nodeNames: new NamingService('node') });
    for (let n = 0; n < nodes; n++) {
      model.mapping.addOnlineNode(n);
      model.nodeNames?.register(`N${n}`, n);
    }
    const cpu = new ShareableResource('cpu', consumption.reduce((s, c) => s + c, 0), 0);
    const host = new Map<number, number>();
    placement.forEach((p, vm) => {
      model.mapping.addRunningVM(vm, p % nodes);
      model.vmNames?.register(`VM${vm}`, vm);
      cpu.setConsumption(vm, consumption[vm] ?? 0);
      host.set(vm, p % nodes);
    });
    model.addResource(cpu);
    const actions: Action[] = [];
    let t = 0;
    const move = (vm: number, to: number, duration: number): void => {
      const from = host.get(vm) as number;
      const m: MigrateVM = { kind: 'migrateVM', vm, from, to, start: t, end: t + duration };
      actions.push(m);
      host.set(vm, to);
      t += duration;
    };
    for (const m of moves) {
      const vm = m.vm % placement.length;
      const from = host.get(vm) as number;
      const to = (from + 1 + (m.to % (nodes - 1))) % nodes; // any node but the current one
      move(vm, to, m.duration);
    }
    // empty the node of some VM, then shut it down once the last VM has left
    const victim = host.get(evacuate % placement.length) as number;
    const target = (victim + 1) % nodes;
    let lastDeparture = -1;
    for (const [vm, h] of [...host]) {
      if (h !== victim) continue;
      move(vm, target, 2);
      lastDeparture = actions.length - 1;
    }
    const off: ShutdownNode = { kind: 'shutdownNode', node: victim, start: t, end: t + shutdownDuration };
    actions.push(off);
    return { model, actions, lastDeparture, shutdown: actions.length - 1, finalHosts: host };
  });

describe('checkPlan on random sequential plans', () => {
  it('a plan moving VMs one at a time, then emptying and shutting down a node, always passes', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const report = checkPlan(instanceOf(s.model), { origin: s.model, actions: s.actions });
        expect(report.violations).toEqual([]);
        for (const [vm, h] of s.finalHosts) expect(report.result?.mapping.host(vm)).toBe(h);
      }),
      { numRuns: 200 },
    );
  });

  it('moving the shutdown to start before the last VM has left always fails, at that instant', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), (s, shift) => {
        const departure = s.actions[s.lastDeparture] as MigrateVM;
        const shutdown = s.actions[s.shutdown] as ShutdownNode;
        // any start in [departure.start, departure.end - 1]: the VM is still leaving
        const start = departure.start + (shift % (departure.end - departure.start));
        const mutated = [...s.actions];
        mutated[s.shutdown] = { ...shutdown, start, end: start + (shutdown.end - shutdown.start) };
        const report = checkPlan(instanceOf(s.model), { origin: s.model, actions: mutated });
        expect(report.ok).toBe(false);
        const first = report.violations[0];
        expect(first?.rule).toBe(CORE_PRECONDITION);
        expect(first?.from).toBe(start);
        expect(first?.actions).toEqual([mutated[s.shutdown]]);
        expect(first?.nodes).toEqual([shutdown.node]);
      }),
      { numRuns: 200 },
    );
  });
});

/**
 * Parallel plans: every VM follows its own chain of migrations (so every action can happen) while
 * the VMs move at the same time, over tight random capacities. The slice profile the checker uses
 * to give an overload its extent must agree with the replay, the authority on capacities.
 */
const parallel = fc
  .record({
    nodes: fc.integer({ min: 2, max: 4 }),
    vms: fc.array(
      fc.record({
        host: fc.nat(),
        cpu: fc.integer({ min: 0, max: 5 }),
        moves: fc.array(fc.record({ to: fc.nat(), gap: fc.integer({ min: 0, max: 3 }), duration: fc.integer({ min: 1, max: 3 }) }), { maxLength: 3 }),
      }),
      { minLength: 1, maxLength: 6 },
    ),
    capacities: fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 4, maxLength: 4 }),
  })
  .map(({ nodes, vms, capacities }) => {
    const model = new Model();
    for (let n = 0; n < nodes; n++) model.mapping.addOnlineNode(n);
    const cpu = new ShareableResource('cpu', 0, 0);
    for (let n = 0; n < nodes; n++) cpu.setCapacity(n, capacities[n] ?? 0);
    const actions: Action[] = [];
    vms.forEach((v, vm) => {
      let host = v.host % nodes;
      model.mapping.addRunningVM(vm, host);
      cpu.setConsumption(vm, v.cpu);
      let t = 0;
      for (const m of v.moves) {
        const to = (host + 1 + (m.to % (nodes - 1))) % nodes;
        t += m.gap;
        actions.push({ kind: 'migrateVM', vm, from: host, to, start: t, end: t + m.duration });
        t += m.duration;
        host = to;
      }
    });
    model.addResource(cpu);
    return { model, actions };
  });

describe('capacity profile vs replay', () => {
  it('finds an overload exactly when the replay does, starting when the replay stops', () => {
    fc.assert(
      fc.property(parallel, ({ model, actions }) => {
        const plan = { origin: model, actions };
        const replayed = replay(plan);
        const overloads = findOverloads(plan);
        if (replayed.ok) {
          expect(overloads).toEqual([]);
        } else {
          expect(replayed.problem.message).toMatch(/over 'cpu' capacity/);
          expect(overloads.length).toBeGreaterThan(0);
          expect(Math.min(...overloads.map((o) => o.from))).toBe(replayed.problem.time);
          const report = checkPlan(instanceOf(model), plan);
          expect(report.violations.every((v) => v.rule === CORE_CAPACITY)).toBe(true);
          expect(report.violations.length).toBe(overloads.length);
        }
      }),
      { numRuns: 300 },
    );
  });
});
