/**
 * BtrPlace's JSON format for models and instances (scheduler-json: InstanceConverter,
 * ModelConverter, AttributesConverter, ShareableResourceConverter, NamingServiceConverter):
 *
 *   instance = {"model": model, "constraints": [...], "objective": {"id": ...}}
 *   model    = {"mapping": {"offlineNodes": [ids], "readyVMs": [ids],
 *                           "onlineNodes": {"<node>": {"runningVMs": [ids], "sleepingVMs": [ids]}}},
 *               "attributes": {"nodes": {"<id>": {key: value}}, "vms": {...}},
 *               "views": [shareableResource | ns | any other view, kept verbatim]}
 *
 * Reading never throws and never returns half a model: the first problem comes back with its JSON
 * path. Differences from BtrPlace, all on the side of accepting what Ferry can represent:
 * - views with an unknown id (such as `net`) are kept verbatim in `Model.opaqueViews` instead of
 *   failing ("No converter available"), so round trips are lossless;
 * - attributes, resource views and naming views may mention elements absent from the mapping
 *   (INIT VMs to forge, say); BtrPlace's JSON reader calls them undeclared. Constraints must still
 *   only mention elements the model knows;
 * - a second view for the same resource or a second naming view for one element kind is an error
 *   (BtrPlace's `attach` silently drops it), and so is one element given two names.
 * BtrPlace quirks kept: `attributes.vms`/`nodes` and a resource view's `vms`/`nodes` may be null;
 * capacities, consumptions and naming ids may be integer strings ("12"), as BtrPlace parses them
 * with `Integer.parseInt(value.toString())`. JSON numbers do not tell 5.0 from 5: an integral
 * double attribute comes back as an integer, which BtrPlace's double getter accepts.
 *
 * The readers are plain loops over the parsed value (no per-element closures or schemas): a
 * 5,000-node / 30,000-VM file is read in tens of milliseconds after `JSON.parse`.
 */
import type { Constraint, ParamKind } from '../catalogue/constraint.js';
import type { ConstraintDefinition } from '../catalogue/definition.js';
import { RESOURCE_PARAM_NAMES, withSharedNodeParts } from '../catalogue/common/fields.js';
import { constraintFromJson, constraintToJson, definitionOf } from '../catalogue/registry.js';
import { JsonReadError, type JsonResult, childPath, field, parseJsonText, readArray, readJson, readObject } from '../json/read.js';
import { type AttributeValue, Attributes, type ElementKind } from '../model/attributes.js';
import { type NodeId, type VmId, nodeLabel, vmLabel } from '../model/elements.js';
import { Mapping } from '../model/mapping.js';
import { Model, type OpaqueJson } from '../model/model.js';
import { NamingService } from '../model/naming.js';
import { ShareableResource } from '../model/resource.js';
import { DURATION_ATTRIBUTE, MAX_DURATION } from '../plan/durations.js';
import { NET_VIEW_ID, readNetwork } from '../plan/network.js';
import { type Instance, OBJECTIVE_IDS, type ObjectiveId } from './instance.js';

/** Element ids are Java ints in BtrPlace: 0 .. 2^31-1 here (negative ids are never produced). */
const MAX_ID = 2147483647;
/** Resource amounts are Java ints too. */
const MAX_AMOUNT = 2147483647;
/** Opaque views deeper than this are refused (they would only be an attack on the stack). */
const MAX_OPAQUE_DEPTH = 256;

export const RESOURCE_VIEW_ID = 'shareableResource';
export const NAMING_VIEW_ID = 'ns';

// ---- public API -------------------------------------------------------------------------------

/** Reads a BtrPlace model (`{"mapping","attributes","views"}`); errors are located from `path`. */
export function modelFromJson(raw: unknown, path = '$'): JsonResult<Model> {
  return readJson(() => readModelJson(raw, path));
}

/** Reads a BtrPlace instance (`{"model","constraints","objective"}`). */
export function instanceFromJson(raw: unknown): JsonResult<Instance> {
  return readJson(() => readInstanceJson(raw, '$'));
}

/** Parses instance JSON text: a syntax error gives line and column, a structure error a JSON path. */
export function parseInstanceText(text: string): JsonResult<Instance> {
  const parsed = parseInstanceJsonText(text);
  return parsed.ok ? instanceFromJson(parsed.value) : parsed;
}

/**
 * `parseJsonText` for instance text, with repeated large arrays parsed once: a member value that
 * is an array of numbers (nested arrays allowed: groups of ids) at least SHARED_MIN_LENGTH
 * characters long and that recurs verbatim (any key, anywhere in the document: the partitions
 * that `among`/`splitAmong` repeat, a node set every constraint names) is parsed once, and every
 * copy is the very same parsed array (readers may recognise it by identity). Each copy becomes a
 * placeholder string in the shortened text, put back after parsing. The result is exactly
 * `JSON.parse`'s: anything unexpected (a copy inside a string, which makes the shortened text
 * invalid, a count that does not match, a text already holding the placeholder's escape) falls
 * back to parsing the original text, so results and error positions are unchanged.
 */
export function parseInstanceJsonText(text: string): JsonResult<unknown> {
  const shared = internRepeatedArrays(text);
  if (shared) {
    const parsed = parseJsonText(shared.text);
    if (parsed.ok && restorePlaceholders(parsed.value, shared.values, shared.count) === shared.count) return parsed;
  }
  return parseJsonText(text);
}

/** Shorter arrays are not worth a placeholder. */
const SHARED_MIN_LENGTH = 1024;
/**
 * The escape that starts every placeholder string (`"\u0001<index>"`). A valid JSON text spells
 * U+0001 only this way (raw control characters are invalid in strings), so a text without it
 * holds no string the restore could take for a placeholder.
 */
const PLACEHOLDER_ESCAPE = '\\u0001';
const PLACEHOLDER_MARK = '\u0001';
/** Known arrays are looked up by their first characters, then compared whole. */
const PREFIX_LENGTH = 48;
const MAX_PER_PREFIX = 8;

/**
 * The byte-level form of the same mechanism, for a reader that works on the file's bytes before
 * decoding them (main/node/instance-file.ts: the 48 MB text of a TDSC file is then never built):
 * the first member value starting with `[[` made of numbers, commas and brackets, at least
 * `minLength` characters, and its later verbatim copies after a `key` (`":`, the end of any
 * member name) each become `key` then `placeholder`; the shortened text and the value go to
 * parseSharedPartsText, which restores every placeholder whatever its member.
 */
export const SHARED_PARTS = { key: '":', placeholder: `"${PLACEHOLDER_ESCAPE}0"`, minLength: SHARED_MIN_LENGTH } as const;

/**
 * Parses the instance text shortened as SHARED_PARTS says (`count` copies of `value` replaced),
 * then gives each placeholder its value back; undefined when that does not work out (a syntax
 * error, a count that does not match, another U+0001 escape in the text): the caller then parses
 * the whole text with parseInstanceJsonText, so results and error positions are those of the
 * original text.
 */
export function parseSharedPartsText(text: string, value: string, count: number): { readonly ok: true; readonly value: unknown } | undefined {
  if (count < 2 || occurrences(text, PLACEHOLDER_ESCAPE) !== count) return undefined;
  let parsedValue: unknown;
  try {
    parsedValue = JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
  const parsed = parseJsonText(text);
  return parsed.ok && restorePlaceholders(parsed.value, [parsedValue], count) === count ? { ok: true, value: parsed.value } : undefined;
}

function occurrences(text: string, what: string): number {
  let n = 0;
  for (let at = text.indexOf(what); at !== -1; at = text.indexOf(what, at + what.length)) n++;
  return n;
}

/** The text with every repeated large numeric array replaced by its placeholder, the arrays parsed, and how many copies; undefined when nothing repeats. */
function internRepeatedArrays(text: string): { text: string; values: unknown[]; count: number } | undefined {
  if (text.length < 2 * SHARED_MIN_LENGTH || text.includes(PLACEHOLDER_ESCAPE)) return undefined;
  const found = repeatedArrayCopies(text);
  const repeated = found.literals.map((_, k) => (found.uses[k] ?? 0) >= 2);
  const pieces: string[] = [];
  let from = 0;
  let count = 0;
  for (const copy of found.copies) {
    if (!repeated[copy.literal]) continue;
    pieces.push(text.slice(from, copy.start), `"${PLACEHOLDER_ESCAPE}${copy.literal}"`);
    from = copy.start + (found.literals[copy.literal] as string).length;
    count++;
  }
  if (count === 0) return undefined;
  pieces.push(text.slice(from));
  const values: unknown[] = [];
  try {
    for (let k = 0; k < found.literals.length; k++) values.push(repeated[k] ? (JSON.parse(found.literals[k] as string) as unknown) : undefined);
  } catch {
    return undefined;
  }
  return { text: pieces.join(''), values, count };
}

/**
 * Every member value (after `":`) that is a numeric array of at least SHARED_MIN_LENGTH
 * characters: the distinct literals, how often each occurs, and where. A copy of a known literal
 * is recognised by a native comparison, so the repeated text is scanned character by character once.
 */
function repeatedArrayCopies(text: string): { literals: string[]; uses: number[]; copies: { start: number; literal: number }[] } {
  const literals: string[] = [];
  const uses: number[] = [];
  const copies: { start: number; literal: number }[] = [];
  const byPrefix = new Map<string, number[]>();
  let at = text.indexOf('":[');
  while (at !== -1) {
    const start = at + 2;
    const prefix = text.slice(start, start + PREFIX_LENGTH);
    const candidates = byPrefix.get(prefix);
    // a slice compared with `===` is a flat memory compare (startsWith at a position is many times slower)
    let literal = candidates?.find((k) => text.slice(start, start + (literals[k] as string).length) === literals[k]) ?? -1;
    let end: number;
    if (literal >= 0) end = start + (literals[literal] as string).length;
    else {
      end = numericArrayEnd(text, start);
      if (end - start >= SHARED_MIN_LENGTH) {
        literal = literals.length;
        literals.push(text.slice(start, end));
        uses.push(0);
        if (!candidates) byPrefix.set(prefix, [literal]);
        else if (candidates.length < MAX_PER_PREFIX) candidates.push(literal);
      }
    }
    if (literal >= 0) {
      uses[literal] = (uses[literal] ?? 0) + 1;
      copies.push({ start, literal });
    }
    at = text.indexOf('":[', Math.max(end, start));
  }
  return { literals, uses, copies };
}

/** The index just past the array starting at `start` when it holds only numbers and arrays of them, else -1. */
function numericArrayEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b) depth++;
    else if (c === 0x5d) {
      if (--depth === 0) return i + 1;
    } else if (!isNumericArrayChar(c)) return -1;
  }
  return -1;
}

/** Digits, `,`, `-`, `+`, `.`, `e`, `E` and JSON whitespace. */
function isNumericArrayChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2c || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Replaces the `count` placeholder strings held by object members with their values
 * (`values[index]`, the same object for every copy); how many it replaced (-1: a malformed one). Iterative: a deep document cannot
 * overflow the stack.
 */
function restorePlaceholders(root: unknown, values: readonly unknown[], count: number): number {
  let restored = 0;
  const stack: unknown[] = [root];
  // the text holds exactly `count` placeholder escapes: once they are all back, nothing is left to
  // find (the depth-first walk meets the constraints, at the end of an instance, before the model)
  while (stack.length > 0 && restored < count) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) {
      for (const item of node as unknown[]) if (typeof item === 'object' && item !== null) stack.push(item);
      continue;
    }
    const record = node as Record<string, unknown>;
    for (const key in record) {
      const v = record[key];
      if (typeof v === 'string') {
        if (v[0] !== PLACEHOLDER_MARK) continue;
        // JSON.parse made `__proto__` an own member; an assignment would set the prototype instead
        if (key === '__proto__') return -1;
        const index = Number(v.slice(1));
        if (!Number.isInteger(index) || index < 0 || index >= values.length || values[index] === undefined) return -1;
        record[key] = values[index];
        restored++;
      } else if (typeof v === 'object' && v !== null) stack.push(v);
    }
  }
  return restored;
}

/** Parses model JSON text (see parseInstanceText). */
export function parseModelText(text: string): JsonResult<Model> {
  const parsed = parseJsonText(text);
  return parsed.ok ? modelFromJson(parsed.value) : parsed;
}

/** BtrPlace's model JSON. Killed VMs are not written: a BtrPlace mapping has no trace of them. */
export function modelToJson(model: Model): Record<string, unknown> {
  const mapping = model.mapping;
  const offlineNodes: NodeId[] = [];
  const online: NodeId[] = [];
  for (const node of mapping.nodes()) (mapping.isOnline(node) ? online : offlineNodes).push(node);
  const onlineNodes: Record<string, unknown> = {};
  for (const node of inKeyOrder(online)) onlineNodes[node] = { runningVMs: [...mapping.runningVMs(node)], sleepingVMs: [...mapping.sleepingVMs(node)] };
  const views: unknown[] = [];
  for (const rc of model.resources.values()) views.push(resourceToJson(rc));
  if (model.vmNames && model.vmNames.size() > 0) views.push(namingToJson(model.vmNames));
  if (model.nodeNames && model.nodeNames.size() > 0) views.push(namingToJson(model.nodeNames));
  for (const view of model.opaqueViews) views.push(copyJson(view));
  return {
    mapping: { offlineNodes, readyVMs: mapping.readyVMs(), onlineNodes },
    attributes: { nodes: attributesToJson(model.attributes, 'node'), vms: attributesToJson(model.attributes, 'vm') },
    views,
  };
}

/** BtrPlace's instance JSON; constraints through their catalogue entries. */
export function instanceToJson(instance: Instance): Record<string, unknown> {
  return {
    model: modelToJson(instance.model),
    constraints: instance.constraints.map((c) => constraintToJson(c)),
    objective: { id: instance.objective.id },
  };
}

// ---- readers that throw JsonReadError (wrapped by the entry points above) --------------------

/** Reads a model or throws a JsonReadError; for readers embedding a model (a plan's `origin`). */
export function readModelJson(raw: unknown, path: string): Model {
  const obj = readObject(raw, path);
  const mapping = readMapping(field(obj, 'mapping', path), childPath(path, 'mapping'));
  const attributes = readAttributes(field(obj, 'attributes', path), childPath(path, 'attributes'));
  const model = new Model({ mapping, attributes });
  readViews(field(obj, 'views', path), childPath(path, 'views'), model);
  return model;
}

/** Reads an instance or throws a JsonReadError. */
export function readInstanceJson(raw: unknown, path: string): Instance {
  return withSharedNodeParts(() => readInstanceJsonShared(raw, path));
}

function readInstanceJsonShared(raw: unknown, path: string): Instance {
  const obj = readObject(raw, path);
  const model = readModelJson(field(obj, 'model', path), childPath(path, 'model'));
  const listPath = childPath(path, 'constraints');
  const list = readArray(field(obj, 'constraints', path), listPath);
  const constraints: Constraint[] = [];
  const known: KnownElements = { vms: undefined, nodes: undefined, checked: new WeakSet() };
  for (let i = 0; i < list.length; i++) constraints.push(readConstraint(list[i], childPath(listPath, i), model, known));
  const objective = readObjective(field(obj, 'objective', path), childPath(path, 'objective'));
  return { model, constraints, objective };
}

// ---- mapping ----------------------------------------------------------------------------------

function readMapping(raw: unknown, path: string): Mapping {
  const obj = readObject(raw, path);
  const mapping = new Mapping();

  const offlinePath = childPath(path, 'offlineNodes');
  const offline = readArray(field(obj, 'offlineNodes', path), offlinePath);
  for (let i = 0; i < offline.length; i++) {
    const node = idAt(offline, i, offlinePath, 'node');
    if (mapping.hasNode(node)) throw new JsonReadError(childPath(offlinePath, i), `${nodeLabel(node)} is listed twice in offlineNodes`);
    mapping.addOfflineNode(node);
  }

  const readyPath = childPath(path, 'readyVMs');
  const ready = readArray(field(obj, 'readyVMs', path), readyPath);
  for (let i = 0; i < ready.length; i++) {
    const vm = idAt(ready, i, readyPath, 'vm');
    if (mapping.hasVM(vm)) throw new JsonReadError(childPath(readyPath, i), alreadyMapped(mapping, vm));
    mapping.addReadyVM(vm);
  }

  const onlinePath = childPath(path, 'onlineNodes');
  const online = readObject(field(obj, 'onlineNodes', path), onlinePath);
  for (const key of Object.keys(online)) {
    const node = idKey(key, onlinePath, 'node');
    // paths are written only for an error (5,000 nodes, three paths each)
    const nodePath = (): string => childPath(onlinePath, key);
    const raw = online[key];
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) readObject(raw, nodePath()); // throws, located
    const entry = raw as Record<string, unknown>;
    if (mapping.isOffline(node)) {
      throw new JsonReadError(nodePath(), `${nodeLabel(node)} is also listed in offlineNodes: a node is online or offline, and an offline node hosts no VM`);
    }
    mapping.addOnlineNode(node);
    placeVMs(mapping, node, entry, nodePath, 'runningVMs');
    placeVMs(mapping, node, entry, nodePath, 'sleepingVMs');
  }
  return mapping;
}

function placeVMs(mapping: Mapping, node: NodeId, entry: Record<string, unknown>, nodePath: () => string, key: 'runningVMs' | 'sleepingVMs'): void {
  if (!hasOwn(entry, key)) field(entry, key, nodePath()); // throws, located
  const list = entry[key];
  if (!Array.isArray(list)) readArray(list, childPath(nodePath(), key)); // throws, located
  const items = list as unknown[];
  for (let i = 0; i < items.length; i++) {
    const vm = items[i];
    if (!isId(vm)) idAt(items, i, childPath(nodePath(), key), 'vm'); // throws, located
    if (mapping.hasVM(vm as VmId)) throw new JsonReadError(childPath(childPath(nodePath(), key), i), alreadyMapped(mapping, vm as VmId));
    if (key === 'runningVMs') mapping.addRunningVM(vm as VmId, node);
    else mapping.addSleepingVM(vm as VmId, node);
  }
}

function alreadyMapped(mapping: Mapping, vm: VmId): string {
  const host = mapping.host(vm);
  const where = host === undefined ? '' : ` on ${nodeLabel(host)}`;
  return `${vmLabel(vm)} is already in the mapping (${mapping.vmState(vm) ?? 'unknown'}${where}): a VM appears at most once`;
}

// ---- attributes -------------------------------------------------------------------------------

function readAttributes(raw: unknown, path: string): Attributes {
  const obj = readObject(raw, path);
  const attributes = new Attributes();
  // BtrPlace reads the VMs first, then the nodes; both tables are optional.
  const vms = obj['vms'];
  if (vms !== undefined && vms !== null && hasOwn(obj, 'vms')) readAttributeTable(vms, childPath(path, 'vms'), 'vm', attributes);
  const nodes = obj['nodes'];
  if (nodes !== undefined && nodes !== null && hasOwn(obj, 'nodes')) readAttributeTable(nodes, childPath(path, 'nodes'), 'node', attributes);
  return attributes;
}

function readAttributeTable(raw: unknown, path: string, kind: ElementKind, attributes: Attributes): void {
  const table = readObject(raw, path);
  for (const key of Object.keys(table)) {
    const id = idKey(key, path, kind);
    const entry = table[key];
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) readObject(entry, childPath(path, key)); // throws, located
    const values = entry as Record<string, unknown>;
    const checked: [string, AttributeValue][] = [];
    for (const name of Object.keys(values)) {
      const value = values[name];
      if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
        if (DURATION_KEYS.has(name)) checkDuration(value, childPath(childPath(path, key), name), kind === 'vm' ? vmLabel(id) : nodeLabel(id));
        checked.push([name, value]);
      } else {
        throw new JsonReadError(childPath(childPath(path, key), name), `an attribute value is a boolean, a number or a string, found ${found(value)}`);
      }
    }
    attributes.putAll(kind, id, checked);
  }
}

function attributesToJson(attributes: Attributes, kind: ElementKind): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const id of inKeyOrder(attributes.elements(kind))) {
    const entries = attributes.valuesOf(kind, id);
    if (entries === undefined || entries.size === 0) continue;
    const values: Record<string, unknown> = {};
    for (const [key, value] of entries) setKey(values, key, value);
    out[id] = values;
  }
  return out;
}

/** The largest array index (2^32 - 2): property enumeration, JSON.stringify's included, lists such keys first, ascending. */
const MAX_ARRAY_INDEX = 4294967294;

/**
 * Element ids in the order an object keyed by them enumerates its keys (array indices ascending,
 * then the others as given). Filling an object in this order gives the same JSON as any other
 * order, faster: the object keeps fast elements (30,000 VM ids in file order made a dictionary,
 * slow to fill and to stringify).
 */
function inKeyOrder(ids: Iterable<number>): number[] {
  const indices: number[] = [];
  const others: number[] = [];
  let sorted = true;
  for (const id of ids) {
    if (Number.isInteger(id) && id >= 0 && id <= MAX_ARRAY_INDEX) {
      if (indices.length > 0 && id < (indices[indices.length - 1] as number)) sorted = false;
      indices.push(id);
    } else others.push(id);
  }
  if (!sorted) indices.sort((a, b) => a - b);
  return others.length === 0 ? indices : [...indices, ...others];
}

// ---- views ------------------------------------------------------------------------------------

function readViews(raw: unknown, path: string, model: Model): void {
  const views = readArray(raw, path);
  for (let i = 0; i < views.length; i++) {
    const viewPath = childPath(path, i);
    const view = readObject(views[i], viewPath);
    const id = field(view, 'id', viewPath);
    if (typeof id !== 'string') throw new JsonReadError(childPath(viewPath, 'id'), `a view id is a string, found ${found(id)}`);
    if (id === RESOURCE_VIEW_ID) readResource(view, viewPath, model);
    else if (id === NAMING_VIEW_ID) readNaming(view, viewPath, model);
    else {
      // the network view is validated here, with its real path, and kept verbatim for round trips
      if (id === NET_VIEW_ID) readNetwork(view, viewPath);
      model.opaqueViews.push(readOpaque(view, viewPath, 0));
    }
  }
}

function readResource(view: Record<string, unknown>, path: string, model: Model): void {
  const rcId = field(view, 'rcId', path);
  if (typeof rcId !== 'string') throw new JsonReadError(childPath(path, 'rcId'), `a resource id is a string, found ${found(rcId)}`);
  if (model.resources.has(rcId)) throw new JsonReadError(childPath(path, 'rcId'), `a second view for resource '${rcId}': one shareableResource view per resource`);
  const defCapacity = defaultAmount(field(view, 'defCapacity', path), childPath(path, 'defCapacity'), `default '${rcId}' capacity`);
  const defConsumption = defaultAmount(field(view, 'defConsumption', path), childPath(path, 'defConsumption'), `default '${rcId}' consumption`);
  const rc = new ShareableResource(rcId, defCapacity, defConsumption);

  const vmsPath = childPath(path, 'vms');
  const vms = field(view, 'vms', path);
  if (vms !== null) {
    const table = readObject(vms, vmsPath);
    for (const key of Object.keys(table)) {
      const vm = idKey(key, vmsPath, 'vm');
      const amount = table[key];
      rc.setConsumption(vm, isAmount(amount) ? amount : amountValue(amount, vmsPath, key, `the '${rcId}' consumption of ${vmLabel(vm)}`));
    }
  }
  const nodesPath = childPath(path, 'nodes');
  const nodes = field(view, 'nodes', path);
  if (nodes !== null) {
    const table = readObject(nodes, nodesPath);
    for (const key of Object.keys(table)) {
      const node = idKey(key, nodesPath, 'node');
      const amount = table[key];
      rc.setCapacity(node, isAmount(amount) ? amount : amountValue(amount, nodesPath, key, `the '${rcId}' capacity of ${nodeLabel(node)}`));
    }
  }
  model.addResource(rc);
}

function resourceToJson(rc: ShareableResource): Record<string, unknown> {
  const nodes: Record<string, number> = {};
  for (const node of inKeyOrder(rc.definedNodes())) nodes[node] = rc.capacity(node);
  const vms: Record<string, number> = {};
  for (const vm of inKeyOrder(rc.definedVMs())) vms[vm] = rc.consumption(vm);
  return { id: RESOURCE_VIEW_ID, rcId: rc.id, defCapacity: rc.defaultCapacity, defConsumption: rc.defaultConsumption, nodes, vms };
}

function readNaming(view: Record<string, unknown>, path: string, model: Model): void {
  const type = field(view, 'type', path);
  if (type !== 'vm' && type !== 'node') throw new JsonReadError(childPath(path, 'type'), `a naming view's type is "vm" or "node", found ${found(type)}`);
  const existing = type === 'vm' ? model.vmNames : model.nodeNames;
  if (existing) throw new JsonReadError(path, `a second naming view for ${type === 'vm' ? 'VMs' : 'nodes'}: one 'ns' view per element kind`);
  const mapPath = childPath(path, 'map');
  const map = readObject(field(view, 'map', path), mapPath);
  const naming = new NamingService(type);
  const label = type === 'vm' ? vmLabel : nodeLabel;
  for (const name of Object.keys(map)) {
    const value = map[name];
    const id = isId(value) ? value : idValue(value, childPath(mapPath, name), type);
    const previous = naming.nameOf(id);
    if (previous !== undefined) throw new JsonReadError(childPath(mapPath, name), `${label(id)} is already named '${previous}': an element has one name`);
    naming.register(name, id);
  }
  if (type === 'vm') model.vmNames = naming;
  else model.nodeNames = naming;
}

function namingToJson(naming: NamingService): Record<string, unknown> {
  const map: Record<string, number> = {};
  for (const [name, id] of naming.entries()) setKey(map, name, id);
  return { id: NAMING_VIEW_ID, type: naming.kind, map };
}

/** A view Ferry does not interpret: checked to be plain JSON and copied, so the caller's value stays theirs. */
function readOpaque(raw: unknown, path: string, depth: number): OpaqueJson {
  if (raw === null || typeof raw === 'string' || typeof raw === 'boolean') return raw;
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) throw new JsonReadError(path, `expected a finite number, found ${String(raw)}`);
    return raw;
  }
  if (depth >= MAX_OPAQUE_DEPTH) throw new JsonReadError(path, `nested more than ${MAX_OPAQUE_DEPTH} levels deep`);
  if (Array.isArray(raw)) {
    const out: OpaqueJson[] = [];
    for (let i = 0; i < raw.length; i++) out.push(readOpaque(raw[i], childPath(path, i), depth + 1));
    return out;
  }
  if (typeof raw === 'object') {
    const obj = raw as Record<string, unknown>;
    const out: { [key: string]: OpaqueJson } = {};
    for (const key of Object.keys(obj)) setKey(out, key, readOpaque(obj[key], childPath(path, key), depth + 1));
    return out;
  }
  throw new JsonReadError(path, `expected a JSON value, found ${found(raw)}`);
}

function copyJson(value: OpaqueJson): OpaqueJson {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copyJson);
  const out: { [key: string]: OpaqueJson } = {};
  for (const key of Object.keys(value)) setKey(out, key, copyJson(value[key] ?? null));
  return out;
}

/** Attributes that set an action's duration (`migrate`, `boot`, ...). */
const DURATION_KEYS: ReadonlySet<string> = new Set(Object.values(DURATION_ATTRIBUTE));

/** A duration attribute beyond MAX_DURATION is refused here, located, rather than planned with. */
function checkDuration(value: AttributeValue, path: string, element: string): void {
  // a small non-integer or non-positive value is the duration model's to report (BtrPlace's -1)
  if (typeof value !== 'number' || Math.abs(value) <= MAX_DURATION) return;
  throw new JsonReadError(path, `the duration attribute of ${element} is ${value}; a duration is a whole number of seconds, at most ${MAX_DURATION} (10 years)`);
}

// ---- constraints and objective ----------------------------------------------------------------

interface KnownElements {
  vms: IdSet | undefined;
  nodes: IdSet | undefined;
  /** Id lists already found known (constraints may share one arguments array: checked once). */
  readonly checked: WeakSet<object>;
}

function readConstraint(raw: unknown, path: string, model: Model, known: KnownElements): Constraint {
  let constraint: Constraint;
  let definition: ConstraintDefinition | undefined;
  try {
    const read = constraintFromJson(raw, path);
    if ('error' in read) throw new JsonReadError(read.path, read.error);
    constraint = read;
    definition = definitionOf(constraint.id);
  } catch (e) {
    throw unreadable(e, path);
  }
  if (definition) {
    known.vms ??= IdSet.known(model, 'vm');
    known.nodes ??= IdSet.known(model, 'node');
    checkElements(definition, constraint, path, known.vms, known.nodes, known.checked);
    checkResources(definition, constraint, path, model);
  }
  return constraint;
}

/**
 * Every resource a constraint names must have a view in the model, as the DSL requires: a plan
 * could never satisfy the constraint, and the planner found that out only at its final check.
 */
function checkResources(definition: ConstraintDefinition, constraint: Constraint, path: string, model: Model): void {
  const args = constraint.args as Record<string, unknown>;
  for (const p of definition.script.params) {
    const rc = args[p.name];
    if (p.kind !== 'string' || !RESOURCE_PARAM_NAMES.has(p.name) || typeof rc !== 'string' || model.resources.has(rc)) continue;
    const known = [...model.resources.keys()].map((r) => `'${r}'`).join(', ');
    throw new JsonReadError(childPath(path, p.name), `no resource '${rc}' in the model (${known === '' ? 'it defines none' : `known: ${known}`})`);
  }
}

/** The catalogue readers are code this module does not own: whatever they throw is still a located input problem. */
function unreadable(e: unknown, path: string): JsonReadError {
  if (e instanceof JsonReadError) return e;
  return new JsonReadError(path, `unreadable constraint: ${e instanceof Error ? e.message : String(e)}`);
}

/**
 * Every VM and node a constraint mentions must be known by the model (BtrPlace: "Undeclared vm").
 * Where the entry's script parameters are named after its argument keys, the arguments are walked
 * directly by parameter kind (cheap on the benchmark files, whose `among` constraints carry 5,000
 * nodes each); otherwise the entry's `involved` says which elements it mentions.
 */
function checkElements(definition: ConstraintDefinition, constraint: Constraint, path: string, vms: IdSet, nodes: IdSet, checked: WeakSet<object>): void {
  const walk = elementParams(definition, constraint);
  if (walk) {
    const args = constraint.args;
    let walked = true;
    for (const { key, kind } of walk) {
      const isVm = kind === 'vm' || kind === 'vms' || kind === 'orderedVms' || kind === 'vmParts';
      const value = args[key];
      // groups of nodes recur (the catalogue reader shares equal ones between constraints)
      const groups = kind === 'nodeParts' && typeof value === 'object' && value !== null;
      if (groups && checked.has(value)) continue;
      const missing = firstUnknown(value, kind === 'vm' || kind === 'node' ? 0 : kind === 'vmParts' || kind === 'nodeParts' ? 2 : 1, isVm ? vms : nodes);
      if (missing === SHAPE_MISMATCH) {
        walked = false;
        break;
      }
      if (missing !== undefined) throw new JsonReadError(path, `${isVm ? vmLabel(missing) : nodeLabel(missing)} is not declared in the model`);
      if (groups) checked.add(value);
    }
    if (walked) return;
  }
  let involved: { vms: readonly number[]; nodes: readonly number[] };
  try {
    involved = definition.involved(constraint);
  } catch (e) {
    throw unreadable(e, path);
  }
  for (const vm of involved.vms) if (!vms.has(vm)) throw new JsonReadError(path, `${vmLabel(vm)} is not declared in the model`);
  for (const node of involved.nodes) if (!nodes.has(node)) throw new JsonReadError(path, `${nodeLabel(node)} is not declared in the model`);
}

const SHAPE_MISMATCH = -1;
const ELEMENT_KINDS: ReadonlySet<ParamKind> = new Set<ParamKind>(['vm', 'vms', 'orderedVms', 'node', 'nodes', 'vmParts', 'nodeParts']);
/** Per constraint id: its element parameters when they name its argument keys, else null. */
const elementParamsById = new Map<string, readonly { key: string; kind: ParamKind }[] | null>();

function elementParams(definition: ConstraintDefinition, constraint: Constraint): readonly { key: string; kind: ParamKind }[] | null {
  const cached = elementParamsById.get(definition.id);
  if (cached !== undefined) return cached;
  const params = definition.script.params;
  const keys = Object.keys(constraint.args);
  const named = params.length === keys.length && params.every((p) => hasOwn(constraint.args, p.name));
  const walk = named ? params.filter((p) => ELEMENT_KINDS.has(p.kind)).map((p) => ({ key: p.name, kind: p.kind })) : null;
  elementParamsById.set(definition.id, walk);
  return walk;
}

/** The first id of `value` (an id, a list of ids or a list of lists, by `depth`) not in `known`; SHAPE_MISMATCH if `value` has another shape. */
function firstUnknown(value: unknown, depth: 0 | 1 | 2, known: IdSet): number | undefined {
  if (depth === 0) {
    if (typeof value !== 'number') return SHAPE_MISMATCH;
    return known.has(value) ? undefined : value;
  }
  if (!Array.isArray(value)) return SHAPE_MISMATCH;
  if (depth === 1) return firstUnknownIn(value, known);
  for (let i = 0; i < value.length; i++) {
    const part: unknown = value[i];
    if (!Array.isArray(part)) return SHAPE_MISMATCH;
    const missing = firstUnknownIn(part, known);
    if (missing !== undefined) return missing;
  }
  return undefined;
}

function firstUnknownIn(ids: readonly unknown[], known: IdSet): number | undefined {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (typeof id !== 'number') return SHAPE_MISMATCH;
    if (!known.has(id)) return id;
  }
  return undefined;
}

/** Calls `visit` on every id `model.knownVMs()` (kind 'vm') or `model.knownNodes()` lists, repeats included. */
function forEachKnownId(model: Model, kind: ElementKind, visit: (id: number) => void): void {
  for (const id of kind === 'vm' ? model.mapping.vms() : model.mapping.nodes()) visit(id);
  for (const id of model.attributes.elements(kind)) visit(id);
  for (const r of model.resources.values()) for (const id of kind === 'vm' ? r.definedVMs() : r.definedNodes()) visit(id);
  const names = kind === 'vm' ? model.vmNames : model.nodeNames;
  if (names) for (const id of names.ids()) visit(id);
  if (kind === 'vm') for (const id of model.killedVMs) visit(id);
}

/**
 * Membership of the element ids a model knows (`knownVMs`/`knownNodes`, read in place: no set of
 * 30,000 ids built first): a byte map when the ids are dense enough (the usual case), else a Set.
 */
class IdSet {
  private constructor(
    private readonly bytes: Uint8Array | undefined,
    private readonly set: ReadonlySet<number> | undefined,
  ) {}

  static known(model: Model, kind: ElementKind): IdSet {
    let max = -1;
    let total = 0;
    let dense = true;
    forEachKnownId(model, kind, (id) => {
      total++;
      if (id > max) max = id;
      if (!Number.isInteger(id) || id < 0) dense = false;
    });
    if (!dense || max >= 4 * total + 1024) {
      const set = new Set<number>();
      forEachKnownId(model, kind, (id) => set.add(id));
      return new IdSet(undefined, set);
    }
    const bytes = new Uint8Array(max + 1);
    forEachKnownId(model, kind, (id) => (bytes[id] = 1));
    return new IdSet(bytes, undefined);
  }

  has(id: number): boolean {
    return this.bytes ? this.bytes[id] === 1 : (this.set as ReadonlySet<number>).has(id);
  }
}

function readObjective(raw: unknown, path: string): { id: ObjectiveId } {
  const obj = readObject(raw, path);
  const id = field(obj, 'id', path);
  if (typeof id !== 'string' || !(OBJECTIVE_IDS as readonly string[]).includes(id)) {
    throw new JsonReadError(childPath(path, 'id'), `unknown objective ${found(id)} (known: ${OBJECTIVE_IDS.join(', ')})`);
  }
  return { id: id as ObjectiveId };
}

// ---- small readers ----------------------------------------------------------------------------

function isId(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_ID;
}

function idWords(kind: ElementKind): string {
  return `a ${kind === 'vm' ? 'VM' : 'node'} id (an integer from 0 to ${MAX_ID})`;
}

function idAt(list: unknown[], i: number, path: string, kind: ElementKind): number {
  const v = list[i];
  if (isId(v)) return v;
  throw new JsonReadError(childPath(path, i), `expected ${idWords(kind)}, found ${found(v)}`);
}

/** An object key naming an element: canonical decimal ("12", not "012" or "1e1"). */
function idKey(key: string, path: string, kind: ElementKind): number {
  // digits only, no leading zero: read here without the strings Number/String would allocate
  // (tens of thousands of keys per file)
  const length = key.length;
  if (length > 0 && length <= 10 && (key.charCodeAt(0) !== 0x30 || length === 1)) {
    let n = 0;
    let i = 0;
    for (; i < length; i++) {
      const d = key.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    if (i === length && n <= MAX_ID) return n;
  }
  throw new JsonReadError(childPath(path, key), `expected ${idWords(kind)} as key, found ${JSON.stringify(key)}`);
}

/** An id given as a value, BtrPlace-style: an integer or an integer string. */
function idValue(raw: unknown, path: string, kind: ElementKind): number {
  const n = integerOrIntegerString(raw);
  if (isId(n)) return n;
  throw new JsonReadError(path, `expected ${idWords(kind)}, found ${found(raw)}`);
}

function defaultAmount(raw: unknown, path: string, what: string): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw > MAX_AMOUNT) throw new JsonReadError(path, `the ${what} is an integer, found ${found(raw)}`);
  if (raw < 0) throw new JsonReadError(path, `the ${what} must be >= 0, found ${raw}`);
  return raw;
}

function isAmount(raw: unknown): raw is number {
  return typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && raw <= MAX_AMOUNT;
}

/** The slow path of an amount: an integer string, or a located error. */
function amountValue(raw: unknown, tablePath: string, key: string, what: string): number {
  const path = childPath(tablePath, key);
  const n = integerOrIntegerString(raw);
  if (n === undefined || n > MAX_AMOUNT) throw new JsonReadError(path, `${what} is an integer, found ${found(raw)}`);
  if (n < 0) throw new JsonReadError(path, `${what} must be >= 0, found ${n}`);
  return n;
}

function integerOrIntegerString(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isInteger(raw) ? raw : undefined;
  if (typeof raw === 'string' && /^[-+]?\d{1,10}$/.test(raw)) return Number.parseInt(raw, 10);
  return undefined;
}

function found(raw: unknown): string {
  if (raw === null) return 'null';
  if (raw === undefined) return 'nothing';
  if (Array.isArray(raw)) return 'an array';
  if (typeof raw === 'string') return `the string ${JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw)}`;
  if (typeof raw === 'object') return 'an object';
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  return `a ${typeof raw}`;
}

function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** `obj[key] = value`, also for the key `__proto__` (an element or attribute name is user data). */
function setKey<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}
