/**
 * The tight-cluster and small-optimum benchmark: for each instance, the constructive placement
 * alone (ejection chains) and the whole planner (with the MiniZinc runner when one is found), side
 * by side with the lower bounds. Exported as `benchTight()` for test/bench/run.ts; also runnable
 * alone: `npx vite-node test/bench/tight.ts --tight [--quick] [--notes] [--lns]` (prints a markdown table).
 * `benchTightDrains()` (`--drains`): issue 15 §1's tight drains across loads and fragmentation,
 * the false-infeasibility rate and moves above the lower bound, with a baseline in the same run.
 */
import { generateCluster, generateTight, generateTightDrain } from '../../src/solver/generate.js';
import type { Instance } from '../../src/instance/instance.js';
import { ejectionChains } from '../../src/solver/placement/ejection.js';
import { type LnsStats, largeNeighbourhoodSearch, largeNeighbourhoodSearchMzn } from '../../src/solver/placement/lns.js';
import { perturb, rotate } from '../solver/lns-helpers.js';
import { firstFitDecreasing } from '../../src/solver/placement/ffd.js';
import { plan } from '../../src/solver/planner.js';
import type { MznRunner } from '../../src/solver/ports.js';
import { initialRepair, reduce } from '../../src/solver/problem.js';

export interface TightRow {
  readonly name: string;
  readonly nodes: number;
  readonly vms: number;
  readonly ffdFailures: number;
  readonly lbMigrations: number;
  readonly constructMs: number;
  readonly constructMigrations: number;
  readonly ferryMs: number;
  readonly status: string;
  readonly migrations: number;
  /** (migrations − bound) / migrations. */
  readonly gap: number;
  readonly mttr: number;
  readonly mttrLowerBound: number;
  readonly runner: string;
  readonly notes: readonly string[];
}

const SCENARIOS: readonly { readonly name: string; readonly make: () => Instance; readonly quick: boolean }[] = [
  { name: 'tight-32', make: () => generateTight({ nodes: 32, seed: 32 }), quick: true },
  { name: 'tight-128', make: () => generateTight({ nodes: 128, seed: 128 }), quick: false },
  { name: 'tight-512', make: () => generateTight({ nodes: 512, seed: 512 }), quick: false },
  { name: 'tight-1000', make: () => generateTight({ nodes: 1000, seed: 1000 }), quick: false },
  { name: 'gen-8', make: () => generateCluster({ nodes: 8, seed: 8 }), quick: true },
  { name: 'gen-64', make: () => generateCluster({ nodes: 64, seed: 64 }), quick: false },
];

async function optionalRunner(): Promise<MznRunner | undefined> {
  if (process.env['FERRY_BENCH_NO_MZN'] === '1') return undefined;
  try {
    const mod = (await import('../../main/node/solver/runners.js')) as { pickRunner: () => Promise<MznRunner> };
    return await mod.pickRunner();
  } catch {
    return undefined;
  }
}

/** Runs the scenarios; `runner` defaults to the one `pickRunner` finds (none with FERRY_BENCH_NO_MZN=1). */
export async function benchTight(options: { quick?: boolean; timeLimitMs?: number; runner?: MznRunner | null } = {}): Promise<TightRow[]> {
  const runner = options.runner === null ? undefined : (options.runner ?? (await optionalRunner()));
  const rows: TightRow[] = [];
  for (const s of SCENARIOS) {
    if (options.quick && !s.quick) continue;
    const instance = s.make();
    const problem = reduce(instance, { objective: 'mttr' });
    const repair = initialRepair(problem);
    const ffd = firstFitDecreasing(problem, repair);
    const t0 = performance.now();
    const constructed = ejectionChains(problem, repair, { seed: 1, restarts: 16, target: repair.lowerBound, spreadIncoming: true, deadline: Date.now() + 12_000 });
    const constructMs = performance.now() - t0;
    const t1 = performance.now();
    const result = await plan(instance, { objective: 'mttr', timeLimitMs: options.timeLimitMs ?? 30_000, ...(runner ? { runner } : {}) });
    const ferryMs = performance.now() - t1;
    const row: TightRow = {
      name: s.name,
      nodes: instance.model.mapping.nodeCount(),
      vms: instance.model.mapping.vmCount(),
      ffdFailures: ffd.unplaced.length,
      lbMigrations: repair.migrationsLowerBound,
      constructMs,
      constructMigrations: constructed.unplaced.length > 0 ? Number.NaN : constructed.migrations,
      ferryMs,
      status: result.status,
      migrations: result.migrations,
      gap: result.migrations > 0 ? (result.migrations - result.migrationsLowerBound) / result.migrations : 0,
      mttr: result.objective,
      mttrLowerBound: result.lowerBound,
      runner: runner?.kind ?? 'none',
      notes: result.notes,
    };
    process.stderr.write(`${row.name}: construct ${row.constructMigrations} in ${row.constructMs.toFixed(0)} ms; ferry ${row.status} ${row.migrations} (lb ${row.lbMigrations}) mttr ${row.mttr} (lb ${row.mttrLowerBound}) in ${row.ferryMs.toFixed(0)} ms\n`);
    rows.push(row);
  }
  await (runner as { close?: () => Promise<void> } | undefined)?.close?.();
  return rows;
}

const fmt = (x: number, digits = 0): string => (Number.isFinite(x) ? x.toFixed(digits) : '—');

export function renderTight(rows: readonly TightRow[]): string {
  const lines = [
    '| instance | nodes | VMs | FFD fail | LB moves | construct ms | construct moves | Ferry ms | status | moves | moves gap | MTTR (LB) | runner |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(`| ${r.name} | ${r.nodes} | ${r.vms} | ${r.ffdFailures} | ${r.lbMigrations} | ${fmt(r.constructMs)} | ${fmt(r.constructMigrations)} | ${fmt(r.ferryMs)} | ${r.status} | ${fmt(r.migrations)} | ${fmt(r.gap * 100, 1)} % | ${fmt(r.mttr)} (${fmt(r.mttrLowerBound)}) | ${r.runner} |`);
  }
  return lines.join('\n');
}

export interface LnsRow {
  readonly name: string;
  readonly lbMigrations: number;
  readonly start: number;
  readonly mode: string;
  readonly ms: number;
  readonly cost: number;
  readonly mznCalls: number;
  readonly mznImprovements: number;
  readonly mznMsPerCall: number;
}

/**
 * LNS alone, from worse starts than the construction gives (it reaches the bound on the tight set):
 * VMs of one shape swapped between hosts, or rotated along cycles of 6 hosts. Branch and bound
 * neighbourhoods only, then with MiniZinc when they stall, then MiniZinc only; same time budget.
 */
export async function benchLns(options: { budgetMs?: number; runner?: MznRunner | null } = {}): Promise<LnsRow[]> {
  const runner = options.runner === null ? undefined : (options.runner ?? (await optionalRunner()));
  const budget = options.budgetMs ?? 10_000;
  const rows: LnsRow[] = [];
  for (const [nodes, kind] of [[128, 'swaps'], [128, 'cycles'], [512, 'swaps']] as const) {
    const instance = generateTight({ nodes, seed: nodes });
    const problem = reduce(instance, { objective: 'migrations' });
    const repair = initialRepair(problem);
    const good = ejectionChains(problem, repair, { target: repair.lowerBound });
    const start = kind === 'swaps' ? perturb(problem, good, nodes / 2, 3) : rotate(problem, good, nodes / 8, 6, 3);
    const name = `tight-${nodes} + ${kind}`;
    const base = { name, lbMigrations: repair.migrationsLowerBound, start: start.cost };
    let t = performance.now();
    const bb = largeNeighbourhoodSearch(problem, start, { lowerBound: repair.lowerBound, deadline: Date.now() + budget, patience: 1_000_000 });
    rows.push({ ...base, mode: 'branch and bound', ms: performance.now() - t, cost: bb.cost, mznCalls: 0, mznImprovements: 0, mznMsPerCall: Number.NaN });
    if (!runner) continue;
    for (const [mode, smallPerCall] of [['b&b, MiniZinc when stalled', 8], ['MiniZinc only', 0]] as const) {
      const s: LnsStats = { mznCalls: 0, mznImprovements: 0, mznMs: 0, mznErrors: 0, smallSteps: 0, smallImprovements: 0 };
      t = performance.now();
      const r = await largeNeighbourhoodSearchMzn(problem, start, { runner, lowerBound: repair.lowerBound, deadline: Date.now() + budget, smallPerCall, patience: 1_000_000 }, s);
      rows.push({ ...base, mode: `${mode} (${runner.kind})`, ms: performance.now() - t, cost: r.cost, mznCalls: s.mznCalls, mznImprovements: s.mznImprovements, mznMsPerCall: s.mznCalls > 0 ? s.mznMs / s.mznCalls : Number.NaN });
    }
  }
  await (runner as { close?: () => Promise<void> } | undefined)?.close?.();
  return rows;
}

export function renderLns(rows: readonly LnsRow[]): string {
  const lines = ['| start | LB moves | start moves | LNS | ms | moves | MiniZinc calls (improving) | ms per call |', '|---|---|---|---|---|---|---|---|'];
  for (const r of rows) lines.push(`| ${r.name} | ${r.lbMigrations} | ${r.start} | ${r.mode} | ${fmt(r.ms)} | ${r.cost} | ${r.mznCalls} (${r.mznImprovements}) | ${fmt(r.mznMsPerCall)} |`);
  return lines.join('\n');
}

export interface DrainRow {
  readonly load: number;
  readonly fragmentation: number;
  readonly instances: number;
  /** Answers "no plan exists" on these instances, all feasible by construction (must be 0). */
  readonly falseInfeasible: number;
  /** Answers "no plan found" (honest, but no plan). */
  readonly unknown: number;
  readonly planned: number;
  /** Migrations above the lower bound, per planned instance. */
  readonly aboveBound: readonly number[];
  /** The known plan's migrations above the lower bound (what the construction needed). */
  readonly knownAbove: readonly number[];
  readonly ms: number;
}

/** One planner configuration compared on the drains (the current planner, or a baseline). */
export interface DrainVariant {
  readonly label: string;
  readonly rows: readonly DrainRow[];
}

/**
 * Issue 15 §1: tight drains across loads and fragmentation levels, every instance feasible by
 * construction (generateTightDrain). For each cell, `perCell` seeds: how often the planner says
 * "no plan exists" (false: must be 0), "no plan found", and the migrations above the lower bound
 * of each plan. `baseline` runs the same instances with the construction alone (ejection chains,
 * no widening, no exact model: what a search that gives up early finds) in the same run.
 */
export async function benchTightDrains(options: { quick?: boolean; timeLimitMs?: number; runner?: MznRunner | null } = {}): Promise<DrainVariant[]> {
  const runner = options.runner === null ? undefined : (options.runner ?? (await optionalRunner()));
  const loads = options.quick ? [0.96, 0.995] : [0.9, 0.96, 0.98, 0.99, 0.995];
  const fragmentations = options.quick ? [0.3] : [0, 0.3, 0.6];
  const perCell = options.quick ? 2 : 4;
  const limit = options.timeLimitMs ?? (options.quick ? 3_000 : 10_000);
  const ferry: DrainRow[] = [];
  const baseline: DrainRow[] = [];
  for (const load of loads) {
    for (const fragmentation of fragmentations) {
      const cell = { falseInfeasible: 0, unknown: 0, planned: 0, aboveBound: [] as number[], knownAbove: [] as number[], ms: 0 };
      const base = { falseInfeasible: 0, unknown: 0, planned: 0, aboveBound: [] as number[], knownAbove: [] as number[], ms: 0 };
      for (let i = 0; i < perCell; i++) {
        const drain = generateTightDrain({ nodes: 24, drained: 1 + (i % 3), load, fragmentation, seed: 1000 + i });
        const problem = reduce(drain.instance, { objective: 'mttr' });
        const repair = initialRepair(problem);
        const known = drain.knownPlan.length - repair.migrationsLowerBound;
        const t0 = performance.now();
        const constructed = ejectionChains(problem, repair, { seed: 1, restarts: 16, target: repair.lowerBound, spreadIncoming: true, deadline: Date.now() + limit });
        base.ms += performance.now() - t0;
        base.knownAbove.push(known);
        if (constructed.unplaced.length > 0) base.unknown++;
        else {
          base.planned++;
          base.aboveBound.push(constructed.migrations - repair.migrationsLowerBound);
        }
        const t1 = performance.now();
        const result = await plan(drain.instance, { objective: 'mttr', timeLimitMs: limit, seed: 1000 + i, ...(runner ? { runner } : {}) });
        cell.ms += performance.now() - t1;
        cell.knownAbove.push(known);
        if (result.status === 'infeasible') cell.falseInfeasible++;
        else if (!result.plan) cell.unknown++;
        else {
          cell.planned++;
          cell.aboveBound.push(result.migrations - result.migrationsLowerBound);
        }
        process.stderr.write(`drain load ${load} frag ${fragmentation} #${i}: ${result.status} ${result.migrations} (lb ${result.migrationsLowerBound}, known plan +${known}) in ${(performance.now() - t1).toFixed(0)} ms\n`);
      }
      ferry.push({ load, fragmentation, instances: perCell, ...cell });
      baseline.push({ load, fragmentation, instances: perCell, ...base });
    }
  }
  await (runner as { close?: () => Promise<void> } | undefined)?.close?.();
  return [
    { label: `Ferry plan() (${runner?.kind ?? 'no MiniZinc'}, ${limit / 1000} s)`, rows: ferry },
    { label: 'baseline, same instances: the construction alone (ejection chains, 16 restarts, no widening); where it leaves a VM over, the planner before issue 15 had only a restricted exact model left, whose UNSATISFIABLE it reported as "no plan exists"', rows: baseline },
  ];
}

export function renderTightDrains(variants: readonly DrainVariant[]): string[] {
  const lines: string[] = [];
  const list = (xs: readonly number[]): string => (xs.length === 0 ? '—' : xs.join(', '));
  for (const v of variants) {
    const total = v.rows.reduce((s, r) => s + r.instances, 0);
    const falseInfeasible = v.rows.reduce((s, r) => s + r.falseInfeasible, 0);
    const planned = v.rows.reduce((s, r) => s + r.planned, 0);
    lines.push(`**${v.label}**: ${total} instances, false "no plan exists" ${falseInfeasible} (rate ${((falseInfeasible / Math.max(1, total)) * 100).toFixed(1)} %${falseInfeasible > 0 ? ': a REGRESSION, it must be 0' : ''}), planned ${planned}, "no plan found" ${total - planned - falseInfeasible}.`, '');
    lines.push('| load | fragmentation | instances | false "no plan exists" | "no plan found" | planned | moves above the lower bound, per plan | known plan: moves above the bound | ms per instance |');
    lines.push('|---|---|---|---|---|---|---|---|---|');
    for (const r of v.rows) lines.push(`| ${(r.load * 100).toFixed(1)} % | ${r.fragmentation} | ${r.instances} | ${r.falseInfeasible} | ${r.unknown} | ${r.planned} | ${list(r.aboveBound)} | ${list(r.knownAbove)} | ${fmt(r.ms / r.instances)} |`);
    lines.push('');
  }
  return lines;
}

// vite-node hides the script path from argv: `--tight` says this file is the entry point
const isMain = /bench[\\/]tight\.(ts|js)$/.test(process.argv[1] ?? '') || process.argv.includes('--tight');
if (isMain) {
  if (process.argv.includes('--drains')) {
    process.stdout.write(`${renderTightDrains(await benchTightDrains({ quick: process.argv.includes('--quick') })).join('\n')}\n`);
    process.exit(0);
  }
  const rows = await benchTight({ quick: process.argv.includes('--quick') });
  process.stdout.write(`${renderTight(rows)}\n`);
  if (process.argv.includes('--lns')) process.stdout.write(`\n${renderLns(await benchLns())}\n`);
  if (process.argv.includes('--notes')) for (const r of rows) process.stdout.write(`\n${r.name}:\n${r.notes.map((n) => `- ${n}`).join('\n')}\n`);
  process.exit(0);
}
