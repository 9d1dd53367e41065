import type { Constraint } from '../../src/catalogue/constraint.js';
import { CORE_STATE, checkPlan } from '../../src/checker/plan-checker.js';
import { Mapping, Model, ShareableResource } from '../../src/model/index.js';
import type { Action } from '../../src/plan/actions.js';
import type { Plan } from '../../src/plan/plan.js';

/** Small models for the exact-model tests: `nodes` capacities, `vms` [host, consumption]. */
export interface TinySpec {
  readonly nodes: readonly { readonly cpu: number; readonly mem?: number; readonly online?: boolean }[];
  readonly vms: readonly { readonly on: number | null; readonly cpu: number; readonly mem?: number; readonly migrate?: number; readonly state?: 'running' | 'sleeping' | 'ready' }[];
}

export function tinyModel(spec: TinySpec): Model {
  const mapping = new Mapping();
  spec.nodes.forEach((n, i) => (n.online === false ? mapping.addOfflineNode(i) : mapping.addOnlineNode(i)));
  const cpu = new ShareableResource('cpu');
  const mem = new ShareableResource('mem');
  spec.nodes.forEach((n, i) => {
    cpu.setCapacity(i, n.cpu);
    mem.setCapacity(i, n.mem ?? 1000);
  });
  const model = new Model({ mapping, resources: [cpu, mem] });
  spec.vms.forEach((v, i) => {
    const state = v.state ?? (v.on === null ? 'ready' : 'running');
    if (state === 'ready') mapping.addReadyVM(i);
    else if (state === 'sleeping') mapping.addSleepingVM(i, v.on ?? 0);
    else mapping.addRunningVM(i, v.on ?? 0);
    cpu.setConsumption(i, v.cpu);
    mem.setConsumption(i, v.mem ?? 1);
    if (v.migrate !== undefined) model.attributes.put('vm', i, 'migrate', v.migrate);
  });
  return model;
}

export const cstr = (id: string, args: Record<string, unknown>, continuous = false): Constraint => ({ id, continuous, args });

/** The core rules of Ferry's plan checker (structure, preconditions, capacity at every instant). */
export function coreViolations(model: Model, plan: Plan): string[] {
  const report = checkPlan({ model, constraints: [], objective: { id: 'minimizeMTTR' } }, plan);
  // the state changes a plan may make come from the state constraints, not passed here
  return report.violations.filter((v) => v.rule !== CORE_STATE).map((v) => v.message);
}

export function find<K extends Action['kind']>(plan: Plan, kind: K, pred: (a: Extract<Action, { kind: K }>) => boolean = () => true): Extract<Action, { kind: K }> | undefined {
  return plan.actions.find((a): a is Extract<Action, { kind: K }> => a.kind === kind && pred(a as Extract<Action, { kind: K }>));
}
