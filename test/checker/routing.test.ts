import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { Constraint } from '../../src/catalogue/constraint.js';
import { CATALOGUE, definitionOf } from '../../src/catalogue/registry.js';
import { type PlanCheckReport, checkPlan } from '../../src/checker/plan-checker.js';
import { Model, NamingService, ShareableResource } from '../../src/model/index.js';
import type { Action, PlanEvent } from '../../src/plan/actions.js';
import type { Plan } from '../../src/plan/plan.js';
import { bootVm, buildModel, constraint, ids, instanceOf, migrate, planOf, shutdownVm } from './support.js';

/**
 * The routed checker (each action's hooks go only to the constraints observing it) must report
 * exactly what the exhaustive one (`{ routing: false }`) reports: same violations, same order, same
 * intervals, messages, actions and elements. Checked on random small clusters, with random
 * constraints of every catalogue entry in both modes, and random plans of every kind of action
 * with allocation and substitution events: mostly executable, some mutated (wrong nodes, shifted
 * times, actions on the wrong VM, dropped actions), so hooks fire on valid and broken plans, on
 * capacity overloads (second replay with lifted capacities) and on precondition stops.
 */

const NODES = 5;
const VMS = 8;
/** unnamed ids a substitution may give a clone */
const CLONES = [8, 9];
const ALL_VMS = [...Array(VMS).keys(), ...CLONES];
const RCS = ['cpu', 'mem'];

/** Reads choices from a fast-check array (0 once exhausted, so shrinking leads to small cases). */
class Choices {
  private i = 0;
  constructor(private readonly values: readonly number[]) {}
  int(n: number): number {
    if (n <= 1) return 0;
    const v = this.values[this.i++] ?? 0;
    return v % n;
  }
  chance(outOf: number): boolean {
    return this.int(outOf) === 0;
  }
  of<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  subset<T>(items: readonly T[]): T[] {
    return items.filter(() => this.int(2) === 0);
  }
}

function randomModel(ch: Choices): Model {
  const model = new Model({ vmNames: new NamingService('vm'), nodeNames: new NamingService('node') });
  const online: number[] = [];
  for (let n = 0; n < NODES; n++) {
    model.nodeNames?.register(`N${n}`, n);
    if (ch.int(5) === 0) model.mapping.addOfflineNode(n);
    else {
      model.mapping.addOnlineNode(n);
      online.push(n);
    }
  }
  for (const id of RCS) {
    const r = new ShareableResource(id, 8, 1);
    for (let n = 0; n < NODES; n++) r.setCapacity(n, 4 + ch.int(12));
    for (let vm = 0; vm < VMS; vm++) r.setConsumption(vm, ch.int(5));
    model.addResource(r);
  }
  for (let vm = 0; vm < VMS; vm++) {
    model.vmNames?.register(`VM${vm}`, vm);
    const state = ch.int(6);
    if (online.length > 0 && state <= 2) model.mapping.addRunningVM(vm, ch.of(online));
    else if (online.length > 0 && state === 3) model.mapping.addSleepingVM(vm, ch.of(online));
    else if (state === 4) model.mapping.addReadyVM(vm);
    // else: init (not yet forged)
    if (ch.chance(3)) model.attributes.put('vm', vm, 'postCopy', true);
  }
  return model;
}

/** Groups (parts) from a random assignment of elements to at most 3 groups or none. */
function parts(ch: Choices, elements: readonly number[]): number[][] {
  const groups: number[][] = [[], [], []];
  for (const e of elements) {
    const g = ch.int(4);
    if (g < 3) groups[g]?.push(e);
  }
  return groups.filter((g) => g.length > 0);
}

const NODE_IDS = [...Array(NODES).keys()];
const VM_IDS = [...Array(VMS).keys()];

/** Random arguments for every catalogue entry (a new entry must be added here: see the test below). */
const ARGS: Record<string, (ch: Choices) => Record<string, unknown>> = {
  among: (ch) => ({ vms: ch.subset(VM_IDS), parts: parts(ch, NODE_IDS) }),
  ban: (ch) => ({ vm: ch.of(VM_IDS), nodes: ch.subset(NODE_IDS) }),
  fence: (ch) => ({ vm: ch.of(VM_IDS), nodes: ch.subset(NODE_IDS) }),
  gather: (ch) => ({ vms: ch.subset(VM_IDS) }),
  lonely: (ch) => ({ vms: ch.subset(VM_IDS) }),
  spread: (ch) => ({ vms: ch.subset(VM_IDS) }),
  split: (ch) => ({ parts: parts(ch, VM_IDS) }),
  splitAmong: (ch) => ({ vParts: parts(ch, VM_IDS), pParts: parts(ch, NODE_IDS) }),
  quarantine: (ch) => ({ node: ch.of(NODE_IDS) }),
  root: (ch) => ({ vm: ch.of(VM_IDS) }),
  online: (ch) => ({ node: ch.of(NODE_IDS) }),
  offline: (ch) => ({ node: ch.of(NODE_IDS) }),
  maxOnline: (ch) => ({ nodes: ch.subset(NODE_IDS), amount: ch.int(4) }),
  running: (ch) => ({ vm: ch.of(VM_IDS) }),
  ready: (ch) => ({ vm: ch.of(VM_IDS) }),
  sleeping: (ch) => ({ vm: ch.of(VM_IDS) }),
  killed: (ch) => ({ vm: ch.of(VM_IDS) }),
  seq: (ch) => ({ vms: ch.subset(VM_IDS).sort(() => ch.int(3) - 1) }),
  overbook: (ch) => ({ node: ch.of(NODE_IDS), rc: ch.of(RCS), ratio: 1 + ch.int(3) / 2 }),
  preserve: (ch) => ({ vm: ch.of(VM_IDS), rc: ch.of(RCS), amount: ch.int(7) }),
  resourceCapacity: (ch) => ({ nodes: ch.subset(NODE_IDS), rc: ch.of(RCS), amount: ch.int(20) }),
  runningCapacity: (ch) => ({ nodes: ch.subset(NODE_IDS), amount: ch.int(6) }),
  noDelay: (ch) => ({ vm: ch.of(VM_IDS) }),
  Deadline: (ch) => ({ vm: ch.of(VM_IDS), timestamp: ch.chance(4) ? '00:00:10' : `+00:00:${String(ch.int(12)).padStart(2, '0')}` }),
  Precedence: (ch) => {
    const vm1 = ch.of(VM_IDS);
    return { vm1, vm2: (vm1 + 1 + ch.int(VMS - 1)) % VMS };
  },
  Serialize: (ch) => ({ vms: ch.subset(VM_IDS) }),
  Sync: (ch) => ({ vms: ch.subset(VM_IDS) }),
  maxMigrations: (ch) => ({ vms: ch.subset(VM_IDS), amount: ch.int(3) }),
};

/** Random valid constraints: every entry gets a chance, in a random mode it supports. */
function randomConstraints(ch: Choices): Constraint[] {
  const out: Constraint[] = [];
  const count = 1 + ch.int(12);
  for (let i = 0; i < count; i++) {
    const def = ch.of(CATALOGUE);
    const args = ARGS[def.id]?.(ch);
    if (!args || !def.schema.safeParse(args).success) continue;
    const wantContinuous = ch.int(2) === 0;
    const continuous = def.modes.continuous && def.modes.discrete ? wantContinuous : def.modes.continuous;
    out.push({ id: def.id, continuous, args });
    // the same rule twice: its violations must still come in the constraints' order
    if (ch.chance(6)) out.push({ id: def.id, continuous, args });
  }
  return out;
}

/**
 * A plan built against a simulated state, so most actions can run: each action starts after the
 * previous actions on its VM (and the boot of its destination) have ended; a node is shut down
 * once every action on it has ended. Some actions are wild (random kind and elements).
 */
function randomPlan(ch: Choices, origin: Model): Action[] {
  const m = origin.mapping.clone();
  const vmFree = new Map<number, number>();
  const nodeFree = new Map<number, number>();
  const nodeLastUse = new Map<number, number>();
  const actions: Action[] = [];
  let t = 0;
  let clones = [...CLONES];
  const count = ch.int(14);
  for (let i = 0; i < count; i++) {
    t += ch.int(3);
    const duration = ch.int(5);
    const online = m.onlineNodes();
    const offline = m.offlineNodes();
    const wild = ch.chance(8);
    const vm = wild ? ch.of(ALL_VMS) : ch.of([...ALL_VMS].filter((v) => m.hasVM(v) || ch.chance(4)));
    const at = (...nodes: number[]): number => Math.max(t, vmFree.get(vm) ?? 0, ...nodes.map((n) => nodeFree.get(n) ?? 0));
    const used = (a: Action, nodes: number[]): void => {
      if ('vm' in a) vmFree.set(a.vm, Math.max(vmFree.get(a.vm) ?? 0, a.end));
      for (const n of nodes) nodeLastUse.set(n, Math.max(nodeLastUse.get(n) ?? 0, a.end));
    };
    const host = m.host(vm);
    let a: Action | undefined;
    const kind = ch.int(11);
    if (kind <= 2 && (wild || (m.isRunning(vm) && host !== undefined && online.length > 1))) {
      const from = wild ? ch.of(NODE_IDS) : (host as number);
      const to = wild ? ch.of(NODE_IDS) : ch.of(online.filter((n) => n !== from));
      const s = at(to);
      a = { kind: 'migrateVM', vm, from, to, start: s, end: s + duration };
      if (!wild) m.addRunningVM(vm, to);
      used(a, [from, to]);
    } else if (kind === 3 && (wild || (m.isReady(vm) && online.length > 0))) {
      const node = ch.of(wild ? NODE_IDS : online);
      const s = at(node);
      a = { kind: 'bootVM', vm, node, start: s, end: s + duration };
      if (!wild) m.addRunningVM(vm, node);
      used(a, [node]);
    } else if (kind === 4 && (wild || (m.isRunning(vm) && host !== undefined))) {
      const node = wild ? ch.of(NODE_IDS) : (host as number);
      const s = at();
      a = { kind: 'shutdownVM', vm, node, start: s, end: s + duration };
      if (!wild) m.addReadyVM(vm);
      used(a, [node]);
    } else if (kind === 5 && (wild || (m.isRunning(vm) && host !== undefined))) {
      const node = wild ? ch.of(NODE_IDS) : (host as number);
      const s = at();
      a = { kind: 'suspendVM', vm, from: node, to: node, start: s, end: s + duration };
      if (!wild) m.addSleepingVM(vm, node);
      used(a, [node]);
    } else if (kind === 6 && (wild || (m.isSleeping(vm) && host !== undefined))) {
      const node = wild ? ch.of(NODE_IDS) : (host as number);
      const s = at(node);
      a = { kind: 'resumeVM', vm, from: node, to: node, start: s, end: s + duration };
      if (!wild) m.addRunningVM(vm, node);
      used(a, [node]);
    } else if (kind === 7 && (wild || m.hasVM(vm))) {
      const s = at();
      a = { kind: 'killVM', vm, node: host ?? null, start: s, end: s + duration };
      if (!wild) m.remove(vm);
      used(a, host === undefined ? [] : [host]);
    } else if (kind === 8 && (wild || !m.hasVM(vm))) {
      const s = at();
      a = { kind: 'forgeVM', vm, start: s, end: s + duration };
      if (!wild) m.addReadyVM(vm);
      used(a, []);
    } else if (kind === 9 && (wild || offline.length > 0 || online.length > 0)) {
      const bootable = wild ? NODE_IDS : offline;
      const empty = online.filter((n) => m.hostedCount(n) === 0);
      if (bootable.length > 0 && (empty.length === 0 || ch.int(2) === 0)) {
        const node = ch.of(bootable);
        const s = Math.max(t, nodeLastUse.get(node) ?? 0);
        a = { kind: 'bootNode', node, start: s, end: s + duration };
        if (!wild) m.addOnlineNode(node);
        nodeFree.set(node, a.end);
        nodeLastUse.set(node, a.end);
      } else if (empty.length > 0) {
        const node = ch.of(empty);
        const s = Math.max(t, nodeLastUse.get(node) ?? 0);
        a = { kind: 'shutdownNode', node, start: s, end: s + duration };
        m.addOfflineNode(node);
        nodeFree.set(node, Number.MAX_SAFE_INTEGER);
        nodeLastUse.set(node, a.end);
      }
    } else if (kind === 10 && (wild || (m.isRunning(vm) && host !== undefined))) {
      const node = wild ? ch.of(NODE_IDS) : (host as number);
      const s = at();
      a = { kind: 'allocate', vm, node, rc: ch.of(RCS), amount: ch.int(7), start: s, end: s + duration };
      used(a, [node]);
    }
    if (!a) continue;
    // plan events: allocations, and substitutions by a clone (whose later actions the routes must follow)
    if (a.kind !== 'bootNode' && a.kind !== 'shutdownNode' && ch.chance(3)) {
      const own = a.vm;
      const events = (): PlanEvent[] => {
        const out: PlanEvent[] = [];
        if (ch.chance(2)) out.push({ kind: 'allocateEvent', vm: ch.chance(4) ? ch.of(ALL_VMS) : own, rc: ch.of(RCS), amount: ch.int(7) });
        if (ch.chance(3) && clones.length > 0) {
          const newVm = ch.of(clones);
          clones = clones.filter((c) => c !== newVm);
          out.push({ kind: 'substitutedVM', vm: own, newVm });
        }
        return out;
      };
      a = { ...a, hooks: { pre: events(), post: events() } };
    }
    actions.push(a);
  }
  return ch.chance(4) ? mutate(ch, actions) : actions;
}

/** One or two subtle changes: a node, a VM, a time or an action dropped or repeated. */
function mutate(ch: Choices, actions: Action[]): Action[] {
  const out = [...actions];
  const changes = 1 + ch.int(2);
  for (let k = 0; k < changes && out.length > 0; k++) {
    const i = ch.int(out.length);
    const a = out[i] as Action;
    switch (ch.int(5)) {
      case 0:
        out.splice(i, 1);
        break;
      case 1: {
        const shift = ch.int(5) - 2;
        out[i] = { ...a, start: Math.max(0, a.start + shift), end: Math.max(0, a.start + shift) + (a.end - a.start) };
        break;
      }
      case 2:
        out[i] = a.kind === 'migrateVM' ? { ...a, to: ch.of(NODE_IDS) } : 'node' in a && a.node !== null ? { ...a, node: ch.of(NODE_IDS) } : a;
        break;
      case 3:
        out[i] = 'vm' in a ? { ...a, vm: ch.of(ALL_VMS) } : a;
        break;
      default:
        out.push({ ...a, start: a.end, end: a.end + (a.end - a.start) });
        break;
    }
  }
  return out;
}

interface Case {
  readonly constraints: Constraint[];
  readonly plan: Plan;
}

const cases = fc.array(fc.nat({ max: 10_000 }), { minLength: 120, maxLength: 400, size: 'max' }).map((values): Case => {
  const ch = new Choices(values);
  const origin = randomModel(ch);
  const constraints = randomConstraints(ch);
  return { constraints, plan: planOf(origin, randomPlan(ch, origin)) };
});

function both(c: Case): { routed: PlanCheckReport; unrouted: PlanCheckReport } {
  const instance = instanceOf(c.plan.origin, c.constraints);
  return { routed: checkPlan(instance, c.plan), unrouted: checkPlan(instance, c.plan, { routing: false }) };
}

describe('routed plan checking', () => {
  it('has random arguments for every catalogue entry', () => {
    expect(Object.keys(ARGS).sort()).toEqual(CATALOGUE.map((d) => d.id).sort());
  });

  it('reports exactly what checking every hook for every action reports', () => {
    fc.assert(
      fc.property(cases, (c) => {
        const { routed, unrouted } = both(c);
        expect(routed.violations).toEqual(unrouted.violations);
        const rank = (r: PlanCheckReport): number[] => r.violations.map((v) => (v.constraint ? c.constraints.indexOf(v.constraint) : -1));
        expect(rank(routed)).toEqual(rank(unrouted));
        expect(routed.ok).toBe(unrouted.ok);
        expect(routed.result === undefined).toBe(unrouted.result === undefined);
      }),
      { numRuns: 1500 },
    );
  });

  it('draws cases that exercise the hooks (not a vacuous equivalence)', () => {
    const drawn = fc.sample(cases, { numRuns: 600, seed: 42 });
    let hookViolations = 0;
    let replayedToTheEnd = 0;
    let withSubstitution = 0;
    const idsHit = new Set<string>();
    for (const c of drawn) {
      const { routed } = both(c);
      if (routed.result) replayedToTheEnd++;
      if (c.plan.actions.some((a) => [...(a.hooks?.pre ?? []), ...(a.hooks?.post ?? [])].some((e) => e.kind === 'substitutedVM'))) withSubstitution++;
      for (const v of routed.violations) {
        // a violation opened by a start/end hook names the action that broke the rule
        if (v.constraint && /\((as|at the end of:) /.test(v.message)) {
          hookViolations++;
          idsHit.add(v.constraint.id);
        }
      }
    }
    expect(replayedToTheEnd).toBeGreaterThan(drawn.length / 4);
    expect(withSubstitution).toBeGreaterThan(drawn.length / 10);
    expect(hookViolations).toBeGreaterThan(drawn.length / 10);
    expect(idsHit.size).toBeGreaterThan(10);
  });
});

describe('routes beyond the involved elements', () => {
  const check = (plan: Plan, constraints: Constraint[]): { routed: PlanCheckReport; unrouted: PlanCheckReport } => {
    const instance = instanceOf(plan.origin, constraints);
    return { routed: checkPlan(instance, plan), unrouted: checkPlan(instance, plan, { routing: false }) };
  };

  it('continuous lonely sees a foreign VM arriving on a node reserved for its VMs', () => {
    const origin = buildModel({ on: { N0: ['VM1'], N1: ['VM2'], N2: [] } });
    const plan = planOf(origin, [migrate('VM2', 'N1', 'N0', 0, 3)]);
    const { routed, unrouted } = check(plan, [constraint('lonely', true, { vms: ids('VM1') })]);
    expect(routed.violations.map((v) => v.rule)).toEqual(['lonely({VM1})']);
    expect(routed.violations[0]?.message).toContain('reserved for lonely VMs');
    expect(routed.violations).toEqual(unrouted.violations);
  });

  it('quarantine follows the VMs on its node at the start wherever they go', () => {
    const origin = buildModel({ on: { N0: ['VM1'], N1: [], N2: [] } });
    // the first migration away is reported; so is the second one, from a node outside the quarantine
    const plan = planOf(origin, [migrate('VM1', 'N0', 'N1', 0, 2), migrate('VM1', 'N1', 'N2', 5, 7)]);
    const { routed, unrouted } = check(plan, [constraint('quarantine', true, { node: 0 })]);
    expect(routed.violations).toHaveLength(2);
    expect(routed.violations[1]?.actions).toEqual([plan.actions[1]]);
    expect(routed.violations).toEqual(unrouted.violations);
  });

  it("a VM's clone inherits its routes, through a chain of substitutions", () => {
    const origin = buildModel({ on: { N0: ['VM1'], N1: [] }, rc: { cpu: { cap: 8, cons: 1 } } });
    const sub = (vm: number, newVm: number): PlanEvent => ({ kind: 'substitutedVM', vm, newVm });
    const plan = planOf(origin, [
      // the clone's shutdown is listed first: routes do not depend on the plan order
      shutdownVm('VM9', 'N1', 8, 9),
      { ...migrate('VM1', 'N0', 'N1', 0, 2), hooks: { pre: [], post: [sub(1, 8)] } },
      { kind: 'allocate', vm: 1, node: 1, rc: 'cpu', amount: 2, start: 3, end: 4, hooks: { pre: [sub(8, 9)], post: [] } },
    ]);
    const { routed, unrouted } = check(plan, [constraint('running', false, { vm: 1 })]);
    expect(routed.violations).toEqual(unrouted.violations);
    expect(routed.violations.some((v) => v.rule === 'running(VM1)' && v.actions.includes(plan.actions[0] as Action))).toBe(true);
  });

  it('every catalogue entry routes a hook to itself for an action on its own VM', () => {
    // the smallest case of the property: one booted VM under each VM-watching entry
    const origin = buildModel({ on: { N0: [], N1: [] }, ready: ['VM1'] });
    const plan = planOf(origin, [bootVm('VM1', 'N1', 2, 3)]);
    for (const id of ['noDelay', 'ready', 'sleeping', 'killed']) {
      const def = definitionOf(id);
      expect(def).toBeDefined();
      const { routed, unrouted } = check(plan, [constraint(id, false, { vm: 1 })]);
      expect(routed.violations.length).toBeGreaterThan(0);
      expect(routed.violations).toEqual(unrouted.violations);
    }
  });
});
