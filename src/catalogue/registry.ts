import type { Constraint } from './constraint.js';
import type { ConstraintDefinition } from './definition.js';

/**
 * The catalogue: one line per constraint. Adding a constraint to Ferry = one folder under
 * src/catalogue/ plus one line here (the registry test checks each entry is complete).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- entries have heterogeneous argument types
export const CATALOGUE: readonly ConstraintDefinition<any>[] = [];

const BY_ID = new Map(CATALOGUE.map((d) => [d.id, d]));

export function definitionOf(id: string): ConstraintDefinition | undefined {
  return BY_ID.get(id);
}

/** Reads one BtrPlace JSON constraint; errors are located by JSON path. */
export function constraintFromJson(raw: unknown, path: string): Constraint | { error: string; path: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { error: 'a constraint must be a JSON object', path };
  const obj = raw as Record<string, unknown>;
  const id = obj['id'];
  if (typeof id !== 'string') return { error: "missing or non-string 'id'", path: `${path}.id` };
  const def = BY_ID.get(id);
  if (!def) return { error: `unknown constraint '${id}' (known: ${[...BY_ID.keys()].join(', ')})`, path: `${path}.id` };
  return def.json.read(obj, path);
}

export function constraintToJson(constraint: Constraint): Record<string, unknown> {
  const def = BY_ID.get(constraint.id);
  if (!def) throw new Error(`unknown constraint '${constraint.id}'`);
  return { id: constraint.id, ...def.json.write(constraint) };
}
