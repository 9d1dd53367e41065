import { describe, expect, it } from 'vitest';

import type { NamedAction } from '../../../src/cluster/ports.js';
import { freshStep, newRun } from '../../../src/executor/steps.js';
import { formatMemory } from '../../../src/text/memory.js';
import type { PlanJson } from '../../../src/contract/wire.js';
import { Mapping, Model, NamingService, ShareableResource } from '../../../src/model/index.js';
import { planToJson } from '../../../src/plan/json.js';
import type { Step } from '../../../src/executor/types.js';
import { comparePlans } from '../../../renderer/plan-view/compare.js';
import { conflictLinks } from '../../../renderer/plan-view/conflicts.js';
import type { ConflictWire } from '../../../src/contract/events.js';
import { dependencyIndex, dependencyLinks, layoutGantt } from '../../../renderer/plan-view/gantt.js';
import type { PlacedHost } from '../../../renderer/plan-view/plan-model.js';
import { runPlanSeconds } from '../../../renderer/plan-view/run-clock.js';
import { dependantsOf, runStatusText } from '../../../renderer/plan-view/step-state.js';
import { ALL_HOSTS_UP_TO, changedHosts, digestPlan } from '../../../renderer/plan-view/plan-digest.js';
import { type SummaryFigures, summaryRows } from '../../../renderer/plan-view/summary.js';

/** The plan screen's pure view logic: Gantt geometry, comparison, conflicts, summary words. */

function step(id: string, action: NamedAction, start: number, end: number, dependsOn: string[] = []): Step {
  return freshStep({ id, action, plannedStart: start, plannedEnd: end, dependsOn, memoryMiB: 0 });
}

const STEPS: Step[] = [
  step('s1', { kind: 'migrateVM', vm: 'web1', from: 'h1', to: 'h2' }, 0, 10),
  step('s2', { kind: 'migrateVM', vm: 'web2', from: 'h1', to: 'h2' }, 5, 15),
  step('s3', { kind: 'shutdownNode', node: 'h1' }, 15, 20, ['s1', 's2']),
  step('s4', { kind: 'bootVM', vm: '<img src=x onerror=alert(1)>', node: 'h3' }, 0, 4),
];

describe('layoutGantt', () => {
  const layout = layoutGantt(STEPS, ['h1', 'h2', 'h3'], { width: 520, labelWidth: 100, rowHeight: 20, axisHeight: 20 });

  it('one lane per host, one bar per step, a twin per migration in its source lane', () => {
    expect(layout.lanes.map((l) => l.host)).toEqual(['h1', 'h2', 'h3']);
    expect(layout.bars.map((b) => [b.stepId, b.lane, b.shape])).toEqual([
      ['s1', 1, 'migration'],
      ['s2', 1, 'migration'],
      ['s3', 0, 'node-off'],
      ['s4', 2, 'vm-boot'],
    ]);
    expect(layout.twins.map((t) => [t.stepId, t.lane])).toEqual([
      ['s1', 0],
      ['s2', 0],
    ]);
    expect(layout.connectors).toHaveLength(2);
  });

  it('overlapping actions of one lane get rows of their own; times map linearly', () => {
    const [s1, s2] = layout.bars;
    expect(s1?.y).not.toBe(s2?.y);
    // lane h2 has two rows, lane h3 one
    expect(layout.lanes[1]?.height).toBe(2 * 20 + 6);
    expect(layout.lanes[2]?.height).toBe(20 + 6);
    expect(s1?.x).toBe(100);
    // the plot is 520 - 100 - 8 = 412 px for 20 s
    expect(s1?.width).toBeCloseTo(412 / 2);
    expect(layout.ticks.map((t) => t.label)).toEqual(["0'00", "0'05", "0'10", "0'15", "0'20"]);
  });

  it('labels are the steps in operator words, names through safeName (text, never markup)', () => {
    expect(layout.bars[3]?.label).toBe('boot <img src=x onerror=alert(1)> on h3');
    const forged = layoutGantt([step('s1', { kind: 'bootVM', vm: 'a\nb', node: 'h1' }, 0, 1)], ['h1']);
    expect(forged.bars[0]?.label).not.toContain('\n');
  });

  it('a migration reads from both lanes: where the VM comes from at its destination, where it goes at its source', () => {
    expect(layout.bars[0]?.caption).toBe('web1 ← h1');
    expect(layout.twins[0]?.caption).toBe('web1 → h2');
    expect(layout.twins[0]?.label).toBe(layout.bars[0]?.label);
    // other steps read as their label; names stay one line of text
    expect(layout.bars[3]?.caption).toBe(layout.bars[3]?.label);
    const forged = layoutGantt([step('s1', { kind: 'migrateVM', vm: 'a\nb', from: 'h1\u001b[2J', to: 'h2' }, 0, 1)], ['h1\u001b[2J', 'h2']);
    const captions = `${forged.bars[0]?.caption}${forged.twins[0]?.caption}`;
    expect(captions).not.toContain('\n');
    expect(captions).not.toContain('\u001b');
  });

  it('a host missing from the list still gets a lane', () => {
    const more = layoutGantt([step('s1', { kind: 'bootNode', node: 'h9' }, 0, 3)], ['h1']);
    expect(more.lanes.map((l) => l.host)).toEqual(['h1', 'h9']);
    expect(more.bars[0]?.shape).toBe('node-on');
  });

  it('draws the dependencies of the focused step, both ways, between drawn bars only', () => {
    const index = dependencyIndex(STEPS);
    expect(dependencyLinks(layout, index, 's3').map((l) => `${l.from}->${l.to}`)).toEqual(['s1->s3', 's2->s3']);
    expect(dependencyLinks(layout, index, 's1').map((l) => `${l.from}->${l.to}`)).toEqual(['s1->s3']);
    expect(dependencyLinks(layout, index, null)).toEqual([]);
    expect(dependencyLinks(layout, index, 's3', (id) => id !== 's2').map((l) => `${l.from}->${l.to}`)).toEqual(['s1->s3']);
  });

  it('each lane lists the bars, twins and connectors drawn in it', () => {
    expect(layout.lanes.map((l) => [l.bars.map((b) => layout.bars[b]?.stepId), l.twins.map((t) => layout.twins[t]?.stepId), l.connectors.length])).toEqual([
      [['s3'], ['s1', 's2'], 2],
      [['s1', 's2'], [], 2],
      [['s4'], [], 0],
    ]);
  });

  it('on a big cluster only the hosts some step touches get a lane', () => {
    const hosts = Array.from({ length: 100 }, (_, i) => `h${i}`);
    const few = layoutGantt([step('s1', { kind: 'migrateVM', vm: 'v', from: 'h7', to: 'h42' }, 0, 5)], hosts);
    expect(few.lanes.map((l) => l.host)).toEqual(['h7', 'h42']);
    expect(few.idleHostsHidden).toBe(98);
    expect(layoutGantt(STEPS, ['h1', 'h2', 'h3', 'h4']).idleHostsHidden).toBe(0);
  });

  it('packs overlapping actions into the fewest rows, a freed row reused first', () => {
    // three overlapping boots, then one after the first two ended: three rows, the fourth in row 0
    const boots = [step('s1', { kind: 'bootVM', vm: 'a', node: 'h1' }, 0, 10), step('s2', { kind: 'bootVM', vm: 'b', node: 'h1' }, 2, 6), step('s3', { kind: 'bootVM', vm: 'c', node: 'h1' }, 4, 12), step('s4', { kind: 'bootVM', vm: 'd', node: 'h1' }, 11, 14)];
    const packed = layoutGantt(boots, ['h1'], { rowHeight: 10, axisHeight: 0 });
    expect(packed.lanes[0]?.height).toBe(3 * 10 + 6);
    expect(packed.bars.map((b) => (b.y - 3) / 10)).toEqual([0, 1, 2, 0]);
  });

  it('lays a 3,421-step plan over 5,000 hosts out: a bar per step, a twin per move, lanes for the busy hosts only', () => {
    // its speed is measured by test/bench/console.ts, not asserted here
    const hosts = Array.from({ length: 5000 }, (_, i) => `h${i}`);
    const many = Array.from({ length: 3421 }, (_, i) => step(`s${i + 1}`, { kind: 'migrateVM', vm: `vm${i}`, from: `h${i % 1200}`, to: `h${(i + 7) % 1200}` }, (i % 40) * 10, (i % 40) * 10 + 30));
    const big = layoutGantt(many, hosts);
    expect(big.bars).toHaveLength(3421);
    expect(big.twins).toHaveLength(3421);
    expect(big.lanes).toHaveLength(1200);
    expect(big.idleHostsHidden).toBe(3800);
    expect(big.lanes.reduce((n, l) => n + l.bars.length, 0)).toBe(3421);
  });
});

const FIGURES: SummaryFigures = { status: 'optimal', migrations: 5, migrationsBound: 5, memoryMovedMiB: 20_480, durationSeconds: 125, durationBound: 100, fitsWindow: true, windowSeconds: 600, gap: 0, solveMs: 850, steps: 6 };

describe('summary and comparison', () => {
  it('spells the summary out', () => {
    expect(summaryRows(FIGURES)).toEqual([
      { label: 'Migrations', value: '5 (at least 5)' },
      { label: 'Data moved', value: '20.0 GiB' },
      { label: 'Duration', value: "2'05 (at least 1'40)" },
      { label: 'Window', value: "fits the 10'00 window" },
      { label: 'Optimality', value: 'proven optimal' },
      { label: 'Solve time', value: '850 ms' },
    ]);
    expect(summaryRows({ ...FIGURES, status: 'feasible', gap: 0.125 })[4]?.value).toBe('within 12.5 % of optimal');
  });

  it('compares two plans figure by figure, then action by action', () => {
    const before = { figures: FIGURES, actions: STEPS.map((s) => s.action) };
    const after = { figures: { ...FIGURES, status: 'feasible' as const, gap: 0.1, migrations: 2, memoryMovedMiB: 8192, durationSeconds: 60, fitsWindow: true, steps: 3 }, actions: STEPS.slice(0, 1).map((s) => s.action) };
    const c = comparePlans(before, after);
    expect(c.figures).toEqual([
      'status: proven optimal before, within 10.0 % of optimal now',
      'migrations: 5 → 2 (3 fewer)',
      'steps: 6 → 3 (3 fewer)',
      'data moved: 20.0 GiB → 8.0 GiB (12.0 GiB less)',
      "duration: 2'05 → 1'00 (1'05 shorter)",
    ]);
    expect(c.onlyPrevious).toEqual(['migrate web2 h1 → h2', 'power off h1', 'boot <img src=x onerror=alert(1)> on h3']);
    expect(c.onlyCurrent).toEqual([]);
    expect(comparePlans(before, before)).toEqual({ figures: [], onlyPrevious: [], onlyCurrent: [] });
  });
});

describe('conflictLinks', () => {
  const script = ['// drain', '$hosts = @r1-h[1..4];', 'spread({web1, web2}); // keep apart', 'offline(@r2-h3);', '// offline(@r2-h4);', 'offline(@r2-h4);', 'offline(@r3-h[1..2]); root(db2);', 'offline($hosts);'].join('\n');
  const wire = (explanation: string[], conflicts: ConflictWire[]) => ({ explanation, conflicts });

  it('ties each conflicting constraint the services name to the line stating it; other lines state none', () => {
    const links = conflictLinks(
      wire(['a sentence never read', 'not enough memory'], [{ line: 0, cause: 'constraints', constraints: ['offline(r2-h4)', 'spread({web1, web2})'], more: 2, capacityOf: 'r1-h1' }]),
      script,
    );
    expect(links[0]).toEqual({
      sentence: 'a sentence never read',
      cause: 'constraints',
      constraints: [
        { text: 'offline(r2-h4)', lines: [6] },
        { text: 'spread({web1, web2})', lines: [3] },
      ],
      more: 2,
    });
    expect(links[1]).toEqual({ sentence: 'not enough memory', cause: null, constraints: [], more: 0 });
  });

  it('a summarised set links every statement inside it, a range statement included', () => {
    const [link] = conflictLinks(wire(['x'], [{ line: 0, cause: 'constraints', constraints: ['offline({r2-h[3..4], r3-h[1..2]})'], more: 0, capacityOf: null }]), script);
    expect(link?.constraints).toEqual([{ text: 'offline({r2-h[3..4], r3-h[1..2]})', lines: [4, 6, 7] }]);
  });

  it('a constraint the script does not state has no line; one built through a variable finds its statement', () => {
    const links = conflictLinks(
      wire(['x', 'y'], [
        { line: 0, cause: 'constraints', constraints: ['root(db1)'], more: 0, capacityOf: null },
        { line: 1, cause: 'constraints', constraints: ['offline({r1-h[1..4]})'], more: 0, capacityOf: null },
      ]),
      script,
    );
    expect(links[0]?.constraints).toEqual([{ text: 'root(db1)', lines: [] }]);
    expect(links[1]?.constraints).toEqual([{ text: 'offline({r1-h[1..4]})', lines: [8] }]);
  });

  it('the cluster lacking capacity is a cause of its own, with no constraint', () => {
    expect(conflictLinks(wire(['z'], [{ line: 0, cause: 'cluster', constraints: [], more: 0, capacityOf: 'r1-h1' }]), script)[0]).toEqual({ sentence: 'z', cause: 'cluster', constraints: [], more: 0 });
  });
});

describe('step states', () => {
  it('final statuses read exactly as the interface says', () => {
    expect(['succeeded', 'failed', 'cancelled'].map((s) => runStatusText(s as 'succeeded'))).toEqual(['Plan succeeded', 'Plan failed', 'Plan cancelled']);
  });

  it('dependants are transitive', () => {
    const chain = [step('s1', { kind: 'bootNode', node: 'a' }, 0, 1), step('s2', { kind: 'bootNode', node: 'b' }, 1, 2, ['s1']), step('s3', { kind: 'bootNode', node: 'c' }, 2, 3, ['s2']), step('s4', { kind: 'bootNode', node: 'd' }, 0, 1)];
    expect(dependantsOf(chain, 's1')).toEqual(['s2', 's3']);
    expect(dependantsOf(chain, 's4')).toEqual([]);
  });

});

describe("the run's clock", () => {
  const steps = [step('s1', { kind: 'migrateVM', vm: 'a', from: 'h1', to: 'h2' }, 0, 60), step('s2', { kind: 'migrateVM', vm: 'b', from: 'h1', to: 'h3' }, 60, 180, ['s1']), step('s3', { kind: 'shutdownNode', node: 'h1' }, 180, 200, ['s2'])];
  const run = (states: Partial<Step>[], startedAt: number | null = 1_000, endedAt: number | null = null) =>
    ({ ...newRun({ runId: 'r', clusterId: 'c', steps: steps.map((s, i) => ({ ...s, ...(states[i] ?? {}) })), constraintHash: 'h', maxPerHost: 2, windowSeconds: null, createdAt: 0 }), state: 'running' as const, startedAt, endedAt });

  it('is where the work is, in plan seconds, whatever the wall clock says (the demo runs faster)', () => {
    expect(runPlanSeconds(run([]))).toBe(0);
    expect(runPlanSeconds(run([{ state: 'succeeded' }]))).toBe(60);
    // s2 is a quarter done: 60 + 120 / 4
    expect(runPlanSeconds(run([{ state: 'succeeded' }, { state: 'running', progress: { fraction: 0.25 } }]))).toBe(90);
    // a skipped step did no work: the clock does not jump to its end
    expect(runPlanSeconds(run([{ state: 'succeeded' }, { state: 'running', progress: null }, { state: 'skipped' }]))).toBe(60);
  });

  it('has no "now" before the start or after the end', () => {
    expect(runPlanSeconds(run([], null))).toBeNull();
    expect(runPlanSeconds(run([{ state: 'succeeded' }], 1_000, 5_000))).toBeNull();
  });
});

describe('the placement map on a big cluster', () => {
  const host = (name: string, vms: string[], online = true): PlacedHost => ({ name, online, memoryCapacityMiB: 1024, vms: vms.map((n) => ({ name: n, memoryMiB: 64 })) });

  it('shows the hosts a moved VM leaves or reaches and the hosts whose power changes', () => {
    const before = [host('h1', ['a', 'b']), host('h2', ['c']), host('h3', []), host('h4', ['d'])];
    const after = [host('h1', [], false), host('h2', ['c', 'a']), host('h3', ['b']), host('h4', ['d'])];
    expect([...changedHosts(before, after, new Set(['a', 'b']))].sort()).toEqual(['h1', 'h2', 'h3']);
    expect([...changedHosts(before, before, new Set())]).toEqual([]);
  });
});

describe('memory amounts', () => {
  it('read the same in the console and the report: MiB, then GiB, then TiB', () => {
    expect(formatMemory(512.4)).toBe('512 MiB');
    expect(formatMemory(6144)).toBe('6.0 GiB');
    expect(formatMemory(3 * 1024 * 1024)).toBe('3.0 TiB');
  });
});

describe('the plan digest (what the plan screen draws, worked out off the page thread)', () => {
  function wirePlan(hosts: number): { plan: PlanJson; stepIds: string[] } {
    const mapping = new Mapping();
    const mem = new ShareableResource('mem', 0, 0);
    const nodeNames = new NamingService('node');
    const vmNames = new NamingService('vm');
    for (let n = 0; n < hosts; n++) {
      mapping.addOnlineNode(n);
      nodeNames.register(`h${n}`, n);
      mem.setCapacity(n, 16 * 1024);
      mapping.addRunningVM(n, n);
      vmNames.register(`vm${n}`, n);
      mem.setConsumption(n, (n === 5 ? 12 : 2) * 1024);
    }
    const origin = new Model({ mapping, resources: [mem], vmNames, nodeNames });
    return { plan: planToJson({ origin, actions: [{ kind: 'migrateVM', vm: 0, from: 0, to: 1, start: 0, end: 10 }] }) as PlanJson, stepIds: ['s1'] };
  }

  it('on a small cluster: every host, before and after', () => {
    const read = digestPlan({ result: wirePlan(4), script: '', constraints: [] });
    if (!read?.ok) throw new Error('no digest');
    expect(read.digest.before.map((h) => h.name)).toEqual(['h0', 'h1', 'h2', 'h3']);
    expect(read.digest.after.find((h) => h.name === 'h1')?.vms.map((v) => v.name)).toEqual(['vm0', 'vm1']);
    expect(read.digest.moved).toEqual(['vm0']);
    expect(read.digest.steps.map((s) => s.id)).toEqual(['s1']);
    expect(read.digest.usage).toHaveLength(4);
    expect(read.digest.usageHorizon).toBe(10);
  });

  it('on a big cluster: the hosts the plan changes, and the tightest hosts for the use table', () => {
    const read = digestPlan({ result: wirePlan(200), script: '', constraints: [] });
    if (!read?.ok) throw new Error('no digest');
    expect(read.digest.hosts).toHaveLength(200);
    expect(read.digest.before.map((h) => h.name)).toEqual(['h0', 'h1']);
    expect(read.digest.unchangedHosts).toBe(198);
    const usageHosts = read.digest.usage.map((u) => u.host);
    expect(usageHosts).toContain('h0');
    // h5 runs the biggest VM: the least headroom, though the plan leaves it alone
    expect(usageHosts).toContain('h5');
    expect(usageHosts.length).toBeLessThanOrEqual(2 + ALL_HOSTS_UP_TO);
  });

  it('a result without a plan has no digest', () => {
    expect(digestPlan({ result: { plan: null, stepIds: [] }, script: '', constraints: [] })).toBeNull();
  });
});
