import type { BoundsFace } from './bounds.js';
import type { PlacementFace } from './placement.js';
import type { ScheduleFace } from './schedule.js';

export type { ArgsRead, ArgsReader, KnownElements } from './args.js';
export type { BoundsFace } from './bounds.js';
export type { BuiltInRules, NodeStateRequest, PlacementContext, PlacementFace, PlacementRule, PlacementView } from './placement.js';
export type { BounceRule, NodeGroups, ScheduleFace, ScheduleSink } from './schedule.js';

/**
 * The heuristic planner's faces of one constraint, kept in its folder (`faces.ts`) beside its
 * checker and encoder: its placement rule, its scheduling order and its part in the quick bounds.
 * Each is stated, even when it is `none` (then with the reason): a missing face fails the registry
 * test, a new constraint never falls through a solver `default`.
 */
export interface SolverFaces<Args = Record<string, unknown>> {
  readonly placement: PlacementFace<Args>;
  readonly schedule: ScheduleFace<Args>;
  readonly bounds: BoundsFace<Args>;
}

/** A face that does nothing, with the reason. */
export function none(why: string): { readonly none: string } {
  return { none: why };
}

export function isNone(face: object): face is { readonly none: string } {
  return 'none' in face;
}
