import type { NamedAction } from '../../src/cluster/ports.js';
import { describeNamedAction } from '../../src/executor/describe.js';
import type { Step } from '../../src/executor/types.js';
import { formatTime } from '../../src/plan/format.js';
import { safeName } from '../../src/text/safe.js';

/**
 * The Gantt's geometry, computed once per plan and width (pure, memoised by the screen) in
 * O(n log n): one lane per host, each lane as many rows as it has overlapping actions. A migration
 * is a bar in its destination lane, with a faint twin in its source lane and a connector between
 * them; VM boots and shutdowns and node power are shapes of their own. Times are seconds from the
 * start of the plan. Each lane lists its bars and twins, so that a view drawing only the lanes in
 * sight (3,421 steps over 5,000 hosts) touches only what it draws.
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
  /**
   * What the bar itself reads, from its lane's point of view: a migration's bar in its destination
   * lane says where the VM comes from (`web3 ← r2-h3`), its twin in the source lane where it goes
   * (`web3 → r2-h1`); other steps read as their label. Names through safeName.
   */
  readonly caption: string;
  readonly start: number;
  readonly end: number;
}

export interface GanttLane {
  readonly host: string;
  readonly y: number;
  readonly height: number;
  /** Indexes in `bars` of the steps drawn in this lane. */
  readonly bars: readonly number[];
  /** Indexes in `twins` of the migrations leaving this lane. */
  readonly twins: readonly number[];
  /** Indexes in `connectors` of the moves in or out of this lane. */
  readonly connectors: readonly number[];
}

export interface GanttConnector {
  readonly stepId: string;
  readonly x: number;
  readonly y1: number;
  readonly y2: number;
  /** The lanes it joins (source, destination). */
  readonly lanes: readonly [number, number];
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
  /** One per twin, at the same index. */
  readonly connectors: readonly GanttConnector[];
  readonly ticks: readonly GanttTick[];
  /** The index in `bars` of each step. */
  readonly barOf: ReadonlyMap<string, number>;
  /** Hosts left out because no step touches them (`idleHostsAbove`). */
  readonly idleHostsHidden: number;
}

export interface GanttOptions {
  readonly width?: number;
  readonly rowHeight?: number;
  readonly labelWidth?: number;
  readonly axisHeight?: number;
  /**
   * With more hosts than this, only the hosts some step touches get a lane (a drain of 12 hosts
   * among 5,000 is not 4,988 empty lanes). Default 64.
   */
  readonly idleHostsAbove?: number;
}

const MIN_BAR_WIDTH = 3;
const LANE_PADDING = 6;

export function layoutGantt(steps: readonly Step[], hosts: readonly string[], options: GanttOptions = {}): GanttLayout {
  const width = options.width ?? 960;
  const rowHeight = options.rowHeight ?? 18;
  const left = options.labelWidth ?? 120;
  const top = options.axisHeight ?? 24;
  let duration = 1;
  for (const s of steps) duration = Math.max(duration, s.plannedEnd);
  const plotWidth = Math.max(1, width - left - 8);
  const xOf = (t: number): number => left + (t / duration) * plotWidth;

  const placements = steps.map((step) => placeAction(step.action));
  const laneHosts = lanesFor(hosts, placements, options.idleHostsAbove ?? 64);
  const hidden = hosts.length - laneHosts.length;
  const laneOf = new Map<string, number>();
  laneHosts.forEach((h, i) => laneOf.set(h, i));
  const laneFor = (host: string): number => {
    let lane = laneOf.get(host);
    if (lane === undefined) {
      lane = laneHosts.length;
      laneHosts.push(host);
      laneOf.set(host, lane);
    }
    return lane;
  };

  interface Placed {
    readonly index: number;
    readonly step: Step;
    readonly shape: GanttShape;
    readonly lane: number;
    readonly twinLane: number | null;
  }
  const placed: Placed[] = steps.map((step, index) => {
    const p = placements[index] as Placement;
    return { index, step, shape: p.shape, lane: laneFor(p.lane), twinLane: p.twinLane === null ? null : laneFor(p.twinLane) };
  });

  // rows within each lane: interval partitioning, earliest start first (each lane's rows in a heap)
  const packers = laneHosts.map(() => new RowPacker());
  const barRow = new Array<number>(placed.length).fill(0);
  const twinRow = new Array<number>(placed.length).fill(0);
  const order = [...placed].sort((a, b) => a.step.plannedStart - b.step.plannedStart || a.step.plannedEnd - b.step.plannedEnd || a.index - b.index);
  for (const p of order) {
    const end = Math.max(p.step.plannedEnd, p.step.plannedStart + 1e-9);
    barRow[p.index] = (packers[p.lane] as RowPacker).claim(p.step.plannedStart, end);
    if (p.twinLane !== null) twinRow[p.index] = (packers[p.twinLane] as RowPacker).claim(p.step.plannedStart, end);
  }

  const laneBars = laneHosts.map(() => [] as number[]);
  const laneTwins = laneHosts.map(() => [] as number[]);
  const laneConnectors = laneHosts.map(() => [] as number[]);
  const laneY: number[] = [];
  const laneHeight: number[] = [];
  let y = top;
  for (let i = 0; i < laneHosts.length; i++) {
    const rows = Math.max(1, (packers[i] as RowPacker).rows);
    laneY.push(y);
    laneHeight.push(rows * rowHeight + LANE_PADDING);
    y += rows * rowHeight + LANE_PADDING;
  }

  const barAt = (p: Placed, lane: number, row: number, shape: GanttShape): GanttBar => {
    const x = xOf(p.step.plannedStart);
    const w = Math.max(MIN_BAR_WIDTH, xOf(p.step.plannedEnd) - x);
    const label = describeNamedAction(p.step.action);
    const caption = captionOf(p.step.action, shape === 'migration-source' ? 'source' : 'main') ?? label;
    return { stepId: p.step.id, shape, lane, x, y: (laneY[lane] ?? top) + 3 + row * rowHeight, width: w, height: rowHeight - 4, label, caption, start: p.step.plannedStart, end: p.step.plannedEnd };
  };
  const bars: GanttBar[] = [];
  const twins: GanttBar[] = [];
  const connectors: GanttConnector[] = [];
  const barOf = new Map<string, number>();
  for (const p of placed) {
    const bar = barAt(p, p.lane, barRow[p.index] ?? 0, p.shape);
    barOf.set(p.step.id, bars.length);
    (laneBars[p.lane] as number[]).push(bars.length);
    bars.push(bar);
    if (p.twinLane === null) continue;
    const twin = barAt(p, p.twinLane, twinRow[p.index] ?? 0, 'migration-source');
    (laneTwins[p.twinLane] as number[]).push(twins.length);
    (laneConnectors[p.twinLane] as number[]).push(connectors.length);
    (laneConnectors[p.lane] as number[]).push(connectors.length);
    twins.push(twin);
    connectors.push({ stepId: p.step.id, x: bar.x, y1: twin.y + twin.height / 2, y2: bar.y + bar.height / 2, lanes: [p.twinLane, p.lane] });
  }
  const lanes: GanttLane[] = laneHosts.map((host, i) => ({ host, y: laneY[i] ?? top, height: laneHeight[i] ?? rowHeight, bars: laneBars[i] ?? [], twins: laneTwins[i] ?? [], connectors: laneConnectors[i] ?? [] }));

  return { width, height: y + 4, left, top, duration, lanes, bars, twins, connectors, ticks: ticksFor(duration, xOf), barOf, idleHostsHidden: hidden };
}

/** Where an action is drawn: its lane's host, its source's for a move between hosts, its shape. */
interface Placement {
  readonly lane: string;
  readonly twinLane: string | null;
  readonly shape: GanttShape;
}

/** Every host, or with more than `idleAbove` of them only those some step touches (in the hosts' order). */
function lanesFor(hosts: readonly string[], placements: readonly Placement[], idleAbove: number): string[] {
  if (hosts.length <= idleAbove) return [...hosts];
  const busy = new Set<string>();
  for (const p of placements) {
    busy.add(p.lane);
    if (p.twinLane !== null) busy.add(p.twinLane);
  }
  return hosts.filter((h) => busy.has(h));
}

/**
 * The rows of one lane: an interval goes to the lowest-numbered row free at its start (intervals
 * come earliest start first), O(log rows) each.
 */
class RowPacker {
  /** Rows in use, by the time they free up: [end, row]. */
  private readonly busy = new MinHeap<readonly [number, number]>((a, b) => a[0] - b[0] || a[1] - b[1]);
  /** Rows free again, lowest first. */
  private readonly free = new MinHeap<number>((a, b) => a - b);
  rows = 0;

  claim(start: number, end: number): number {
    for (let next = this.busy.peek(); next !== undefined && next[0] <= start; next = this.busy.peek()) {
      this.busy.pop();
      this.free.push(next[1]);
    }
    const row = this.free.pop() ?? this.rows++;
    this.busy.push([end, row]);
    return row;
  }
}

class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly less: (a: T, b: T) => number) {}

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.less(items[i] as T, items[parent] as T) >= 0) break;
      [items[i], items[parent]] = [items[parent] as T, items[i] as T];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.less(items[l] as T, items[m] as T) < 0) m = l;
        if (r < items.length && this.less(items[r] as T, items[m] as T) < 0) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m] as T, items[i] as T];
        i = m;
      }
    }
    return top;
  }
}

/** Which lane an action's main shape sits in, and its source lane for a move between hosts. */
function placeAction(a: NamedAction): Placement {
  switch (a.kind) {
    case 'migrateVM':
      return { lane: a.to, twinLane: a.from === a.to ? null : a.from, shape: 'migration' };
    case 'resumeVM':
      return { lane: a.to, twinLane: a.from === a.to ? null : a.from, shape: 'vm-other' };
    case 'suspendVM':
      return { lane: a.from, twinLane: null, shape: 'vm-other' };
    case 'bootVM':
      return { lane: a.node, twinLane: null, shape: 'vm-boot' };
    case 'shutdownVM':
      return { lane: a.node, twinLane: null, shape: 'vm-shutdown' };
    case 'killVM':
      return { lane: a.node ?? NO_HOST, twinLane: null, shape: 'vm-shutdown' };
    case 'forgeVM':
      return { lane: NO_HOST, twinLane: null, shape: 'vm-other' };
    case 'allocate':
      return { lane: a.node, twinLane: null, shape: 'vm-other' };
    case 'bootNode':
      return { lane: a.node, twinLane: null, shape: 'node-on' };
    case 'shutdownNode':
      return { lane: a.node, twinLane: null, shape: 'node-off' };
  }
}

const NO_HOST = '(no host)';

/**
 * A move between hosts as its lane sees it: arriving (`web3 ← r2-h3`) in the destination lane,
 * leaving (`web3 → r2-h1`) in the source lane. Undefined for actions that stay on one host.
 */
function captionOf(a: NamedAction, end: 'main' | 'source'): string | undefined {
  if ((a.kind !== 'migrateVM' && a.kind !== 'resumeVM') || a.from === a.to) return undefined;
  return end === 'main' ? `${safeName(a.vm)} ← ${safeName(a.from)}` : `${safeName(a.vm)} → ${safeName(a.to)}`;
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

/** Each step's prerequisites and dependants, by id: built once per plan. */
export interface DependencyIndex {
  readonly dependsOn: ReadonlyMap<string, readonly string[]>;
  readonly dependants: ReadonlyMap<string, readonly string[]>;
}

export function dependencyIndex(steps: readonly Step[]): DependencyIndex {
  const dependsOn = new Map<string, readonly string[]>();
  const dependants = new Map<string, string[]>();
  for (const s of steps) {
    dependsOn.set(s.id, s.dependsOn);
    for (const d of s.dependsOn) {
      const list = dependants.get(d);
      if (list) list.push(s.id);
      else dependants.set(d, [s.id]);
    }
  }
  return { dependsOn, dependants };
}

/**
 * The dependency arrows to draw for the focused step: from each step it waits for, and to each
 * step waiting for it (end of the first to start of the second), both ends among the steps
 * `drawn` says are on screen.
 */
export function dependencyLinks(layout: GanttLayout, index: DependencyIndex, focused: string | null, drawn: (stepId: string) => boolean = () => true): DependencyLink[] {
  if (focused === null) return [];
  const links: DependencyLink[] = [];
  const link = (from: string, to: string): void => {
    if (!drawn(from) || !drawn(to)) return;
    const a = layout.bars[layout.barOf.get(from) ?? -1];
    const b = layout.bars[layout.barOf.get(to) ?? -1];
    if (a && b) links.push({ from, to, x1: a.x + a.width, y1: a.y + a.height / 2, x2: b.x, y2: b.y + b.height / 2 });
  };
  for (const d of index.dependsOn.get(focused) ?? []) link(d, focused);
  for (const d of index.dependants.get(focused) ?? []) link(focused, d);
  return links;
}

/** The x of an instant (s) in a layout, for the "now" line of a run. */
export function xAt(layout: GanttLayout, seconds: number): number {
  const plotWidth = Math.max(1, layout.width - layout.left - 8);
  return layout.left + (Math.min(Math.max(seconds, 0), layout.duration) / layout.duration) * plotWidth;
}
