/**
 * Constraint sets: a named btrpsl script saved together with the inventory it was written against
 * and the constraints it built, as JSON:
 *
 *   { "name": "...", "inventory": "...", "script": "...", "constraints": [BtrPlace JSON...], "hash": "sha256:..." }
 *
 * `hash` is the SHA-256 of the canonical JSON (keys sorted, no whitespace) of the constraint list,
 * in script order. It covers what the set *means*, not how the script is written: reformatting the
 * script or editing its comments keeps the hash; changing a constraint changes it. Loading checks
 * the hash against the constraints, so a hand-edited or truncated file is refused, and
 * `recheckConstraintSet` tells whether the script still builds the same constraints on a model.
 */
import type { Constraint } from '../catalogue/constraint.js';
import type { ConstraintDefinition } from '../catalogue/definition.js';
import { constraintFromJson, constraintToJson } from '../catalogue/registry.js';
import { type JsonResult, JsonReadError, childPath, field, readArray, readJson, readObject, readString } from '../json/read.js';
import type { Model } from '../model/index.js';
import type { Diagnostic } from './diagnostics.js';
import { canonicalJson, sha256Hex } from './hash.js';
import type { ScriptLibrary } from './library.js';
import { parseScript } from './script.js';

export interface ConstraintSet {
  readonly name: string;
  /** the inventory the script was written against (an instance file, an inventory id, ...) */
  readonly inventory: string;
  readonly script: string;
  readonly constraints: readonly Constraint[];
  readonly hash: string;
}

export interface ConstraintSetJson {
  readonly name: string;
  readonly inventory: string;
  readonly script: string;
  readonly constraints: Record<string, unknown>[];
  readonly hash: string;
}

/** `sha256:<hex>` of the canonical JSON of the constraints. */
export function constraintSetHash(constraints: readonly Constraint[]): string {
  return `sha256:${sha256Hex(canonicalJson(constraints.map((c) => constraintToJson(c))))}`;
}

/**
 * Builds a constraint set from a script. Fails (with the script's diagnostics) when the script has
 * errors: a set is only saved when everything in it was understood.
 */
export function createConstraintSet(
  input: { name: string; inventory: string; script: string },
  options: { model: Model; library?: ScriptLibrary; catalogue?: readonly ConstraintDefinition[] },
): { ok: true; set: ConstraintSet; diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] } {
  const result = parseScript(input.script, options);
  if (!result.ok) return { ok: false, diagnostics: result.diagnostics };
  return { ok: true, set: { ...input, constraints: result.constraints, hash: constraintSetHash(result.constraints) }, diagnostics: result.diagnostics };
}

export function constraintSetToJson(set: ConstraintSet): ConstraintSetJson {
  return { name: set.name, inventory: set.inventory, script: set.script, constraints: set.constraints.map((c) => constraintToJson(c)), hash: set.hash };
}

/** Reads a saved set; refuses bad shapes (located by JSON path) and hash mismatches. */
export function constraintSetFromJson(raw: unknown): JsonResult<ConstraintSet> {
  return readJson(() => {
    const obj = readObject(raw, '$');
    const name = readString(field(obj, 'name', '$'), '$.name');
    const inventory = readString(field(obj, 'inventory', '$'), '$.inventory');
    const script = readString(field(obj, 'script', '$'), '$.script');
    const hash = readString(field(obj, 'hash', '$'), '$.hash');
    const list = readArray(field(obj, 'constraints', '$'), '$.constraints');
    const constraints = list.map((item, i) => {
      const path = childPath('$.constraints', i);
      const c = constraintFromJson(item, path);
      if ('error' in c) throw new JsonReadError(c.path, c.error);
      return c;
    });
    const actual = constraintSetHash(constraints);
    if (actual !== hash) throw new JsonReadError('$.hash', `the constraints do not match the hash (file says ${hash}, its constraints hash to ${actual}); the file was edited or damaged`);
    return { name, inventory, script, constraints, hash };
  });
}

/**
 * Re-runs the saved script on a model: `same` when it still builds exactly the saved constraints
 * (e.g. the inventory still names the same VMs with the same ids).
 */
export function recheckConstraintSet(
  set: ConstraintSet,
  options: { model: Model; library?: ScriptLibrary; catalogue?: readonly ConstraintDefinition[] },
): { same: boolean; hash?: string; diagnostics: Diagnostic[] } {
  const result = parseScript(set.script, options);
  if (!result.ok) return { same: false, diagnostics: result.diagnostics };
  const hash = constraintSetHash(result.constraints);
  return { same: hash === set.hash, hash, diagnostics: result.diagnostics };
}
