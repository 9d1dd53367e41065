import type { Model } from '../model/index.js';
import { safeName, summariseNames } from '../text/safe.js';
import { type KnownElements, argsOf } from './args.js';
import type { FieldKind, FieldSpec } from './common/fields.js';
import type { Constraint } from './constraint.js';
import type { ConstraintDefinition } from './definition.js';
import { definitionOf } from './registry.js';

/**
 * How explanations quote a constraint (`offline(N3)`, `>>spread({VM[1..30]})`): its JSON id and
 * its arguments in its entry's field order, printed by field kind — the same kinds `argsOf`
 * accepted, so a list of parts prints as nodes or VMs from the entry's schema, never guessed from
 * a key. Names come from the instance, so they go through safeName; sets are summarised.
 */
export interface ConstraintTerm {
  readonly text: string;
  /**
   * For a constraint over one VM or one node (its only element field holds a single id): the term
   * around that element and the element's name, so alike constraints can be written once
   * (`offline(N[1..500])`).
   */
  readonly lone?: { readonly before: string; readonly after: string; readonly name: string };
}

/** Most names a set prints before it is summarised (`{VM1, …, VM8 and 492 more}`). */
const SET_NAMES = 8;

/**
 * The term of a constraint whose arguments its entry's typed reader accepted, or that reader's
 * located error (`constraints[3].vms: expected a list of VM ids, got "x"`), the same sentence
 * the checker, the exact model and the planner's faces give. `known` also refuses undeclared
 * VMs and nodes, as it does for them.
 */
export function describeOf(model: Model, c: Constraint, where: string, known?: KnownElements): ConstraintTerm | { readonly error: string } {
  const definition = definitionOf(c.id);
  if (!definition) return { error: `${where}: no constraint is called ${JSON.stringify(safeName(c.id))}` };
  const read = argsOf(definition, c, where, known);
  if ('error' in read) return { error: read.error };
  return termOf(model, definition, c.continuous, read.constraint.args);
}

/**
 * The term of a constraint for a sentence. The arguments of a constraint the explanation quotes
 * were accepted already (a refused one was reported, located, by whichever face read it first);
 * should one still be refused here, the term names the constraint without its arguments (`ban(?)`).
 */
export function describeConstraint(model: Model, c: Constraint): string {
  const term = describeOf(model, c, c.id);
  return 'error' in term ? `${safeName(c.id)}(?)` : term.text;
}

function termOf(model: Model, definition: ConstraintDefinition, continuous: boolean, args: Record<string, unknown>): ConstraintTerm {
  // `>>` marks the discrete mode of a constraint that has both (as the script form prints it)
  const modes = definition.modes;
  const head = `${!continuous && modes.continuous && modes.discrete ? '>>' : ''}${definition.id}(`;
  const values = definition.fields.map((f) => valueText(model, f.kind, args[f.key]));
  const text = `${head}${values.join(', ')})`;
  const lone = loneField(definition.fields);
  if (lone < 0) return { text };
  const field = definition.fields[lone] as FieldSpec;
  const id = args[field.key] as number;
  return {
    text,
    lone: {
      before: `${head}${values.slice(0, lone).map((v) => `${v}, `).join('')}`,
      after: `${values.slice(lone + 1).map((v) => `, ${v}`).join('')})`,
      name: field.kind === 'vm' ? model.vmName(id) : model.nodeName(id),
    },
  };
}

/** The index of the entry's one element field when it holds a single VM or node, else -1. */
function loneField(fields: readonly FieldSpec[]): number {
  const elements = fields.flatMap((f, i) => (ELEMENT_KINDS.has(f.kind) ? [i] : []));
  if (elements.length !== 1) return -1;
  const kind = (fields[elements[0] as number] as FieldSpec).kind;
  return kind === 'vm' || kind === 'node' ? (elements[0] as number) : -1;
}

const ELEMENT_KINDS: ReadonlySet<FieldKind> = new Set(['vm', 'node', 'vms', 'orderedVms', 'nodes', 'vmParts', 'nodeParts']);

/** One argument as explanations print it (the value is of its kind: `argsOf` accepted it). */
function valueText(model: Model, kind: FieldKind, value: unknown): string {
  const vm = (id: number): string => model.vmName(id);
  const node = (id: number): string => model.nodeName(id);
  switch (kind) {
    case 'vm':
      return safeName(vm(value as number));
    case 'node':
      return safeName(node(value as number));
    case 'vms':
    case 'orderedVms':
      return setText((value as number[]).map(vm));
    case 'nodes':
      return setText((value as number[]).map(node));
    case 'vmParts':
      return `{${(value as number[][]).map((p) => setText(p.map(vm))).join(', ')}}`;
    case 'nodeParts':
      return `{${(value as number[][]).map((p) => setText(p.map(node))).join(', ')}}`;
    case 'int':
    case 'number':
      return String(value);
    case 'string':
    case 'timestamp':
      return `'${safeName(value as string)}'`;
  }
}

/** A set of names (summariseNames makes each safe). */
function setText(names: readonly string[]): string {
  return `{${summariseNames(names, SET_NAMES)}}`;
}
