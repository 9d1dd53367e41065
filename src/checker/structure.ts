import type { Model } from '../model/index.js';
import { type Action, actionNodes, actionVm } from '../plan/actions.js';
import { describeAction, formatTime } from '../plan/format.js';
import type { Plan } from '../plan/plan.js';

/**
 * Objective-independent sanity of a plan, checked before anything is replayed: times are
 * non-negative integers with start <= end, and no element is the subject of two actions at once
 * (two actions of one VM, or two power actions of one node, may touch — one ending at t, the next
 * starting at t — but never overlap; only allocations of distinct resources of one VM may).
 */
export interface StructureProblem {
  readonly rule: 'core: structure';
  readonly from: number;
  readonly to: number | null;
  readonly message: string;
  readonly actions: readonly Action[];
  readonly vms: readonly number[];
  readonly nodes: readonly number[];
}

export function checkStructure(plan: Plan): StructureProblem[] {
  const problems: StructureProblem[] = [];
  const model = plan.origin;
  const timed: Action[] = [];
  for (const a of plan.actions) {
    const bad = badTimes(a);
    if (bad) {
      problems.push(problem(model, a, bad));
    } else timed.push(a);
  }
  problems.push(...overlaps(model, timed));
  return problems;
}

function badTimes(a: Action): string | null {
  const { start, end } = a;
  if (typeof start !== 'number' || !Number.isInteger(start)) return `its start ${String(start)} is not an integer number of seconds`;
  if (typeof end !== 'number' || !Number.isInteger(end)) return `its end ${String(end)} is not an integer number of seconds`;
  if (start < 0) return `it starts before the plan (${start} s)`;
  if (end < start) return `it ends (${formatTime(end)}) before it starts (${formatTime(start)})`;
  return null;
}

function problem(model: Model, a: Action, why: string): StructureProblem {
  const vm = actionVm(a);
  const at = typeof a.start === 'number' && Number.isInteger(a.start) && a.start >= 0 ? a.start : 0;
  return {
    rule: 'core: structure',
    from: at,
    to: at,
    message: `${describeAction(model, a)} is malformed: ${why}`,
    actions: [a],
    vms: vm === undefined ? [] : [vm],
    nodes: actionNodes(a),
  };
}

function overlaps(model: Model, actions: readonly Action[]): StructureProblem[] {
  const groups = new Map<string, Action[]>();
  for (const a of actions) {
    const vm = actionVm(a);
    const key = vm !== undefined ? `vm:${vm}` : `node:${actionNodes(a)[0] ?? -1}`;
    const list = groups.get(key) ?? [];
    list.push(a);
    groups.set(key, list);
  }
  const problems: StructureProblem[] = [];
  for (const [key, list] of groups) {
    const sorted = [...list].sort((a, b) => a.start - b.start || a.end - b.end);
    for (let i = 1; i < sorted.length; i++) {
      const current = sorted[i];
      if (!current) continue;
      // compare with every earlier action still running at `current.start`
      for (let j = 0; j < i; j++) {
        const earlier = sorted[j];
        if (!earlier || earlier.end <= current.start) continue;
        // allocations of distinct resources of one VM may run together (as in the replay)
        if (earlier.kind === 'allocate' && current.kind === 'allocate' && earlier.rc !== current.rc) continue;
        const isVm = key.startsWith('vm:');
        const element = isVm ? model.vmName(Number(key.slice(3))) : model.nodeName(Number(key.slice(5)));
        problems.push({
          rule: 'core: structure',
          from: current.start,
          to: Math.min(earlier.end, current.end),
          message: `two actions on ${element} overlap from ${formatTime(current.start)} to ${formatTime(Math.min(earlier.end, current.end))}: ${describeAction(model, earlier)} (${formatTime(earlier.start)} to ${formatTime(earlier.end)}) and ${describeAction(model, current)} (${formatTime(current.start)} to ${formatTime(current.end)})`,
          actions: [earlier, current],
          vms: isVm ? [Number(key.slice(3))] : [],
          nodes: isVm ? [] : [Number(key.slice(5))],
        });
      }
    }
  }
  return problems;
}
