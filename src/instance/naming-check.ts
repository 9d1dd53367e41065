import { type JsonError, type JsonResult, childPath } from '../json/read.js';
import { type Model, nodeLabel, vmLabel } from '../model/index.js';
import type { NamingService } from '../model/naming.js';
import type { Instance } from './instance.js';

/**
 * A naming view (`ns`) that names a VM or node the mapping does not have is an input error, not
 * an infeasibility: a script that says `@N5` would otherwise build a constraint on a node that
 * does not exist, and the planner could only answer "no plan exists". The instance reader keeps
 * such names (BtrPlace's reader does, and the round trip is lossless); a file read to be planned
 * on is refused here, with the JSON path of the first stray name.
 */
export function checkNamingViews(instance: Instance, raw: unknown): JsonResult<Instance> {
  const error = strayName(instance.model, raw);
  return error ? { ok: false, error } : { ok: true, value: instance };
}

function strayName(model: Model, raw: unknown): JsonError | undefined {
  for (const naming of [model.vmNames, model.nodeNames]) {
    if (!naming) continue;
    const stray = firstStray(model, naming);
    if (stray === undefined) continue;
    const [name, id] = stray;
    const kind = naming.kind === 'vm' ? 'VM' : 'node';
    const label = naming.kind === 'vm' ? vmLabel(id) : nodeLabel(id);
    return { path: childPath(childPath(viewPath(raw, naming.kind), 'map'), name), message: `names ${label}, but the mapping has no such ${kind}: a name must name an element of the model` };
  }
  return undefined;
}

function firstStray(model: Model, naming: NamingService): [string, number] | undefined {
  const has = naming.kind === 'vm' ? (id: number) => model.mapping.hasVM(id) : (id: number) => model.mapping.hasNode(id);
  for (const [name, id] of naming.entries()) if (!has(id)) return [name, id];
  return undefined;
}

/** `$.model.views[3]`: the naming view of this kind in the file (only looked for on an error). */
function viewPath(raw: unknown, kind: string): string {
  const base = '$.model.views';
  const model = isObject(raw) ? raw['model'] : undefined;
  const views = isObject(model) ? model['views'] : undefined;
  if (!Array.isArray(views)) return base;
  const i = views.findIndex((v) => isObject(v) && v['id'] === 'ns' && v['type'] === kind);
  return i < 0 ? base : childPath(base, i);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
