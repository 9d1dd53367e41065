import { type ArgProblem, type FieldKind, type FieldSpec, isValueOfKind } from '../common/fields.js';

/**
 * The one typed reader of a constraint's arguments, for every solver face: the entry's field
 * kinds (its schema), then its `validate`. A bad argument is an `ArgProblem` naming the field,
 * never NaN, an exception or a silently dropped element.
 */
export type ArgsRead<Args> = { readonly args: Args } | { readonly problem: ArgProblem };

/**
 * Large arrays already found of their kind. Argument arrays are never mutated once read (the JSON
 * reader shares one node partition between thousands of `among`), so each is checked once; short
 * flat ones are cheaper to check again than to remember.
 */
const checkedArrays = new WeakMap<object, FieldKind>();
const REMEMBERED_LENGTH = 64;

function hasKind(kind: FieldKind, value: unknown): boolean {
  const nested = kind === 'vmParts' || kind === 'nodeParts';
  if (!Array.isArray(value) || (!nested && value.length < REMEMBERED_LENGTH)) return isValueOfKind(kind, value);
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

/** The reader of one entry (built by `defineConstraint`); results are kept per args object. */
export function argsReader<Args>(fields: readonly FieldSpec[], validate: ((args: Args) => ArgProblem | null) | undefined): (args: unknown) => ArgsRead<Args> {
  const read = new WeakMap<object, ArgsRead<Args>>();
  return (args) => {
    if (typeof args !== 'object' || args === null) return { problem: { field: fields[0]?.key ?? 'args', message: 'the arguments are missing' } };
    const known = read.get(args);
    if (known) return known;
    const result = readOnce(args as Record<string, unknown>, fields, validate);
    read.set(args, result);
    return result;
  };
}

function readOnce<Args>(args: Record<string, unknown>, fields: readonly FieldSpec[], validate: ((args: Args) => ArgProblem | null) | undefined): ArgsRead<Args> {
  for (const f of fields) {
    const v = args[f.key];
    if (!hasKind(f.kind, v)) return { problem: { field: f.key, message: `expected ${KIND_WORDS[f.kind]}, got ${shortValue(v)}` } };
  }
  const problem = validate?.(args as Args);
  return problem ? { problem } : { args: args as Args };
}

function shortValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number') return String(v);
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
