import { type ReactNode, memo, useEffect, useMemo, useRef } from 'react';

import { formatTime } from '../../../src/plan/format.js';
import type { UsageCurve } from '../../../src/plan/usage.js';
import { amount, shown } from '../../components/text.js';
import { type HostUsage, percentSeries } from '../../plan-view/usage-series.js';
import 'uplot/dist/uPlot.min.css';

/**
 * Each host's cpu and memory use across the plan against its capacity: a table of the tightest
 * instant per host (the headroom the plan keeps), and per host a uPlot chart of use in percent of
 * capacity. uPlot draws on a canvas: where there is none (a DOM without layout) only the table shows.
 */

/** Charts drawn at once. */
const MAX_CHARTS = 16;
/** The table lists every host up to this many; beyond, the hosts with the least headroom. */
const MAX_ROWS = 64;

/** `hosts`: each host's use (the plan digest's); `horizon`: the plan's end (s). */
export const UsageCharts = memo(function UsageCharts({ hosts, horizon: duration, highlightHosts }: { readonly hosts: readonly HostUsage[]; readonly horizon: number; readonly highlightHosts: ReadonlySet<string> }): ReactNode {
  const charted = useMemo(() => [...hosts.filter((h) => highlightHosts.has(h.host)), ...hosts.filter((h) => !highlightHosts.has(h.host))].slice(0, MAX_CHARTS), [hosts, highlightHosts]);
  const rows = useMemo(() => (hosts.length <= MAX_ROWS ? hosts : [...hosts].sort((a, b) => headroomOf(a) - headroomOf(b)).slice(0, MAX_ROWS)), [hosts]);
  return (
    <div>
      {rows.length < hosts.length ? <p className="ferry-muted">{`The ${rows.length} hosts with the least headroom of ${hosts.length}.`}</p> : null}
      <table className="ferry-table-plain" aria-label="Tightest instant per host">
        <thead>
          <tr>
            <th scope="col">Host</th>
            {hosts[0]?.curves.map((c) => (
              <th key={c.rc} scope="col">
                {shown(c.rc)} peak / capacity
              </th>
            ))}
            <th scope="col">Least headroom</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((h) => (
            <tr key={h.host} aria-selected={highlightHosts.has(h.host)}>
              <th scope="row">{shown(h.host)}</th>
              {h.curves.map((c) => (
                <td key={c.rc} className={c.peak > c.capacity ? 'ferry-error' : undefined}>
                  {amount(c.rc, c.peak)} / {amount(c.rc, c.capacity)} at {formatTime(c.peakAt)}
                </td>
              ))}
              <td>{h.tightest === null ? '–' : `${Math.round(h.tightest.headroomPercent)} % of ${shown(h.tightest.rc)}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="ferry-hosts" style={{ marginTop: 8 }}>
        {charted.map((h) => (
          <UsageChart key={h.host} host={h} duration={duration} />
        ))}
      </div>
    </div>
  );
});

function headroomOf(h: HostUsage): number {
  return h.tightest?.headroomPercent ?? Number.POSITIVE_INFINITY;
}

function canvasWorks(): boolean {
  try {
    return typeof document !== 'undefined' && typeof window.matchMedia === 'function' && document.createElement('canvas').getContext('2d') !== null;
  } catch {
    return false;
  }
}

const COLOURS = ['#0066cc', '#3e8635', '#ec7a08', '#5752d1'];

/** The last chart's turn: charts are drawn one per task (sixteen at once held the page for a second). */
let chartQueue: Promise<void> = Promise.resolve();

function chartTurn(): Promise<void> {
  const turn = chartQueue.then(() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
  chartQueue = turn;
  return turn;
}

function UsageChart({ host, duration }: { readonly host: HostUsage; readonly duration: number }): ReactNode {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el || !canvasWorks()) return undefined;
    let chart: { destroy(): void } | null = null;
    let cancelled = false;
    void Promise.all([import('uplot'), chartTurn()]).then(([{ default: UPlot }]) => {
      if (cancelled) return;
      const data = percentSeries(host.curves as readonly UsageCurve[], duration);
      chart = new UPlot(
        {
          width: 300,
          height: 120,
          title: shown(host.host),
          legend: { show: true, live: false },
          scales: { x: { time: false }, y: { range: [0, Math.max(100, ...data.slice(1).flatMap((s) => s as number[]))] } },
          axes: [{ values: (_u, ticks) => ticks.map((t) => formatTime(t)) }, { values: (_u, ticks) => ticks.map((t) => `${t} %`) }],
          series: [
            {},
            ...host.curves.map((c, i) => {
              const stepped = UPlot.paths.stepped?.({ align: 1 });
              return { label: shown(c.rc), stroke: COLOURS[i % COLOURS.length] ?? '#0066cc', ...(stepped ? { paths: stepped } : {}) };
            }),
            { label: 'capacity', stroke: '#c9190b', dash: [4, 4] },
          ],
        },
        [...data, data[0]?.map(() => 100) ?? []] as never,
        el,
      );
    });
    return () => {
      cancelled = true;
      chart?.destroy();
    };
  }, [host, duration]);
  return <div ref={ref} className="ferry-panel" aria-label={`Resource use of ${shown(host.host)} over the plan`} style={{ minWidth: 300, minHeight: 120 }} />;
}
