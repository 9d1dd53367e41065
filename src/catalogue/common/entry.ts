import { z } from 'zod';

import { JsonReadError, childPath, readBoolean, readJson } from '../../json/read.js';
import type { Model } from '../../model/index.js';
import type { Constraint, ParamSpec } from '../constraint.js';
import type { ConstraintCheck, ConstraintDefinition, ElementNames, Modes, Observed } from '../definition.js';
import type { ConstraintEncoder } from '../encoding.js';
import { argsReader } from '../faces/args.js';
import type { SolverFaces } from '../faces/index.js';
import { type ArgProblem, type FieldSpec, elementsOf, formatValue, isValueOfKind, paramKindOf, readField, zodOf } from './fields.js';

/**
 * What a constraint folder states; `defineConstraint` derives the zod schema, the JSON form and
 * the default script form from `fields`, so a folder only writes what is specific to it: its
 * doc, modes, validation and checker (plus a custom script form where btrpsl differs).
 */
export interface EntrySpec<Args extends object> {
  readonly id: string;
  readonly doc: string;
  readonly modes: Modes;
  /** Arguments in BtrPlace's order; keys are the JSON field names of its converter. */
  readonly fields: readonly FieldSpec<keyof Args & string>[];
  /** BtrPlace's constructor/builder checks beyond the field kinds (signs, disjointness, ...). */
  readonly validate?: (args: Args) => ArgProblem | null;
  /**
   * How the JSON form writes `continuous`: 'mode' = the constraint's mode (default when both modes
   * exist; noDelay also writes it), a boolean = that constant (BtrPlace's migration constraints
   * always write `false`), 'never' (default for single-mode constraints). On read, `continuous` is
   * required exactly when both modes exist; elsewhere it is optional and ignored (must be a boolean).
   */
  readonly writeContinuous?: 'mode' | 'never' | boolean;
  readonly script: {
    readonly name: string;
    /** Defaults to one parameter per field. */
    readonly params?: readonly ParamSpec[];
    /** Defaults to one constraint from the values (in field order). */
    readonly build?: (values: readonly unknown[], continuous: boolean) => Constraint<Args>[] | { error: string };
  };
  readonly check: (c: Constraint<Args>) => ConstraintCheck;
  /** The solver encoding, kept in the constraint's folder (`encoding.ts`), over typed arguments. */
  readonly encoder: ConstraintEncoder<Args>;
  /** The heuristic planner's faces, kept in the constraint's folder (`faces.ts`). */
  readonly faces: SolverFaces<Args>;
  /** Defaults to every VM and node the fields mention. */
  readonly involved?: (c: Constraint<Args>) => { vms: readonly number[]; nodes: readonly number[] };
  /** See ConstraintDefinition.observes (defaults to `involved`). */
  readonly observes?: (c: Constraint<Args>, origin: Model) => Observed;
}

/** The mode a constraint gets when `continuous` is asked for (BtrPlace's setContinuous). */
export function resolveMode(modes: Modes, continuous: boolean): boolean | { error: string } {
  if (continuous) return modes.continuous;
  return modes.discrete ? false : { error: 'discrete restriction (>>) is not supported by this constraint' };
}

export function defineConstraint<Args extends object>(spec: EntrySpec<Args>): ConstraintDefinition<Args> {
  const { id, modes, fields } = spec;
  const bothModes = modes.discrete && modes.continuous;
  const writeContinuous = spec.writeContinuous ?? (bothModes ? 'mode' : 'never');

  const shape: Record<string, z.ZodTypeAny> = {};
  for (const f of fields) shape[f.key] = zodOf(f.kind);
  const schema = z
    .object(shape)
    .superRefine((args, ctx) => {
      const problem = spec.validate?.(args as Args);
      if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [problem.field], message: problem.message });
    }) as unknown as z.ZodType<Args>;

  const make = (continuous: boolean, args: Args): Constraint<Args> => ({ id, continuous, args });

  const defaultParams: ParamSpec[] = fields.map((f) => ({ name: f.key, kind: paramKindOf(f.kind), doc: f.doc }));

  const defaultBuild = (values: readonly unknown[], continuous: boolean): Constraint<Args>[] | { error: string } => {
    if (values.length !== fields.length) {
      return { error: `${spec.script.name} expects ${fields.length} argument(s) (${fields.map((f) => f.key).join(', ')}), got ${values.length}` };
    }
    const args: Record<string, unknown> = {};
    for (const [i, f] of fields.entries()) {
      const v = values[i];
      if (!isValueOfKind(f.kind, v)) return { error: `parameter '${f.key}' of ${spec.script.name} expects ${kindWord(f.kind)}` };
      args[f.key] = v;
    }
    const mode = resolveMode(modes, continuous);
    if (typeof mode !== 'boolean') return { error: `${mode.error} ('${spec.script.name}')` };
    const problem = spec.validate?.(args as Args);
    if (problem) return { error: `parameter '${problem.field}' of ${spec.script.name}: ${problem.message}` };
    return [make(mode, args as Args)];
  };

  return {
    id,
    doc: spec.doc,
    encoder: spec.encoder,
    faces: spec.faces,
    readArgs: argsReader<Args>(fields, spec.validate),
    fields,
    schema,
    modes,
    script: {
      name: spec.script.name,
      params: spec.script.params ?? defaultParams,
      build: spec.script.build ?? defaultBuild,
      format(c: Constraint<Args>, names: ElementNames): string {
        const prefix = !c.continuous && modes.continuous && modes.discrete ? '>>' : '';
        const record = c.args as Record<string, unknown>;
        return `${prefix}${spec.script.name}(${fields.map((f) => formatValue(f.kind, record[f.key], names)).join(', ')})`;
      },
    },
    json: {
      read(raw: Record<string, unknown>, path: string): Constraint<Args> | { error: string; path: string } {
        const result = readJson(() => {
          const args: Record<string, unknown> = {};
          for (const f of fields) args[f.key] = readField(raw, f.key, f.kind, path);
          let continuous: boolean;
          if (bothModes) {
            if (!Object.prototype.hasOwnProperty.call(raw, 'continuous')) throw new JsonReadError(childPath(path, 'continuous'), 'required field is missing');
            continuous = readBoolean(raw['continuous'], childPath(path, 'continuous'));
          } else {
            if (Object.prototype.hasOwnProperty.call(raw, 'continuous')) readBoolean(raw['continuous'], childPath(path, 'continuous'));
            continuous = modes.continuous;
          }
          const problem = spec.validate?.(args as Args);
          if (problem) throw new JsonReadError(childPath(path, problem.field), problem.message);
          return make(continuous, args as Args);
        });
        return result.ok ? result.value : { error: result.error.message, path: result.error.path };
      },
      write(c: Constraint<Args>): Record<string, unknown> {
        const out: Record<string, unknown> = {};
        const record = c.args as Record<string, unknown>;
        for (const f of fields) out[f.key] = cloneValue(record[f.key]);
        if (writeContinuous === 'mode') out['continuous'] = c.continuous;
        else if (typeof writeContinuous === 'boolean') out['continuous'] = writeContinuous;
        return out;
      },
    },
    check: spec.check,
    ...(spec.observes ? { observes: spec.observes } : {}),
    involved:
      spec.involved ??
      ((c: Constraint<Args>) => {
        const vms = new Set<number>();
        const nodes = new Set<number>();
        const record = c.args as Record<string, unknown>;
        for (const f of fields) {
          const e = elementsOf(f.kind, record[f.key]);
          for (const v of e.vms) vms.add(v);
          for (const n of e.nodes) nodes.add(n);
        }
        return { vms: [...vms], nodes: [...nodes] };
      }),
  };
}

function cloneValue(v: unknown): unknown {
  return Array.isArray(v) ? v.map(cloneValue) : v;
}

function kindWord(kind: FieldSpec['kind']): string {
  switch (kind) {
    case 'vm':
      return 'a VM';
    case 'vms':
    case 'orderedVms':
      return 'a set of VMs';
    case 'node':
      return 'a node';
    case 'nodes':
      return 'a set of nodes';
    case 'vmParts':
      return 'a set of VM sets';
    case 'nodeParts':
      return 'a set of node sets';
    case 'int':
    case 'number':
      return 'a number';
    case 'string':
      return 'a string';
    case 'timestamp':
      return 'a timestamp string';
  }
}
