import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Page } from 'playwright-core';

/**
 * An opt-in CPU profile of the page's main thread around a measured step
 * (`FERRY_BENCH_PROFILE=<dir>`): the .cpuprofile for Chromium's DevTools, and the functions with
 * the most self time on stderr. For finding where a console figure goes, not for the figures.
 */

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export async function profiled<T>(page: Page, name: string, work: () => Promise<T>, dir = process.env['FERRY_BENCH_PROFILE']): Promise<T> {
  if (dir === undefined || dir === '') return work();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
  await cdp.send('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile };
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    process.stderr.write(`profile ${name}: top self time\n${topSelfTime(profile, 25).join('\n')}\n`);
    await cdp.detach();
  }
}

/** The functions with the most self time, `ms  name  file:line`. */
export function topSelfTime(profile: CpuProfile, count: number): string[] {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byNode.get(id);
    if (node === undefined) return;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'}  ${url.split('/').pop() ?? ''}:${lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, ms]) => `${ms.toFixed(0).padStart(7)} ms  ${key}`);
}

interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly dur?: number;
  readonly tid: number;
  readonly pid: number;
  readonly args?: { readonly name?: string };
}

/**
 * An opt-in trace of the page around a measured step (`FERRY_BENCH_TRACE=<dir>`): Chromium's
 * timeline events, with the main thread's time per kind of work (layout, style, paint, script,
 * messages) on stderr — what a CPU profile lumps together as "(program)".
 */
export async function traced<T>(page: Page, name: string, work: () => Promise<T>, dir = process.env['FERRY_BENCH_TRACE']): Promise<T> {
  if (dir === undefined || dir === '') return work();
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...(e as unknown as { value: TraceEvent[] }).value));
  const done = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
  try {
    return await work();
  } finally {
    await cdp.send('Tracing.end');
    await done;
    writeFileSync(join(dir, `${name}.trace.json`), JSON.stringify({ traceEvents: events }));
    process.stderr.write(`trace ${name}: main-thread time by event\n${mainThreadTime(events, 20).join('\n')}\n`);
    await cdp.detach();
  }
}

/** Complete events on the renderer's main thread, summed by name (nested events counted in their own name too). */
export function mainThreadTime(events: readonly TraceEvent[], count: number): string[] {
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const byName = new Map<string, number>();
  for (const e of events) {
    if (main === undefined || e.pid !== main.pid || e.tid !== main.tid || e.ph !== 'X' || e.dur === undefined) continue;
    byName.set(e.name, (byName.get(e.name) ?? 0) + e.dur / 1000);
  }
  return [...byName]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([n, ms]) => `${ms.toFixed(0).padStart(7)} ms  ${n}`);
}
