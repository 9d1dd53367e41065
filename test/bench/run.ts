/**
 * `npm run bench`: the placement benchmark. For every TDSC file, the generated ladder and the
 * tight set, side by side in one run: the first-fit-decreasing baseline, the lower bounds, and
 * Ferry's planner (every Ferry plan has passed the plan checker inside `plan()`), with the parts
 * solved on worker threads as `ferry plan` does. Every instance runs in a child process of its
 * own, so its peak RSS (the OS's high-water mark, loading included) is its alone and no heap is
 * carried from one instance to the next. Writes BENCHMARKS.md (machine, date, tables). `--quick`
 * runs a small subset in about a minute (CI). Colleagues' load and schedule benchmarks are
 * appended when present (in a child run with --expose-gc, so their heap samples are steady).
 *
 * Run from the repository root: `npm run build && npm run bench [-- --quick]`, or
 * `npx vite-node test/bench/run.ts -- --quick`.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { formatFileError, readInstanceFile } from '../../main/node/instance-file.js';
import { workerPartSolver } from '../../main/node/solver/parallel.js';
import type { Constraint } from '../../src/catalogue/constraint.js';
import type { Instance } from '../../src/instance/instance.js';
import { Mapping, Model, NamingService, ShareableResource } from '../../src/model/index.js';
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
  readonly set: 'tdsc' | 'generated' | 'tight' | 'pools';
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
  /** Peak RSS of the process that loaded and solved this instance alone (MB). */
  readonly peakRssMB: number;
  /** `ferry plan FILE --format json` end to end (process start to exit), TDSC files only (ms). */
  readonly cliMs?: number;
  /** Host pools: the same instance planned as one problem, and as parts in-process. */
  readonly variants?: readonly Variant[];
  /** The planner's note on the parts, when it split the problem. */
  readonly parts?: string | undefined;
  readonly note?: string;
}

interface Variant {
  readonly label: string;
  readonly ms: number;
  readonly status: string;
  readonly migrations: number;
  /** How the parts were solved (the planner's note). */
  readonly parts: string;
}

/** `plan()` on one instance with the given decomposition and port, for the pools table. */
async function variant(label: string, instance: Instance, timeLimitMs: number, decomposition: 'auto' | 'never', parallel: boolean): Promise<Variant> {
  const t0 = performance.now();
  const result = await plan(instance, { objective: 'mttr', timeLimitMs, solver: 'native', decomposition, ...(parallel ? { solveParts: workerPartSolver() } : {}) });
  const parts = result.notes.find((n) => n.includes(' part(s), ')) ?? '—';
  return { label, ms: performance.now() - t0, status: result.status, migrations: result.migrations, parts: parts.replace(/^\d+ part\(s\), /, '') };
}

const MB = 1024 * 1024;
/** The OS's high-water mark of this process's resident set (maxRSS is in KiB). */
const peakRssMB = (): number => (process.resourceUsage().maxRSS * 1024) / MB;

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
    const result = await plan(instance, { objective: 'mttr', timeLimitMs, solveParts: workerPartSolver(), ...(runner ? { runner } : {}) });
    const ferryMs = performance.now() - t1;
    row = {
      name, set, nodes, vms, loadMs, ffdMs,
      ffdMigrations: ffd.migrations, ffdMemoryMiB: ffdMemory, ffdDuration, ffdFailures: ffd.unplaced.length,
      lbMigrations: repair.migrationsLowerBound,
      ferryMs, status: result.status, migrations: result.migrations, memoryMiB: result.memoryMovedMiB,
      duration: result.durationSeconds, durationLb: result.durationLowerBound,
      gap: result.migrationsLowerBound > 0 ? (result.migrations - result.migrationsLowerBound) / result.migrations : 0,
      peakRssMB: peakRssMB(),
      ...(result.notes.some((n) => n.includes(' part(s), ')) ? { parts: result.notes.find((n) => n.includes(' part(s), ')) } : {}),
      ...(note !== undefined || result.explanation ? { note: [note, ...(result.explanation ?? [])].filter(Boolean).join('; ') } : {}),
    };
  } catch (e) {
    row = {
      name, set, nodes, vms, loadMs, ffdMs,
      ffdMigrations: ffd.migrations, ffdMemoryMiB: ffdMemory, ffdDuration, ffdFailures: ffd.unplaced.length,
      lbMigrations: repair.migrationsLowerBound,
      ferryMs: performance.now() - t1, status: 'error', migrations: Number.NaN, memoryMiB: Number.NaN, duration: Number.NaN, durationLb: Number.NaN, gap: Number.NaN,
      peakRssMB: peakRssMB(), note: e instanceof Error ? e.message.split('\n').slice(0, 3).join(' ') : String(e),
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

/**
 * Dedicated host pools: `pools` tight drains side by side in one cluster, every VM fenced to its
 * pool's nodes (a tenant's reserved hosts). Each pool is an independent sub-problem with search
 * left after the first pass: the case the worker threads are for.
 */
export function generatePools(pools: number, nodesPerPool: number, seed: number): Instance {
  const mapping = new Mapping();
  const cpu = new ShareableResource('cpu', 0, 0);
  const mem = new ShareableResource('mem', 0, 0);
  const nodeNames = new NamingService('node');
  const vmNames = new NamingService('vm');
  const constraints: Constraint[] = [];
  let nodeBase = 0;
  let vmBase = 0;
  for (let p = 0; p < pools; p++) {
    const pool = generateTight({ nodes: nodesPerPool, seed: seed + p });
    const m = pool.model;
    const nodes = [...m.mapping.nodes()];
    const vms = [...m.mapping.vms()];
    const poolCpu = m.resources.get('cpu');
    const poolMem = m.resources.get('mem');
    const nodeId = (n: number): number => nodeBase + n;
    for (const n of nodes) {
      if (m.mapping.isOnline(n)) mapping.addOnlineNode(nodeId(n));
      else mapping.addOfflineNode(nodeId(n));
      cpu.setCapacity(nodeId(n), poolCpu?.capacity(n) ?? 0);
      mem.setCapacity(nodeId(n), poolMem?.capacity(n) ?? 0);
      nodeNames.register(`P${p}-${m.nodeName(n)}`, nodeId(n));
    }
    const fence = nodes.map(nodeId);
    for (const v of vms) {
      const host = m.mapping.host(v);
      if (host === undefined) continue;
      mapping.addRunningVM(vmBase + v, nodeId(host));
      cpu.setConsumption(vmBase + v, poolCpu?.consumption(v) ?? 0);
      mem.setConsumption(vmBase + v, poolMem?.consumption(v) ?? 0);
      vmNames.register(`P${p}-${m.vmName(v)}`, vmBase + v);
      constraints.push({ id: 'fence', continuous: false, args: { vm: vmBase + v, nodes: fence } });
    }
    for (const c of pool.constraints) {
      if (c.id === 'offline') constraints.push({ ...c, args: { node: nodeId(c.args['node'] as number) } });
    }
    nodeBase += Math.max(...nodes) + 1;
    vmBase += Math.max(...vms) + 1;
  }
  const model = new Model({ mapping, resources: [cpu, mem], vmNames, nodeNames });
  return { model, constraints, objective: { id: 'minimizeMTTR' } };
}

/** One benchmark entry: `tdsc:li-r6-c100`, `generated:gen-1000`, `tight:32`. */
export function benchKeys(quick: boolean): string[] {
  const tdsc = quick ? ['issue-100', 'li-r3-c0'] : TDSC_FILES;
  const ladder = quick ? LADDER.slice(0, 3) : LADDER;
  const tight = quick ? [32] : [32, 128, 512, 1000];
  const pools = quick ? ['4x64'] : ['4x64', '4x256', '4x512'];
  return [...tdsc.map((f) => `tdsc:${f}`), ...ladder.map((s) => `generated:${s.label}`), ...tight.map((n) => `tight:${n}`), ...pools.map((p) => `pools:${p}`)];
}

/** Loads (or generates) and benchmarks one entry, in this process. */
export async function benchEntry(key: string, quick: boolean): Promise<Row | undefined> {
  const [set, name = ''] = key.split(':');
  const runner = await optionalRunner();
  try {
    if (set === 'tdsc') {
      const file = join(TDSC_DIR, `${name}.json.gz`);
      let loaded: Awaited<ReturnType<typeof loadTdsc>>;
      try {
        loaded = await loadTdsc(file);
      } catch (e) {
        process.stderr.write(`${name}: cannot load (${e instanceof Error ? e.message : String(e)})\n`);
        return undefined;
      }
      return await benchOne(name, 'tdsc', loaded.instance, loaded.ms, 3_000, runner, loaded.note);
    }
    if (set === 'generated') {
      const step = LADDER.find((s) => s.label === name);
      if (!step) throw new Error(`no ladder step ${name}`);
      const t0 = performance.now();
      const instance = generateCluster({ nodes: step.nodes, seed: step.nodes });
      return await benchOne(step.label, 'generated', instance, performance.now() - t0, 20_000, runner);
    }
    if (set === 'pools') {
      const [pools = 4, perPool = 64] = name.split('x').map(Number);
      const t0 = performance.now();
      const instance = generatePools(pools, perPool, perPool);
      const loadMs = performance.now() - t0;
      const limit = quick ? 10_000 : 20_000;
      const variants = [await variant('whole problem', instance, limit, 'never', false), await variant('parts in-process', instance, limit, 'auto', false)];
      const row = await benchOne(`pools-${name}`, 'pools', instance, loadMs, limit, undefined);
      return { ...row, variants };
    }
    const nodes = Number(name);
    const t0 = performance.now();
    const instance = generateTight({ nodes, seed: nodes });
    return await benchOne(`tight-${nodes}`, 'tight', instance, performance.now() - t0, quick ? 15_000 : 30_000, runner);
  } finally {
    await (runner as { close?: () => Promise<void> } | undefined)?.close?.();
  }
}

/** This script again, in a child process, with extra arguments; resolves with its stdout. */
function child(args: readonly string[], nodeFlags: readonly string[] = []): Promise<string> {
  // compiled: node run.js ARGS; from the sources: node vite-node run.ts -- ARGS
  const self = fileURLToPath(import.meta.url);
  const own = self.endsWith('.ts') ? [process.argv[1] ?? 'vite-node', self, '--'] : [self];
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...process.execArgv, ...nodeFlags, ...own, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (d: string) => (out += d));
    proc.once('error', reject);
    proc.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')}: exit code ${code}`))));
  });
}

const ROW_MARK = 'FERRY_BENCH_ROW ';

/** The compiled CLI: dist/main/cli/index.js, seen from dist/test/bench/run.js or test/bench/run.ts. */
function cliEntry(): string {
  const compiled = import.meta.url.endsWith('.js');
  return new URL(compiled ? '../../main/cli/index.js' : '../../dist/main/cli/index.js', import.meta.url).href;
}

/** Wall time of `ferry plan FILE --format json` in a fresh process, or NaN when it fails. */
function timeCli(file: string): Promise<number> {
  const script = `const { runCli } = await import(${JSON.stringify(cliEntry())}); process.exitCode = await runCli(${JSON.stringify(['plan', file, '--format', 'json'])});`;
  const t0 = performance.now();
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'ignore'] });
    proc.once('error', () => resolve(Number.NaN));
    proc.once('exit', (code) => resolve(code === 0 ? performance.now() - t0 : Number.NaN));
  });
}

export async function runBench(quick: boolean): Promise<Row[]> {
  const rows: Row[] = [];
  for (const key of benchKeys(quick)) {
    try {
      const out = await child(['--one', key, ...(quick ? ['--quick'] : [])]);
      const line = out.split('\n').find((l) => l.startsWith(ROW_MARK));
      if (!line) continue;
      const row = JSON.parse(line.slice(ROW_MARK.length)) as Row;
      // best of two: a busy machine only ever makes a run slower
      const cli = async (file: string): Promise<number> => Math.min(await timeCli(file), await timeCli(file));
      rows.push(row.set === 'tdsc' ? { ...row, cliMs: await cli(join(TDSC_DIR, `${row.name}.json.gz`)) } : row);
    } catch (e) {
      process.stderr.write(`${key}: the benchmark process failed (${e instanceof Error ? e.message : String(e)})\n`);
    }
  }
  return rows;
}

const fmt = (x: number, digits = 0): string => (Number.isFinite(x) ? x.toFixed(digits) : '—');
const gib = (mib: number): string => (Number.isFinite(mib) ? (mib / 1024).toFixed(1) : '—');

/**
 * How time and memory grow with size, as the exponent b of `cost ∝ VMs^b` between consecutive rows
 * and over the whole table (1 = linear), from 4,000 VMs up. Memory counts above Node's own ~45 MB.
 */
export function growthLine(rows: readonly Row[]): string {
  // below a few thousand VMs the time is mostly the exact model's proof, not the search: left out
  const sized = rows.filter((r) => r.vms >= 4000 && r.ferryMs > 0).sort((a, b) => a.vms - b.vms);
  if (sized.length < 2) return '';
  const exponent = (a: number, b: number, va: number, vb: number): string => (a > 0 && b > 0 && vb > va ? (Math.log(b / a) / Math.log(vb / va)).toFixed(2) : '—');
  const rss = (r: Row): number => Math.max(1, r.peakRssMB - 45);
  const steps = sized.slice(1).map((r, i) => {
    const prev = sized[i] as Row;
    return `${prev.name} → ${r.name}: time ^${exponent(prev.ferryMs, r.ferryMs, prev.vms, r.vms)}, memory ^${exponent(rss(prev), rss(r), prev.vms, r.vms)}`;
  });
  const first = sized[0] as Row;
  const last = sized[sized.length - 1] as Row;
  return `Growth (cost ∝ VMs^b): ${steps.join('; ')}. Whole range ${first.name} → ${last.name} (${(last.vms / first.vms).toFixed(0)}x the VMs): time ^${exponent(first.ferryMs, last.ferryMs, first.vms, last.vms)}, memory ^${exponent(rss(first), rss(last), first.vms, last.vms)}.`;
}

export function renderMarkdown(rows: readonly Row[], extra: readonly string[], quick: boolean): string {
  const cpu = cpus();
  const lines: string[] = [];
  lines.push('# Ferry benchmarks', '');
  lines.push(`Generated by \`npm run bench${quick ? ' -- --quick' : ''}\` (test/bench/run.ts) on ${new Date().toISOString().slice(0, 10)}.`);
  const peak = rows.reduce((m, r) => Math.max(m, r.peakRssMB), 0);
  lines.push(`Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, Node ${process.version}. Largest peak RSS of one instance: ${peak.toFixed(0)} MB.`, '');
  lines.push('Columns: **FFD** is the baseline (the same repair-mode reduction, then plain first-fit-decreasing, no evictions);');
  lines.push('**LB** is the lower bound on migrations (VMs that must move, per node the fewest that fix an overload or a spread);');
  lines.push("**Ferry** is `plan()` with objective mttr (fewest migrations first, then the shortest completion), per-host concurrency 2,");
  lines.push('every plan scheduled and re-verified by the plan checker. Times are wall-clock ms; memory moved in GiB;');
  lines.push('durations in seconds, with the scheduler\'s lower bound. Load time is the instance reader (or the generator).');
  lines.push('**peak RSS** is the resident-set high-water mark of a process that did nothing but load and solve that one instance');
  lines.push('(Node itself is about 45 MB; the worker threads of parallel parts are included). **`ferry plan` s** is the CLI end to end');
  lines.push('(`ferry plan FILE --format json` in a fresh process, best of two: start-up, reading the gzipped file, planning, checking, writing the plan).');
  lines.push('The machine is shared with other work while this runs: wall times vary by ±30 % from run to run.', '');
  for (const set of ['tdsc', 'generated', 'tight'] as const) {
    const sub = rows.filter((r) => r.set === set);
    if (sub.length === 0) continue;
    lines.push(`## ${set === 'tdsc' ? 'BtrPlace TDSC instances' : set === 'generated' ? 'Generated ladder (60–80 % load, one rack drained, spread groups)' : 'Tight drains (about 95 % load, fragmented; a plan at the lower bound exists by construction)'}`, '');
    lines.push(`| instance | nodes | VMs | load ms | FFD ms | FFD moves | FFD GiB | FFD dur. | FFD fail | LB moves | Ferry ms | status | moves | GiB | dur. (LB) | moves gap | Ferry/FFD moves | peak RSS MB |${set === 'tdsc' ? ' `ferry plan` s |' : ''}`);
    lines.push(`|${'---|'.repeat(set === 'tdsc' ? 19 : 18)}`);
    for (const r of sub) {
      const ratio = r.ffdFailures === 0 && r.ffdMigrations > 0 ? fmt(r.migrations / r.ffdMigrations, 2) : r.ffdFailures > 0 ? 'FFD failed' : '—';
      lines.push(`| ${r.name} | ${r.nodes} | ${r.vms} | ${fmt(r.loadMs)} | ${fmt(r.ffdMs)} | ${r.ffdMigrations} | ${gib(r.ffdMemoryMiB)} | ${r.ffdDuration ?? '—'} | ${r.ffdFailures} | ${r.lbMigrations} | ${fmt(r.ferryMs)} | ${r.status} | ${fmt(r.migrations)} | ${gib(r.memoryMiB)} | ${fmt(r.duration)} (${fmt(r.durationLb)}) | ${fmt(r.gap * 100, 1)} % | ${ratio} | ${fmt(r.peakRssMB)} |${set === 'tdsc' ? ` ${fmt((r.cliMs ?? Number.NaN) / 1000, 1)} |` : ''}`);
    }
    if (set !== 'tdsc') lines.push('', growthLine(sub));
    const notes = sub.filter((r) => r.note);
    if (notes.length > 0) {
      lines.push('');
      for (const r of notes) lines.push(`- ${r.name}: ${r.note}`);
    }
    lines.push('');
  }
  const pools = rows.filter((r) => r.set === 'pools');
  if (pools.length > 0) {
    lines.push('## Dedicated host pools: independent parts (tight drains side by side, every VM fenced to its pool)', '');
    lines.push('The same instance planned three ways: as one problem, as independent parts solved one after the other');
    lines.push('in-process, and as parts on worker threads (`ferry plan`: the smallest part in-process first; the others go to');
    lines.push('a pool of min(cores, parts) workers when that part says the rest would take longer than twice the workers\' start).');
    lines.push('Each cell: wall ms, migrations, status. Peak RSS covers the three runs (the workers included).', '');
    lines.push('| instance | nodes | VMs | LB moves | whole problem | parts in-process | parts, worker threads | how the parts ran (worker run) | peak RSS MB |');
    lines.push('|---|---|---|---|---|---|---|---|---|');
    for (const r of pools) {
      const cell = (v: { ms: number; migrations: number; status: string } | undefined): string => (v ? `${fmt(v.ms)} ms, ${fmt(v.migrations)}, ${v.status}` : '—');
      const [whole, inProcess] = r.variants ?? [];
      const how = r.parts?.replace(/ in \d+ ms: cost \d+$/, '') ?? '—';
      lines.push(`| ${r.name} | ${r.nodes} | ${r.vms} | ${r.lbMigrations} | ${cell(whole)} | ${cell(inProcess)} | ${cell({ ms: r.ferryMs, migrations: r.migrations, status: r.status })} | ${how} | ${fmt(r.peakRssMB)} |`);
    }
    lines.push('');
  }
  lines.push(...extra);
  return `${lines.join('\n')}\n`;
}

/** Issue 15 §1: the tight-drain generator's false-infeasibility rate and moves above the bound (test/bench/tight.ts). */
async function tightDrains(quick: boolean): Promise<string[]> {
  try {
    const { benchTightDrains, renderTightDrains } = await import('./tight.js');
    const head = ['## Tight drains across loads and fragmentation (test/bench/tight.ts, feasible by construction)', ''];
    head.push('24 staying nodes (128 cores, 512 GiB), 1–3 drained, every resource of the staying nodes at the load shown; each instance is built');
    head.push('from a known packing by single migrations (each VM at most once), so a plan exists and "no plan exists" is always false.');
    head.push('"known plan" is the construction\'s own plan (an upper bound to beat); "moves above the lower bound" is migrations − the forced moves.', '');
    return [...head, ...renderTightDrains(await benchTightDrains({ quick }))];
  } catch (e) {
    return [`(tight-drain benchmark unavailable: ${e instanceof Error ? e.message : String(e)})`, ''];
  }
}

async function colleagues(quick: boolean): Promise<string[]> {
  const out: string[] = [];
  if (quick) return out;
  // their heap samples need a collector they can call: a child with --expose-gc
  if ((globalThis as { gc?: unknown }).gc === undefined) {
    try {
      const text = await child(['--colleagues'], ['--expose-gc']);
      const line = text.split('\n').find((l) => l.startsWith(ROW_MARK));
      return line ? (JSON.parse(line.slice(ROW_MARK.length)) as string[]) : ['(colleagues\' benchmarks printed nothing)', ''];
    } catch (e) {
      return [`(colleagues' benchmarks failed: ${e instanceof Error ? e.message : String(e)})`, ''];
    }
  }
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
  try {
    const mod = (await import('./execution.js')) as { benchExecution?: () => Promise<string[]> };
    out.push(...((await mod.benchExecution?.()) ?? []));
  } catch (e) {
    out.push(`(control-plane benchmark unavailable: ${e instanceof Error ? e.message : String(e)})`, '');
  }
  try {
    const mod = (await import('./libvirt.js')) as { benchLibvirt?: () => Promise<string[]> };
    out.push(...((await mod.benchLibvirt?.()) ?? []));
  } catch (e) {
    out.push(`(libvirt benchmark unavailable: ${e instanceof Error ? e.message : String(e)})`, '');
  }
  try {
    const mod = (await import('./console.js')) as { benchConsole?: () => Promise<string[]> };
    out.push(...((await mod.benchConsole?.()) ?? []));
  } catch (e) {
    out.push(`(console benchmark unavailable: ${e instanceof Error ? e.message : String(e)})`, '');
  }
  return out;
}

// under vite-node the script is not in argv: FERRY_BENCH (set to something else) lets a script import this file
const isMain = /(bench[\\/]run\.(ts|js)|vite-node)$/.test(process.argv[1] ?? '') && (process.env['FERRY_BENCH'] ?? 'run') === 'run';
if (isMain) {
  const quick = process.argv.includes('--quick');
  const one = process.argv.indexOf('--one');
  if (one >= 0) {
    // a child: one entry, its row on stdout
    const row = await benchEntry(process.argv[one + 1] ?? '', quick);
    if (row) process.stdout.write(`${ROW_MARK}${JSON.stringify(row)}\n`);
    process.exit(0);
  }
  if (process.argv.includes('--colleagues')) {
    process.stdout.write(`${ROW_MARK}${JSON.stringify(await colleagues(false))}\n`);
    process.exit(0);
  }
  const rows = await runBench(quick);
  const extra = [...(await tightDrains(quick)), ...(await colleagues(quick))];
  const out = process.env['FERRY_BENCH_OUT'] ?? 'BENCHMARKS.md';
  writeFileSync(out, renderMarkdown(rows, extra, quick));
  process.stderr.write(`wrote ${out}\n`);
  process.exit(0);
}
