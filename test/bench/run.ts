/**
 * `npm run bench`: the placement benchmark. For every TDSC file, the generated ladder and the
 * tight set, side by side in one run: the first-fit-decreasing baseline, the lower bounds, and
 * Ferry's planner (every Ferry plan has passed the plan checker inside `plan()`). Writes
 * BENCHMARKS.md (machine, date, tables). `--quick` runs a small subset (CI). Colleagues' load and
 * schedule benchmarks are appended when present.
 *
 * Run from the repository root: `npm run build && npm run bench [-- --quick]`, or
 * `npx vite-node test/bench/run.ts -- --quick`.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { basename, join } from 'node:path';

import { formatFileError, readInstanceFile } from '../../main/node/instance-file.js';
import type { Instance } from '../../src/instance/instance.js';
import { buildTarget, memoryMoved } from '../../src/solver/bounds.js';
import { LADDER, generateCluster, generateTight } from '../../src/solver/generate.js';
import { firstFitDecreasing } from '../../src/solver/placement/ffd.js';
import { plan } from '../../src/solver/planner.js';
import type { MznRunner } from '../../src/solver/ports.js';
import { initialRepair, reduce } from '../../src/solver/problem.js';
import { schedule } from '../../src/solver/schedule/index.js';
import { readRawInstance } from './raw-instance.js';

const TDSC_DIR = process.env['FERRY_BENCH_DIR'] ?? '/work/shared/bench/btrplace-tdsc';
const TDSC_FILES = ['issue-100', 'li-r3-c0', 'li-r3-c100', 'li-r6-c0', 'li-r6-c100', 'nr-r3-c0', 'nr-r3-c100', 'nr-r6-c0', 'nr-r6-c100'];

interface Row {
  readonly name: string;
  readonly set: 'tdsc' | 'generated' | 'tight';
  readonly nodes: number;
  readonly vms: number;
  readonly loadMs: number;
  readonly ffdMs: number;
  readonly ffdMigrations: number;
  readonly ffdMemoryMiB: number;
  readonly ffdDuration: number | null;
  readonly ffdFailures: number;
  readonly lbMigrations: number;
  readonly ferryMs: number;
  readonly status: string;
  readonly migrations: number;
  readonly memoryMiB: number;
  readonly duration: number;
  readonly durationLb: number;
  readonly gap: number;
  readonly rssMB: number;
  readonly heapMB: number;
  readonly note?: string;
}

const MB = 1024 * 1024;
let peakRss = 0;
const sampleMemory = (): { rss: number; heap: number } => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  return { rss: m.rss / MB, heap: m.heapUsed / MB };
};

async function loadTdsc(file: string): Promise<{ instance: Instance; ms: number; note?: string }> {
  const t0 = performance.now();
  const read = await readInstanceFile(file);
  if (read.ok) return { instance: read.value, ms: performance.now() - t0 };
  // the project's reader may not know every constraint yet: fall back to the lenient reader
  const t1 = performance.now();
  const instance = readRawInstance(file);
  return { instance, ms: performance.now() - t1, note: `lenient reader (${formatFileError(read.error)})` };
}

async function benchOne(name: string, set: Row['set'], instance: Instance, loadMs: number, timeLimitMs: number, runner: MznRunner | undefined, note?: string): Promise<Row> {
  const nodes = instance.model.mapping.nodeCount();
  const vms = instance.model.mapping.vmCount();
  // baseline: the same repair, then plain first-fit-decreasing
  const t0 = performance.now();
  const problem = reduce(instance, { objective: 'migrations' });
  const repair = initialRepair(problem);
  const ffd = firstFitDecreasing(problem, repair);
  const ffdMs = performance.now() - t0;
  let ffdDuration: number | null = null;
  if (ffd.unplaced.length === 0 && problem.infeasible.length === 0) {
    const s = schedule(instance.model, buildTarget(problem, ffd.hosts), problem.constraints, { maxConcurrentMigrationsPerHost: 2 });
    if (s.ok) ffdDuration = s.stats.makespan;
  }
  const ffdMemory = ffd.unplaced.length === 0 ? memoryMoved(problem, ffd.hosts) : Number.NaN;
  // Ferry
  const t1 = performance.now();
  let row: Row;
  try {
    const result = await plan(instance, { objective: 'mttr', timeLimitMs, ...(runner ? { runner } : {}) });
    const ferryMs = performance.now() - t1;
    const mem = sampleMemory();
    row = {
      name, set, nodes, vms, loadMs, ffdMs,
      ffdMigrations: ffd.migrations, ffdMemoryMiB: ffdMemory, ffdDuration, ffdFailures: ffd.unplaced.length,
      lbMigrations: repair.migrationsLowerBound,
      ferryMs, status: result.status, migrations: result.migrations, memoryMiB: result.memoryMovedMiB,
      duration: result.durationSeconds, durationLb: result.durationLowerBound,
      gap: result.migrationsLowerBound > 0 ? (result.migrations - result.migrationsLowerBound) / result.migrations : 0,
      rssMB: mem.rss, heapMB: mem.heap,
      ...(note !== undefined || result.explanation ? { note: [note, ...(result.explanation ?? [])].filter(Boolean).join('; ') } : {}),
    };
  } catch (e) {
    const mem = sampleMemory();
    row = {
      name, set, nodes, vms, loadMs, ffdMs,
      ffdMigrations: ffd.migrations, ffdMemoryMiB: ffdMemory, ffdDuration, ffdFailures: ffd.unplaced.length,
      lbMigrations: repair.migrationsLowerBound,
      ferryMs: performance.now() - t1, status: 'error', migrations: Number.NaN, memoryMiB: Number.NaN, duration: Number.NaN, durationLb: Number.NaN, gap: Number.NaN,
      rssMB: mem.rss, heapMB: mem.heap, note: e instanceof Error ? e.message.split('\n').slice(0, 3).join(' ') : String(e),
    };
  }
  process.stderr.write(`${name}: ffd ${row.ffdMigrations} (${row.ffdFailures} failed) in ${row.ffdMs.toFixed(0)} ms; ferry ${row.status} ${row.migrations} (lb ${row.lbMigrations}) in ${row.ferryMs.toFixed(0)} ms, duration ${row.duration} s (lb ${row.durationLb})${row.note ? ` [${row.note}]` : ''}\n`);
  return row;
}

async function optionalRunner(): Promise<MznRunner | undefined> {
  if (process.env['FERRY_BENCH_NO_MZN'] === '1') return undefined;
  try {
    const mod = (await import('../../main/node/solver/runners.js')) as { pickRunner: () => Promise<MznRunner> };
    return await mod.pickRunner();
  } catch {
    return undefined;
  }
}

export async function runBench(quick: boolean): Promise<Row[]> {
  const runner = await optionalRunner();
  const rows: Row[] = [];
  const tdsc = quick ? ['issue-100', 'li-r3-c0'] : TDSC_FILES;
  for (const f of tdsc) {
    const file = join(TDSC_DIR, `${f}.json.gz`);
    let loaded: Awaited<ReturnType<typeof loadTdsc>>;
    try {
      loaded = await loadTdsc(file);
    } catch (e) {
      process.stderr.write(`${f}: cannot load (${e instanceof Error ? e.message : String(e)})\n`);
      continue;
    }
    rows.push(await benchOne(basename(file, '.json.gz'), 'tdsc', loaded.instance, loaded.ms, 3_000, runner, loaded.note));
  }
  const ladder = quick ? LADDER.slice(0, 3) : LADDER;
  for (const step of ladder) {
    const t0 = performance.now();
    const instance = generateCluster({ nodes: step.nodes, seed: step.nodes });
    rows.push(await benchOne(step.label, 'generated', instance, performance.now() - t0, 20_000, runner));
  }
  const tight = quick ? [32] : [32, 128, 512, 1000];
  for (const nodes of tight) {
    const t0 = performance.now();
    const instance = generateTight({ nodes, seed: nodes });
    rows.push(await benchOne(`tight-${nodes}`, 'tight', instance, performance.now() - t0, quick ? 15_000 : 30_000, runner));
  }
  await (runner as { close?: () => Promise<void> } | undefined)?.close?.();
  return rows;
}

const fmt = (x: number, digits = 0): string => (Number.isFinite(x) ? x.toFixed(digits) : '—');
const gib = (mib: number): string => (Number.isFinite(mib) ? (mib / 1024).toFixed(1) : '—');

export function renderMarkdown(rows: readonly Row[], extra: readonly string[], quick: boolean): string {
  const cpu = cpus();
  const lines: string[] = [];
  lines.push('# Ferry benchmarks', '');
  lines.push(`Generated by \`npm run bench${quick ? ' -- --quick' : ''}\` (test/bench/run.ts) on ${new Date().toISOString().slice(0, 10)}.`);
  lines.push(`Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, Node ${process.version}. Peak RSS of the run: ${(peakRss / MB).toFixed(0)} MB.`, '');
  lines.push('Columns: **FFD** is the baseline (the same repair-mode reduction, then plain first-fit-decreasing, no evictions);');
  lines.push('**LB** is the lower bound on migrations (VMs that must move, per node the fewest that fix an overload or a spread);');
  lines.push("**Ferry** is `plan()` with objective mttr (fewest migrations first, then the shortest completion), per-host concurrency 2,");
  lines.push('every plan scheduled and re-verified by the plan checker. Times are wall-clock ms; memory moved in GiB;');
  lines.push('durations in seconds, with the scheduler\'s lower bound. Load time is the instance reader (or the generator).', '');
  for (const set of ['tdsc', 'generated', 'tight'] as const) {
    const sub = rows.filter((r) => r.set === set);
    if (sub.length === 0) continue;
    lines.push(`## ${set === 'tdsc' ? 'BtrPlace TDSC instances' : set === 'generated' ? 'Generated ladder (60–80 % load, one rack drained, spread groups)' : 'Tight drains (about 95 % load, fragmented; a plan at the lower bound exists by construction)'}`, '');
    lines.push('| instance | nodes | VMs | load ms | FFD ms | FFD moves | FFD GiB | FFD dur. | FFD fail | LB moves | Ferry ms | status | moves | GiB | dur. (LB) | moves gap | Ferry/FFD moves | heap MB |');
    lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of sub) {
      const ratio = r.ffdFailures === 0 && r.ffdMigrations > 0 ? fmt(r.migrations / r.ffdMigrations, 2) : r.ffdFailures > 0 ? 'FFD failed' : '—';
      lines.push(`| ${r.name} | ${r.nodes} | ${r.vms} | ${fmt(r.loadMs)} | ${fmt(r.ffdMs)} | ${r.ffdMigrations} | ${gib(r.ffdMemoryMiB)} | ${r.ffdDuration ?? '—'} | ${r.ffdFailures} | ${r.lbMigrations} | ${fmt(r.ferryMs)} | ${r.status} | ${fmt(r.migrations)} | ${gib(r.memoryMiB)} | ${fmt(r.duration)} (${fmt(r.durationLb)}) | ${fmt(r.gap * 100, 1)} % | ${ratio} | ${fmt(r.heapMB)} |`);
    }
    const notes = sub.filter((r) => r.note);
    if (notes.length > 0) {
      lines.push('');
      for (const r of notes) lines.push(`- ${r.name}: ${r.note}`);
    }
    lines.push('');
  }
  lines.push(...extra);
  return `${lines.join('\n')}\n`;
}

async function colleagues(quick: boolean): Promise<string[]> {
  const out: string[] = [];
  if (quick) return out;
  try {
    const mod = (await import('./load-instances.js')) as { benchLoadInstances?: () => Promise<{ name: string; ms: number; heapMB: number; nodes: number; vms: number; constraints: number; error?: string }[]> };
    const rows = await mod.benchLoadInstances?.();
    if (rows) {
      out.push('## Loading the TDSC instances (test/bench/load-instances.ts)', '', '| file | nodes | VMs | constraints | ms | heap MB |', '|---|---|---|---|---|---|');
      for (const r of rows) out.push(`| ${r.name} | ${r.nodes} | ${r.vms} | ${r.constraints} | ${r.error ? `error: ${r.error}` : r.ms.toFixed(0)} | ${r.heapMB.toFixed(0)} |`);
      out.push('');
    }
  } catch (e) {
    out.push(`(load benchmark unavailable: ${e instanceof Error ? e.message : String(e)})`, '');
  }
  try {
    const mod = (await import('./schedule.js')) as { benchSchedule?: (repeats?: number) => Promise<{ scenario: string; ms: number; makespan: number; makespanLowerBound: number; migrations: number; error?: string }[]> };
    const rows = await mod.benchSchedule?.(1);
    if (rows) {
      out.push('## Scheduling alone (test/bench/schedule.ts)', '', '| scenario | migrations | ms | makespan (LB) |', '|---|---|---|---|');
      for (const r of rows) out.push(`| ${r.scenario} | ${r.migrations} | ${r.error ? `error: ${r.error}` : r.ms.toFixed(0)} | ${r.makespan} (${r.makespanLowerBound}) |`);
      out.push('');
    }
  } catch (e) {
    out.push(`(schedule benchmark unavailable: ${e instanceof Error ? e.message : String(e)})`, '');
  }
  return out;
}

const isMain = /(bench[\\/]run\.(ts|js)|vite-node)$/.test(process.argv[1] ?? '');
if (isMain) {
  const quick = process.argv.includes('--quick');
  const rows = await runBench(quick);
  const extra = await colleagues(quick);
  const out = process.env['FERRY_BENCH_OUT'] ?? 'BENCHMARKS.md';
  writeFileSync(out, renderMarkdown(rows, extra, quick));
  process.stderr.write(`wrote ${out}\n`);
  process.exit(0);
}
