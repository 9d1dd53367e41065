import type { Constraint } from '../catalogue/constraint.js';
import type { Model } from '../model/index.js';

/** BtrPlace's objective ids (JSON `objective.id`). */
export const OBJECTIVE_IDS = ['minimizeMTTR', 'minimizeMigrations', 'minimizeMTTRMigrationScheduling'] as const;
export type ObjectiveId = (typeof OBJECTIVE_IDS)[number];

/** A problem to solve: a model, what must hold, and what to optimise (BtrPlace's Instance). */
export interface Instance {
  readonly model: Model;
  readonly constraints: readonly Constraint[];
  readonly objective: { readonly id: ObjectiveId };
}
