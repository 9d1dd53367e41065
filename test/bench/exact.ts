/**
 * The exact model on small generated clusters: how fast it finds a first plan and proves the best
 * one, objective MTTR, next to the heuristic's plan (the incumbent handed to it, as the planner
 * does). Exported as `benchExact()` for test/bench/run.ts; also runnable alone:
 * `npx vite-node test/bench/exact.ts --exact [--cold] [--dump DIR]` (prints a markdown table;
 * `--cold` adds rows solved without the incumbent; `--dump` writes each model and its data).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { checkPlan, formatViolations } from '../../src/checker/plan-checker.js';
import type { Instance } from '../../src/instance/instance.js';
import type { NodeId, VmId } from '../../src/model/index.js';
import type { Plan } from '../../src/plan/plan.js';
import { shortlist } from '../../src/solver/decompose.js';
import { type ExactProblem, buildExact } from '../../src/solver/exact/build.js';
import { ENCODERS } from '../../src/solver/exact/encoders.js';
import { EXACT_SOLVE, exactModel } from '../../src/solver/exact/model.js';
import { type ExactResult, solveExact } from '../../src/solver/exact/solve.js';
import { generateCluster, generateTight } from '../../src/solver/generate.js';
import { plan } from '../../src/solver/planner.js';
import type { MznRunner } from '../../src/solver/ports.js';
import { type PlacementProblem, type Repair, initialRepair, reduce } from '../../src/solver/problem.js';

export interface ExactRow {
  readonly name: string;
  readonly nodes: number;
  readonly vms: number;
  /** VMs that must or may move (the repair queue), and the model's variable VMs (with neighbours). */
  readonly movable: number;
  readonly variableVms: number;
  readonly mode: 'warm' | 'cold';
  readonly status: string;
  readonly firstMs: number;
  readonly proofMs: number;
  readonly objective: number;
  readonly heuristic: number;
  readonly lowerBound: number;
  readonly checked: boolean;
}

interface Case {
  readonly name: string;
  readonly make: () => Instance;
}

const CASES: readonly Case[] = [
  { name: 'gen-8', make: () => generateCluster({ nodes: 8, seed: 8 }) },
  { name: 'gen-16', make: () => generateCluster({ nodes: 16, seed: 16 }) },
  { name: 'gen-32', make: () => generateCluster({ nodes: 32, seed: 32 }) },
  { name: 'gen-64', make: () => generateCluster({ nodes: 64, seed: 64 }) },
  { name: 'tight-32', make: () => generateTight({ nodes: 32, seed: 32 }) },
];

/** VMs sharing a node with the queued VMs' source and destination hosts (as the planner picks them, at most 32). */
function neighbours(problem: PlacementProblem, repair: Repair, hosts: Int32Array): number[] {
  const nodes = new Set<number>();
  for (const v of repair.queue) {
    nodes.add(problem.origin[v] ?? -1);
    nodes.add(hosts[v] ?? -1);
  }
  const out: number[] = [];
  for (let v = 0; v < problem.vms.length && out.length < 32; v++) {
    if (problem.pinned[v] !== 1 && nodes.has(problem.origin[v] ?? -1)) out.push(v);
  }
  return out;
}

/** The exact problem the planner builds (repair queue over shortlists, plus neighbours), and the heuristic's plan. */
export async function exactCase(instance: Instance, timeLimitMs = 3_000): Promise<{ problem: ExactProblem; incumbent: Plan; heuristic: number; lowerBound: number; migrations: number; movable: number }> {
  const heuristic = await plan(instance, { objective: 'mttr', solver: 'native', timeLimitMs });
  if (!heuristic.plan) throw new Error(`the heuristic found no plan: ${heuristic.status}`);
  const problem = reduce(instance, { objective: 'mttr' });
  const repair = initialRepair(problem);
  const hosts = Int32Array.from(problem.origin);
  for (const a of heuristic.plan.actions) if (a.kind === 'migrateVM') hosts[problem.vmIndex.get(a.vm) ?? -1] = problem.nodeIndex.get(a.to) ?? -1;
  const movable = new Map<VmId, readonly NodeId[] | undefined>();
  const candidates = shortlist(problem, repair);
  for (const v of repair.queue) movable.set(problem.vms[v] as VmId, candidates.get(v)?.map((n) => problem.nodes[n] as NodeId));
  for (const v of neighbours(problem, repair, hosts)) movable.set(problem.vms[v] as VmId, undefined);
  return {
    problem: {
      model: instance.model,
      constraints: problem.constraints,
      movable,
      budgets: { maxConcurrentMigrationsPerNode: 2, maxMigrations: heuristic.migrations },
    },
    incumbent: heuristic.plan,
    heuristic: heuristic.objective,
    lowerBound: heuristic.lowerBound,
    migrations: heuristic.migrations,
    movable: repair.queue.length,
  };
}

async function nativeRunner(): Promise<MznRunner | undefined> {
  const mod = await import('../../main/node/solver/native-runner.js');
  return mod.NativeMznRunner.detect();
}

export async function benchExact(options: { runner?: MznRunner; timeLimitMs?: number; cold?: boolean; dump?: string; only?: readonly string[] } = {}): Promise<ExactRow[]> {
  const runner = options.runner ?? (await nativeRunner());
  if (!runner) throw new Error('benchExact needs a native minizinc');
  const limit = options.timeLimitMs ?? 10_000;
  const rows: ExactRow[] = [];
  for (const c of CASES) {
    if (options.only && !options.only.includes(c.name)) continue;
    const instance = c.make();
    const k = await exactCase(instance);
    if (options.dump !== undefined) {
      mkdirSync(options.dump, { recursive: true });
      for (const warm of [true, false]) {
        const built = buildExact(k.problem, ENCODERS, exactModel('heights'), EXACT_SOLVE, 'mttr', warm ? { incumbent: k.incumbent } : {});
        if (!built.ok) throw new Error(built.reasons.join('; '));
        writeFileSync(join(options.dump, `${c.name}${warm ? '-warm' : ''}.mzn`), built.model);
        writeFileSync(join(options.dump, `${c.name}${warm ? '-warm' : ''}.json`), JSON.stringify(built.data));
      }
    }
    for (const mode of options.cold ? (['cold', 'warm'] as const) : (['warm'] as const)) {
      const t0 = performance.now();
      let firstMs = Number.NaN;
      const result: ExactResult = await solveExact(k.problem, runner, {
        objective: 'mttr',
        timeLimitMs: limit,
        ...(mode === 'warm' ? { incumbent: k.incumbent } : {}),
        onSolution: () => {
          if (Number.isNaN(firstMs)) firstMs = performance.now() - t0;
        },
      });
      const proofMs = performance.now() - t0;
      const solution = result.solution;
      let checked = false;
      if (solution) {
        const report = checkPlan(instance, solution.plan);
        if (!report.ok) throw new Error(`${c.name}: the exact plan fails the checker: ${formatViolations(report, instance.model).join(' ')}`);
        checked = true;
      }
      const row: ExactRow = {
        name: c.name,
        nodes: instance.model.mapping.nodeCount(),
        vms: instance.model.mapping.vmCount(),
        movable: k.movable,
        variableVms: result.size.variableVms,
        mode,
        status: result.status,
        firstMs,
        proofMs: result.status === 'OPTIMAL_SOLUTION' || result.status === 'UNSATISFIABLE' ? proofMs : Number.NaN,
        objective: solution?.mttr ?? Number.NaN,
        heuristic: k.heuristic,
        lowerBound: k.lowerBound,
        checked,
      };
      process.stderr.write(`${row.name} ${row.mode}: ${row.status} first ${fmt(row.firstMs)} ms proof ${fmt(row.proofMs)} ms mttr ${fmt(row.objective)} (heuristic ${row.heuristic}, bound ${row.lowerBound})${result.reasons.length > 0 ? ` ${result.reasons.join('; ')}` : ''}\n`);
      rows.push(row);
    }
  }
  return rows;
}

const fmt = (x: number, digits = 0): string => (Number.isFinite(x) ? x.toFixed(digits) : '—');

export function renderExact(rows: readonly ExactRow[]): string {
  const lines = [
    '| instance | nodes | VMs | movable VMs | variable VMs | start | status | first plan ms | proof ms | MTTR exact | MTTR heuristic | scheduler bound |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(`| ${r.name} | ${r.nodes} | ${r.vms} | ${r.movable} | ${r.variableVms} | ${r.mode} | ${r.status} | ${fmt(r.firstMs)} | ${fmt(r.proofMs)} | ${fmt(r.objective)} | ${r.heuristic} | ${r.lowerBound} |`);
  }
  return lines.join('\n');
}

// vite-node hides the script path from argv: `--exact` says this file is the entry point
const isMain = /bench[\\/]exact\.(ts|js)$/.test(process.argv[1] ?? '') || process.argv.includes('--exact');
if (isMain) {
  const at = process.argv.indexOf('--dump');
  const dump = at >= 0 ? process.argv[at + 1] : undefined;
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt >= 0 ? (process.argv[onlyAt + 1] ?? '').split(',') : undefined;
  const rows = await benchExact({ cold: process.argv.includes('--cold'), ...(dump !== undefined ? { dump } : {}), ...(only ? { only } : {}) });
  process.stdout.write(`${renderExact(rows)}\n`);
  process.exit(0);
}
