import type { Constraint } from '../../../src/catalogue/constraint.js';
import { withOverbooking } from '../../../src/checker/overbooking.js';
import { instanceFromJson, modelFromJson } from '../../../src/instance/json.js';
import { type JsonError, type JsonResult, childPath, formatJsonError, parseJsonText } from '../../../src/json/read.js';
import type { Model } from '../../../src/model/index.js';
import type { Action } from '../../../src/plan/actions.js';
import { formatBtrPlace, formatPlan, formatTime } from '../../../src/plan/format.js';
import { actionsFromJson, planFromJson } from '../../../src/plan/json.js';
import { planDuration } from '../../../src/plan/plan.js';
import { replay } from '../../../src/plan/replay.js';
import { safeName } from '../../../src/text/safe.js';
import { formatFileError, readJsonText } from '../../node/instance-file.js';
import { type Command, UsageError } from '../command.js';

const USAGE = `usage: ferry replay INSTANCE PLAN [--show human|btrplace]

Replays a plan on a model event by event (ends before starts at each instant) and checks that it
can be executed: every action's preconditions, and every resource capacity on every node at every
instant (a migrating VM holds its resources on both nodes until it ends); with an instance, a
node's capacity is the overbooked one (physical × the smallest overbook ratio), as 'ferry check'
counts it. Prints the final mapping, or the first problem (exit status 1).

  INSTANCE  a BtrPlace instance or model JSON file (plain or gzipped)
  PLAN      a BtrPlace plan JSON file ({"origin": ..., "actions": [...]}, plain or gzipped); its
            origin, if any, should be the instance's model (a warning otherwise); the plan is
            replayed on the instance's model. A bare array of actions is accepted too.

options:
  --show human     also print the plan, one action per line (0'00 to 0'02: relocate(VM2,N2))
  --show btrplace  also print the plan as BtrPlace prints it (0:2 {action=migrate(...)})`;

export const replayCommand: Command = {
  name: 'replay',
  summary: 'replay a plan on a model: check it step by step, print the final mapping',
  usage: USAGE,
  async run(args, io) {
    const { instanceFile, planFile, show } = parseArgs(args);

    const instanceText = await readJsonText(instanceFile);
    if (!instanceText.ok) {
      io.err(formatFileError(instanceText.error));
      return 1;
    }
    const model = readModelOrInstance(instanceText.value);
    if (!model.ok) {
      io.err(`${instanceFile}: ${formatJsonError(model.error)}`);
      return 1;
    }

    const planText = await readJsonText(planFile);
    if (!planText.ok) {
      io.err(formatFileError(planText.error));
      return 1;
    }
    const actions = readPlanActions(planText.value, model.value.model);
    if (!actions.ok) {
      io.err(`${planFile}: ${formatJsonError(actions.error)}`);
      return 1;
    }
    if (actions.value.originDiffers) io.err(`warning: ${planFile}: the plan's origin differs from the model of ${instanceFile}; replaying on the latter`);

    const plan = { origin: model.value.model, actions: actions.value.actions };
    if (show === 'human') io.out(formatPlan(plan));
    else if (show === 'btrplace') io.out(formatBtrPlace(plan));
    // capacities as the checker counts them: overbook ratios raise a node's physical capacity
    const result = replay(withOverbooking(plan, model.value.constraints) ?? plan);
    if (!result.ok) {
      io.err(`${planFile}: ${safeName(result.problem.message)}`);
      return 1;
    }
    const n = plan.actions.length;
    io.out(`${planFile}: ${n} action${n === 1 ? '' : 's'} over ${formatTime(planDuration(plan))}, replayed without problem on ${instanceFile}`);
    io.out(formatMapping(result.result));
    return 0;
  },
};

function parseArgs(args: readonly string[]): { instanceFile: string; planFile: string; show: 'human' | 'btrplace' | undefined } {
  const files: string[] = [];
  let show: 'human' | 'btrplace' | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--show') {
      const value = args[++i];
      if (value !== 'human' && value !== 'btrplace') throw new UsageError('--show needs human or btrplace');
      show = value;
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new UsageError(`unknown option '${arg}'`);
    } else {
      files.push(arg);
    }
  }
  const [instanceFile, planFile] = files;
  if (instanceFile === undefined || planFile === undefined) throw new UsageError('needs an INSTANCE file and a PLAN file');
  if (files.length > 2) throw new UsageError(`too many arguments ('${files.slice(2).join("', '")}')`);
  return { instanceFile, planFile, show };
}

function located(error: JsonError): { ok: false; error: JsonError } {
  return { ok: false, error };
}

/** An instance (`{"model": ...}`) or a bare model (`{"mapping": ...}`, no constraints). */
function readModelOrInstance(text: string): JsonResult<{ model: Model; constraints: readonly Constraint[] }> {
  const parsed = parseJsonText(text);
  if (!parsed.ok) return parsed;
  const raw = parsed.value;
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw) && 'model' in raw) {
    const instance = instanceFromJson(raw);
    return instance.ok ? { ok: true, value: { model: instance.value.model, constraints: instance.value.constraints } } : instance;
  }
  const model = modelFromJson(raw);
  return model.ok ? { ok: true, value: { model: model.value, constraints: [] } } : model;
}

/** The plan's actions, read against its own origin when it has one (then compared with `model`). */
function readPlanActions(text: string, model: Model): JsonResult<{ actions: Action[]; originDiffers: boolean }> {
  const parsed = parseJsonText(text);
  if (!parsed.ok) return parsed;
  const raw = parsed.value;
  if (Array.isArray(raw)) {
    const actions = actionsFromJson(raw, model);
    return actions.ok ? { ok: true, value: { actions: actions.value, originDiffers: false } } : actions;
  }
  if (typeof raw === 'object' && raw !== null && !('origin' in raw)) {
    if (!('actions' in raw)) return located({ path: '$', message: 'expected a plan: an object with "actions" (and usually "origin")' });
    const actions = actionsFromJson((raw as Record<string, unknown>)['actions'], model, childPath('$', 'actions'));
    return actions.ok ? { ok: true, value: { actions: actions.value, originDiffers: false } } : actions;
  }
  const plan = planFromJson(raw);
  if (!plan.ok) return plan;
  return { ok: true, value: { actions: [...plan.value.actions], originDiffers: !plan.value.origin.equals(model) } };
}

/** `N1: VM1, VM3 (sleeping: VM4)` per node (by id), offline nodes, then ready and killed VMs. */
export function formatMapping(model: Model): string {
  const m = model.mapping;
  const lines: string[] = ['final mapping:'];
  const names = (vms: Iterable<number>): string => [...vms].map((v) => safeName(model.vmName(v))).join(', ');
  for (const node of [...m.nodes()].sort((a, b) => a - b)) {
    const name = safeName(model.nodeName(node));
    if (m.isOffline(node)) {
      lines.push(`  ${name}: offline`);
      continue;
    }
    const running = m.runningVMs(node);
    const sleeping = m.sleepingVMs(node);
    let line = `  ${name}: ${running.size > 0 ? names(running) : '(no running VM)'}`;
    if (sleeping.size > 0) line += ` (sleeping: ${names(sleeping)})`;
    lines.push(line);
  }
  const ready = m.readyVMs();
  if (ready.length > 0) lines.push(`  ready: ${names(ready)}`);
  if (model.killedVMs.size > 0) lines.push(`  killed: ${names(model.killedVMs)}`);
  return lines.join('\n');
}
