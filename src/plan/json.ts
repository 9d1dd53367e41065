import { modelToJson, readModelJson } from '../instance/json.js';
import {
  type JsonResult,
  JsonReadError,
  childPath,
  field,
  optionalField,
  parseJsonText,
  readArray,
  readInt,
  readJson,
  readNonNegativeInt,
  readObject,
  readString,
} from '../json/read.js';
import type { Model, NodeId } from '../model/index.js';
import type { Action, Hooks, PlanEvent } from './actions.js';
import { UNBOUNDED_BANDWIDTH } from './format.js';
import type { Plan } from './plan.js';

/**
 * BtrPlace's plan JSON (`json/.../plan/ReconfigurationPlanConverter`):
 * `{"origin": <model>, "actions": [{"id","start","end", ...fields, "hooks":{"pre":[],"post":[]}}]}`.
 * Action ids and fields: migrateVM {vm, from, to, bw}, bootVM {vm, on}, shutdownVM {vm, on},
 * suspendVM {vm, from, to}, resumeVM {vm, from, to}, killVM {vm, on}, bootNode {node},
 * shutdownNode {node}, allocate {vm, rc, amount, on}; hooked events allocate {vm, rc, amount} and
 * substitutedVM {vm, newVm}. Ferry also writes and reads `forgeVM {vm}`, for which BtrPlace has no
 * converter. Nodes must be declared by the origin model (BtrPlace's `requiredNode`); VMs need not
 * (forged and substituted VMs are new), the replay tells what is wrong with an unknown one.
 */

export const ACTION_JSON_IDS = ['migrateVM', 'bootVM', 'shutdownVM', 'suspendVM', 'resumeVM', 'killVM', 'forgeVM', 'bootNode', 'shutdownNode', 'allocate'] as const;

/** Reads a plan; errors are located by JSON path. */
export function planFromJson(raw: unknown): JsonResult<Plan> {
  return readJson(() => readPlanJson(raw, '$'));
}

/** Parses plan JSON text: a syntax error gives line and column, a structure error a JSON path. */
export function parsePlanText(text: string): JsonResult<Plan> {
  const parsed = parseJsonText(text);
  return parsed.ok ? planFromJson(parsed.value) : parsed;
}

/** Reads the actions of a plan against an already known origin (e.g. a plan file without one). */
export function actionsFromJson(raw: unknown, origin: Model, path = '$'): JsonResult<Action[]> {
  return readJson(() => readActionsJson(raw, origin, path));
}

/** Reads a plan or throws a JsonReadError. */
export function readPlanJson(raw: unknown, path: string): Plan {
  const obj = readObject(raw, path);
  const origin = readModelJson(field(obj, 'origin', path), childPath(path, 'origin'));
  const actions = readActionsJson(field(obj, 'actions', path), origin, childPath(path, 'actions'));
  return { origin, actions };
}

/** Reads an `actions` array or throws a JsonReadError. */
export function readActionsJson(raw: unknown, origin: Model, path: string): Action[] {
  const nodes = origin.knownNodes();
  return readArray(raw, path).map((item, i) => readAction(item, childPath(path, i), nodes));
}

function readAction(raw: unknown, path: string, nodes: ReadonlySet<NodeId>): Action {
  const obj = readObject(raw, path);
  const id = readString(field(obj, 'id', path), childPath(path, 'id'));
  const start = readNonNegativeInt(field(obj, 'start', path), childPath(path, 'start'));
  const end = readNonNegativeInt(field(obj, 'end', path), childPath(path, 'end'));
  if (end < start) throw new JsonReadError(childPath(path, 'end'), `the action ends (${end}) before it starts (${start})`);
  const vm = (key = 'vm'): number => readNonNegativeInt(field(obj, key, path), childPath(path, key));
  const node = (key: string): NodeId => readNode(field(obj, key, path), childPath(path, key), nodes);
  const hooks = readHooks(obj, path);
  const timed = hooks ? { start, end, hooks } : { start, end };
  switch (id) {
    case 'migrateVM': {
      const bw = optionalField(obj, 'bw', path, readInt, UNBOUNDED_BANDWIDTH);
      const base = { kind: 'migrateVM', vm: vm(), from: node('from'), to: node('to'), ...timed } as const;
      return bw === UNBOUNDED_BANDWIDTH ? base : { ...base, bw };
    }
    case 'bootVM':
      return { kind: 'bootVM', vm: vm(), node: node('on'), ...timed };
    case 'shutdownVM':
      return { kind: 'shutdownVM', vm: vm(), node: node('on'), ...timed };
    case 'suspendVM':
      return { kind: 'suspendVM', vm: vm(), from: node('from'), to: node('to'), ...timed };
    case 'resumeVM':
      return { kind: 'resumeVM', vm: vm(), from: node('from'), to: node('to'), ...timed };
    case 'killVM': {
      // BtrPlace always writes `on`; Ferry omits it for a VM without a host.
      const on = Object.prototype.hasOwnProperty.call(obj, 'on') && obj['on'] !== null ? node('on') : null;
      return { kind: 'killVM', vm: vm(), node: on, ...timed };
    }
    case 'forgeVM':
      return { kind: 'forgeVM', vm: vm(), ...timed };
    case 'bootNode':
      return { kind: 'bootNode', node: node('node'), ...timed };
    case 'shutdownNode':
      return { kind: 'shutdownNode', node: node('node'), ...timed };
    case 'allocate':
      return {
        kind: 'allocate',
        vm: vm(),
        rc: readString(field(obj, 'rc', path), childPath(path, 'rc')),
        amount: readNonNegativeInt(field(obj, 'amount', path), childPath(path, 'amount')),
        node: node('on'),
        ...timed,
      };
    default:
      throw new JsonReadError(childPath(path, 'id'), `unknown action ${JSON.stringify(id)} (expected one of ${ACTION_JSON_IDS.join(', ')})`);
  }
}

function readNode(raw: unknown, path: string, nodes: ReadonlySet<NodeId>): NodeId {
  const n = readNonNegativeInt(raw, path);
  if (!nodes.has(n)) throw new JsonReadError(path, `undeclared node ${n}: the origin model does not know it`);
  return n;
}

/** `hooks` is optional; BtrPlace reads the hook names case-insensitively. Empty hooks → undefined. */
function readHooks(obj: Record<string, unknown>, path: string): Hooks | undefined {
  if (!Object.prototype.hasOwnProperty.call(obj, 'hooks')) return undefined;
  const hooksPath = childPath(path, 'hooks');
  const hooks = readObject(obj['hooks'], hooksPath);
  const pre: PlanEvent[] = [];
  const post: PlanEvent[] = [];
  for (const [key, value] of Object.entries(hooks)) {
    const target = key.toLowerCase() === 'pre' ? pre : key.toLowerCase() === 'post' ? post : undefined;
    if (!target) throw new JsonReadError(childPath(hooksPath, key), `unsupported hook ${JSON.stringify(key)} (expected pre or post)`);
    const listPath = childPath(hooksPath, key);
    readArray(value, listPath).forEach((e, i) => target.push(readEvent(e, childPath(listPath, i))));
  }
  return pre.length > 0 || post.length > 0 ? { pre, post } : undefined;
}

function readEvent(raw: unknown, path: string): PlanEvent {
  const obj = readObject(raw, path);
  const id = readString(field(obj, 'id', path), childPath(path, 'id'));
  const vm = readNonNegativeInt(field(obj, 'vm', path), childPath(path, 'vm'));
  if (id === 'allocate') {
    return {
      kind: 'allocateEvent',
      vm,
      rc: readString(field(obj, 'rc', path), childPath(path, 'rc')),
      amount: readNonNegativeInt(field(obj, 'amount', path), childPath(path, 'amount')),
    };
  }
  if (id === 'substitutedVM') {
    return { kind: 'substitutedVM', vm, newVm: readNonNegativeInt(field(obj, 'newVm', path), childPath(path, 'newVm')) };
  }
  throw new JsonReadError(childPath(path, 'id'), `unknown event ${JSON.stringify(id)} (expected allocate or substitutedVM)`);
}

// ---- writing ------------------------------------------------------------------------------------

/** BtrPlace's plan JSON (plus `forgeVM`). */
export function planToJson(plan: Plan): Record<string, unknown> {
  return { origin: modelToJson(plan.origin), actions: plan.actions.map(actionToJson) };
}

export function actionToJson(a: Action): Record<string, unknown> {
  const head = { id: a.kind, start: a.start, end: a.end };
  let fields: Record<string, unknown>;
  switch (a.kind) {
    case 'migrateVM':
      fields = { vm: a.vm, from: a.from, to: a.to, bw: a.bw ?? UNBOUNDED_BANDWIDTH };
      break;
    case 'bootVM':
    case 'shutdownVM':
      fields = { vm: a.vm, on: a.node };
      break;
    case 'suspendVM':
    case 'resumeVM':
      fields = { vm: a.vm, from: a.from, to: a.to };
      break;
    case 'killVM':
      fields = a.node === null ? { vm: a.vm } : { vm: a.vm, on: a.node };
      break;
    case 'forgeVM':
      fields = { vm: a.vm };
      break;
    case 'bootNode':
    case 'shutdownNode':
      fields = { node: a.node };
      break;
    case 'allocate':
      fields = { vm: a.vm, rc: a.rc, amount: a.amount, on: a.node };
      break;
  }
  return { ...head, ...fields, hooks: { pre: (a.hooks?.pre ?? []).map(eventToJson), post: (a.hooks?.post ?? []).map(eventToJson) } };
}

function eventToJson(e: PlanEvent): Record<string, unknown> {
  return e.kind === 'allocateEvent' ? { id: 'allocate', vm: e.vm, rc: e.rc, amount: e.amount } : { id: 'substitutedVM', vm: e.vm, newVm: e.newVm };
}
