import { readFile } from 'node:fs/promises';

import type { Constraint } from '../../../src/catalogue/constraint.js';
import type { Instance } from '../../../src/instance/instance.js';
import { formatTime } from '../../../src/plan/format.js';
import { formatPlan } from '../../../src/plan/format.js';
import { planToJson } from '../../../src/plan/json.js';
import { EXACT_MODEL_MAX_VMS, type PlanResult, plan } from '../../../src/solver/planner.js';
import type { MznRunner, MznSolverId } from '../../../src/solver/ports.js';
import type { PlacementObjective } from '../../../src/solver/problem.js';
import { formatFileError, readInstanceFile } from '../../node/instance-file.js';
import { workerPartSolver } from '../../node/solver/parallel.js';
import { type Command, UsageError } from '../command.js';
import { DurationModel, memoryOverBandwidth } from '../../../src/plan/durations.js';
import type { Model } from '../../../src/model/index.js';
import { isMemoryResource } from '../../../src/solver/problem.js';

/** BtrPlace's durations, except live migrations: memory (MiB) over the source node's link (Gbit/s, default 10). */
function memoryMigrationDurations(model: Model): DurationModel {
  const rc = [...model.resources.keys()].find(isMemoryResource);
  if (rc === undefined) throw new UsageError('--migration-time memory needs a memory resource view (mem, memory or ram)');
  return DurationModel.defaults().register('migrateVM', memoryOverBandwidth({ rc, unitsPerGiB: 1024, defaultGbps: 10 }));
}

const USAGE = `usage: ferry plan INSTANCE [--script FILE.btrp] [--objective mttr|migrations|memory]
                  [--time-limit S] [--solver chuffed|gecode|highs|coin-bc|native]
                  [--max-migrations N] [--max-memory GIB] [--max-concurrent K] [--window S]
                  [--migration-time attributes|memory]
                  [--format text|json]

Computes a plan that takes the cluster of INSTANCE (BtrPlace JSON, plain or gzipped) to a
configuration satisfying its constraints plus the script's, checks it, and prints it.

options:
  --script FILE        btrpsl constraints added to the instance's
  --objective O        mttr (default: fewest migrations, then shortest completion), migrations, memory
  --time-limit S       search budget in seconds (default 10); the best plan so far is kept
  --solver S           MiniZinc back-end for the exact model on small instances, or native
  --max-migrations N   at most N live migrations
  --max-memory GIB     at most GIB GiB of memory moved
  --max-concurrent K   at most K migrations touching one host at once (default 2)
  --window S           the plan must end within S seconds
  --migration-time M   attributes (default, BtrPlace's: 1 s unless a VM's 'migrate' attribute says
                       otherwise; when the instance has a 'net' view, BtrPlace's network formula:
                       the VM's 'memUsed' MiB over its path's bandwidth, plus dirty pages) or
                       memory: ceil(memory GiB x 8 / link Gbit/s), the link speed from
                       the source node's 'linkGbps' attribute (default 10), memory in MiB in the
                       mem/memory/ram view; a VM's 'migrate' attribute still wins. With a 'net'
                       view, migrations sharing a link direction or a blocking switch never use
                       more than its bandwidth at once, whichever M
  --format F           text (default) or json (BtrPlace's plan JSON, on stdout only)

exit: 0 plan found, 2 infeasible (or bad usage), 1 error or no plan found in time`;

interface PlanArgs {
  file: string;
  script?: string;
  objective: PlacementObjective;
  timeLimitS: number;
  solver?: MznSolverId | 'native';
  maxMigrations?: number;
  maxMemoryGiB?: number;
  maxConcurrent: number;
  windowSeconds?: number;
  migrationTime: 'attributes' | 'memory';
  format: 'text' | 'json';
}

export const planCommand: Command = {
  name: 'plan',
  summary: 'compute, check and print a reconfiguration plan',
  usage: USAGE,
  async run(args, io) {
    const opts = parseArgs(args);
    const read = await readInstanceFile(opts.file);
    if (!read.ok) {
      io.err(formatFileError(read.error));
      return 1;
    }
    let instance: Instance = read.value;
    let extra: Constraint[] = [];
    if (opts.script !== undefined) {
      let text: string;
      try {
        text = await readFile(opts.script, 'utf8');
      } catch (e) {
        io.err(`${opts.script}: cannot read the script (${e instanceof Error ? e.message : String(e)})`);
        return 1;
      }
      // loaded only for a script: most runs have none and need not load the DSL
      const { applyAttributes, parseScript } = await import('../../../src/dsl/index.js');
      const model = instance.model.clone();
      const parsed = parseScript(text, { model });
      const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
      for (const d of parsed.diagnostics) io.err(`${opts.script}:${d.line}:${d.column}: ${d.severity}: ${d.message}`);
      if (errors.length > 0) return 1;
      applyAttributes(model, parsed.attributes);
      instance = { ...instance, model };
      extra = parsed.constraints;
    }

    let runner: MznRunner | undefined;
    // the exact model only runs on small instances: do not start MiniZinc for a large one unless asked
    const mayUseExact = instance.model.mapping.vmCount() <= EXACT_MODEL_MAX_VMS || opts.solver !== undefined;
    if (opts.solver !== 'native' && mayUseExact) {
      try {
        // loaded only when the exact model may run (small instances or a chosen solver)
        const { pickRunner } = await import('../../node/solver/runners.js');
        runner = await pickRunner(opts.solver === 'chuffed' || opts.solver === 'highs' || opts.solver === 'coin-bc' ? { prefer: 'wasm' } : {});
      } catch (e) {
        io.err(`ferry plan: no MiniZinc runner (${e instanceof Error ? e.message : String(e)}); using the native search only`);
      }
    }
    const controller = new AbortController();
    const onSigint = (): void => {
      io.err('ferry plan: interrupted, keeping the best plan so far');
      controller.abort();
    };
    process.once('SIGINT', onSigint);
    let result: PlanResult;
    try {
      result = await plan(instance, {
        objective: opts.objective,
        timeLimitMs: opts.timeLimitS * 1000,
        extraConstraints: extra,
        signal: controller.signal,
        // independent parts with search left run side by side on worker threads
        solveParts: workerPartSolver(),
        ...(opts.migrationTime === 'memory' ? { durations: memoryMigrationDurations(instance.model) } : {}),
        budgets: {
          maxConcurrentMigrationsPerHost: opts.maxConcurrent,
          ...(opts.maxMigrations !== undefined ? { maxMigrations: opts.maxMigrations } : {}),
          ...(opts.maxMemoryGiB !== undefined ? { maxMemoryMovedGiB: opts.maxMemoryGiB } : {}),
          ...(opts.windowSeconds !== undefined ? { windowSeconds: opts.windowSeconds } : {}),
        },
        ...(runner ? { runner } : {}),
        ...(opts.solver !== undefined ? { solver: opts.solver } : {}),
        onProgress: (p) => io.err(`[${(p.elapsedMs / 1000).toFixed(1)} s] ${p.stage}: objective ${p.objective} (lower bound ${p.lowerBound}), ${p.migrations} migration(s)`),
      });
    } finally {
      process.removeListener('SIGINT', onSigint);
      await (runner as { close?: () => Promise<void> } | undefined)?.close?.();
    }

    for (const note of result.notes) io.err(`note: ${note}`);
    if (result.status === 'infeasible' || !result.plan) {
      const explanation = result.explanation ?? [];
      if (opts.format === 'json') io.out(JSON.stringify({ infeasible: result.status === 'infeasible', status: result.status, explanation }));
      else {
        io.out(result.status === 'infeasible' ? 'no plan exists:' : 'no plan found:');
        for (const line of explanation) io.out(`  - ${line}`);
      }
      return result.status === 'infeasible' ? 2 : 1;
    }
    if (opts.format === 'json') {
      io.out(JSON.stringify(planToJson(result.plan)));
      return 0;
    }
    io.out(formatPlanText(result));
    return 0;
  },
};

/** The plan in the seed format, then the summary. */
export function formatPlanText(result: PlanResult): string {
  const lines: string[] = [];
  const body = result.plan ? formatPlan(result.plan) : '';
  lines.push(body.length > 0 ? body : '(nothing to do: the cluster already satisfies every constraint)');
  lines.push('');
  lines.push(`migrations    ${result.migrations} (at least ${result.migrationsLowerBound})`);
  lines.push(`data moved    ${formatMiB(result.memoryMovedMiB)}`);
  lines.push(`duration      ${formatTime(result.durationSeconds)} (at least ${formatTime(result.durationLowerBound)})`);
  lines.push(`solve time    ${(result.solveMs / 1000).toFixed(2)} s`);
  const bound = result.lowerBoundCovers === 'placement' ? `at least ${result.lowerBound} for this placement (others not bounded)` : `lower bound ${result.lowerBound}`;
  lines.push(result.status === 'optimal' ? 'quality       proven optimal' : `quality       objective ${result.objective}, ${bound}, gap ${(result.gap * 100).toFixed(1)}%`);
  return lines.join('\n');
}

function formatMiB(mib: number): string {
  return mib >= 1024 ? `${(mib / 1024).toFixed(1)} GiB` : `${mib} MiB`;
}

const SOLVERS = ['chuffed', 'gecode', 'highs', 'coin-bc', 'native'] as const;

function parseArgs(args: readonly string[]): PlanArgs {
  let file: string | undefined;
  const out: Omit<PlanArgs, 'file'> = { objective: 'mttr', timeLimitS: 10, maxConcurrent: 2, migrationTime: 'attributes', format: 'text' };
  const value = (i: number, flag: string): string => {
    const v = args[i];
    if (v === undefined) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  const positive = (raw: string, flag: string, integer: boolean): number => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) throw new UsageError(`${flag} needs a non-negative ${integer ? 'integer' : 'number'}, got '${raw}'`);
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    switch (arg) {
      case '--script':
        out.script = value(++i, arg);
        break;
      case '--objective': {
        const v = value(++i, arg);
        if (v !== 'mttr' && v !== 'migrations' && v !== 'memory') throw new UsageError(`--objective must be mttr, migrations or memory, got '${v}'`);
        out.objective = v;
        break;
      }
      case '--time-limit':
        out.timeLimitS = positive(value(++i, arg), arg, false);
        break;
      case '--solver': {
        const v = value(++i, arg);
        if (!(SOLVERS as readonly string[]).includes(v)) throw new UsageError(`--solver must be one of ${SOLVERS.join(', ')}, got '${v}'`);
        out.solver = v as MznSolverId | 'native';
        break;
      }
      case '--max-migrations':
        out.maxMigrations = positive(value(++i, arg), arg, true);
        break;
      case '--max-memory':
        out.maxMemoryGiB = positive(value(++i, arg), arg, false);
        break;
      case '--max-concurrent': {
        const k = positive(value(++i, arg), arg, true);
        if (k < 1) throw new UsageError('--max-concurrent needs at least 1');
        out.maxConcurrent = k;
        break;
      }
      case '--window':
        out.windowSeconds = positive(value(++i, arg), arg, false);
        break;
      case '--migration-time': {
        const v = value(++i, arg);
        if (v !== 'attributes' && v !== 'memory') throw new UsageError(`--migration-time must be attributes or memory, got '${v}'`);
        out.migrationTime = v;
        break;
      }
      case '--format': {
        const v = value(++i, arg);
        if (v !== 'text' && v !== 'json') throw new UsageError(`--format must be text or json, got '${v}'`);
        out.format = v;
        break;
      }
      default:
        if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option '${arg}'`);
        if (file !== undefined) throw new UsageError(`one instance file only (got '${file}' and '${arg}')`);
        file = arg;
    }
  }
  if (file === undefined) throw new UsageError('missing INSTANCE file');
  return { file, ...out };
}
