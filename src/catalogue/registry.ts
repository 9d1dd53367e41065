import { among } from './among/index.js';
import { ban } from './ban/index.js';
import { deadline } from './deadline/index.js';
import { fence } from './fence/index.js';
import { gather } from './gather/index.js';
import { killed } from './killed/index.js';
import { lonely } from './lonely/index.js';
import { maxMigrations } from './max-migrations/index.js';
import { maxOnline } from './max-online/index.js';
import { noDelay } from './no-delay/index.js';
import { offline } from './offline/index.js';
import { online } from './online/index.js';
import { overbook } from './overbook/index.js';
import { precedence } from './precedence/index.js';
import { preserve } from './preserve/index.js';
import { quarantine } from './quarantine/index.js';
import { ready } from './ready/index.js';
import { resourceCapacity } from './resource-capacity/index.js';
import { root } from './root/index.js';
import { running } from './running/index.js';
import { runningCapacity } from './running-capacity/index.js';
import { seq } from './seq/index.js';
import { serialize } from './serialize/index.js';
import { sleeping } from './sleeping/index.js';
import { split } from './split/index.js';
import { splitAmong } from './split-among/index.js';
import { spread } from './spread/index.js';
import { sync } from './sync/index.js';
import type { Constraint } from './constraint.js';
import type { ConstraintDefinition } from './definition.js';

/**
 * The catalogue: one line per constraint. Adding a constraint to Ferry = one folder under
 * src/catalogue/ plus one line here (the registry test checks each entry is complete).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- entries have heterogeneous argument types
export const CATALOGUE: readonly ConstraintDefinition<any>[] = [
  among,
  ban,
  fence,
  gather,
  lonely,
  spread,
  split,
  splitAmong,
  quarantine,
  root,
  online,
  offline,
  maxOnline,
  running,
  ready,
  sleeping,
  killed,
  seq,
  overbook,
  preserve,
  resourceCapacity,
  runningCapacity,
  noDelay,
  deadline,
  precedence,
  serialize,
  sync,
  maxMigrations,
];

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
