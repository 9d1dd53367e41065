import { type ArgProblem, type FieldKind, type FieldSpec, isValueOfKind, nodeLabelOf, numberRangeProblem, vmLabelOf } from '../common/fields.js';

/**
 * The one typed reader of a constraint's arguments, for every face (checker, exact model,
 * placement, schedule, bounds): the entry's field kinds (its schema), then its `validate`, then,
 * when the caller knows the model, that every VM and node named is declared in it. A bad argument
 * is an `ArgProblem` naming the field, never NaN, an exception or a silently dropped element.
 */
export type ArgsRead<Args> = { readonly args: Args } | { readonly problem: ArgProblem };

/**
 * The VMs and nodes a model declares (`knownElementsOf` in `../args.ts` builds it once per model
 * read). An object per model read, so results checked against it can be remembered by identity.
 */
export interface KnownElements {
  hasVm(id: number): boolean;
  hasNode(id: number): boolean;
}

/** The reader of one entry, as `ConstraintDefinition.readArgs` exposes it. */
export type ArgsReader<Args> = (args: unknown, known?: KnownElements) => ArgsRead<Args>;

/**
 * Large arrays already found of their kind. Argument arrays are never mutated once read (the JSON
 * reader shares one node partition between thousands of `among`), so each is checked once; short
 * flat ones are cheaper to check again than to remember.
 */
const checkedArrays = new WeakMap<object, FieldKind>();
/** Large arrays already found declared in a model (by the `KnownElements` they were checked against). */
const declaredArrays = new WeakMap<object, WeakSet<KnownElements>>();
const REMEMBERED_LENGTH = 64;

const isNested = (kind: FieldKind): boolean => kind === 'vmParts' || kind === 'nodeParts';

function hasKind(kind: FieldKind, value: unknown): boolean {
  // the field kind, not each entry's validate, says an integer is whole (a new entry cannot forget)
  if (kind === 'int') return Number.isInteger(value) && isValueOfKind(kind, value);
  if (!Array.isArray(value) || (!isNested(kind) && value.length < REMEMBERED_LENGTH)) return isValueOfKind(kind, value);
  if (checkedArrays.get(value) === kind) return true;
  if (!isValueOfKind(kind, value)) return false;
  checkedArrays.set(value, kind);
  return true;
}

const KIND_WORDS: Record<FieldKind, string> = {
  vm: 'a VM id',
  node: 'a node id',
  vms: 'a list of VM ids',
  orderedVms: 'a list of VM ids',
  nodes: 'a list of node ids',
  vmParts: 'a list of VM id lists',
  nodeParts: 'a list of node id lists',
  int: 'an integer',
  number: 'a finite number',
  string: 'a string',
  timestamp: 'a time',
};

/** Whether a field holds VMs (true), nodes (false) or no element at all (undefined). */
function elementSide(kind: FieldKind): boolean | undefined {
  switch (kind) {
    case 'vm':
    case 'vms':
    case 'orderedVms':
    case 'vmParts':
      return true;
    case 'node':
    case 'nodes':
    case 'nodeParts':
      return false;
    default:
      return undefined;
  }
}

/**
 * The reader of one entry (built by `defineConstraint`). Kinds and validation are read once per
 * args object; the declared-elements test once per args object and model read.
 */
export function argsReader<Args>(fields: readonly FieldSpec[], validate: ((args: Args) => ArgProblem | null) | undefined): ArgsReader<Args> {
  const read = new WeakMap<object, ArgsRead<Args>>();
  const declared = new WeakMap<object, WeakMap<KnownElements, ArgsRead<Args>>>();
  return (args, known) => {
    if (typeof args !== 'object' || args === null) return { problem: { field: fields[0]?.key ?? 'args', message: 'the arguments are missing' } };
    let result = read.get(args);
    if (!result) {
      result = readOnce(args as Record<string, unknown>, fields, validate);
      read.set(args, result);
    }
    if (known === undefined || 'problem' in result) return result;
    let byModel = declared.get(args);
    const seen = byModel?.get(known);
    if (seen) return seen;
    const problem = undeclaredElement(args as Record<string, unknown>, fields, known);
    const checked: ArgsRead<Args> = problem ? { problem } : result;
    if (!byModel) declared.set(args, (byModel = new WeakMap()));
    byModel.set(known, checked);
    return checked;
  };
}

function readOnce<Args>(args: Record<string, unknown>, fields: readonly FieldSpec[], validate: ((args: Args) => ArgProblem | null) | undefined): ArgsRead<Args> {
  for (const f of fields) {
    const v = args[f.key];
    if (!hasKind(f.kind, v)) return { problem: { field: f.key, message: kindProblem(f.kind, v) } };
  }
  const problem = validate?.(args as Args);
  return problem ? { problem } : { args: args as Args };
}

/** Why a value is not of its field's kind: the kind wanted, and for a number out of range, the range. */
function kindProblem(kind: FieldKind, v: unknown): string {
  if ((kind === 'int' || kind === 'number') && typeof v === 'number' && Number.isFinite(v)) {
    const range = numberRangeProblem(v);
    if (range !== undefined) return range;
  }
  return `expected ${KIND_WORDS[kind]}, got ${shortValue(v)}`;
}

/** The first VM or node a constraint names that the model does not declare (BtrPlace: "Undeclared vm"). */
function undeclaredElement(args: Record<string, unknown>, fields: readonly FieldSpec[], known: KnownElements): ArgProblem | null {
  for (const f of fields) {
    const isVm = elementSide(f.kind);
    if (isVm === undefined) continue;
    const has = isVm ? (id: number): boolean => known.hasVm(id) : (id: number): boolean => known.hasNode(id);
    const missing = firstMissing(args[f.key], has, known);
    if (missing !== undefined) return { field: f.key, message: `${isVm ? vmLabelOf(missing) : nodeLabelOf(missing)} is not declared in the model` };
  }
  return null;
}

/** The first id of an id, a list or a list of lists (already of their kind) that `has` refuses. */
function firstMissing(value: unknown, has: (id: number) => boolean, known: KnownElements): number | undefined {
  if (typeof value === 'number') return has(value) ? undefined : value;
  if (!Array.isArray(value)) return undefined;
  const remember = value.length >= REMEMBERED_LENGTH || value.some(Array.isArray);
  if (remember && declaredArrays.get(value)?.has(known) === true) return undefined;
  for (const item of value as unknown[]) {
    const missing = firstMissing(item, has, known);
    if (missing !== undefined) return missing;
  }
  if (remember) {
    let models = declaredArrays.get(value);
    if (!models) declaredArrays.set(value, (models = new WeakSet()));
    models.add(known);
  }
  return undefined;
}

function shortValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number') return String(v);
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
