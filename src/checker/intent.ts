import type { Constraint } from '../catalogue/constraint.js';
import { preserve } from '../catalogue/preserve/index.js';
import { definitionOf } from '../catalogue/registry.js';
import type { Instance } from '../instance/instance.js';
import type { Model, VmId, VmState } from '../model/index.js';
import { type Action, type BootVM, type ForgeVM, type KillVM, type ResumeVM, type ShutdownVM, type SuspendVM, actionNodes } from '../plan/actions.js';
import { DURATION_ATTRIBUTE, DurationModel, elementKindOf } from '../plan/durations.js';
import { networkViewOf } from '../plan/network.js';
import type { Plan } from '../plan/plan.js';
import type { Violation } from './plan-checker.js';
import { activity, lastedWords, span } from './wording.js';

/**
 * What no operator wants, beyond BtrPlace's checkers (which accept all three): the plan does only
 * what the instance asks for.
 *
 * - `core: state`: an action changing a VM's state (boot, shutdown, suspend, resume, kill, forge)
 *   is for a VM whose wanted state a state constraint (running, ready, sleeping, killed) gives.
 *   Without one a VM keeps its state (BtrPlace's target state), so shutting a running VM down to
 *   free room is a plan nobody asked for. Re-instantiation is not a change: the clone named by a
 *   `substitutedVM` event is forged and booted, the VM it replaces shut down. (A node going
 *   offline never requires one: a sleeping VM on it makes the instance infeasible, a running one
 *   migrates.) Whether the wanted state is reached, and by allowed actions, is the state
 *   constraints' own check.
 * - `core: duration`: no action is shorter than the duration model says (BtrPlace's duration
 *   evaluators: 1 s, or the element's attribute for that action, `migrate=12` say): a zero-second
 *   migration promises a downtime nobody can deliver. The model is the instance's defaults unless
 *   the caller gives the one it planned with. Only a lower bound: a plan may carry measured or
 *   operator-given longer durations. A live migration under a `net` view is held to 1 s only (its
 *   network duration is an estimate, see network.ts). An Allocate is an instant, as BtrPlace's
 *   solver plans it.
 * - `core: allocation`: an allocation (Allocate action or allocation event) never lowers a VM's
 *   amount of a resource below what it consumes in the instance unless a Preserve on that VM and
 *   resource asks for it (BtrPlace: without a Preserve a VM keeps needing what it consumes; with
 *   one, its allocation becomes the Preserve's amount). Less would starve the VM.
 */

export const CORE_STATE = 'core: state';
export const CORE_DURATION = 'core: duration';
export const CORE_ALLOCATION = 'core: allocation';

const STATE_CONSTRAINTS: Readonly<Record<string, VmState>> = { running: 'running', ready: 'ready', sleeping: 'sleeping', killed: 'killed' };

type StateChange = BootVM | ShutdownVM | SuspendVM | ResumeVM | KillVM | ForgeVM;

function isStateChange(a: Action): a is StateChange {
  return a.kind === 'bootVM' || a.kind === 'shutdownVM' || a.kind === 'suspendVM' || a.kind === 'resumeVM' || a.kind === 'killVM' || a.kind === 'forgeVM';
}

export function checkIntent(instance: Instance, plan: Plan, durations: DurationModel = DurationModel.defaults()): Violation[] {
  return [...unrequestedStateChanges(instance, plan), ...tooShort(plan, durations), ...starvingAllocations(instance, plan)];
}

function unrequestedStateChanges(instance: Instance, plan: Plan): Violation[] {
  const model = plan.origin;
  const requested = new Set<VmId>();
  for (const c of instance.constraints) {
    // arguments through the entry's typed reader (a bad one is the constraints check's report)
    const def = STATE_CONSTRAINTS[c.id] === undefined ? undefined : definitionOf(c.id);
    const read = def?.readArgs(c.args);
    if (read && 'args' in read) requested.add((read.args as { vm: VmId }).vm);
  }
  const replaced = new Set<VmId>();
  const clones = new Set<VmId>();
  for (const a of plan.actions) {
    for (const e of [...(a.hooks?.pre ?? []), ...(a.hooks?.post ?? [])]) {
      if (e.kind !== 'substitutedVM') continue;
      replaced.add(e.vm);
      clones.add(e.newVm);
    }
  }
  const out: Violation[] = [];
  for (const a of plan.actions) {
    if (!isStateChange(a)) continue;
    if (requested.has(a.vm) || clones.has(a.vm) || (a.kind === 'shutdownVM' && replaced.has(a.vm))) continue;
    const state = model.vmState(a.vm);
    out.push({
      rule: CORE_STATE,
      from: a.start,
      to: a.end,
      message: `${CORE_STATE}: ${activity(model, a)} ${span(a.start, a.end)}, but nothing asked to change its state: it is ${state} and no running, ready, sleeping or killed constraint names it`,
      actions: [a],
      vms: [a.vm],
      nodes: actionNodes(a),
    });
  }
  return out;
}

function tooShort(plan: Plan, durations: DurationModel): Violation[] {
  const model = plan.origin;
  const networked = networkViewOf(model) !== undefined;
  const out: Violation[] = [];
  for (const a of plan.actions) {
    // BtrPlace's solver plans an Allocate as an instant (CShareableResource: st = ed), as Ferry's do
    if (a.kind === 'allocate') continue;
    const { seconds, why } = shortestDuration(model, a, durations, networked);
    const lasted = a.end - a.start;
    if (lasted >= seconds) continue;
    const vm = a.kind === 'bootNode' || a.kind === 'shutdownNode' ? undefined : a.vm;
    out.push({
      rule: CORE_DURATION,
      from: a.start,
      to: a.end,
      message: `${CORE_DURATION}: ${activity(model, a)} ${lastedWords(a.start, a.end)}, less than the ${seconds} s the duration model gives (${why})`,
      actions: [a],
      vms: vm === undefined ? [] : [vm],
      nodes: actionNodes(a),
    });
  }
  return out;
}

/** The least an action may last, and why in words (`the 'migrate' attribute of VM2`, `1 s by default`). */
function shortestDuration(model: Model, a: Action, durations: DurationModel, networked: boolean): { seconds: number; why: string } {
  if (a.kind === 'migrateVM' && networked) return { seconds: 1, why: 'a live migration under a network view lasts at least 1 s' };
  const element = a.kind === 'bootNode' || a.kind === 'shutdownNode' ? a.node : a.vm;
  const evaluated = durations.tryDuration(a.kind, element, model);
  if (!evaluated.ok) return { seconds: 1, why: 'no action is instantaneous; its own duration cannot be evaluated' };
  const kind = elementKindOf(a.kind);
  const key = DURATION_ATTRIBUTE[a.kind];
  const name = kind === 'vm' ? model.vmName(element) : model.nodeName(element);
  const attribute = model.attributes.get(kind, element, key);
  const why = attribute !== undefined ? `the '${key}' attribute of ${name} is ${String(attribute)}` : evaluated.value === 1 ? 'no action is instantaneous: 1 s at least' : `${durations.evaluator(a.kind)?.description ?? a.kind} for ${name}`;
  return { seconds: evaluated.value, why };
}

function starvingAllocations(instance: Instance, plan: Plan): Violation[] {
  const model = plan.origin;
  const floors = preserveFloors(instance.constraints);
  const out: Violation[] = [];
  const judge = (a: Action, vm: VmId, rc: string, amount: number, how: string): void => {
    const view = model.resource(rc);
    if (!view || !model.mapping.hasVM(vm)) return;
    const needs = view.consumption(vm);
    if (amount >= needs || floors.has(`${vm}/${rc}`)) return;
    out.push({
      rule: CORE_ALLOCATION,
      from: a.start,
      to: a.end,
      message: `${CORE_ALLOCATION}: ${model.vmName(vm)} is ${how} ${amount} '${rc}' ${span(a.start, a.end)}, less than the ${needs} it consumes, and no preserve on ${model.vmName(vm)} and '${rc}' asks for less: it would be starved`,
      actions: [a],
      vms: [vm],
      nodes: actionNodes(a),
    });
  };
  for (const a of plan.actions) {
    if (a.kind === 'allocate') judge(a, a.vm, a.rc, a.amount, 'given');
    for (const e of [...(a.hooks?.pre ?? []), ...(a.hooks?.post ?? [])]) if (e.kind === 'allocateEvent') judge(a, e.vm, e.rc, e.amount, `allocated (an event hooked on: ${activity(model, a)})`);
  }
  return out;
}

/** `vm/rc` → the largest amount a Preserve asks for. */
function preserveFloors(constraints: readonly Constraint[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of constraints) {
    if (c.id !== preserve.id) continue;
    // arguments through the entry's typed reader (a bad one is the constraints check's report)
    const read = preserve.readArgs(c.args);
    if ('problem' in read) continue;
    const { vm, rc, amount } = read.args;
    out.set(`${vm}/${rc}`, Math.max(out.get(`${vm}/${rc}`) ?? 0, amount));
  }
  return out;
}
