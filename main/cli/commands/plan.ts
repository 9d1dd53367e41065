import { readFile } from 'node:fs/promises';

import type { Instance } from '../../../src/instance/instance.js';
import { formatTime } from '../../../src/plan/format.js';
import { formatPlan } from '../../../src/plan/format.js';
import { planToJson } from '../../../src/plan/json.js';
import type { PlanResult } from '../../../src/solver/planner.js';
import type { MznSolverId } from '../../../src/solver/ports.js';
import { capByKey, omittedLines } from '../../../src/text/cap.js';
import { safeName } from '../../../src/text/safe.js';
import type { PlacementObjective } from '../../../src/solver/problem.js';
import { formatFileError, readInstanceFile } from '../../node/instance-file.js';
import { type PlanRequest, PlanRequestError, PlanningService } from '../../services/planning.js';
import { type Command, type CommandIO, UsageError } from '../command.js';

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
    const script = opts.script === undefined ? undefined : await readScript(opts.script, io);
    if (script === null) return 1;

    // every improving plan gets its line, as long as checking them stays within its share of the time
    const service = new PlanningService({ progressIntervalMs: 0 });
    const prepared = prepare(service, planRequest(read.value, opts, script));
    // a generated script can repeat one warning thousands of times: the first few of each kind
    const capped = capByKey(prepared.diagnostics, (d) => `${d.severity} ${d.code}`);
    for (const d of capped.shown) io.err(`${opts.script ?? ''}:${d.line}:${d.column}: ${d.severity}: ${safeName(d.message)}`);
    for (const line of omittedLines(capped.omitted)) io.err(`${opts.script ?? ''}: ${line}`);
    if (prepared.kind === 'script-errors') return 1;

    const controller = new AbortController();
    const onSigint = (): void => {
      io.err('ferry plan: interrupted, keeping the best plan so far');
      controller.abort();
    };
    process.once('SIGINT', onSigint);
    let result: PlanResult;
    try {
      const outcome = await service.solve(prepared, {
        signal: controller.signal,
        onNotice: (message) => io.err(`ferry plan: ${safeName(message)}`),
        onProgress: (p) => io.err(`[${(p.elapsedMs / 1000).toFixed(1)} s] ${p.stage}: objective ${p.objective} (lower bound ${p.lowerBound}), ${p.migrations} migration(s)`),
      });
      result = outcome.result;
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
    return printResult(result, opts.format, io);
  },
};

/** The service's preparation; an option the instance cannot support is a usage error. */
function prepare(service: PlanningService, request: PlanRequest): ReturnType<PlanningService['prepare']> {
  try {
    return service.prepare(request);
  } catch (e) {
    if (e instanceof PlanRequestError) throw new UsageError(`--migration-time ${e.reason}`);
    throw e;
  }
}

/** The script's text, or null (after saying why) when it cannot be read. */
async function readScript(file: string, io: CommandIO): Promise<{ text: string; name: string } | null> {
  try {
    return { text: await readFile(file, 'utf8'), name: file };
  } catch (e) {
    io.err(`${file}: cannot read the script (${e instanceof Error ? e.message : String(e)})`);
    return null;
  }
}

function planRequest(instance: Instance, opts: PlanArgs, script: { text: string; name: string } | undefined): PlanRequest {
  return {
    instance,
    ...(script ? { script } : {}),
    objective: opts.objective,
    timeLimitMs: opts.timeLimitS * 1000,
    ...(opts.solver !== undefined ? { solver: opts.solver } : {}),
    migrationTime: opts.migrationTime,
    budgets: {
      maxConcurrentMigrationsPerHost: opts.maxConcurrent,
      ...(opts.maxMigrations !== undefined ? { maxMigrations: opts.maxMigrations } : {}),
      ...(opts.maxMemoryGiB !== undefined ? { maxMemoryMovedGiB: opts.maxMemoryGiB } : {}),
      ...(opts.windowSeconds !== undefined ? { windowSeconds: opts.windowSeconds } : {}),
    },
  };
}

/** Notes on stderr, then the plan (or why there is none) on stdout; the exit code. */
function printResult(result: PlanResult, format: PlanArgs['format'], io: CommandIO): number {
  // notes and explanations quote names from the instance: each stays one line
  for (const note of result.notes) io.err(`note: ${safeName(note)}`);
  if (result.status === 'infeasible' || !result.plan) {
    const explanation = result.explanation ?? [];
    if (format === 'json') io.out(JSON.stringify({ infeasible: result.status === 'infeasible', status: result.status, explanation }));
    else {
      io.out(result.status === 'infeasible' ? 'no plan exists:' : 'no plan found:');
      for (const line of explanation) io.out(`  - ${safeName(line)}`);
    }
    return result.status === 'infeasible' ? 2 : 1;
  }
  io.out(format === 'json' ? JSON.stringify(planToJson(result.plan)) : formatPlanText(result));
  return 0;
}

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
