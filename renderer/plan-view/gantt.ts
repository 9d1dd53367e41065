import type { NamedAction } from '../../src/cluster/ports.js';
import { describeNamedAction } from '../../src/executor/describe.js';
import type { Step } from '../../src/executor/types.js';
import { formatTime } from '../../src/plan/format.js';

/**
 * The Gantt's geometry, computed once per plan (pure, memoised by the screen): one lane per host,
 * each lane as many rows as it has overlapping actions. A migration is a bar in its destination
 * lane, with a faint twin in its source lane and a connector between them; VM boots and shutdowns
 * and node power are shapes of their own. Times are seconds from the start of the plan.
 */

export type GanttShape = 'migration' | 'migration-source' | 'vm-boot' | 'vm-shutdown' | 'vm-other' | 'node-on' | 'node-off';

export interface GanttBar {
  readonly stepId: string;
  readonly shape: GanttShape;
  readonly lane: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** The step in operator words (names through safeName); shown as SVG text, never as markup. */
  readonly label: string;
  readonly start: number;
  readonly end: number;
}

export interface GanttLane {
  readonly host: string;
  readonly y: number;
  readonly height: number;
}

export interface GanttConnector {
  readonly stepId: string;
  readonly x: number;
  readonly y1: number;
  readonly y2: number;
}

export interface GanttTick {
  readonly x: number;
  readonly label: string;
}

export interface GanttLayout {
  readonly width: number;
  readonly height: number;
  /** Where the plot starts (host labels on the left, the axis on top). */
  readonly left: number;
  readonly top: number;
  readonly duration: number;
  readonly lanes: readonly GanttLane[];
  /** The main bar of every step, in step order (one per step). */
  readonly bars: readonly GanttBar[];
  /** Faint twins of migrations in their source lanes. */
  readonly twins: readonly GanttBar[];
  readonly connectors: readonly GanttConnector[];
  readonly ticks: readonly GanttTick[];
}

export interface GanttOptions {
  readonly width?: number;
  readonly rowHeight?: number;
  readonly labelWidth?: number;
  readonly axisHeight?: number;
}

const MIN_BAR_WIDTH = 3;

export function layoutGantt(steps: readonly Step[], hosts: readonly string[], options: GanttOptions = {}): GanttLayout {
  const width = options.width ?? 960;
  const rowHeight = options.rowHeight ?? 18;
  const left = options.labelWidth ?? 120;
  const top = options.axisHeight ?? 24;
  const duration = Math.max(1, ...steps.map((s) => s.plannedEnd));
  const plotWidth = Math.max(1, width - left - 8);
  const xOf = (t: number): number => left + (t / duration) * plotWidth;

  const laneOf = new Map<string, number>();
  hosts.forEach((h, i) => laneOf.set(h, i));
  // hosts an action names that the list lacks still get a lane (a plan booting a new node)
  const laneNames = [...hosts];
  const laneFor = (host: string): number => {
    let lane = laneOf.get(host);
    if (lane === undefined) {
      lane = laneNames.length;
      laneNames.push(host);
      laneOf.set(host, lane);
    }
    return lane;
  };

  interface Placed {
    step: Step;
    shape: GanttShape;
    lane: number;
    twinLane: number | null;
  }
  const placed: Placed[] = steps.map((step) => {
    const { lane, twinLane, shape } = placeAction(step.action, laneFor);
    return { step, shape, lane, twinLane };
  });

  // rows within each lane: greedy interval packing, earliest start first
  const rowsEnd = laneNames.map(() => [] as number[]);
  const rowOf = new Map<string, number>();
  const claim = (lane: number, key: string, start: number, end: number): void => {
    const rows = rowsEnd[lane] ?? [];
    let row = rows.findIndex((free) => free <= start);
    if (row < 0) row = rows.length;
    rows[row] = Math.max(end, start + 1e-9);
    rowsEnd[lane] = rows;
    rowOf.set(key, row);
  };
  const order = [...placed].sort((a, b) => a.step.plannedStart - b.step.plannedStart || a.step.plannedEnd - b.step.plannedEnd);
  for (const p of order) {
    claim(p.lane, `${p.step.id}`, p.step.plannedStart, p.step.plannedEnd);
    if (p.twinLane !== null) claim(p.twinLane, `${p.step.id}~twin`, p.step.plannedStart, p.step.plannedEnd);
  }

  const lanes: GanttLane[] = [];
  let y = top;
  for (let i = 0; i < laneNames.length; i++) {
    const rows = Math.max(1, rowsEnd[i]?.length ?? 0);
    lanes.push({ host: laneNames[i] ?? '', y, height: rows * rowHeight + 6 });
    y += rows * rowHeight + 6;
  }

  const barAt = (p: Placed, lane: number, key: string, shape: GanttShape): GanttBar => {
    const x = xOf(p.step.plannedStart);
    const w = Math.max(MIN_BAR_WIDTH, xOf(p.step.plannedEnd) - x);
    const laneY = lanes[lane]?.y ?? top;
    return { stepId: p.step.id, shape, lane, x, y: laneY + 3 + (rowOf.get(key) ?? 0) * rowHeight, width: w, height: rowHeight - 4, label: describeNamedAction(p.step.action), start: p.step.plannedStart, end: p.step.plannedEnd };
  };
  const bars = placed.map((p) => barAt(p, p.lane, p.step.id, p.shape));
  const twins: GanttBar[] = [];
  const connectors: GanttConnector[] = [];
  placed.forEach((p, i) => {
    if (p.twinLane === null) return;
    const twin = barAt(p, p.twinLane, `${p.step.id}~twin`, 'migration-source');
    twins.push(twin);
    const bar = bars[i] as GanttBar;
    connectors.push({ stepId: p.step.id, x: bar.x, y1: twin.y + twin.height / 2, y2: bar.y + bar.height / 2 });
  });

  return { width, height: y + 4, left, top, duration, lanes, bars, twins, connectors, ticks: ticksFor(duration, xOf) };
}

/** Which lane an action's main shape sits in, and its source lane for a move between hosts. */
function placeAction(a: NamedAction, laneFor: (host: string) => number): { lane: number; twinLane: number | null; shape: GanttShape } {
  switch (a.kind) {
    case 'migrateVM':
      return { lane: laneFor(a.to), twinLane: a.from === a.to ? null : laneFor(a.from), shape: 'migration' };
    case 'resumeVM':
      return { lane: laneFor(a.to), twinLane: a.from === a.to ? null : laneFor(a.from), shape: 'vm-other' };
    case 'suspendVM':
      return { lane: laneFor(a.from), twinLane: null, shape: 'vm-other' };
    case 'bootVM':
      return { lane: laneFor(a.node), twinLane: null, shape: 'vm-boot' };
    case 'shutdownVM':
      return { lane: laneFor(a.node), twinLane: null, shape: 'vm-shutdown' };
    case 'killVM':
      return { lane: a.node === null ? laneFor('(no host)') : laneFor(a.node), twinLane: null, shape: 'vm-shutdown' };
    case 'forgeVM':
      return { lane: laneFor('(no host)'), twinLane: null, shape: 'vm-other' };
    case 'allocate':
      return { lane: laneFor(a.node), twinLane: null, shape: 'vm-other' };
    case 'bootNode':
      return { lane: laneFor(a.node), twinLane: null, shape: 'node-on' };
    case 'shutdownNode':
      return { lane: laneFor(a.node), twinLane: null, shape: 'node-off' };
  }
}

const TICK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400];

/** About eight ticks at a round step, labelled m'ss. */
export function ticksFor(duration: number, xOf: (t: number) => number): GanttTick[] {
  const step = TICK_STEPS.find((s) => duration / s <= 8) ?? Math.ceil(duration / 8);
  const ticks: GanttTick[] = [];
  for (let t = 0; t <= duration + 1e-9; t += step) ticks.push({ x: xOf(t), label: formatTime(t) });
  return ticks;
}

export interface DependencyLink {
  /** The step that must end first. */
  readonly from: string;
  readonly to: string;
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

/**
 * The dependency arrows to draw for the focused step: from each step it waits for, and to each
 * step waiting for it (end of the first to start of the second).
 */
export function dependencyLinks(layout: GanttLayout, steps: readonly Step[], focused: string | null): DependencyLink[] {
  if (focused === null) return [];
  const barOf = new Map(layout.bars.map((b) => [b.stepId, b]));
  const links: DependencyLink[] = [];
  const link = (from: string, to: string): void => {
    const a = barOf.get(from);
    const b = barOf.get(to);
    if (a && b) links.push({ from, to, x1: a.x + a.width, y1: a.y + a.height / 2, x2: b.x, y2: b.y + b.height / 2 });
  };
  for (const s of steps) {
    if (s.id === focused) for (const d of s.dependsOn) link(d, s.id);
    else if (s.dependsOn.includes(focused)) link(focused, s.id);
  }
  return links;
}

/** The x of an instant (s) in a layout, for the "now" line of a run. */
export function xAt(layout: GanttLayout, seconds: number): number {
  const plotWidth = Math.max(1, layout.width - layout.left - 8);
  return layout.left + (Math.min(Math.max(seconds, 0), layout.duration) / layout.duration) * plotWidth;
}
