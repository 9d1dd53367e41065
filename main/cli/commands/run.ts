import { readFile } from 'node:fs/promises';

import { blockedBy, isFinal } from '../../../src/executor/machine.js';
import type { Run } from '../../../src/executor/types.js';
import type { DemoFault } from '../../node/demo/index.js';
import type { RunDriver } from '../../services/execution.js';
import { followUnattended } from '../../services/unattended.js';
import { libvirtClusterId } from '../../node/libvirt/index.js';
import { ClusterUnavailableError, UnknownClusterError } from '../../services/cluster.js';
import { PlanRequestError } from '../../services/planning.js';
import type { CreateRunOutcome, RunPlanOptions } from '../../services/runs.js';
import type { Instance } from '../../../src/instance/instance.js';
import { formatFileError, readInstanceFile } from '../../node/instance-file.js';
import { type Command, type CommandIO, UsageError } from '../command.js';
import { processTerminal } from '../../node/libvirt/tty-password.js';
import { readOperatorLine, readOperatorLines } from '../run-input.js';
import { HeldOutput, RunView, formatGiB, formatSteps, pendingDecisions } from '../run-view.js';
import { type CliServices, openServices } from '../services.js';
import { formatTime } from '../../../src/plan/format.js';

const USAGE = `usage: ferry run (--cluster ID | --config CLUSTER.yaml) --script FILE.btrp [--yes] [--max-concurrent K] [--rehearse [--from FILE] [--fault F]...]
                 [--objective mttr|migrations|memory] [--time-limit S] [--window S]
                 [--max-migrations N] [--max-memory GIB] [--step-timeout S]
       ferry run --resume RUN [--yes]
       ferry run --abort RUN

Plans the live cluster under the script, shows the plan, then runs it step by step: each step
waits for the operator's approval (typed on the terminal), its hosts and VMs are re-read before
it starts, and its result is verified from a fresh read. Every state change is journaled first,
so an interrupted run continues with --resume.

options:
  --cluster ID        the cluster (demo: the embedded demo cluster)
  --config FILE       a libvirt/KVM cluster described by this YAML file (hosts over SSH)
  --script FILE       btrpsl constraints (what must hold)
  --yes               approve every step as it becomes ready (unattended; re-plans after drift
                      are accepted, a failed step stops the run)
  --max-concurrent K  at most K steps touching one host at once (default 2)
  --rehearse          run against a simulated copy of the cluster instead of the cluster
  --from FILE         with --rehearse: a simulated copy of this BtrPlace instance (any instance
                      file, plain or gzipped) instead of the cluster's live state
  --fault F           with --rehearse: fail-migration:VM, host-down:NODE, stop-vm:VM,
                      move-vm:VM:NODE, slow-migration:VM:FACTOR
  --step-timeout S    give up waiting for one step after S seconds (default 5 x its planned
                      duration, at least 120); the cluster is re-read before anything else
  --resume RUN        continue an interrupted run from the journal
  --abort RUN         abort an interrupted run (running migrations are cancelled)
  other options as for ferry plan (the migration time model is memory over bandwidth)

while it runs, '?' lists the commands (approve, skip, hold, pause, abort, ...).
exit: 0 the plan succeeded, 1 it failed or was cancelled, 2 bad usage or no plan exists,
      3 the cluster is held by another run, 4 left paused (input closed): resume it later`;

interface RunArgs {
  cluster?: string;
  script?: string;
  resume?: string;
  abort?: string;
  yes: boolean;
  rehearse: boolean;
  from?: string;
  faults: DemoFault[];
  options: RunPlanOptions;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'plan a live cluster and run the plan step by step, each step approved',
  usage: USAGE,
  async run(args, io) {
    const opts = parseArgs(args);
    const opened = openServices();
    if (!opened.ok) {
      io.err(`ferry run: ${opened.message}`);
      return 1;
    }
    const services = opened.services;
    try {
      if (opts.resume !== undefined || opts.abort !== undefined) return await resumeRun(services, opts, io);
      return await newRun(services, opts, io);
    } finally {
      services.close();
    }
  },
};

async function newRun(services: CliServices, opts: RunArgs, io: CommandIO): Promise<number> {
  const scriptFile = opts.script as string;
  let text: string;
  try {
    text = await readFile(scriptFile, 'utf8');
  } catch (e) {
    io.err(`${scriptFile}: cannot read the script (${e instanceof Error ? e.message : String(e)})`);
    return 1;
  }
  let instance: Instance | undefined;
  if (opts.from !== undefined) {
    const read = await readInstanceFile(opts.from);
    if (!read.ok) {
      io.err(formatFileError(read.error));
      return 1;
    }
    instance = read.value;
  }
  const source = opts.from !== undefined ? `instance ${opts.from}` : `cluster ${opts.cluster ?? ''}`;
  io.err(`planning ${opts.rehearse ? 'a rehearsal on a simulated copy of ' : ''}${source} under ${scriptFile} ...`);
  let created: CreateRunOutcome;
  try {
    created = await services.runs.create({
      clusterId: opts.cluster as string,
      script: { text, name: scriptFile },
      options: opts.options,
      ...(opts.rehearse ? { rehearse: { faults: opts.faults, ...(instance ? { instance } : {}) } } : {}),
    });
  } catch (e) {
    if (e instanceof UnknownClusterError || e instanceof ClusterUnavailableError || e instanceof PlanRequestError) {
      io.err(`ferry run: ${e.message}`);
      return 2;
    }
    throw e;
  }
  switch (created.kind) {
    case 'conflict':
      io.err(`ferry run: ${created.message}`);
      return 3;
    case 'bad-request':
      io.err(`ferry run: ${created.message}`);
      return 2;
    case 'script-errors':
      for (const note of created.notes) io.err(`note: ${note}`);
      for (const d of created.diagnostics) io.err(`${scriptFile}:${d.line}:${d.column}: ${d.severity}: ${d.message}`);
      return 1;
    case 'no-plan': {
      for (const note of created.notes) io.err(`note: ${note}`);
      io.out(created.result.status === 'infeasible' ? 'no plan exists:' : 'no plan found:');
      for (const line of created.result.explanation ?? []) io.out(`  - ${line}`);
      return created.result.status === 'infeasible' ? 2 : 1;
    }
    case 'created':
      break;
  }
  const { driver, result, notes } = created;
  for (const note of notes) io.err(`note: ${note}`);
  io.out(`run ${driver.runId} on ${driver.run.clusterId} (constraint set ${driver.run.constraintHash.slice(0, 19)}…)`);
  io.out(driver.run.steps.length > 0 ? formatSteps(driver.run.steps) : '(nothing to do: the cluster already satisfies every constraint)');
  io.out('');
  io.out(`steps ${driver.run.steps.length}, migrations ${result.migrations}, data moved ${formatGiB(result.memoryMovedMiB)}, planned duration ${formatTime(result.durationSeconds)}${result.status === 'optimal' ? ', proven optimal' : ''}`);
  const by = services.runs.actor;
  driver.dispatch({ type: 'start', at: Date.now(), by });
  if (opts.yes) driver.dispatch({ type: 'set-mode', at: Date.now(), by, mode: 'unattended', maxPerHost: opts.options.maxConcurrent });
  return drive(driver, opts, io, by);
}

async function resumeRun(services: CliServices, opts: RunArgs, io: CommandIO): Promise<number> {
  const wanted = (opts.resume ?? opts.abort) as string;
  const matches = services.journal.findRun(wanted);
  if (matches.length !== 1) {
    io.err(matches.length === 0 ? `ferry run: no run ${wanted} in the journal (ferry runs lists them)` : `ferry run: ${wanted} names ${matches.length} runs: ${matches.slice(0, 5).join(', ')}`);
    return 1;
  }
  const runId = matches[0] as string;
  const resumed = services.runs.resume(runId);
  if (!resumed.ok) {
    io.err(`ferry run: ${resumed.message}`);
    return 3;
  }
  const { driver } = resumed;
  const by = services.runs.actor;
  io.out(`run ${runId} resumed from the journal (revision ${driver.run.revision}, ${driver.run.state}); steps that were running are re-read from the cluster first`);
  if (opts.abort !== undefined) {
    driver.dispatch({ type: 'abort', at: Date.now(), by, reason: 'aborted from the command line' });
    return drive(driver, { ...opts, yes: true }, io, by);
  }
  if (driver.run.state === 'draft' || driver.run.state === 'approved' || driver.run.state === 'paused') {
    driver.dispatch(driver.run.state === 'paused' ? { type: 'resume', at: Date.now(), by } : { type: 'start', at: Date.now(), by });
  }
  if (opts.yes && driver.run.mode !== 'unattended') driver.dispatch({ type: 'set-mode', at: Date.now(), by, mode: 'unattended', maxPerHost: driver.run.maxPerHost });
  return drive(driver, opts, io, by);
}

/** Shows the run as it goes and feeds the operator's decisions to it until it ends. */
async function drive(driver: RunDriver, opts: RunArgs, terminalIO: CommandIO, by: string): Promise<number> {
  // a host may ask for its password mid-run: the run's lines wait while the question is open
  const io = new HeldOutput(terminalIO);
  const leaveTerminal = processTerminal.join(io);
  const view = new RunView((line) => io.out(line), driver.run);
  let lastPrompt = '';
  const prompt = (run: Run): void => {
    if (opts.yes) return;
    const p = pendingDecisions(run);
    if (p !== '' && p !== lastPrompt) io.err(`> ${p}`);
    lastPrompt = p;
  };
  driver.subscribe((run, cause, refused) => {
    view.update(run, cause, refused, driver.progress());
    prompt(run);
  });
  prompt(driver.run);
  if (opts.yes) followUnattended(driver, by);
  const input = opts.yes ? null : readOperator(driver, io, by);
  try {
    const end = await Promise.race([driver.settled(), ...(input ? [input] : [])]);
    if (end === 'input-closed') return await leavePaused(driver, io, by);
    return report(end as Run, io);
  } catch (e) {
    io.err(`ferry run: ${e instanceof Error ? e.message : String(e)}; nothing more was started. Resume with ferry run --resume ${driver.runId} once it is fixed.`);
    return 1;
  } finally {
    driver.close();
    leaveTerminal();
    io.resume();
  }
}

/**
 * Reads operator lines until the run ends; resolves 'input-closed' when the input ends first.
 * Paused while a password prompt reads the terminal: its keys are the prompt's alone.
 */
function readOperator(driver: RunDriver, io: CommandIO, by: string): Promise<'input-closed'> {
  const lines = readOperatorLines(process.stdin, processTerminal, (line) => {
    const input = readOperatorLine(line, driver.run, by, Date.now());
    if ('show' in input) io.out(input.show);
    else if ('error' in input) io.err(input.error);
    else if ('event' in input) {
      try {
        const t = driver.dispatch(input.event);
        if (input.event.type === 'skip' && t.refused === undefined) {
          const blocked = blockedBy(t.run, input.event.stepId);
          if (blocked.length > 0) io.out(`${input.event.stepId} skipped; it blocks ${blocked.join(', ')}, which can no longer run (re-plan or skip them)`);
        }
      } catch {
        // the driver reports journal failures through settled()
      }
    }
  });
  void driver.settled().then(
    () => lines.close(),
    () => lines.close(),
  );
  return lines.closed;
}

/** The operator's input ended with the run unfinished: pause it, let running steps finish, keep it in the journal. */
async function leavePaused(driver: RunDriver, io: CommandIO, by: string): Promise<number> {
  if (driver.run.state === 'running') driver.dispatch({ type: 'pause', at: Date.now(), by });
  while (driver.run.steps.some((s) => s.state === 'running') && driver.failure === null) await new Promise((r) => setTimeout(r, 200));
  if (isFinal(driver.run)) return report(driver.run, io);
  io.out(`input closed: run ${driver.runId} is ${driver.run.state} in the journal; continue it with ferry run --resume ${driver.runId}`);
  return 4;
}

function report(run: Run, io: CommandIO): number {
  const count = (state: string): number => run.steps.filter((s) => s.state === state).length;
  io.out(`run ${run.runId} ${run.state}: ${count('succeeded')} succeeded, ${count('skipped')} skipped, ${count('failed')} failed, ${count('cancelled')} cancelled of ${run.steps.length}`);
  io.out(`report: ferry report ${run.runId} --format md`);
  return run.state === 'succeeded' ? 0 : 1;
}

const FAULT_KINDS = ['fail-migration', 'host-down', 'stop-vm', 'move-vm', 'slow-migration'];

export function parseFault(spec: string): DemoFault {
  const [kind, a, b] = spec.split(':');
  const need = (v: string | undefined, what: string): string => {
    if (v === undefined || v === '') throw new UsageError(`--fault ${spec}: missing ${what}`);
    return v;
  };
  switch (kind) {
    case 'fail-migration':
      return { kind, vm: need(a, 'the VM (fail-migration:VM)') };
    case 'host-down':
      return { kind, node: need(a, 'the node (host-down:NODE)') };
    case 'stop-vm':
      return { kind, vm: need(a, 'the VM (stop-vm:VM)') };
    case 'move-vm':
      return { kind, vm: need(a, 'the VM (move-vm:VM:NODE)'), to: need(b, 'the node (move-vm:VM:NODE)') };
    case 'slow-migration': {
      const factor = Number(need(b, 'the factor (slow-migration:VM:FACTOR)'));
      if (!Number.isFinite(factor) || factor <= 0) throw new UsageError(`--fault ${spec}: the factor must be a positive number`);
      return { kind, vm: need(a, 'the VM'), factor };
    }
    default:
      throw new UsageError(`--fault: unknown fault '${kind}'; one of ${FAULT_KINDS.join(', ')}`);
  }
}

function parseArgs(args: readonly string[]): RunArgs {
  const out: RunArgs = { yes: false, rehearse: false, faults: [], options: { objective: 'mttr', timeLimitS: 10, maxConcurrent: 2, migrationTime: 'memory' } };
  const options: { -readonly [K in keyof RunPlanOptions]: RunPlanOptions[K] } = out.options;
  const value = (i: number, flag: string): string => {
    const v = args[i];
    if (v === undefined) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  const number = (raw: string, flag: string, integer: boolean, min = 0): number => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) throw new UsageError(`${flag} needs a ${integer ? 'whole number' : 'number'} of at least ${min}, got '${raw}'`);
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    switch (arg) {
      case '--cluster':
        if (out.cluster !== undefined) throw new UsageError('give one of --cluster and --config');
        out.cluster = value(++i, arg);
        break;
      case '--config':
        if (out.cluster !== undefined) throw new UsageError('give one of --cluster and --config');
        out.cluster = libvirtClusterId(value(++i, arg));
        break;
      case '--script':
        out.script = value(++i, arg);
        break;
      case '--resume':
        out.resume = value(++i, arg);
        break;
      case '--abort':
        out.abort = value(++i, arg);
        break;
      case '--yes':
        out.yes = true;
        break;
      case '--rehearse':
        out.rehearse = true;
        break;
      case '--from':
        out.from = value(++i, arg);
        break;
      case '--fault':
        out.faults.push(parseFault(value(++i, arg)));
        break;
      case '--max-concurrent':
        options.maxConcurrent = number(value(++i, arg), arg, true, 1);
        break;
      case '--objective': {
        const v = value(++i, arg);
        if (v !== 'mttr' && v !== 'migrations' && v !== 'memory') throw new UsageError(`--objective must be mttr, migrations or memory, got '${v}'`);
        options.objective = v;
        break;
      }
      case '--time-limit':
        options.timeLimitS = number(value(++i, arg), arg, false, 0.1);
        break;
      case '--window':
        options.windowSeconds = number(value(++i, arg), arg, false, 1);
        break;
      case '--max-migrations':
        options.maxMigrations = number(value(++i, arg), arg, true);
        break;
      case '--max-memory':
        options.maxMemoryGiB = number(value(++i, arg), arg, false);
        break;
      case '--step-timeout':
        options.stepTimeoutS = number(value(++i, arg), arg, false, 0.1);
        break;
      default:
        throw new UsageError(`unknown option '${arg}'`);
    }
  }
  if (out.resume !== undefined && out.abort !== undefined) throw new UsageError('--resume and --abort exclude each other');
  if (out.from !== undefined) {
    if (!out.rehearse) throw new UsageError('--from only applies to --rehearse (a simulated copy of an instance file)');
    out.cluster ??= 'file';
  }
  if (out.resume === undefined && out.abort === undefined) {
    if (out.cluster === undefined) throw new UsageError('missing --cluster (demo is the embedded demo cluster) or --config CLUSTER.yaml');
    if (out.script === undefined) throw new UsageError('missing --script FILE.btrp');
  }
  if (out.faults.length > 0 && !out.rehearse) throw new UsageError('--fault only applies to --rehearse (faults are never injected into a real cluster)');
  return out;
}
