/**
 * Console benchmarks (issue 16, Performance), in Debian's Chromium against serve mode, each
 * against a baseline measured in the same run:
 * - console ready on the demo cluster: `ferry console` launched → the navigation visible; against
 *   the server alone (launched → its URL printed);
 * - BtrPlace's li-r6-c0 (5,000 nodes, 30,000 VMs) opened as an instance file in the inventory,
 *   then its VM table scrolled: frame times from requestAnimationFrame in the page; against the
 *   same scroll of the demo cluster's table;
 * - li-r6-c0's plan (590 migrations) computed and rendered in the Gantt and the step list: the
 *   longest frame while it renders (input is blocked for that long at most) and the step list
 *   scrolled; against the planner's own time reported by the console;
 * - what-if on a 2,500-host / 40,000-VM cluster: a constraint toggled off → the new plan and its
 *   comparison with the previous shown; against the planner alone, in-process, on the same input.
 *
 * `node dist/test/bench/console.js` prints the Markdown section; `npm run bench` includes it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';

import type { Constraint } from '../../src/catalogue/constraint.js';
import type { Instance } from '../../src/instance/instance.js';
import { instanceToJson } from '../../src/instance/json.js';
import { Mapping, Model, NamingService, ShareableResource } from '../../src/model/index.js';
import { plan } from '../../src/solver/planner.js';
import { ConsolePage } from '../e2e/pages/console-page.js';
import { ConstraintsPage } from '../e2e/pages/constraints-page.js';
import { PLAN_TIMEOUT_MS, PlanPage } from '../e2e/pages/plan-page.js';
import { chromiumSkipReason, launchChromium } from '../e2e/support/browser.js';
import { ensureConsoleBuilt } from '../e2e/support/build.js';
import { type ConsoleServer, startConsole } from '../e2e/support/console-server.js';
import { SCREENS } from '../e2e/support/paths.js';
import { profiled, traced } from './page-profile.js';

const TDSC_DIR = process.env['FERRY_BENCH_DIR'] ?? '/work/shared/bench/btrplace-tdsc';
const LI_R6 = join(TDSC_DIR, 'li-r6-c0.json.gz');
const FRAME_BUDGET_MS = 1000 / 60;
const OPEN_TIMEOUT_MS = 120_000;

interface Row {
  readonly measure: string;
  readonly ferry: string;
  readonly baseline: string;
  readonly ratio: string;
}

const ms = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(0)} ms` : '—');
const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b).toFixed(2) : '—');
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : (s[Math.floor((s.length - 1) / 2)] as number);
};
const percentile = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : (s[Math.min(s.length - 1, Math.floor(p * s.length))] as number);
};

interface FrameStats {
  readonly frames: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
  /** Share of frames within 1/60 s (a little slack for timer jitter). */
  readonly on60: number;
  /** The longest main-thread task (PerformanceObserver 'longtask': 50 ms or more), 0 when none. */
  readonly longestTask: number;
  /** How many tasks of 50 ms or more. */
  readonly longTasks: number;
}

function frameStats(deltas: readonly number[], tasks: readonly number[]): FrameStats {
  return {
    frames: deltas.length,
    p50: percentile(deltas, 0.5),
    p95: percentile(deltas, 0.95),
    max: deltas.reduce((m, d) => Math.max(m, d), 0),
    on60: deltas.length === 0 ? Number.NaN : deltas.filter((d) => d <= FRAME_BUDGET_MS + 2).length / deltas.length,
    longestTask: tasks.reduce((m, d) => Math.max(m, d), 0),
    longTasks: tasks.length,
  };
}

const fps = (s: FrameStats): string => `p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, max ${s.max.toFixed(0)} ms (${(s.on60 * 100).toFixed(0)} % of ${s.frames} frames within 1/60 s)`;
const tasks = (s: FrameStats): string => `longest task ${s.longestTask.toFixed(0)} ms (${s.longTasks} tasks ≥ 50 ms); frames ${fps(s)}`;

/** The page's state while frames are recorded (kept on globalThis between evaluate calls). */
interface FrameRecorder {
  __ferryFrames?: number[];
  __ferryTasks?: number[];
  __ferryObserver?: { disconnect(): void };
  __ferryRecording?: boolean;
  requestAnimationFrame(callback: (time: number) => void): number;
  PerformanceObserver?: new (callback: (list: { getEntries(): { duration: number }[] }) => void) => { observe(options: { type: string }): void; disconnect(): void };
}

/** Records requestAnimationFrame deltas and long tasks in the page while `during` runs. */
async function recordFrames(page: Page, during: () => Promise<void>): Promise<FrameStats> {
  await page.evaluate(() => {
    const g = globalThis as unknown as FrameRecorder;
    g.__ferryFrames = [];
    g.__ferryTasks = [];
    g.__ferryRecording = true;
    if (g.PerformanceObserver) {
      const observer = new g.PerformanceObserver((list) => {
        for (const e of list.getEntries()) g.__ferryTasks?.push(e.duration);
      });
      observer.observe({ type: 'longtask' });
      g.__ferryObserver = observer;
    }
    let last = -1;
    const tick = (time: number): void => {
      if (last >= 0) g.__ferryFrames?.push(time - last);
      last = time;
      if (g.__ferryRecording === true) g.requestAnimationFrame(tick);
    };
    g.requestAnimationFrame(tick);
  });
  await during();
  // a task under way when `during` ends is reported once it ends: one frame later
  await page.waitForTimeout(100);
  const recorded = await page.evaluate(() => {
    const g = globalThis as unknown as FrameRecorder;
    g.__ferryRecording = false;
    g.__ferryObserver?.disconnect();
    return { frames: g.__ferryFrames ?? [], tasks: g.__ferryTasks ?? [] };
  });
  return frameStats(recorded.frames, recorded.tasks);
}

/** Wheel-scrolls what is under the centre of `selector`'s first match, `steps` notches of 100 px, one per frame. */
async function scroll(page: Page, selector: string, steps: number): Promise<void> {
  const box = await page.locator(selector).first().boundingBox();
  if (box === null) throw new Error(`nothing to scroll: ${selector} is not visible`);
  await page.mouse.move(box.x + box.width / 2, box.y + Math.min(box.height / 2, 200));
  for (let i = 0; i < steps; i++) {
    await page.mouse.wheel(0, 100);
    await page.waitForTimeout(FRAME_BUDGET_MS);
  }
}

async function openConsole(browser: Browser, server: ConsoleServer): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(server.url);
  await new ConsolePage(page).waitReady(OPEN_TIMEOUT_MS);
  return page;
}

/** Opens an instance file in the console (the Inventory's "Open instance file…") and waits for its node count. */
async function openInstanceFile(page: Page, file: string, nodes: number): Promise<number> {
  const console_ = new ConsolePage(page);
  await console_.open('Inventory');
  const t0 = performance.now();
  await page.getByLabel('Instance file', { exact: true }).setInputFiles(file);
  await page.getByText(new RegExp(`${nodes.toLocaleString('en-US')} nodes`)).first().waitFor({ state: 'visible', timeout: OPEN_TIMEOUT_MS });
  return performance.now() - t0;
}

// ---- console ready ----------------------------------------------------------------------------

/** Launches timed for console ready: a median of 5, the launch being a second or two (and noisy on a shared machine). */
const READY_RUNS = 5;

async function benchReady(browser: Browser): Promise<Row> {
  const total: number[] = [];
  const serverOnly: number[] = [];
  for (let i = 0; i < READY_RUNS; i++) {
    const t0 = performance.now();
    const server = await startConsole({ prebuilt: true });
    serverOnly.push(performance.now() - t0);
    try {
      const page = await openConsole(browser, server);
      total.push(performance.now() - t0);
      await page.context().close();
    } finally {
      await server.stop();
    }
  }
  const ready = median(total);
  const alone = median(serverOnly);
  return { measure: `console ready on the demo cluster (\`ferry console\` launched → navigation visible; median of ${READY_RUNS}; target < 2 s)`, ferry: ms(ready), baseline: `${ms(alone)} (the server alone: launched → URL printed)`, ratio: ratio(ready, alone) };
}

// ---- 30,000 VMs in the inventory ---------------------------------------------------------------

async function benchInventory(browser: Browser, server: ConsoleServer): Promise<{ rows: Row[]; page: Page }> {
  const page = await openConsole(browser, server);
  const console_ = new ConsolePage(page);
  // baseline: the demo cluster's VM table, scrolled the same way
  await console_.open('Inventory');
  await page.getByRole('tab', { name: 'VMs' }).click();
  const demo = await recordFrames(page, () => scroll(page, '.ferry-vtable__body', 60));
  const openMs = await openInstanceFile(page, LI_R6, 5000);
  await page.getByRole('tab', { name: 'VMs' }).click();
  await page.locator('.ferry-vtable__body').first().waitFor({ state: 'visible' });
  const big = await recordFrames(page, () => scroll(page, '.ferry-vtable__body', 120));
  return {
    page,
    rows: [
      { measure: 'li-r6-c0 (5,000 nodes, 30,000 VMs) opened in the inventory (file chosen → node count shown; gunzip, parse, read in the page)', ferry: ms(openMs), baseline: '—', ratio: '—' },
      { measure: 'li-r6-c0 VM table scrolled (120 wheel notches): frame times', ferry: fps(big), baseline: `${fps(demo)} (the demo cluster's 63 VMs, 60 notches)`, ratio: ratio(big.p95, demo.p95) },
    ],
  };
}

// ---- a 590-step plan --------------------------------------------------------------------------

async function benchBigPlan(page: Page): Promise<Row[]> {
  // the file brings its own constraints: the script (the demo's, until now) is emptied
  await new ConstraintsPage(page).show();
  await new ConstraintsPage(page).setScript('');
  const planPage = new PlanPage(page);
  await planPage.show();
  let computeMs = Number.NaN;
  const rendering = await recordFrames(page, async () => {
    const t0 = performance.now();
    await planPage.compute();
    await planPage.summary().waitFor({ state: 'visible', timeout: OPEN_TIMEOUT_MS });
    await page.getByRole('group', { name: 'Plan timeline' }).waitFor({ state: 'visible', timeout: PLAN_TIMEOUT_MS });
    await page.getByRole('grid', { name: 'Plan steps' }).waitFor({ state: 'visible', timeout: PLAN_TIMEOUT_MS });
    computeMs = performance.now() - t0;
  });
  const summary = await planPage.summary().innerText();
  const steps = Number((await page.getByRole('grid', { name: 'Plan steps' }).getAttribute('aria-rowcount')) ?? Number.NaN);
  const plannerMs = plannerSecondsIn(summary) * 1000;
  const list = await recordFrames(page, () => scroll(page, '[aria-label="Plan steps"]', 60));
  return [
    {
      measure: `li-r6-c0's plan (${Number.isFinite(steps) ? steps : '?'} steps) computed and shown: Compute plan → summary, Gantt and step list visible`,
      ferry: ms(computeMs),
      baseline: Number.isFinite(plannerMs) ? `${ms(plannerMs)} (the planner's time, as the summary reports it)` : '— (the summary names no planner time)',
      ratio: ratio(computeMs, plannerMs),
    },
    { measure: 'the page while that plan arrives and renders: the longest main-thread task (input waits that long at most) and frame times', ferry: tasks(rendering), baseline: `${FRAME_BUDGET_MS.toFixed(1)} ms (one frame at 60 fps)`, ratio: ratio(rendering.longestTask, FRAME_BUDGET_MS) },
    { measure: 'its step list scrolled (60 wheel notches): frame times', ferry: fps(list), baseline: `${FRAME_BUDGET_MS.toFixed(1)} ms (one frame at 60 fps)`, ratio: ratio(list.p95, FRAME_BUDGET_MS) },
  ];
}

/** "Solve time 2.4 s" / "solved in 850 ms" in the summary's text, in seconds; NaN when absent. */
function plannerSecondsIn(text: string): number {
  const match = /(?:solve time|planned|solved|computed|planner)[^\d]{0,20}([\d.,]+)\s*(ms|s)\b/i.exec(text);
  if (match === null) return Number.NaN;
  const value = Number((match[1] ?? '').replace(/,/g, ''));
  return match[2] === 'ms' ? value / 1000 : value;
}

// ---- what-if on 2,500 hosts / 40,000 VMs --------------------------------------------------------

const WHAT_IF_HOSTS = 2500;
const VMS_PER_HOST = 16;
const hostName = (i: number): string => `h${String(i + 1).padStart(4, '0')}`;

/**
 * A vCenter's maximum: 2,500 hosts (64 cores, 512 GiB) of 16 VMs each (2–4 vCPUs, 8–24 GiB), half
 * loaded, so that a drained host's VMs always fit elsewhere. Deterministic.
 */
export function whatIfCluster(): Instance {
  const mapping = new Mapping();
  const cpu = new ShareableResource('cpu', 0, 0);
  const mem = new ShareableResource('mem', 0, 0);
  const nodeNames = new NamingService('node');
  const vmNames = new NamingService('vm');
  let vm = 0;
  for (let n = 0; n < WHAT_IF_HOSTS; n++) {
    mapping.addOnlineNode(n);
    nodeNames.register(hostName(n), n);
    cpu.setCapacity(n, 64);
    mem.setCapacity(n, 512 * 1024);
    for (let k = 0; k < VMS_PER_HOST; k++, vm++) {
      mapping.addRunningVM(vm, n);
      vmNames.register(`vm${vm + 1}`, vm);
      cpu.setConsumption(vm, 2 + (vm % 3));
      mem.setConsumption(vm, (8 + 8 * (vm % 3)) * 1024);
    }
  }
  return { model: new Model({ mapping, resources: [cpu, mem], vmNames, nodeNames }), constraints: [], objective: { id: 'minimizeMTTR' } };
}

/** Two hosts drained, one a line: toggling the second off is the what-if. */
const WHAT_IF_SCRIPT = `offline(@${hostName(0)});\noffline(@${hostName(1)});\n`;

async function benchWhatIf(page: Page, dir: string): Promise<Row> {
  const instance = whatIfCluster();
  const file = join(dir, 'what-if-2500.json');
  writeFileSync(file, JSON.stringify(instanceToJson(instance)));
  await openInstanceFile(page, file, WHAT_IF_HOSTS);
  const editor = new ConstraintsPage(page);
  await editor.show();
  await editor.setScript(WHAT_IF_SCRIPT);
  const planPage = new PlanPage(page);
  await planPage.show();
  await planPage.computeAndWait();
  // the what-if: the second drain toggled off, the plan again, the comparison opened
  await editor.show();
  // timed by the page's own clock, from the toggle's click to the differences in the DOM; the
  // comparison is opened the moment its button comes back (an operator's reaction time is not the
  // console's, and Playwright's polling would add up to 500 ms of its own)
  await armWhatIfClock(page);
  await traced(page, 'what-if', () =>
    profiled(page, 'what-if', async () => {
      // the switch's label, in the "Active constraints" card (the editor shows the same text)
      await page.locator('.ferry-active').getByText(`offline(@${hostName(1)});`, { exact: true }).click();
      await planPage.show();
      await planPage.compute();
      await page.getByRole('list', { name: 'Differences', exact: true }).waitFor({ state: 'visible', timeout: OPEN_TIMEOUT_MS });
    }),
  );
  const whatIfMs = await page.evaluate(() => {
    const g = globalThis as unknown as WhatIfClock;
    return (g.__ferryWhatIfEnd ?? Number.NaN) - (g.__ferryWhatIfStart ?? Number.NaN);
  });
  // baseline: the planner alone, in this process, on the same cluster with the first drain only
  const drained = instance.model.nodeNames?.resolve(hostName(0)) ?? 0;
  const constraints: Constraint[] = [{ id: 'offline', continuous: false, args: { node: drained } }];
  const p0 = performance.now();
  const alone = await plan({ ...instance, constraints }, { timeLimitMs: 5_000 });
  const plannerMs = performance.now() - p0;
  return {
    measure: `what-if on ${WHAT_IF_HOSTS.toLocaleString('en-US')} hosts / ${(WHAT_IF_HOSTS * VMS_PER_HOST).toLocaleString('en-US')} VMs: a drain toggled off → new plan and its comparison shown, by the page's clock, the comparison opened as soon as it can be (target < 1 s)`,
    ferry: ms(whatIfMs),
    baseline: `${ms(plannerMs)} (the planner alone on the same input, in-process: ${alone.status}, ${alone.migrations} migrations)`,
    ratio: ratio(whatIfMs, plannerMs),
  };
}

/** The little of the page's DOM the what-if clock uses (the bench compiles without the DOM's types). */
interface PageElement {
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
  closest(selector: string): PageElement | null;
  click(): void;
}

interface WhatIfClock {
  __ferryWhatIfStart?: number;
  __ferryWhatIfEnd?: number;
  readonly performance: { now(): number };
  readonly document: {
    readonly body: unknown;
    addEventListener(type: 'click', listener: (e: { readonly target: unknown }) => void, options: { capture: boolean }): void;
    querySelector(selector: string): PageElement | null;
    querySelectorAll(selector: string): Iterable<PageElement>;
  };
  readonly MutationObserver: new (callback: () => void) => { observe(target: unknown, options: Record<string, boolean>): void; disconnect(): void };
}

/**
 * In the page: the first click stamps the start; a new "Compare with previous" button (the new
 * plan's, after Compute plan) is clicked as soon as it is in the DOM; the differences list
 * stamps the end.
 */
async function armWhatIfClock(page: Page): Promise<void> {
  await page.evaluate(() => {
    const g = globalThis as unknown as WhatIfClock;
    delete g.__ferryWhatIfStart;
    delete g.__ferryWhatIfEnd;
    let computeClicked = false;
    g.document.addEventListener(
      'click',
      (e) => {
        g.__ferryWhatIfStart ??= g.performance.now();
        if ((e.target as PageElement | null)?.closest('button')?.textContent?.includes('Compute plan')) computeClicked = true;
      },
      { capture: true },
    );
    const observer = new g.MutationObserver(() => {
      if (!computeClicked) return;
      const compare = [...g.document.querySelectorAll('button')].find((b) => b.textContent === 'Compare with previous' && b.getAttribute('aria-expanded') === 'false');
      if (compare && !g.document.querySelector('[aria-label="Differences"]')) compare.click();
      if (g.document.querySelector('[aria-label="Differences"]') && g.__ferryWhatIfEnd === undefined) {
        g.__ferryWhatIfEnd = g.performance.now();
        observer.disconnect();
      }
    });
    observer.observe(g.document.body, { childList: true, subtree: true, attributes: true });
  });
}

// ---- a 590-step plan ----------------------------------------------------------------------------

/** 35 hosts of 16 VMs drained: 560 migrations and 35 power-offs, the "590-step plan". */
const DRAINED_FOR_590 = 35;

/** On the what-if cluster (already open): a plan of about 590 steps computed and rendered, its longest task. */
async function bench590(page: Page): Promise<Row> {
  const editor = new ConstraintsPage(page);
  await editor.show();
  await editor.setScript(Array.from({ length: DRAINED_FOR_590 }, (_, i) => `offline(@${hostName(i + 10)});`).join('\n'));
  const planPage = new PlanPage(page);
  await planPage.show();
  const button = page.getByRole('button', { name: 'Compute plan', exact: true });
  let shownMs = Number.NaN;
  const rendering = await recordFrames(page, () => profiled(page, 'plan-590', async () => {
    const t0 = performance.now();
    const before = await page.getByRole('grid', { name: 'Plan steps' }).getAttribute('aria-rowcount', { timeout: 1_000 }).catch(() => null);
    await planPage.compute();
    // the previous plan stays on screen while this one computes: wait for the new plan's steps
    await page.waitForFunction(
      (previous) => {
        const grid = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null } }).document.querySelector('[role="grid"][aria-label="Plan steps"]');
        return grid !== null && grid.getAttribute('aria-rowcount') !== previous;
      },
      before,
      { timeout: PLAN_TIMEOUT_MS, polling: 'raf' },
    );
    await button.and(page.locator(':enabled')).waitFor({ state: 'visible', timeout: PLAN_TIMEOUT_MS });
    shownMs = performance.now() - t0;
  }));
  const steps = Number((await page.getByRole('grid', { name: 'Plan steps' }).getAttribute('aria-rowcount')) ?? Number.NaN);
  const plannerMs = plannerSecondsIn(await planPage.summary().innerText()) * 1000;
  return {
    measure: `a ${Number.isFinite(steps) ? steps : '?'}-step plan (${DRAINED_FOR_590} of the ${WHAT_IF_HOSTS.toLocaleString('en-US')} hosts drained) computed and rendered: the longest main-thread task while it arrives and renders (${ms(shownMs)} from Compute plan to shown; planner ${ms(plannerMs)})`,
    ferry: tasks(rendering),
    baseline: `${FRAME_BUDGET_MS.toFixed(1)} ms (one frame at 60 fps)`,
    ratio: ratio(rendering.longestTask, FRAME_BUDGET_MS),
  };
}

// ---- the section --------------------------------------------------------------------------------

async function attempt<T>(what: string, work: () => Promise<T>, fallback: (message: string) => T, page?: Page): Promise<T> {
  try {
    return await work();
  } catch (e) {
    const message = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
    process.stderr.write(`console bench: ${what}: ${message}\n`);
    if (page !== undefined) {
      // what the page showed when it failed, beside the e2e screenshots
      mkdirSync(SCREENS, { recursive: true });
      await page.screenshot({ path: join(SCREENS, `bench-failure-${what.replace(/\W+/g, '-')}.png`) }).catch(() => undefined);
    }
    return fallback(`failed: ${message.slice(0, 200)}`);
  }
}

const PARTS = ['ready', 'li-r6', 'what-if'] as const;

/** FERRY_BENCH_CONSOLE=ready,what-if runs only those parts (default: all); an unknown part is an error. */
function benchParts(env = process.env['FERRY_BENCH_CONSOLE']): Set<string> {
  if (env === undefined || env.trim() === '') return new Set(PARTS);
  const asked = env.split(',').map((p) => p.trim()).filter((p) => p !== '');
  const unknown = asked.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`FERRY_BENCH_CONSOLE: unknown part(s) ${unknown.join(', ')}; known: ${PARTS.join(', ')}`);
  return new Set(asked);
}

export async function benchConsole(): Promise<string[]> {
  const lines = ['## Console (test/bench/console.ts)', ''];
  const skip = chromiumSkipReason();
  if (skip !== undefined) return [...lines, `(skipped: ${skip})`, ''];
  await ensureConsoleBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-console-'));
  const browser = await launchChromium();
  const rows: Row[] = [];
  const failed = (measure: string) => (message: string): Row[] => [{ measure, ferry: message, baseline: '—', ratio: '—' }];
  const parts = benchParts();
  const loadBefore = loadavg();
  try {
    if (parts.has('ready')) rows.push(...(await attempt('ready', async () => [await benchReady(browser)], failed('console ready on the demo cluster'))));
    const server = await startConsole({ prebuilt: true, demoSpeed: 1 });
    try {
      let page: Page | undefined;
      if (parts.has('li-r6')) {
        const inventory = await attempt<{ rows: Row[]; page: Page | undefined }>('inventory', () => benchInventory(browser, server), (m) => ({ rows: failed('li-r6-c0 in the inventory')(m), page: undefined }));
        rows.push(...inventory.rows);
        page = inventory.page;
        if (page !== undefined) {
          const opened = page;
          rows.push(...(await attempt('li-r6 plan', () => benchBigPlan(opened), failed("li-r6-c0's plan in the Gantt and the step list"), opened)));
        }
      }
      if (parts.has('what-if')) {
        const opened = page ?? (await openConsole(browser, server));
        const whatIf = await attempt('what-if', async () => [await benchWhatIf(opened, dir)], failed('what-if on 2,500 hosts / 40,000 VMs'), opened);
        rows.push(...whatIf);
        if (!whatIf[0]?.ferry.startsWith('failed')) rows.push(...(await attempt('590-step plan', async () => [await bench590(opened)], failed('a 590-step plan on the what-if cluster'), opened)));
      }
    } finally {
      await server.stop();
    }
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
  lines.push('| measure | Ferry | baseline | ratio |', '|---|---|---|---|');
  for (const r of rows) lines.push(`| ${r.measure} | ${r.ferry} | ${r.baseline} | ${r.ratio} |`);
  lines.push(
    '',
    `Measured on ${new Date().toISOString().slice(0, 10)} in Debian's Chromium (headless, 1440×900) through playwright-core against \`ferry console\` (serve mode), on ${cpus().length} cores; load average (1 min) ${loadBefore[0]?.toFixed(1)} before, ${loadavg()[0]?.toFixed(1)} after.`,
    'Frame times are requestAnimationFrame deltas recorded in the page; headless Chromium paints at 60 Hz, so 16.7 ms is a frame on time. Long tasks are the page\'s PerformanceObserver \'longtask\' entries (main-thread tasks of 50 ms or more): input waits that long at most.',
    '',
  );
  return lines;
}

const isMain = /bench[\\/]console\.(ts|js)$/.test(process.argv[1] ?? '');
if (isMain) {
  process.stdout.write(`${(await benchConsole()).join('\n')}\n`);
  process.exit(0);
}
