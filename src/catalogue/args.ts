import type { Model } from '../model/index.js';
import type { Constraint } from './constraint.js';
import type { ConstraintDefinition } from './definition.js';
import type { KnownElements } from './faces/args.js';

export type { KnownElements } from './faces/args.js';

/**
 * A constraint whose arguments its entry's typed reader accepted, or the one located sentence
 * saying which argument is wrong (`constraints[3].amount: expected an integer, got 1.5`). Every
 * face (checker, exact model, placement, schedule, bounds) reads arguments through `argsOf`, so a
 * bad argument gives the same error whichever reads it first, and never NaN or an exception.
 */
export type ArgsOf<Args> = { readonly constraint: Constraint<Args> } | { readonly error: string; readonly field: string };

/**
 * Reads a constraint's arguments with its entry's typed reader. `where` locates the constraint
 * (`constraints[3]`); `known` (from `knownElementsOf(model)`) also refuses VMs and nodes the model
 * does not declare. Cheap to call again: results are kept per arguments object (and model read).
 */
export function argsOf<Args>(definition: ConstraintDefinition<Args>, c: Constraint, where: string, known?: KnownElements): ArgsOf<Args> {
  const read = definition.readArgs(c.args, known);
  if ('problem' in read) return { error: `${where}.${read.problem.field}: ${read.problem.message}`, field: read.problem.field };
  return { constraint: c as unknown as Constraint<Args> };
}

/**
 * The VMs and nodes a model declares (mapping, attributes, resource views, names, killed VMs),
 * read once: build it once per model read and pass the same object to every `argsOf` call.
 */
export function knownElementsOf(model: Model): KnownElements {
  let vms: ReadonlySet<number> | undefined;
  let nodes: ReadonlySet<number> | undefined;
  return {
    hasVm: (id) => (vms ??= model.knownVMs()).has(id),
    hasNode: (id) => (nodes ??= model.knownNodes()).has(id),
  };
}
