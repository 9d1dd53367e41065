import type { Constraint } from '../../src/catalogue/constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../../src/catalogue/definition.js';
import { definitionOf } from '../../src/catalogue/registry.js';
import { Mapping, Model, NamingService, ShareableResource } from '../../src/model/index.js';
import type { Action, Hooks, PlanEvent } from '../../src/plan/actions.js';

/**
 * Builds a model the way BtrPlace's tests do (`map.on(n0, n1).off(n2).run(n0, vm0)...`); nodes
 * are named N<id> and VMs VM<id> so problems read like an operator's.
 */
export class ModelBuilder {
  readonly mapping = new Mapping();
  readonly model: Model;

  constructor() {
    const vmNames = new NamingService('vm');
    const nodeNames = new NamingService('node');
    for (let i = 0; i < 20; i++) {
      vmNames.register(`VM${i}`, i);
      nodeNames.register(`N${i}`, i);
    }
    this.model = new Model({ mapping: this.mapping, vmNames, nodeNames });
  }

  on(...nodes: number[]): this {
    for (const n of nodes) this.mapping.addOnlineNode(n);
    return this;
  }
  off(...nodes: number[]): this {
    for (const n of nodes) this.mapping.addOfflineNode(n);
    return this;
  }
  run(node: number, ...vms: number[]): this {
    for (const v of vms) this.mapping.addRunningVM(v, node);
    return this;
  }
  sleep(node: number, ...vms: number[]): this {
    for (const v of vms) this.mapping.addSleepingVM(v, node);
    return this;
  }
  ready(...vms: number[]): this {
    for (const v of vms) this.mapping.addReadyVM(v);
    return this;
  }
  resource(r: ShareableResource): this {
    this.model.addResource(r);
    return this;
  }
  attr(vm: number, key: string, value: boolean | number | string): this {
    this.model.attributes.put('vm', vm, key, value);
    return this;
  }
}

export const build = (): ModelBuilder => new ModelBuilder();

export function rc(id: string, defCapacity: number, defConsumption: number, set?: { nodes?: Record<number, number>; vms?: Record<number, number> }): ShareableResource {
  const r = new ShareableResource(id, defCapacity, defConsumption);
  for (const [n, v] of Object.entries(set?.nodes ?? {})) r.setCapacity(Number(n), v);
  for (const [vm, v] of Object.entries(set?.vms ?? {})) r.setConsumption(Number(vm), v);
  return r;
}

// ---- actions --------------------------------------------------------------------------------

const withHooks = <A extends Action>(a: A, hooks?: Partial<Hooks>): A =>
  hooks ? ({ ...a, hooks: { pre: hooks.pre ?? [], post: hooks.post ?? [] } } as A) : a;

export const migrate = (vm: number, from: number, to: number, start: number, end: number, hooks?: Partial<Hooks>): Action =>
  withHooks({ kind: 'migrateVM', vm, from, to, start, end }, hooks);
export const bootVM = (vm: number, node: number, start: number, end: number, hooks?: Partial<Hooks>): Action =>
  withHooks({ kind: 'bootVM', vm, node, start, end }, hooks);
export const shutdownVM = (vm: number, node: number, start: number, end: number): Action => ({ kind: 'shutdownVM', vm, node, start, end });
export const suspend = (vm: number, from: number, to: number, start: number, end: number): Action => ({ kind: 'suspendVM', vm, from, to, start, end });
export const resume = (vm: number, from: number, to: number, start: number, end: number): Action => ({ kind: 'resumeVM', vm, from, to, start, end });
export const kill = (vm: number, node: number | null, start: number, end: number): Action => ({ kind: 'killVM', vm, node, start, end });
export const forge = (vm: number, start: number, end: number): Action => ({ kind: 'forgeVM', vm, start, end });
export const bootNode = (node: number, start: number, end: number): Action => ({ kind: 'bootNode', node, start, end });
export const shutdownNode = (node: number, start: number, end: number): Action => ({ kind: 'shutdownNode', node, start, end });
export const allocate = (vm: number, node: number, rcId: string, amount: number, start: number, end: number): Action => ({
  kind: 'allocate',
  vm,
  node,
  rc: rcId,
  amount,
  start,
  end,
});
export const allocateEvent = (vm: number, rcId: string, amount: number): PlanEvent => ({ kind: 'allocateEvent', vm, rc: rcId, amount });

// ---- driving a check ------------------------------------------------------------------------

/** Applies an action's effect on the model (a test stand-in for the replay: no precondition checks). */
function apply(model: Model, a: Action): void {
  const m = model.mapping;
  switch (a.kind) {
    case 'migrateVM':
    case 'resumeVM':
      m.addRunningVM(a.vm, a.to);
      break;
    case 'bootVM':
      m.addRunningVM(a.vm, a.node);
      break;
    case 'shutdownVM':
      m.addReadyVM(a.vm);
      break;
    case 'suspendVM':
      m.addSleepingVM(a.vm, a.to);
      break;
    case 'killVM':
      m.remove(a.vm);
      model.killedVMs.add(a.vm);
      break;
    case 'forgeVM':
      m.addReadyVM(a.vm);
      break;
    case 'bootNode':
      m.addOnlineNode(a.node);
      break;
    case 'shutdownNode':
      m.addOfflineNode(a.node);
      break;
    case 'allocate':
      model.resource(a.rc)?.setConsumption(a.vm, a.amount);
      break;
  }
}

function applyEvents(model: Model, events: readonly PlanEvent[] | undefined): void {
  for (const e of events ?? []) if (e.kind === 'allocateEvent') model.resource(e.rc)?.setConsumption(e.vm, e.amount);
}

export interface RunOutcome {
  readonly problems: CheckProblem[];
  readonly result: Model;
}

/**
 * Drives one check over a plan in the documented order (ConstraintCheck): `startsWith(origin)`,
 * then per instant the `end` hooks of the actions ending (before their effect), instantaneous
 * actions, then the `start` hooks of the actions starting (before their PRE events), and
 * `endsWith(result)`. Every hook is called whatever the mode, as BtrPlace does. Collects every
 * problem (BtrPlace stops at the first; a passing plan has none either way).
 */
export function runCheck(c: Constraint, origin: Model, actions: readonly Action[], def: ConstraintDefinition = defOf(c.id)): RunOutcome {
  const model = origin.clone();
  const check = def.check(c);
  const problems: CheckProblem[] = [];
  const note = (p: CheckProblem | null | undefined): void => {
    if (p) problems.push(p);
  };
  note(check.startsWith?.(model));
  const times = [...new Set(actions.flatMap((a) => [a.start, a.end]))].sort((x, y) => x - y);
  for (const t of times) {
    for (const a of actions) {
      if (a.end === t && a.end > a.start) {
        note(check.end?.(a, model));
        apply(model, a);
        applyEvents(model, a.hooks?.post);
      }
    }
    for (const a of actions) {
      if (a.start === t && a.end === a.start) {
        note(check.start?.(a, model));
        applyEvents(model, a.hooks?.pre);
        note(check.end?.(a, model));
        apply(model, a);
        applyEvents(model, a.hooks?.post);
      }
    }
    for (const a of actions) {
      if (a.start === t && a.end > a.start) {
        note(check.start?.(a, model));
        applyEvents(model, a.hooks?.pre);
      }
    }
  }
  note(check.endsWith(model));
  return { problems, result: model };
}

/** BtrPlace's `isSatisfied(plan)`. */
export function satisfied(c: Constraint, origin: Model, actions: readonly Action[] = []): boolean {
  return runCheck(c, origin, actions).problems.length === 0;
}

/** BtrPlace's `isSatisfied(model)`: the final-state check alone. */
export function satisfiedBy(c: Constraint, model: Model): boolean {
  return defOf(c.id).check(c).endsWith(model) === null;
}

/** The first problem's message, for wording assertions. */
export function firstProblem(c: Constraint, origin: Model, actions: readonly Action[] = []): string | undefined {
  return runCheck(c, origin, actions).problems[0]?.message;
}

export function defOf(id: string): ConstraintDefinition {
  const d = definitionOf(id);
  if (!d) throw new Error(`no catalogue entry '${id}'`);
  return d;
}

/** A constraint instance, with the entry's default mode unless told. */
export function cstr<A extends object>(id: string, args: A, continuous?: boolean): Constraint {
  return { id, continuous: continuous ?? defOf(id).modes.defaultContinuous, args: args as Record<string, unknown> };
}
