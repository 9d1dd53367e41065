import { type ReactNode, type RefObject, memo, useEffect, useMemo, useRef, useState } from 'react';

import type { Step, StepState } from '../../../src/executor/types.js';
import { shown } from '../../components/text.js';
import { type GanttBar, type GanttShape, dependencyLinks, layoutGantt, xAt } from '../../plan-view/gantt.js';
import { stepLook } from '../../plan-view/step-state.js';

/**
 * The plan's timeline: one lane per host, a bar per step (a migration in its destination lane, a
 * faint twin in its source lane and a connector), node power and VM boot/shutdown as shapes of
 * their own, the time axis in m'ss. Dependencies of the hovered or selected step are drawn. During
 * a run, bars take their step's live state and a "now" line shows where the run is.
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

function GanttChart({ steps, hosts, selected, onSelect, states, nowSeconds, width }: GanttProps): ReactNode {
  const box = useRef<HTMLDivElement>(null);
  const fitted = useContainerWidth(box, width ?? 960);
  // the layout is the heavy part (590 steps): computed once per plan and width, not per hover or event
  const layout = useMemo(() => layoutGantt(steps, hosts, { width: fitted }), [steps, hosts, fitted]);
  const [hovered, setHovered] = useState<string | null>(null);
  const focused = hovered ?? selected;
  const links = useMemo(() => dependencyLinks(layout, steps, focused), [layout, steps, focused]);
  const nowX = nowSeconds === undefined || nowSeconds === null ? null : xAt(layout, nowSeconds);

  return (
    <div className="ferry-gantt" ref={box}>
      <svg width={layout.width} height={layout.height} role="group" aria-label="Plan timeline">
        <defs>
          <marker id="ferry-dep-arrow" viewBox="0 0 6 6" refX="6" refY="3" markerWidth="6" markerHeight="6" orient="auto">
            <path d="M0,0 L6,3 L0,6 z" fill="currentColor" />
          </marker>
        </defs>
        <g aria-label="Time axis">
          {layout.ticks.map((t) => (
            <g key={t.x}>
              <line className="tick" x1={t.x} x2={t.x} y1={layout.top - 4} y2={layout.height} />
              <text className="tick-label" x={t.x + 2} y={layout.top - 8}>
                {t.label}
              </text>
            </g>
          ))}
        </g>
        {layout.lanes.map((lane, i) => (
          <g key={i} data-lane={lane.host} aria-label={`Host ${shown(lane.host)}`}>
            {i % 2 === 0 ? <rect className="lane-bg" x={0} y={lane.y} width={layout.width} height={lane.height} /> : null}
            <text className="lane-label" x={4} y={lane.y + 14}>
              {shown(lane.host).slice(0, 18)}
            </text>
          </g>
        ))}
        {layout.connectors.map((c) => (
          <line key={`c-${c.stepId}`} x1={c.x} x2={c.x} y1={c.y1} y2={c.y2} stroke="currentColor" strokeOpacity={0.3} strokeDasharray="2 2" />
        ))}
        {layout.twins.map((b) => (
          <rect key={`t-${b.stepId}`} className="twin" data-twin={b.stepId} x={b.x} y={b.y} width={b.width} height={b.height} rx={2} fill={SHAPE_FILL[b.shape]}>
            <title>{`${b.stepId} (source): ${b.label}`}</title>
          </rect>
        ))}
        {layout.bars.map((b) => (
          <Bar key={b.stepId} bar={b} state={states?.get(b.stepId)} selected={b.stepId === selected} onSelect={onSelect} onHover={setHovered} />
        ))}
        <g color="var(--pf-t--global--color--status--warning--default, #b98412)">
          {links.map((l) => (
            <path key={`${l.from}-${l.to}`} className="dep" d={`M${l.x1},${l.y1} C${l.x1 + 20},${l.y1} ${l.x2 - 20},${l.y2} ${l.x2},${l.y2}`} markerEnd="url(#ferry-dep-arrow)" data-dependency={`${l.from}->${l.to}`} />
          ))}
        </g>
        {nowX === null ? null : <line className="now" x1={nowX} x2={nowX} y1={layout.top - 4} y2={layout.height} aria-label="now" />}
      </svg>
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
      {w > 60 ? (
        <text className="bar-label" x={x + 3} y={y + h - 4}>
          {bar.label.slice(0, Math.floor(w / 6))}
        </text>
      ) : null}
    </g>
  );
});

export const Gantt = memo(GanttChart);
