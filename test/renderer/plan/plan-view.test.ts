import { describe, expect, it } from 'vitest';

import type { NamedAction } from '../../../src/cluster/ports.js';
import { freshStep } from '../../../src/executor/steps.js';
import type { Step } from '../../../src/executor/types.js';
import { comparePlans } from '../../../renderer/plan-view/compare.js';
import { conflictLinks } from '../../../renderer/plan-view/conflicts.js';
import { dependencyLinks, layoutGantt } from '../../../renderer/plan-view/gantt.js';
import { dependantsOf, runStatusText } from '../../../renderer/plan-view/step-state.js';
import { type SummaryFigures, summaryRows } from '../../../renderer/plan-view/summary.js';
import { visibleRange } from '../../../renderer/plan-view/windowing.js';

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

  it('a host missing from the list still gets a lane', () => {
    const more = layoutGantt([step('s1', { kind: 'bootNode', node: 'h9' }, 0, 3)], ['h1']);
    expect(more.lanes.map((l) => l.host)).toEqual(['h1', 'h9']);
    expect(more.bars[0]?.shape).toBe('node-on');
  });

  it('draws the dependencies of the focused step, both ways', () => {
    expect(dependencyLinks(layout, STEPS, 's3').map((l) => `${l.from}->${l.to}`)).toEqual(['s1->s3', 's2->s3']);
    expect(dependencyLinks(layout, STEPS, 's1').map((l) => `${l.from}->${l.to}`)).toEqual(['s1->s3']);
    expect(dependencyLinks(layout, STEPS, null)).toEqual([]);
  });

  it('lays a 590-step plan out in well under a frame budget per call', () => {
    const hosts = Array.from({ length: 60 }, (_, i) => `h${i}`);
    const many = Array.from({ length: 590 }, (_, i) => step(`s${i + 1}`, { kind: 'migrateVM', vm: `vm${i}`, from: `h${i % 60}`, to: `h${(i + 7) % 60}` }, (i % 40) * 10, (i % 40) * 10 + 30));
    const t0 = performance.now();
    const big = layoutGantt(many, hosts);
    expect(big.bars).toHaveLength(590);
    expect(big.twins).toHaveLength(590);
    expect(performance.now() - t0).toBeLessThan(500);
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
  const script = ['// drain', '$hosts = @r1-h[1..4];', 'spread({web1, web2}); // keep apart', 'offline(@r2-h3);', '// offline(@r2-h4);', 'offline(@r2-h4);'].join('\n');

  it('ties each conflicting constraint of an explanation to the line stating it', () => {
    const links = conflictLinks(['offline(@r2-h4) + spread({web1, web2}) + capacity of r1-h1, r1-h2: web2 has no host', 'not enough memory'], script);
    expect(links[0]?.constraints).toEqual([
      { text: 'offline(@r2-h4)', line: 6 },
      { text: 'spread({web1, web2})', line: 3 },
    ]);
    expect(links[1]).toEqual({ sentence: 'not enough memory', constraints: [] });
  });

  it('a constraint the script does not state has no line', () => {
    expect(conflictLinks(['root(db1) + capacity of r1-h1: no room'], script)[0]?.constraints).toEqual([{ text: 'root(db1)', line: null }]);
  });
});

describe('step states and windowing', () => {
  it('final statuses read exactly as the interface says', () => {
    expect(['succeeded', 'failed', 'cancelled'].map((s) => runStatusText(s as 'succeeded'))).toEqual(['Plan succeeded', 'Plan failed', 'Plan cancelled']);
  });

  it('dependants are transitive', () => {
    const chain = [step('s1', { kind: 'bootNode', node: 'a' }, 0, 1), step('s2', { kind: 'bootNode', node: 'b' }, 1, 2, ['s1']), step('s3', { kind: 'bootNode', node: 'c' }, 2, 3, ['s2']), step('s4', { kind: 'bootNode', node: 'd' }, 0, 1)];
    expect(dependantsOf(chain, 's1')).toEqual(['s2', 's3']);
    expect(dependantsOf(chain, 's4')).toEqual([]);
  });

  it('only the rows in view (and a margin) are rendered', () => {
    expect(visibleRange(590, 30, 0, 600)).toEqual({ first: 0, last: 30 });
    expect(visibleRange(590, 30, 3000, 600)).toEqual({ first: 90, last: 130 });
    expect(visibleRange(5, 30, 0, 0)).toEqual({ first: 0, last: 5 });
  });
});
