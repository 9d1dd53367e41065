import { z } from 'zod';

import {
  JsonReadError,
  childPath,
  field,
  readIdArray,
  readIdArrayArray,
  readInt,
  readNonNegativeInt,
  readNumber,
  readString,
} from '../../json/read.js';
import type { ParamKind } from '../constraint.js';
import type { ElementNames } from '../definition.js';

/** Parameter names that denote a resource id (checked against the model's resource views). */
export const RESOURCE_PARAM_NAMES: ReadonlySet<string> = new Set(['rc', 'rcId', 'resource']);

/**
 * The largest magnitude a numeric argument may have: BtrPlace's Java `int`. Beyond it, products
 * such as capacity × overbooking ratio stop being finite (a ratio of 1e308 crashed the checker),
 * so absurd numbers are refused where they are read, JSON or script alike.
 */
export const MAX_ARGUMENT = 2_147_483_647;

/** Why a numeric argument is refused, or undefined when it is in range. */
export function numberRangeProblem(value: number): string | undefined {
  if (!Number.isFinite(value) || Math.abs(value) > MAX_ARGUMENT) return `${value} is out of range: a numeric argument lies between -${MAX_ARGUMENT} and ${MAX_ARGUMENT}`;
  return undefined;
}

/**
 * The argument shapes constraints are made of. One field kind fixes, side by side, the zod type,
 * the JSON reader/writer (BtrPlace's `required*` helpers of its converters), the btrpsl parameter
 * kind and how a value prints in a script. Constraints list their fields; the entry factory
 * (`entry.ts`) derives the schema and the JSON and script forms from that list.
 */
export type FieldKind =
  | 'vm'
  | 'vms'
  | 'orderedVms'
  | 'node'
  | 'nodes'
  | 'vmParts'
  | 'nodeParts'
  /** an integer (amounts) within ±MAX_ARGUMENT; sign and finer range are the constraint's `validate` business */
  | 'int'
  /** a real number (overbooking ratio) */
  | 'number'
  /** a resource id */
  | 'string'
  /** a deadline */
  | 'timestamp';

export interface FieldSpec<K extends string = string> {
  readonly key: K;
  readonly kind: FieldKind;
  /** one line for operators (script parameter doc) */
  readonly doc: string;
}

/** Element ids are Java ints in BtrPlace: 0 .. MAX_ARGUMENT (an id of 1e308 is no element). */
const elementId = z.number().int().nonnegative().max(MAX_ARGUMENT);

export function zodOf(kind: FieldKind): z.ZodTypeAny {
  switch (kind) {
    case 'vm':
    case 'node':
      return elementId;
    case 'vms':
    case 'orderedVms':
    case 'nodes':
      return z.array(elementId);
    case 'vmParts':
    case 'nodeParts':
      return z.array(z.array(elementId));
    case 'int':
      return z.number().int().min(-MAX_ARGUMENT).max(MAX_ARGUMENT);
    case 'number':
      return z.number().finite().min(-MAX_ARGUMENT).max(MAX_ARGUMENT);
    case 'string':
      return z.string();
    case 'timestamp':
      return z.string();
  }
}

/** Reads a required field of a BtrPlace JSON constraint; throws a located JsonReadError. */
export function readField(obj: Record<string, unknown>, key: string, kind: FieldKind, path: string): unknown {
  const raw = field(obj, key, path);
  const at = childPath(path, key);
  switch (kind) {
    case 'vm':
    case 'node':
      return readNonNegativeInt(raw, at);
    case 'vms':
    case 'orderedVms':
    case 'nodes':
      return readIdArray(raw, at);
    case 'vmParts':
      return readIdArrayArray(raw, at);
    case 'nodeParts':
      return readNodeParts(raw, at);
    case 'int':
      return inRange(readInt(raw, at), at);
    case 'number':
      return inRange(readNumber(raw, at), at);
    case 'string':
    case 'timestamp':
      return readString(raw, at);
  }
}

function inRange(value: number, at: string): number {
  const problem = numberRangeProblem(value);
  if (problem) throw new JsonReadError(at, problem);
  return value;
}

/**
 * The last groups of nodes read. The TDSC benchmark files repeat one partition of their 5,000
 * nodes in each of up to 1,722 `among`: equal groups come back as this same (never mutated)
 * array, so they are copied, validated and indexed once instead of once per constraint.
 */
let lastNodeParts: number[][] | undefined;
/** `firstOverlap(lastNodeParts)`, once computed (null: not yet). */
let lastNodePartsOverlap: number | undefined | null = null;
/**
 * The raw JSON value `lastNodeParts` was read from, only inside `withSharedNodeParts` (an instance
 * read, whose raw value nobody changes meanwhile): the instance reader gives every copy of the
 * shared partition the very same parsed array, so identity spares the element-by-element compare.
 */
let lastNodePartsRaw: unknown;
let rawSharing = false;

function readNodeParts(raw: unknown, at: string): number[][] {
  if (lastNodeParts !== undefined && ((rawSharing && raw === lastNodePartsRaw && lastNodePartsRaw !== undefined) || sameParts(raw, lastNodeParts))) return lastNodeParts;
  const parts = readIdArrayArray(raw, at);
  lastNodeParts = parts;
  lastNodePartsOverlap = null;
  lastNodePartsRaw = rawSharing ? raw : undefined;
  return parts;
}

/**
 * Runs `read` (one instance read) with node groups recognised by the identity of their raw JSON
 * value: a raw value met again inside `read` is taken as unchanged. Outside, and at each start, the
 * remembered raw value is forgotten, so a caller changing raw JSON between two reads is safe.
 */
export function withSharedNodeParts<T>(read: () => T): T {
  const outer = rawSharing;
  lastNodePartsRaw = undefined;
  rawSharing = true;
  try {
    return read();
  } finally {
    rawSharing = outer;
    lastNodePartsRaw = undefined;
  }
}

/** Whether `raw` holds exactly the ids of `parts`, group by group (then it is valid as they are). */
function sameParts(raw: unknown, parts: readonly (readonly number[])[]): boolean {
  if (!Array.isArray(raw) || raw.length !== parts.length) return false;
  for (let k = 0; k < parts.length; k++) {
    const r: unknown = raw[k];
    const p = parts[k] as readonly number[];
    if (!Array.isArray(r) || r.length !== p.length) return false;
    for (let i = 0; i < p.length; i++) if (r[i] !== p[i]) return false;
  }
  return true;
}

/** The btrpsl parameter kind of a field (the DSL coerces script values to it). */
export function paramKindOf(kind: FieldKind): ParamKind {
  switch (kind) {
    case 'int':
      // BtrPlace's builders take any number and reject non-integers themselves (with a message),
      // so the DSL hands over the number and `validate` says what is wrong with it.
      return 'number';
    default:
      return kind;
  }
}

/** Node names print with the btrpsl `@` prefix. */
export function nodeRef(names: ElementNames, node: number): string {
  const n = names.node(node);
  return n.startsWith('@') ? n : `@${n}`;
}

function setOf(items: readonly string[]): string {
  return `{${items.join(', ')}}`;
}

/** How a field value prints in a script (parses back to the same value). */
export function formatValue(kind: FieldKind, value: unknown, names: ElementNames): string {
  switch (kind) {
    case 'vm':
      return names.vm(value as number);
    case 'node':
      return nodeRef(names, value as number);
    case 'vms':
    case 'orderedVms':
      return setOf((value as number[]).map((v) => names.vm(v)));
    case 'nodes':
      return setOf((value as number[]).map((n) => nodeRef(names, n)));
    case 'vmParts':
      return setOf((value as number[][]).map((p) => setOf(p.map((v) => names.vm(v)))));
    case 'nodeParts':
      return setOf((value as number[][]).map((p) => setOf(p.map((n) => nodeRef(names, n)))));
    case 'int':
    case 'number':
      return String(value);
    case 'string':
    case 'timestamp':
      return JSON.stringify(value);
  }
}

/** VMs and nodes a field mentions. */
export function elementsOf(kind: FieldKind, value: unknown): { vms: number[]; nodes: number[] } {
  switch (kind) {
    case 'vm':
      return { vms: [value as number], nodes: [] };
    case 'vms':
    case 'orderedVms':
      return { vms: [...(value as number[])], nodes: [] };
    case 'vmParts':
      return { vms: (value as number[][]).flat(), nodes: [] };
    case 'node':
      return { vms: [], nodes: [value as number] };
    case 'nodes':
      return { vms: [], nodes: [...(value as number[])] };
    case 'nodeParts':
      return { vms: [], nodes: (value as number[][]).flat() };
    default:
      return { vms: [], nodes: [] };
  }
}

/** Type-checks a coerced script value against a field kind (the DSL should already have). */
export function isValueOfKind(kind: FieldKind, value: unknown): boolean {
  const isId = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_ARGUMENT;
  switch (kind) {
    case 'vm':
    case 'node':
      return isId(value);
    case 'vms':
    case 'orderedVms':
    case 'nodes':
      return Array.isArray(value) && value.every(isId);
    case 'vmParts':
    case 'nodeParts':
      return Array.isArray(value) && value.every((p) => Array.isArray(p) && p.every(isId));
    case 'int':
    case 'number':
      return typeof value === 'number' && numberRangeProblem(value) === undefined;
    case 'string':
    case 'timestamp':
      return typeof value === 'string';
  }
}

// ---- shared validations (BtrPlace's constructor and builder checks) --------------------------

export interface ArgProblem {
  /** the offending argument (JSON field / script parameter) */
  readonly field: string;
  readonly message: string;
}

export function firstDuplicate(ids: readonly number[]): number | undefined {
  const seen = new Set<number>();
  for (const id of ids) {
    if (seen.has(id)) return id;
    seen.add(id);
  }
  return undefined;
}

/** The first element found in two parts, if any. */
export function firstOverlap(parts: readonly (readonly number[])[]): number | undefined {
  if (parts === lastNodeParts) {
    if (lastNodePartsOverlap === null) lastNodePartsOverlap = overlapIn(parts);
    return lastNodePartsOverlap;
  }
  return overlapIn(parts);
}

/** Scratch for `overlapIn`: which part last claimed each id, valid where `ownerStamp` is the current stamp. */
let owner = new Int32Array(0);
let ownerStamp = new Int32Array(0);
let stamp = 0;

function overlapIn(parts: readonly (readonly number[])[]): number | undefined {
  // Same answer as a Set walk, 20x faster on the TDSC files (1,722 among × 5,000 nodes): which part
  // last claimed each id, in a typed array when the ids are dense enough.
  let max = -1;
  let total = 0;
  for (const p of parts) {
    total += p.length;
    for (const id of p) if (id > max) max = id;
  }
  if (max < 4 * total + 1024) {
    // dense ids: typed arrays reused from call to call (no allocation and no fill per constraint)
    if (owner.length <= max) {
      owner = new Int32Array(max + 1);
      ownerStamp = new Int32Array(max + 1);
      stamp = 0;
    }
    if (stamp === 0x7fffffff) {
      ownerStamp.fill(0);
      stamp = 0;
    }
    const current = ++stamp;
    for (let k = 0; k < parts.length; k++) {
      const p = parts[k] as readonly number[];
      for (let i = 0; i < p.length; i++) {
        const id = p[i] as number;
        if (ownerStamp[id] === current) {
          if (owner[id] !== k) return id;
        } else {
          ownerStamp[id] = current;
          owner[id] = k;
        }
      }
    }
    return undefined;
  }
  const sparseOwner = new Map<number, number>();
  for (let k = 0; k < parts.length; k++) {
    for (const id of parts[k] ?? []) {
      const o = sparseOwner.get(id);
      if (o !== undefined && o !== k) return id;
      sparseOwner.set(id, k);
    }
  }
  return undefined;
}

export function nonNegativeInt(fieldName: string, value: number, what: string): ArgProblem | null {
  if (!Number.isInteger(value)) return { field: fieldName, message: `${what} must be an integer, got ${value}` };
  if (value < 0) return { field: fieldName, message: `${what} must be a non-negative integer, got ${value}` };
  return null;
}

export function disjointParts(fieldName: string, parts: readonly (readonly number[])[], element: (id: number) => string, what: string): ArgProblem | null {
  const dup = firstOverlap(parts);
  return dup === undefined ? null : { field: fieldName, message: `${what} must be disjoint, but ${element(dup)} appears in two of them` };
}

export const vmLabelOf = (id: number): string => `vm#${id}`;
export const nodeLabelOf = (id: number): string => `node#${id}`;
