import type { Model, NodeId, NodeState, VmId, VmState } from '../../model/index.js';
import type { Action, PlanEvent } from '../../plan/actions.js';
import { type Plan, sortActions } from '../../plan/plan.js';
import type { Target } from '../target.js';
import type { ExactLayout } from './build.js';

/** A decoded solution of the exact model: where everything ends, and the timed plan getting there. */
export interface ExactSolution {
  readonly target: Target;
  readonly plan: Plan;
  readonly migrations: number;
  readonly memoryMoved: number;
  /** Sum of action end times (BtrPlace's MTTR cost). */
  readonly mttr: number;
  readonly objective?: number;
}

/** Raised when the solver output does not have the shape the model promises (never trust a solver). */
export class DecodeError extends Error {
  override name = 'DecodeError';
}

function ints(output: Readonly<Record<string, unknown>>, name: string, length: number): number[] {
  const raw = output[name];
  if (!Array.isArray(raw) || raw.length !== length) throw new DecodeError(`solver output '${name}' is not an array of ${length}`);
  return raw.map((x, i) => {
    if (typeof x === 'boolean') return x ? 1 : 0;
    if (typeof x !== 'number' || !Number.isInteger(x)) throw new DecodeError(`solver output '${name}[${i}]' is not an integer`);
    return x;
  });
}

function int(output: Readonly<Record<string, unknown>>, name: string): number {
  const x = output[name];
  if (typeof x !== 'number') throw new DecodeError(`solver output '${name}' is not a number`);
  return x;
}

export function decodeExact(model: Model, layout: ExactLayout, output: Readonly<Record<string, unknown>>, objective?: number): ExactSolution {
  const V = layout.vms.length;
  const N = layout.nodes.length;
  const host = ints(output, 'host', V);
  const act = ints(output, 'act', V);
  const st = ints(output, 'st', V);
  const en = ints(output, 'en', V);
  const nodeOn = ints(output, 'nodeOn', N);
  const nSt = ints(output, 'nSt', N);
  const nEn = ints(output, 'nEn', N);
  const alloc = ints(output, 'alloc', V);
  const nodeAt = (i: number): NodeId | null => {
    if (i === 0) return null;
    const n = layout.nodes[i - 1];
    if (n === undefined) throw new DecodeError(`solver output names node index ${i}, out of range`);
    return n;
  };

  const actions: Action[] = [];
  const targetVms = new Map<VmId, { state: VmState; host: NodeId | null }>();
  const targetNodes = new Map<NodeId, NodeState>();
  let migrations = 0;
  let memoryMoved = 0;
  const pendingAllocations: { vm: VmId; node: NodeId; rc: string; amount: number; at: number }[] = [];

  layout.vms.forEach((v, i) => {
    const to = nodeAt(host[i] ?? 0);
    const start = st[i] ?? 0;
    const end = en[i] ?? 0;
    const acting = (act[i] ?? 0) === 1;
    const from = v.initialHost;
    const grown = layout.grownDemand.get(v.id);
    const allocEvents = (): PlanEvent[] => [...(grown ?? [])].map(([rc, amount]) => ({ kind: 'allocateEvent', vm: v.id, rc, amount }));
    if (v.to === 'running' && to === null) throw new DecodeError(`${model.vmName(v.id)} must run at the end but the solver gave it no host`);
    if (v.to !== v.from || (to !== from && v.to !== 'ready' && v.to !== 'killed')) targetVms.set(v.id, { state: v.to, host: v.to === 'running' || v.to === 'sleeping' ? to : null });
    switch (v.kind) {
      case 'stayOrMigrate':
        if (acting && to !== null && from !== null && to !== from) {
          migrations++;
          const mem = memoryOf(model, v.id);
          memoryMoved += mem;
          const events = allocEvents();
          actions.push({ kind: 'migrateVM', vm: v.id, from, to, start, end, ...(events.length > 0 ? { hooks: { pre: [], post: events } } : {}) });
        } else if (grown && to !== null) {
          for (const [rc, amount] of grown) pendingAllocations.push({ vm: v.id, node: to, rc, amount, at: alloc[i] ?? 0 });
        }
        break;
      case 'boot':
      case 'resume': {
        if (to === null) break;
        const events = allocEvents();
        const hooks = events.length > 0 ? { hooks: { pre: events, post: [] } } : {};
        if (v.kind === 'boot') actions.push({ kind: 'bootVM', vm: v.id, node: to, start, end, ...hooks });
        else actions.push({ kind: 'resumeVM', vm: v.id, from: from ?? to, to, start, end, ...hooks });
        break;
      }
      case 'shutdown':
        if (from !== null) actions.push({ kind: 'shutdownVM', vm: v.id, node: from, start, end });
        break;
      case 'suspend':
        if (from !== null) actions.push({ kind: 'suspendVM', vm: v.id, from, to: from, start, end });
        break;
      case 'kill':
        actions.push({ kind: 'killVM', vm: v.id, node: from, start, end });
        break;
      case 'forge':
        actions.push({ kind: 'forgeVM', vm: v.id, start, end });
        break;
      case 'none':
        break;
    }
  });

  layout.nodes.forEach((n, i) => {
    const wasOn = model.mapping.isOnline(n);
    const isOn = (nodeOn[i] ?? 0) === 1;
    if (wasOn === isOn) return;
    targetNodes.set(n, isOn ? 'online' : 'offline');
    actions.push({ kind: isOn ? 'bootNode' : 'shutdownNode', node: n, start: nSt[i] ?? 0, end: nEn[i] ?? 0 });
  });

  // a staying VM whose demand grows gets it once there is room (BtrPlace waits for the plan's end; the model picks the instant)
  for (const a of pendingAllocations) actions.push({ kind: 'allocate', vm: a.vm, node: a.node, rc: a.rc, amount: a.amount, start: a.at, end: a.at });

  const consumption = new Map<VmId, ReadonlyMap<string, number>>();
  for (const [vm, m] of layout.grownDemand) consumption.set(vm, m);

  const mttr = actions.reduce((s, a) => s + a.end, 0);
  const solution: ExactSolution = {
    target: { vms: targetVms, nodes: targetNodes, consumption },
    plan: { origin: model, actions: sortActions(actions) },
    migrations,
    memoryMoved,
    mttr,
  };
  const reported = typeof output['migrations'] === 'number' ? int(output, 'migrations') : migrations;
  if (reported !== migrations) throw new DecodeError(`the solver counts ${reported} migrations, the decoded plan has ${migrations}`);
  return objective === undefined ? solution : { ...solution, objective };
}

function memoryOf(model: Model, vm: VmId): number {
  for (const [rc, view] of model.resources) if (/^(mem|memory|ram)$/i.test(rc)) return view.consumption(vm);
  return model.attributes.getNumber('vm', vm, 'memUsed') ?? 0;
}
