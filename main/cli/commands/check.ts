import { readFile } from 'node:fs/promises';

import { checkPlan, formatViolations } from '../../../src/checker/plan-checker.js';
import { type Diagnostic, applyAttributes, parseScript } from '../../../src/dsl/index.js';
import type { Instance } from '../../../src/instance/instance.js';
import { type JsonResult, parseJsonText } from '../../../src/json/read.js';
import { actionsFromJson, planFromJson } from '../../../src/plan/json.js';
import { formatTime } from '../../../src/plan/format.js';
import { type Plan, planDuration } from '../../../src/plan/plan.js';
import { capByKey, omittedLines } from '../../../src/text/cap.js';
import { safeName } from '../../../src/text/safe.js';
import { type FileError, formatFileError, readInstanceFile, readJsonText } from '../../node/instance-file.js';
import { type Command, UsageError } from '../command.js';

const USAGE = `usage: ferry check INSTANCE PLAN.json [--script FILE.btrp]

Re-verifies a plan against an instance, as every plan the solver makes is re-verified: the plan
must start from the instance's model, be well formed, be executable (every action's preconditions
and every node's capacities at every instant) and satisfy every constraint of the instance (its
JSON "constraints", plus those of the script if given). Prints every broken rule with when it is
broken, the actions and the elements involved.

PLAN.json is BtrPlace's plan JSON ({"origin": model, "actions": [...]}), plain or gzipped; a file
without "origin" (an "actions" object or a bare array of actions) starts from the instance's model.

exit status: 0 the plan is valid, 1 some rule is broken, 2 bad input.`;

export const checkCommand: Command = {
  name: 'check',
  summary: 're-verify a plan against an instance: executable, every constraint holds',
  usage: USAGE,
  async run(args, io) {
    const { instanceFile, planFile, scriptFile } = parseArgs(args);
    const read = await readInstanceFile(instanceFile);
    if (!read.ok) {
      io.err(formatFileError(read.error));
      return 2;
    }
    let instance = read.value;
    if (scriptFile !== undefined) {
      const withScript = await addScriptConstraints(instance, scriptFile);
      if (!withScript.ok) {
        io.err(withScript.error);
        return 2;
      }
      for (const w of withScript.warnings) io.err(w);
      instance = withScript.value;
    }
    const plan = await readPlanFile(planFile, instance);
    if (!plan.ok) {
      io.err(formatFileError(plan.error));
      return 2;
    }
    const report = checkPlan(instance, plan.value);
    if (report.ok) {
      const n = plan.value.actions.length;
      io.out(`plan OK: ${n} action${n === 1 ? '' : 's'}, duration ${formatTime(planDuration(plan.value))}, every constraint holds`);
      return 0;
    }
    const k = report.violations.length;
    io.out([`plan REJECTED: ${k} broken rule${k === 1 ? '' : 's'}`, ...formatViolations(report, instance.model)].join('\n'));
    return 1;
  },
};

function parseArgs(args: readonly string[]): { instanceFile: string; planFile: string; scriptFile: string | undefined } {
  const files: string[] = [];
  let scriptFile: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--script') {
      const value = args[++i];
      if (value === undefined) throw new UsageError('--script needs a FILE.btrp');
      if (scriptFile !== undefined) throw new UsageError('one --script only');
      scriptFile = value;
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new UsageError(`unknown option '${arg}'`);
    } else files.push(arg);
  }
  const [instanceFile, planFile, extra] = files;
  if (instanceFile === undefined) throw new UsageError('missing INSTANCE file');
  if (planFile === undefined) throw new UsageError('missing PLAN.json file');
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`);
  return { instanceFile, planFile, scriptFile };
}

type Read<T> = { ok: true; value: T } | { ok: false; error: FileError };

/** The plan file: with its own origin, or (no `origin`) starting from the instance's model. */
async function readPlanFile(file: string, instance: Instance): Promise<Read<Plan>> {
  const text = await readJsonText(file);
  if (!text.ok) return text;
  const parsed = parseJsonText(text.value);
  if (!parsed.ok) return located(file, parsed);
  const raw = parsed.value;
  const isObject = typeof raw === 'object' && raw !== null && !Array.isArray(raw);
  if (isObject && Object.prototype.hasOwnProperty.call(raw, 'origin')) return located(file, planFromJson(raw));
  const actions = Array.isArray(raw)
    ? actionsFromJson(raw, instance.model, '$')
    : isObject && Object.prototype.hasOwnProperty.call(raw, 'actions')
      ? actionsFromJson((raw as Record<string, unknown>)['actions'], instance.model, '$.actions')
      : undefined;
  if (!actions) return { ok: false, error: { file, jsonPath: '$', message: 'expected a plan: {"origin": ..., "actions": [...]}, {"actions": [...]} or an array of actions' } };
  if (!actions.ok) return located(file, actions);
  return { ok: true, value: { origin: instance.model, actions: actions.value } };
}

function located<T>(file: string, result: JsonResult<T>): Read<T> {
  if (result.ok) return { ok: true, value: result.value };
  const { error } = result;
  if (error.line !== undefined && error.column !== undefined) {
    return { ok: false, error: { file, message: `invalid JSON: ${error.message}`, line: error.line, column: error.column } };
  }
  return { ok: false, error: { file, message: error.message, jsonPath: error.path } };
}

/**
 * Adds the constraints of a btrpsl script to the instance's, and the attributes its template
 * declarations set (as BtrPlace's btrpsl does), on a copy of the model. A script with errors is
 * bad input: every error is printed, located `file:line:column`.
 */
async function addScriptConstraints(instance: Instance, file: string): Promise<{ ok: true; value: Instance; warnings: string[] } | { ok: false; error: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, error: `${file}: ${code === 'ENOENT' ? 'no such file' : `unreadable (${e instanceof Error ? e.message : String(e)})`}` };
  }
  const model = instance.model.clone();
  const script = parseScript(text, { model });
  const located = (d: Diagnostic): string => `${file}:${d.line}:${d.column}: ${d.severity}: ${safeName(d.message)}${d.suggestion === undefined ? '' : ` (did you mean '${safeName(d.suggestion)}'?)`}`;
  // a generated script can repeat one diagnostic thousands of times: the first few of each kind
  const capped = (ds: readonly Diagnostic[]): string[] => {
    const c = capByKey(ds, (d) => `${d.severity} ${d.code}`);
    return [...c.shown.map(located), ...omittedLines(c.omitted).map((l) => `${file}: ${l}`)];
  };
  if (!script.ok) return { ok: false, error: capped(script.diagnostics.filter((d) => d.severity === 'error')).join('\n') };
  applyAttributes(model, script.attributes);
  const warnings = capped(script.diagnostics.filter((d) => d.severity === 'warning'));
  return { ok: true, value: { ...instance, model, constraints: [...instance.constraints, ...script.constraints] }, warnings };
}
