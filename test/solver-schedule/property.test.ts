import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { Model, NamingService, type NodeId, type NodeState, ShareableResource, type VmId, type VmState } from '../../src/model/index.js';
import type { Constraint } from '../../src/catalogue/constraint.js';
import type { Action } from '../../src/plan/actions.js';
import { schedule } from '../../src/solver/schedule/index.js';
import type { Target } from '../../src/solver/target.js';
import { assertSound } from './support.js';
import { Random } from '../../src/solver/random.js';

/** Deterministic numbers in [0, 1) from a seed, so a failing seed reproduces the instance. */
function rng(seed: number): () => number {
  const random = new Random(seed);
  return () => random.next();
}

interface Instance {
  origin: Model;
  target: Target;
}

/**
 * A random small cluster and a random *feasible* target: every final node within capacity,
 * nodes going offline emptied, VMs moved, booted, shut down, killed, grown or shrunk. With
 * `spare`, one extra empty node stays online with plenty of room, so a bounce is always possible.
 */
function randomInstance(seed: number, spare: boolean): Instance {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const origin = new Model({ vmNames: new NamingService('vm'), nodeNames: new NamingService('node') });
  const cpu = new ShareableResource('cpu', 0, 1);
  const mem = new ShareableResource('mem', 0, 1);
  origin.addResource(cpu).addResource(mem);
  const nodeCount = int(2, 5);
  const nodes: NodeId[] = [];
  for (let n = 0; n < nodeCount; n++) {
    nodes.push(n);
    origin.nodeNames?.register(`N${n}`, n);
    cpu.setCapacity(n, int(2, 8));
    mem.setCapacity(n, int(4, 12));
    if (r() < 0.2) origin.mapping.addOfflineNode(n);
    else origin.mapping.addOnlineNode(n);
  }
  if (spare) {
    const s = nodeCount;
    origin.nodeNames?.register(`N${s}`, s);
    origin.mapping.addOnlineNode(s);
    cpu.setCapacity(s, 100);
    mem.setCapacity(s, 100);
  }
  const load = (m: Map<NodeId, [number, number]>, n: NodeId): [number, number] => m.get(n) ?? [0, 0];
  const originLoad = new Map<NodeId, [number, number]>();
  const vmCount = int(1, 10);
  const vms: VmId[] = [];
  for (let v = 0; v < vmCount; v++) {
    origin.vmNames?.register(`VM${v}`, v);
    const c = int(1, 3);
    const mm = int(1, 4);
    cpu.setConsumption(v, c);
    mem.setConsumption(v, mm);
    vms.push(v);
    const candidates = nodes.filter((n) => origin.mapping.isOnline(n) && load(originLoad, n)[0] + c <= cpu.capacity(n) && load(originLoad, n)[1] + mm <= mem.capacity(n));
    if (candidates.length === 0 || r() < 0.1) {
      origin.mapping.addReadyVM(v);
      continue;
    }
    const n = pick(candidates);
    origin.mapping.addRunningVM(v, n);
    const [lc, lm] = load(originLoad, n);
    originLoad.set(n, [lc + c, lm + mm]);
  }

  // final node states: some nodes boot, some go offline (their VMs must leave)
  const finalNodes = new Map<NodeId, NodeState>();
  for (const n of nodes) {
    const online = origin.mapping.isOnline(n);
    if (online && r() < 0.25) finalNodes.set(n, 'offline');
    if (!online && r() < 0.5) finalNodes.set(n, 'online');
  }
  const allNodes = spare ? [...nodes, nodeCount] : nodes;
  const finalOnline = allNodes.filter((n) => (finalNodes.get(n) ?? origin.mapping.nodeState(n)) === 'online');

  // final VM states, placed greedily within the final capacities
  const finalLoad = new Map<NodeId, [number, number]>();
  const tvms = new Map<VmId, { state: VmState; host: NodeId | null }>();
  const consumption = new Map<VmId, Map<string, number>>();
  const order = [...vms].sort(() => r() - 0.5);
  for (const v of order) {
    const was = origin.vmState(v);
    const host = origin.mapping.host(v) ?? null;
    let c = cpu.consumption(v);
    let mm = mem.consumption(v);
    const roll = r();
    if (was === 'running' && roll < 0.1) {
      tvms.set(v, { state: 'ready', host: null });
      continue;
    }
    if (was === 'running' && roll < 0.15) {
      tvms.set(v, { state: 'killed', host: null });
      continue;
    }
    if (r() < 0.25) {
      c = int(0, 4);
      mm = int(1, 4);
    }
    const fits = (n: NodeId): boolean => load(finalLoad, n)[0] + c <= cpu.capacity(n) && load(finalLoad, n)[1] + mm <= mem.capacity(n);
    const stay = host !== null && finalOnline.includes(host) && fits(host) && r() < 0.4;
    const candidates = finalOnline.filter(fits);
    const dest = stay ? host : candidates.length > 0 ? pick(candidates) : null;
    if (dest === null) {
      if (was === 'running') tvms.set(v, { state: 'ready', host: null });
      continue;
    }
    const [lc, lm] = load(finalLoad, dest);
    finalLoad.set(dest, [lc + c, lm + mm]);
    if (!(was === 'running' && dest === host)) tvms.set(v, { state: 'running', host: dest });
    if (c !== cpu.consumption(v) || mm !== mem.consumption(v)) {
      consumption.set(
        v,
        new Map([
          ['cpu', c],
          ['mem', mm],
        ]),
      );
    }
  }
  return { origin, target: { vms: tvms, nodes: finalNodes, consumption } };
}

describe('schedule: random small clusters with a feasible target', () => {
  it('with a spare node, always finds a plan that replays within capacity and reaches the target exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 3 }), (seed, k) => {
        const { origin, target } = randomInstance(seed, true);
        const result = schedule(origin, target, [], { maxConcurrentMigrationsPerHost: k, durationOf: (kind, element) => 1 + ((element * 7 + kind.length) % 4) });
        if (!result.ok) throw new Error(`seed ${seed}: ${result.reason}`);
        assertSound(result.plan, target, k);
        expect(result.stats.makespan).toBeGreaterThanOrEqual(result.stats.durationLowerBound);
        expect(result.stats.mttr).toBeGreaterThanOrEqual(result.stats.mttrLowerBound);
      }),
      { numRuns: 300 },
    );
  });

  it('without a spare node, either plans soundly or reports a located deadlock', () => {
    let plans = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const { origin, target } = randomInstance(seed, false);
        const result = schedule(origin, target, []);
        if (result.ok) {
          plans++;
          assertSound(result.plan, target, 2);
        } else {
          expect(result.reason).toMatch(/deadlock/);
          expect(result.vms?.length ?? 0).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
    expect(plans).toBeGreaterThan(200);
  });

  it('with random Precedence, Serialize and seq constraints, keeps every order they ask for', () => {
    let plans = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const { origin, target } = randomInstance(seed, true);
        const r = rng(seed ^ 0x5bd1e995);
        const moving = [...target.vms].filter(([v, t]) => origin.mapping.isRunning(v) && t.state === 'running').map(([v]) => v);
        const changing = [...target.vms].filter(([v, t]) => origin.vmState(v) !== t.state).map(([v]) => v);
        const constraints: Constraint[] = [];
        const pairs: [number, number][] = [];
        for (let i = 0; i < moving.length; i++) {
          for (let j = i + 1; j < moving.length; j++) {
            if (r() < 0.15) {
              pairs.push([moving[i] as number, moving[j] as number]);
              constraints.push({ id: 'Precedence', continuous: false, args: { vm1: moving[i], vm2: moving[j] } });
            }
          }
        }
        const serial = moving.filter(() => r() < 0.4);
        if (serial.length >= 2) constraints.push({ id: 'Serialize', continuous: false, args: { vms: serial } });
        const seq = changing.filter(() => r() < 0.6).sort(() => r() - 0.5);
        if (seq.length >= 2) constraints.push({ id: 'seq', continuous: true, args: { vms: seq } });
        const result = schedule(origin, target, constraints);
        if (!result.ok) {
          // a Precedence may ask for an arrival before the departure that makes room for it
          expect(result.reason).toMatch(/deadlock|cycle/);
          return;
        }
        plans++;
        assertSound(result.plan, target, 2);
        const migs = (v: number): Action[] => result.plan.actions.filter((a) => a.kind === 'migrateVM' && a.vm === v);
        for (const [a, b] of pairs) {
          const endA = Math.max(...migs(a).map((x) => x.end));
          const startB = Math.min(...migs(b).map((x) => x.start));
          if (migs(a).length > 0 && migs(b).length > 0) expect(startB).toBeGreaterThanOrEqual(endA);
        }
        const serialized = serial.length >= 2 ? serial.flatMap(migs).sort((x, y) => x.start - y.start) : [];
        for (let i = 1; i < serialized.length; i++) expect((serialized[i] as Action).start).toBeGreaterThanOrEqual((serialized[i - 1] as Action).end);
        const stateActions = seq
          .map((v) => result.plan.actions.find((a) => a.kind !== 'migrateVM' && a.kind !== 'allocate' && 'vm' in a && a.vm === v))
          .filter((a): a is Action => a !== undefined);
        for (let i = 1; i < stateActions.length; i++) expect((stateActions[i] as Action).start).toBeGreaterThanOrEqual((stateActions[i - 1] as Action).end);
      }),
      { numRuns: 300 },
    );
    expect(plans).toBeGreaterThan(250);
  });

  it('with a continuous spread the target respects, members never share a node at any instant', () => {
    let rings = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const { origin, target } = randomInstance(seed, true);
        // members: running before and after, on pairwise distinct hosts before and after
        const members: VmId[] = [];
        const before = new Set<NodeId>();
        const after = new Set<NodeId>();
        for (const v of origin.mapping.allRunningVMs()) {
          const want = target.vms.get(v);
          const from = origin.mapping.host(v) as NodeId;
          const to = want === undefined ? from : want.state === 'running' ? want.host : null;
          if (to === null || to === undefined || before.has(from) || after.has(to)) continue;
          members.push(v);
          before.add(from);
          after.add(to);
        }
        if (members.length < 2) return;
        const result = schedule(origin, target, [{ id: 'spread', continuous: true, args: { vms: members } }]);
        if (!result.ok) {
          expect(result.reason).toMatch(/deadlock|continuous spread/);
          return;
        }
        assertSound(result.plan, target, 2);
        rings += result.stats.bounces.length;
        // occupancy intervals [from, to) of each member on each node (c-slice until the end, d-slice from the start)
        const occupancy = (v: VmId): [NodeId, number, number][] => {
          const legs = result.plan.actions.filter((a): a is Extract<Action, { kind: 'migrateVM' }> => a.kind === 'migrateVM' && a.vm === v).sort((x, y) => x.start - y.start);
          const host = origin.mapping.host(v) as NodeId;
          if (legs.length === 0) return [[host, 0, Infinity]];
          const out: [NodeId, number, number][] = [[host, 0, (legs[0] as Action).end]];
          legs.forEach((leg, i) => out.push([leg.to, leg.start, i + 1 < legs.length ? (legs[i + 1] as Action).end : Infinity]));
          return out;
        };
        const all = members.map(occupancy);
        for (let i = 0; i < all.length; i++) {
          for (let j = i + 1; j < all.length; j++) {
            for (const [n1, s1, e1] of all[i] as [NodeId, number, number][]) {
              for (const [n2, s2, e2] of all[j] as [NodeId, number, number][]) {
                if (n1 === n2) expect(s1 < e2 && s2 < e1, `VM${members[i]} and VM${members[j]} share N${n1}`).toBe(false);
              }
            }
          }
        }
      }),
      { numRuns: 400 },
    );
    expect(rings).toBeGreaterThan(0);
  });
});
