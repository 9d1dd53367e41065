import { describe, expect, it } from 'vitest';

import { checkPlan, formatViolations } from '../../src/checker/plan-checker.js';
import type { Instance } from '../../src/instance/instance.js';
import type { NodeId } from '../../src/model/index.js';
import type { Plan } from '../../src/plan/plan.js';
import { type PlanResult, plan } from '../../src/solver/planner.js';
import { c, cluster, instanceOf } from './helpers.js';

/**
 * Issue 15 §2: a maxOnline whose set must swap a node (one powers off, a spare boots in its
 * place). BtrPlace plans these; the power pass used to answer 'infeasible' (a continuous group was
 * never traded; a spare kept off by a full group was never counted when a search failed).
 */

async function planned(instance: Instance): Promise<PlanResult & { plan: Plan }> {
  const r = await plan(instance, { objective: 'mttr', solver: 'native', timeLimitMs: 1_000 });
  expect(r.status, (r.explanation ?? []).join('\n')).not.toBe('infeasible');
  if (!r.plan) throw new Error(`no plan: ${(r.explanation ?? []).join(' | ')}`);
  expect(formatViolations(checkPlan(instance, r.plan), instance.model)).toEqual([]);
  return r as PlanResult & { plan: Plan };
}

/**
 * The most nodes of `set` online at any instant, independently of the checker: a node counts as
 * online from the start of its boot to the end of its shutdown (BtrPlace's MaxOnline, continuous).
 */
function peakOnline(p: Plan, set: readonly NodeId[]): number {
  const instants = new Set<number>([0]);
  for (const a of p.actions) {
    instants.add(a.start);
    instants.add(a.end);
  }
  let peak = 0;
  for (const t of instants) {
    let online = 0;
    for (const n of set) {
      const boot = p.actions.find((a) => a.kind === 'bootNode' && a.node === n);
      const shutdown = p.actions.find((a) => a.kind === 'shutdownNode' && a.node === n);
      const initially = p.origin.mapping.isOnline(n);
      // [start of boot, ...) or [0, end of shutdown)
      const on = initially ? shutdown === undefined || t < shutdown.end : boot !== undefined && t >= boot.start;
      if (on) online++;
    }
    peak = Math.max(peak, online);
  }
  return peak;
}

/** N1 (2 cpu) online, N2 (8 cpu) an offline spare, maxOnline({N1, N2}, 1); VM3 (6 cpu) must boot: only N2 can take it. */
function tradeSwap(continuous: boolean): { instance: Instance; set: NodeId[] } {
  const { model, node, vm } = cluster(
    { N1: { cpu: 2 }, N2: { cpu: 8, offline: true }, N3: { cpu: 4 } },
    { VM1: { on: 'N1', cpu: 2 }, VM2: { on: 'N3', cpu: 2 }, VM3: { on: null, cpu: 6 } },
  );
  const set = [node('N1'), node('N2')];
  return { instance: instanceOf(model, [c('maxOnline', { nodes: set, amount: 1 }, continuous), c('running', { vm: vm('VM3') })]), set };
}

describe('maxOnline swaps (power pass)', () => {
  it('continuous maxOnline({N1, N2}, 1): N1 powers off before N2 boots, never two online at once', async () => {
    const { instance, set } = tradeSwap(true);
    const r = await planned(instance);
    const name = (a: Plan['actions'][number]): string => (a.kind === 'bootNode' || a.kind === 'shutdownNode' ? `${a.kind}(${instance.model.nodeName(a.node)})` : '');
    const shutdown = r.plan.actions.find((a) => name(a) === 'shutdownNode(N1)');
    const boot = r.plan.actions.find((a) => name(a) === 'bootNode(N2)');
    expect(shutdown && boot && shutdown.end <= boot.start).toBe(true);
    expect(peakOnline(r.plan, set)).toBe(1);
    expect(r.notes.join('\n')).toMatch(/N1 powers off: traded for the larger N2/);
  });

  it('discrete >>maxOnline({N1, N2}, 1): the same trade, the order free (only the end counts)', async () => {
    const { instance, set } = tradeSwap(false);
    const r = await planned(instance);
    const end = checkPlan(instance, r.plan).result;
    expect(set.filter((n) => end?.mapping.isOnline(n)).map((n) => instance.model.nodeName(n))).toEqual(['N2']);
  });

  it('continuous: no trade when the node to power off cannot be emptied before the spare boots (no deadlock offered)', async () => {
    // VM1 (4) on N1 can go nowhere but N2, which may boot only once N1 is off: a cycle
    const { model, node, vm } = cluster({ N1: { cpu: 4 }, N2: { cpu: 8, offline: true }, N3: { cpu: 4 } }, { VM1: { on: 'N1', cpu: 4 }, VM2: { on: 'N3', cpu: 4 }, VM3: { on: null, cpu: 4 } });
    const instance = instanceOf(model, [c('maxOnline', { nodes: [node('N1'), node('N2')], amount: 1 }, true), c('running', { vm: vm('VM3') })]);
    const r = await plan(instance, { objective: 'mttr', solver: 'native', timeLimitMs: 500 });
    expect(r.plan).toBeUndefined();
    expect(r.notes.join('\n')).not.toMatch(/traded for/);
  });
});

describe('regressions of the tiny-instance property (power-property.test.ts), each once a wrong "infeasible"', () => {
  it('seed 1241243227: two identical full maxOnline groups keep the spare off; trade N1 for N2', async () => {
    const { model, node, vm } = cluster({ N1: { cpu: 7, mem: 8 }, N2: { cpu: 4, mem: 14, offline: true } }, { VM1: { on: 'N1', cpu: 1, mem: 2 }, VM2: { on: 'N1', cpu: 3, mem: 4 } });
    const set = [node('N1'), node('N2')];
    await planned(instanceOf(model, [c('maxOnline', { nodes: set, amount: 1 }), c('maxOnline', { nodes: set, amount: 1 }), c('ban', { vm: vm('VM1'), nodes: [node('N1')] })]));
  });

  it('seed 374631387: the spare lies in two full groups; trade the node lying in both', async () => {
    const { model, node, vm } = cluster(
      { N1: { cpu: 5, mem: 14 }, N2: { cpu: 4, mem: 14 }, N3: { cpu: 8, mem: 15 }, N4: { cpu: 6, mem: 11, offline: true } },
      { VM1: { on: 'N2', cpu: 2, mem: 4 }, VM2: { on: 'N3', cpu: 1, mem: 1 }, VM3: { on: 'N1', cpu: 2, mem: 3 } },
    );
    await planned(
      instanceOf(model, [
        c('maxOnline', { nodes: [node('N3'), node('N4')], amount: 1 }),
        c('maxOnline', { nodes: [node('N1'), node('N3'), node('N4')], amount: 1 }),
        c('offline', { node: node('N1') }),
        c('ban', { vm: vm('VM1'), nodes: [node('N2'), node('N3')] }),
      ]),
    );
  });

  it('seed 65427386: capacity totals fit, the packing does not; the search asks for a trade', async () => {
    const { model, node, vm } = cluster(
      { N1: { cpu: 5, mem: 12 }, N2: { cpu: 4, mem: 14 }, N3: { cpu: 6, mem: 9, offline: true }, N4: { cpu: 6, mem: 14, offline: true } },
      { VM1: { on: 'N2', cpu: 2, mem: 3 }, VM2: { on: 'N1', cpu: 3, mem: 3 }, VM3: { on: 'N2', cpu: 2, mem: 1 }, VM4: { on: 'N1', cpu: 1, mem: 4 }, VM5: { on: null, cpu: 1, mem: 3 } },
    );
    const r = await planned(
      instanceOf(model, [
        c('maxOnline', { nodes: [node('N1'), node('N3'), node('N4')], amount: 1 }),
        c('offline', { node: node('N3') }),
        c('ban', { vm: vm('VM2'), nodes: [node('N1')] }),
        c('ban', { vm: vm('VM3'), nodes: [node('N1')] }),
        c('running', { vm: vm('VM5') }),
      ]),
    );
    expect(r.notes.join('\n')).toMatch(/N4 boots/);
  });

  it('seed 1050753744: a spare too small for the unplaced VM still boots, to take a VM that makes room', async () => {
    const { model, node, vm } = cluster(
      { N1: { cpu: 2, mem: 11 }, N2: { cpu: 2, mem: 5, offline: true }, N3: { cpu: 5, mem: 5 }, N4: { cpu: 6, mem: 5 } },
      { VM1: { on: null, cpu: 3, mem: 4 }, VM2: { on: 'N1', cpu: 2, mem: 1 }, VM3: { on: 'N4', cpu: 2, mem: 4 }, VM4: { on: null, cpu: 1, mem: 1 } },
    );
    const r = await planned(
      instanceOf(model, [c('offline', { node: node('N3') }), c('running', { vm: vm('VM1') }), c('ban', { vm: vm('VM1'), nodes: [node('N1')] }), c('running', { vm: vm('VM4') })]),
    );
    expect(r.notes.join('\n')).toMatch(/N2 boots/);
  });

  it('seed 1606059346: the emptiest node of the set is the only home of a VM banned from the others: keep it on', async () => {
    const { model, node, vm } = cluster(
      { N1: { cpu: 3, mem: 8 }, N2: { cpu: 8, mem: 8 }, N3: { cpu: 2, mem: 15 }, N4: { cpu: 7, mem: 8 } },
      { VM1: { on: 'N1', cpu: 1, mem: 1 }, VM2: { on: null, cpu: 1, mem: 2 }, VM3: { on: 'N1', cpu: 2, mem: 3 }, VM4: { on: 'N2', cpu: 1, mem: 1 }, VM5: { on: 'N3', cpu: 2, mem: 1 } },
    );
    const r = await planned(
      instanceOf(model, [
        c('maxOnline', { nodes: [node('N1'), node('N2'), node('N4')], amount: 1 }),
        c('maxOnline', { nodes: [node('N3'), node('N4')], amount: 2 }, true),
        c('offline', { node: node('N3') }),
        c('ban', { vm: vm('VM1'), nodes: [node('N2')] }),
        c('running', { vm: vm('VM2') }),
        c('fence', { vm: vm('VM3'), nodes: [node('N2'), node('N4')] }),
        c('ban', { vm: vm('VM4'), nodes: [node('N1')] }),
      ]),
    );
    const off = r.plan.actions.filter((a) => a.kind === 'shutdownNode').map((a) => model.nodeName(a.node));
    expect(off.sort()).toEqual(['N1', 'N2', 'N3']);
  });

  it('seed 848183470: online(N3) + continuous maxOnline({N1, N3}, 1): N1 powers off before N3 boots', async () => {
    const { model, node, vm } = cluster({ N1: { cpu: 8, mem: 6 }, N2: { cpu: 3, mem: 16 }, N3: { cpu: 3, mem: 4, offline: true } }, { VM1: { on: 'N2', cpu: 1, mem: 3 }, VM2: { on: 'N1', cpu: 1, mem: 1 } });
    const set = [node('N1'), node('N3')];
    const r = await planned(
      instanceOf(model, [
        c('maxOnline', { nodes: set, amount: 1 }),
        c('maxOnline', { nodes: set, amount: 1 }, true),
        c('online', { node: node('N3') }),
        c('ban', { vm: vm('VM1'), nodes: [node('N1')] }),
        c('fence', { vm: vm('VM2'), nodes: [node('N1'), node('N2')] }),
      ]),
    );
    expect(peakOnline(r.plan, set)).toBe(1);
  });

  it('seed 2101138601: the emptiest node of the set leaves VMs that fit in total but do not pack: power off the other', async () => {
    const { model, node, vm } = cluster(
      { N1: { cpu: 3, mem: 12 }, N2: { cpu: 4, mem: 13 }, N3: { cpu: 7, mem: 4 } },
      { VM1: { on: null, cpu: 2, mem: 1 }, VM2: { on: 'N3', cpu: 2, mem: 2 }, VM3: { on: 'N1', cpu: 3, mem: 2 }, VM4: { on: null, cpu: 1, mem: 3 } },
    );
    const set = [node('N1'), node('N2')];
    const r = await planned(
      instanceOf(model, [
        c('maxOnline', { nodes: set, amount: 1 }),
        c('maxOnline', { nodes: set, amount: 1 }),
        c('running', { vm: vm('VM1') }),
        c('running', { vm: vm('VM4') }),
        c('ban', { vm: vm('VM4'), nodes: [node('N1')] }),
      ]),
    );
    expect(r.plan.actions.filter((a) => a.kind === 'shutdownNode').map((a) => model.nodeName(a.node))).toEqual(['N1']);
  });

  it('seed 431314334: the spare lies in two full groups with no common online node: one node of each powers off', async () => {
    const { model, node, vm } = cluster(
      { N1: { cpu: 2, mem: 6 }, N2: { cpu: 7, mem: 10, offline: true }, N3: { cpu: 8, mem: 9 } },
      { VM1: { on: 'N1', cpu: 1, mem: 3 }, VM2: { on: 'N3', cpu: 1, mem: 3 }, VM3: { on: 'N3', cpu: 3, mem: 4 } },
    );
    const r = await planned(
      instanceOf(model, [
        c('maxOnline', { nodes: [node('N1'), node('N2')], amount: 1 }),
        c('maxOnline', { nodes: [node('N2'), node('N3')], amount: 1 }),
        c('fence', { vm: vm('VM1'), nodes: [node('N1'), node('N2'), node('N3')] }),
        c('fence', { vm: vm('VM2'), nodes: [node('N2')] }),
      ]),
    );
    expect(r.plan.actions.filter((a) => a.kind === 'shutdownNode').map((a) => model.nodeName(a.node)).sort()).toEqual(['N1', 'N3']);
  });

  it('seed 868191301: the same with an online pin elsewhere and bans', async () => {
    const { model, node, vm } = cluster(
      { N1: { cpu: 5, mem: 10 }, N2: { cpu: 2, mem: 8 }, N3: { cpu: 6, mem: 11, offline: true }, N4: { cpu: 3, mem: 9 } },
      { VM1: { on: 'N1', cpu: 3, mem: 4 }, VM2: { on: 'N4', cpu: 2, mem: 4 }, VM3: { on: 'N4', cpu: 1, mem: 4 }, VM4: { on: 'N2', cpu: 2, mem: 1 } },
    );
    await planned(
      instanceOf(model, [
        c('maxOnline', { nodes: [node('N2'), node('N3')], amount: 1 }),
        c('maxOnline', { nodes: [node('N1'), node('N3')], amount: 1 }),
        c('online', { node: node('N4') }),
        c('ban', { vm: vm('VM2'), nodes: [node('N1')] }),
        c('fence', { vm: vm('VM3'), nodes: [node('N2'), node('N3')] }),
        c('ban', { vm: vm('VM4'), nodes: [node('N1')] }),
      ]),
    );
  });

  it('seed 776640867: a trade (N1 for N3) that still needs a free spare (N2) booted too', async () => {
    const { model, node, vm } = cluster(
      { N1: { cpu: 5, mem: 6 }, N2: { cpu: 2, mem: 10, offline: true }, N3: { cpu: 7, mem: 14, offline: true } },
      { VM1: { on: 'N1', cpu: 3, mem: 1 }, VM2: { on: 'N1', cpu: 2, mem: 2 }, VM3: { on: null, cpu: 3, mem: 4 }, VM4: { on: null, cpu: 1, mem: 3 } },
    );
    const r = await planned(
      instanceOf(model, [
        c('maxOnline', { nodes: [node('N1'), node('N2'), node('N3')], amount: 2 }),
        c('maxOnline', { nodes: [node('N1'), node('N3')], amount: 1 }),
        c('running', { vm: vm('VM3') }),
        c('ban', { vm: vm('VM3'), nodes: [node('N1')] }),
        c('running', { vm: vm('VM4') }),
      ]),
    );
    expect(r.plan.actions.filter((a) => a.kind === 'bootNode').map((a) => model.nodeName(a.node)).sort()).toEqual(['N2', 'N3']);
  });
});
