import { type KnownElements, argsOf } from '../catalogue/args.js';
import type { Constraint } from '../catalogue/constraint.js';
import { type SolverFaces, isNone } from '../catalogue/faces/index.js';
import { CATALOGUE, definitionOf } from '../catalogue/registry.js';

/**
 * Constraint id → its heuristic-planner faces (placement rule, scheduling order, bounds). Each
 * lives beside its catalogue entry (`src/catalogue/<id>/faces.ts`), as the encoders do
 * (`exact/encoders.ts`), so the solver modules look a face up instead of switching on ids and a
 * new constraint stays one folder plus one registry line.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- entries have heterogeneous argument types
export type AnyFaces = SolverFaces<any>;

export const FACES: ReadonlyMap<string, AnyFaces> = new Map(CATALOGUE.map((d) => [d.id, d.faces as AnyFaces]));

/** Ids whose placement face is `none`: they only shape the schedule. */
export const SCHEDULE_ONLY_IDS: ReadonlySet<string> = new Set(CATALOGUE.filter((d) => isNone(d.faces.placement)).map((d) => d.id));

/** A constraint with arguments checked by its entry's typed reader, and its faces. */
export type FacedConstraint = { readonly faces: AnyFaces; readonly constraint: Constraint } | { readonly error: string };

/**
 * The faces of a constraint once its entry's typed reader accepted the arguments (`argsOf`, the
 * reader the checker and the exact model use too); a located error
 * (`constraints[3].amount: expected an integer, got "x"`) when it did not; undefined for an id
 * the catalogue does not know. With `known` (`knownElementsOf(model)`, built once per model read),
 * VMs and nodes the model does not declare are refused as well.
 */
export function facesOf(c: Constraint, where: string, known?: KnownElements): FacedConstraint | undefined {
  const def = definitionOf(c.id);
  if (!def) return undefined;
  const read = argsOf(def, c, where, known);
  if ('error' in read) return { error: read.error };
  return { faces: def.faces as AnyFaces, constraint: read.constraint };
}

/** The face's hooks, or undefined when the face is `none`. */
export function hooksOf<F extends object>(face: F): Exclude<F, { readonly none: string }> | undefined {
  return isNone(face) ? undefined : (face as Exclude<F, { readonly none: string }>);
}
