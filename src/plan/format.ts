import type { Model } from '../model/index.js';
import { nodeLabel, vmLabel } from '../model/index.js';
import type { Action, PlanEvent } from './actions.js';
import type { Plan } from './plan.js';
import { safeName } from '../text/safe.js';

/**
 * Plans as text: the human format of the project's seed
 * (`0'00 to 0'02: relocate(VM2,N2)`) and BtrPlace's own `toString`
 * (`0:1 {action=migrate(vm=vm#2, from=node#0, to=node#1, bw=2147483647)}`).
 * Names go through safeName: this is the text an operator approves, one line per action.
 */

/** BtrPlace prints this bandwidth when no network model chose one (Integer.MAX_VALUE). */
export const UNBOUNDED_BANDWIDTH = 2147483647;

/** `m'ss` (`0'02`, `12'05`), then `h:mm'ss` once past 59'59 (`1:02'03`). */
export function formatTime(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  const sign = seconds < 0 ? '-' : '';
  const t = Math.abs(Math.trunc(seconds));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${sign}${h}:${String(m).padStart(2, '0')}'${ss}` : `${sign}${m}'${ss}`;
}

/** `0'00 to 0'02`, or a single instant `0'05` for an instantaneous action. */
export function formatInterval(start: number, end: number): string {
  return start === end ? formatTime(start) : `${formatTime(start)} to ${formatTime(end)}`;
}

/** The action in the human format: `relocate(VM2,N2)`, `boot(N3)`, `allocate(VM1,'cpu',3)`. */
export function describeAction(model: Model, a: Action): string {
  const vm = (id: number): string => safeName(model.vmName(id));
  const node = (id: number): string => safeName(model.nodeName(id));
  switch (a.kind) {
    case 'migrateVM':
      return `relocate(${vm(a.vm)},${node(a.to)})`;
    case 'bootVM':
      return `boot(${vm(a.vm)},${node(a.node)})`;
    case 'shutdownVM':
      return `shutdown(${vm(a.vm)})`;
    case 'suspendVM':
      return `suspend(${vm(a.vm)})`;
    case 'resumeVM':
      return `resume(${vm(a.vm)},${node(a.to)})`;
    case 'killVM':
      return `kill(${vm(a.vm)})`;
    case 'forgeVM':
      return `forge(${vm(a.vm)})`;
    case 'bootNode':
      return `boot(${node(a.node)})`;
    case 'shutdownNode':
      return `shutdown(${node(a.node)})`;
    case 'allocate':
      return `allocate(${vm(a.vm)},${quote(a.rc)},${a.amount})`;
  }
}

/** A hooked event in the human format: `allocate(VM1,'cpu',3)`, `substitute(VM1,vm#9)`. */
export function describeEvent(model: Model, e: PlanEvent): string {
  return e.kind === 'allocateEvent'
    ? `allocate(${safeName(model.vmName(e.vm))},${quote(e.rc)},${e.amount})`
    : `substitute(${safeName(model.vmName(e.vm))},${safeName(model.vmName(e.newVm))})`;
}

function quote(rc: string): string {
  return `'${safeName(rc).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** One line: `0'00 to 0'02: relocate(VM2,N2) [post: allocate(VM2,'cpu',3)]`. */
export function formatActionLine(model: Model, a: Action): string {
  let line = `${formatTime(a.start)} to ${formatTime(a.end)}: ${describeAction(model, a)}`;
  if (a.hooks && a.hooks.pre.length > 0) line += ` [pre: ${a.hooks.pre.map((e) => describeEvent(model, e)).join(', ')}]`;
  if (a.hooks && a.hooks.post.length > 0) line += ` [post: ${a.hooks.post.map((e) => describeEvent(model, e)).join(', ')}]`;
  return line;
}

/**
 * The plan in the human format, one action per line, sorted by start, then end, then the line
 * text (so equal plans print identically whatever their action order). Empty plan: empty string.
 */
export function formatPlan(plan: Plan): string {
  const lines = plan.actions.map((a) => ({ a, text: formatActionLine(plan.origin, a) }));
  lines.sort((x, y) => x.a.start - y.a.start || x.a.end - y.a.end || (x.text < y.text ? -1 : x.text > y.text ? 1 : 0));
  return lines.map((l) => l.text).join('\n');
}

/** BtrPlace's `Action.pretty()`. */
export function prettyBtrPlace(a: Action): string {
  switch (a.kind) {
    case 'migrateVM': {
      const bw = a.bw ?? UNBOUNDED_BANDWIDTH;
      return `migrate(vm=${vmLabel(a.vm)}, from=${nodeLabel(a.from)}, to=${nodeLabel(a.to)}${bw > 0 ? `, bw=${bw}` : ''})`;
    }
    case 'bootVM':
      return `boot(vm=${vmLabel(a.vm)}, on=${nodeLabel(a.node)})`;
    case 'shutdownVM':
      return `shutdown(vm=${vmLabel(a.vm)}, on=${nodeLabel(a.node)})`;
    case 'suspendVM':
      return `suspend(vm=${vmLabel(a.vm)}, from=${nodeLabel(a.from)}, to=${nodeLabel(a.to)})`;
    case 'resumeVM':
      return `resume(vm=${vmLabel(a.vm)}, from=${nodeLabel(a.from)}, to=${nodeLabel(a.to)})`;
    case 'killVM':
      return `killVM(vm=${vmLabel(a.vm)}, node=${a.node === null ? 'null' : nodeLabel(a.node)})`;
    case 'forgeVM':
      return `forge(vm=${vmLabel(a.vm)})`;
    case 'bootNode':
      return `boot(node=${nodeLabel(a.node)})`;
    case 'shutdownNode':
      return `shutdown(node=${nodeLabel(a.node)})`;
    case 'allocate':
      return `allocate(vm=${vmLabel(a.vm)}, on=${nodeLabel(a.node)}, rc=${a.rc}, amount=${a.amount})`;
  }
}

/** BtrPlace's `Event.toString()`. */
export function prettyBtrPlaceEvent(e: PlanEvent): string {
  return e.kind === 'allocateEvent'
    ? `allocate(vm=${vmLabel(e.vm)}, rc=${e.rc}, amount=${e.amount})`
    : `substitutedVM(vm=${vmLabel(e.vm)}, newVm=${vmLabel(e.newVm)})`;
}

/** BtrPlace's `Action.toString()`: `{action=…[, @pre= {…}][, @post= {…}]}`. */
export function actionToBtrPlaceString(a: Action): string {
  let s = `{action=${prettyBtrPlace(a)}`;
  if (a.hooks && a.hooks.pre.length > 0) s += `, @pre= {${a.hooks.pre.map(prettyBtrPlaceEvent).join(', ')}}`;
  if (a.hooks && a.hooks.post.length > 0) s += `, @post= {${a.hooks.post.map(prettyBtrPlaceEvent).join(', ')}}`;
  return `${s}}`;
}

/**
 * BtrPlace's `DefaultReconfigurationPlan.toString()`: `start:end {action=…}` per line, sorted by
 * start then end (stable, as Java's List.sort).
 */
export function formatBtrPlace(plan: Plan): string {
  const sorted = [...plan.actions].sort((a, b) => a.start - b.start || a.end - b.end);
  return sorted.map((a) => `${a.start}:${a.end} ${actionToBtrPlaceString(a)}`).join('\n');
}
