import { type ReactNode, type RefObject, memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';

import type { Step, StepState } from '../../../src/executor/types.js';
import { shown } from '../../components/text.js';
import { type GanttBar, type GanttShape, dependencyIndex, dependencyLinks, layoutGantt, xAt } from '../../plan-view/gantt.js';
import { stepLook } from '../../plan-view/step-state.js';
import { useRowVirtualizer } from '../../plan-view/virtual-rows.js';

/**
 * The plan's timeline: one lane per host, a bar per step (a migration in its destination lane, a
 * faint twin in its source lane and a connector), node power and VM boot/shutdown as shapes of
 * their own, the time axis in m'ss. Dependencies of the hovered or selected step are drawn. During
 * a run, bars take their step's live state and a "now" line shows where the run is.
 *
 * Only the lanes in view are drawn (TanStack Virtual over the lanes, the time axis above them), with
 * their bars, the connectors reaching them and the dependencies between drawn bars: a 3,421-step
 * plan over 5,000 hosts costs what a screenful costs. On a big cluster only the hosts some step
 * touches get a lane.
 *
 * Built from React elements only: every name is a text node (React escapes it), never markup.
 */

export interface GanttProps {
  readonly steps: readonly Step[];
  readonly hosts: readonly string[];
  readonly selected: string | null;
  onSelect(stepId: string): void;
  /** Live step states (a run); absent: the plan as computed. */
  readonly states?: ReadonlyMap<string, StepState>;
  /** Seconds since the run started, for the "now" line. */
  readonly nowSeconds?: number | null;
  readonly width?: number;
}

/** Strong enough under white label text, in light and dark themes alike. */
const SHAPE_FILL: Readonly<Record<GanttShape, string>> = {
  migration: '#0066cc',
  'migration-source': '#0066cc',
  'vm-boot': '#3e8635',
  'vm-shutdown': '#c46100',
  'vm-other': '#5752d1',
  'node-on': '#147878',
  'node-off': '#a30000',
};

const SHAPE_WORD: Readonly<Record<GanttShape, string>> = {
  migration: 'migration',
  'migration-source': 'migration source',
  'vm-boot': 'VM boot',
  'vm-shutdown': 'VM shutdown',
  'vm-other': 'VM action',
  'node-on': 'host power on',
  'node-off': 'host power off',
};

/** The lanes' viewport at most (then it scrolls; the time axis stays above it). */
const MAX_LANES_HEIGHT = 560;

function GanttChart({ steps, hosts, selected, onSelect, states, nowSeconds, width }: GanttProps): ReactNode {
  const box = useRef<HTMLDivElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const fitted = useContainerWidth(box, width ?? 960);
  // the layout is the heavy part (3,421 steps): computed once per plan and width, not per hover, event or scroll
  const layout = useMemo(() => layoutGantt(steps, hosts, { width: fitted }), [steps, hosts, fitted]);
  const dependencies = useMemo(() => dependencyIndex(steps), [steps]);
  // a new layout is a new list of lanes: the key's identity tells the virtualizer to measure again
  const laneKey = useCallback((i: number) => `${i}:${layout.lanes[i]?.host ?? ''}`, [layout]);
  const laneSize = useCallback((i: number) => layout.lanes[i]?.height ?? 24, [layout]);
  const lanes = useRowVirtualizer(scroller, { count: layout.lanes.length, estimate: laneSize, key: laneKey, overscan: 4 });
  const [hovered, setHovered] = useState<string | null>(null);
  const focused = hovered ?? selected;

  // a step selected elsewhere (the step list) brings its lane into view
  useEffect(() => {
    const bar = selected === null ? undefined : layout.bars[layout.barOf.get(selected) ?? -1];
    if (bar) lanes.scrollToIndex(bar.lane, { align: 'auto' });
  }, [selected, layout, lanes]);

  const visible = lanes.getVirtualItems().map((item) => item.index);
  const drawnBars = visible.flatMap((i) => layout.lanes[i]?.bars ?? []);
  const drawnTwins = visible.flatMap((i) => layout.lanes[i]?.twins ?? []);
  // a connector joins two lanes: drawn (once) when either end is in view
  const drawnConnectors = new Set(visible.flatMap((i) => layout.lanes[i]?.connectors ?? []));
  const drawnSteps = new Set(drawnBars.map((b) => layout.bars[b]?.stepId));
  const links = dependencyLinks(layout, dependencies, focused, (id) => drawnSteps.has(id));
  const nowX = nowSeconds === undefined || nowSeconds === null ? null : xAt(layout, nowSeconds);
  const lanesHeight = layout.height - layout.top;

  return (
    <div className="ferry-gantt" ref={box} role="group" aria-label="Plan timeline">
      <svg className="ferry-gantt__axis" width={layout.width} height={layout.top} aria-label="Time axis">
        {layout.ticks.map((t) => (
          <g key={t.x}>
            <line className="tick" x1={t.x} x2={t.x} y1={layout.top - 4} y2={layout.top} />
            <text className="tick-label" x={t.x + 2} y={layout.top - 8}>
              {t.label}
            </text>
          </g>
        ))}
        {nowX === null ? null : <line className="now" x1={nowX} x2={nowX} y1={0} y2={layout.top} />}
      </svg>
      {layout.idleHostsHidden > 0 ? <p className="ferry-muted">{`${layout.lanes.length} hosts with steps; ${layout.idleHostsHidden} hosts without any are left out.`}</p> : null}
      <div ref={scroller} className="ferry-gantt__lanes" style={{ height: Math.min(MAX_LANES_HEIGHT, lanesHeight) }}>
        <svg width={layout.width} height={lanesHeight} style={{ height: lanesHeight }}>
          <defs>
            <marker id="ferry-dep-arrow" viewBox="0 0 6 6" refX="6" refY="3" markerWidth="6" markerHeight="6" orient="auto">
              <path d="M0,0 L6,3 L0,6 z" fill="currentColor" />
            </marker>
          </defs>
          <g transform={`translate(0,${-layout.top})`}>
            {layout.ticks.map((t) => (
              <line key={t.x} className="tick" x1={t.x} x2={t.x} y1={layout.top} y2={layout.height} />
            ))}
            {visible.map((i) => {
              const lane = layout.lanes[i];
              if (!lane) return null;
              const name = shown(lane.host);
              return (
                <g key={laneKey(i)} data-lane={lane.host} aria-label={`Host ${name}`}>
                  {i % 2 === 0 ? <rect className="lane-bg" x={0} y={lane.y} width={layout.width} height={lane.height} /> : null}
                  <text className="lane-label" x={4} y={lane.y + 14}>
                    <title>{name}</title>
                    {clipped(name, LANE_LABEL_CHARS)}
                  </text>
                </g>
              );
            })}
            {[...drawnConnectors].map((c) => {
              const connector = layout.connectors[c];
              return connector ? <line key={`c-${connector.stepId}`} x1={connector.x} x2={connector.x} y1={connector.y1} y2={connector.y2} stroke="currentColor" strokeOpacity={0.3} strokeDasharray="2 2" /> : null;
            })}
            {drawnTwins.map((t) => {
              const b = layout.twins[t];
              return b ? <Twin key={`t-${b.stepId}`} bar={b} /> : null;
            })}
            {drawnBars.map((index) => {
              const b = layout.bars[index];
              return b ? <Bar key={b.stepId} bar={b} state={states?.get(b.stepId)} selected={b.stepId === selected} onSelect={onSelect} onHover={setHovered} /> : null;
            })}
            <g color="var(--pf-t--global--color--status--warning--default, #b98412)">
              {links.map((l) => (
                <path key={`${l.from}-${l.to}`} className="dep" d={`M${l.x1},${l.y1} C${l.x1 + 20},${l.y1} ${l.x2 - 20},${l.y2} ${l.x2},${l.y2}`} markerEnd="url(#ferry-dep-arrow)" data-dependency={`${l.from}->${l.to}`} />
              ))}
            </g>
            {nowX === null ? null : <line className="now" x1={nowX} x2={nowX} y1={layout.top} y2={layout.height} aria-label="now" />}
          </g>
        </svg>
      </div>
    </div>
  );
}

/** The container's width (at least 480 px), following resizes; `fallback` where there is no layout. */
function useContainerWidth(box: RefObject<HTMLDivElement | null>, fallback: number): number {
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    const measure = (): void => {
      const w = Math.floor(el.clientWidth);
      // a step of 16 px: a resize by a pixel does not lay 590 bars out again
      if (w > 0) setWidth(Math.max(480, Math.floor(w / 16) * 16));
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [box]);
  return width;
}

interface BarProps {
  readonly bar: GanttBar;
  readonly state: StepState | undefined;
  readonly selected: boolean;
  onSelect(stepId: string): void;
  onHover(stepId: string | null): void;
}

const Bar = memo(function Bar({ bar, state, selected, onSelect, onHover }: BarProps): ReactNode {
  const fill = state === undefined ? SHAPE_FILL[bar.shape] : stepLook(state).colour;
  const common = {
    className: `bar${selected ? ' selected' : ''}`,
    fill,
    'data-step-id': bar.stepId,
    'data-shape': bar.shape,
    onClick: () => onSelect(bar.stepId),
    onMouseEnter: () => onHover(bar.stepId),
    onMouseLeave: () => onHover(null),
  };
  const title = `${bar.stepId}: ${bar.label} (${SHAPE_WORD[bar.shape]}${state === undefined ? '' : `, ${stepLook(state).word}`})`;
  const { x, y, width: w, height: h } = bar;
  let shape: ReactNode;
  switch (bar.shape) {
    case 'node-on':
      // power on: a bar ending in an upward chevron
      shape = <polygon {...common} points={`${x},${y + h} ${x},${y + 3} ${x + w / 2},${y} ${x + w},${y + 3} ${x + w},${y + h}`} />;
      break;
    case 'node-off':
      shape = <polygon {...common} points={`${x},${y} ${x + w},${y} ${x + w},${y + h - 3} ${x + w / 2},${y + h} ${x},${y + h - 3}`} />;
      break;
    case 'vm-boot':
      shape = <rect {...common} x={x} y={y} width={w} height={h} rx={h / 2} />;
      break;
    case 'vm-shutdown':
      shape = <rect {...common} x={x} y={y} width={w} height={h} rx={0} strokeDasharray="3 2" stroke={fill} fillOpacity={0.7} />;
      break;
    default:
      shape = <rect {...common} x={x} y={y} width={w} height={h} rx={2} />;
  }
  return (
    <g>
      {shape}
      <title>{title}</title>
      {w > MIN_LABELLED_WIDTH ? (
        <text className="bar-label" x={x + 3} y={y + h - 4}>
          {clipped(bar.caption, Math.floor(w / 6))}
        </text>
      ) : null}
    </g>
  );
});

/**
 * A migration's source end: an outlined, faint bar in the lane it leaves, labelled with where the
 * VM goes in the theme's text colour (white on a faint fill could not be read in a light theme).
 */
function Twin({ bar }: { readonly bar: GanttBar }): ReactNode {
  const { x, y, width: w, height: h } = bar;
  return (
    <g className="twin" data-twin={bar.stepId}>
      <rect x={x} y={y} width={w} height={h} rx={2} fill={SHAPE_FILL[bar.shape]} stroke={SHAPE_FILL[bar.shape]} />
      <title>{`${bar.stepId} (source): ${bar.label}`}</title>
      {w > MIN_LABELLED_WIDTH ? (
        <text className="twin-label" x={x + 3} y={y + h - 4}>
          {clipped(bar.caption, Math.floor(w / 6))}
        </text>
      ) : null}
    </g>
  );
}

/** Bars narrower than this (px) carry no text: their title says what they are. */
const MIN_LABELLED_WIDTH = 60;

const LANE_LABEL_CHARS = 18;

/** A text cut to `max` characters says so with an ellipsis (the full text is in the title beside it). */
function clipped(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

export const Gantt = memo(GanttChart);
