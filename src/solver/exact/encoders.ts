import { CATALOGUE } from '../../catalogue/registry.js';
import type { ConstraintEncoder } from '../../catalogue/encoding.js';

/**
 * Constraint id (BtrPlace JSON id) → its MiniZinc encoder (BtrPlace's ChocoMapper). Each encoder
 * lives beside its catalogue entry (`src/catalogue/<id>/encoding.ts`) and is part of the entry, so
 * adding a constraint stays one folder plus one registry line. `buildExact` reads every
 * constraint's arguments with its entry's typed reader (`argsOf`) before an encoder sees them.
 */
export const ENCODERS: ReadonlyMap<string, ConstraintEncoder> = new Map(CATALOGUE.map((d) => [d.id, d.encoder]));
