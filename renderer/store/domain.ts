import { type InstanceJson, InstanceJsonSchema, decodeInstance } from '../../src/contract/wire.js';
import { LineIndex } from '../../src/dsl/diagnostics.js';
import { formatScriptResult } from '../../src/dsl/format.js';
import { type ParseOptions, type ScriptResult, parseScript } from '../../src/dsl/script.js';
import type { Instance } from '../../src/instance/instance.js';
import { instanceFromJson, parseInstanceJsonText } from '../../src/instance/json.js';
import { formatJsonError } from '../../src/json/read.js';
import type { ActiveConstraint } from './constraints.js';

/**
 * The domain code the store runs on what it reads: the instance decoder (a cluster's read, an
 * instance file) and the btrpsl analysis of the script. It is the bulk of src/ (the catalogue,
 * the dsl, the instance JSON reader, zod), which the first screen does not need to appear: the
 * page loads this module when it first asks for a cluster's read (domain-source.ts), tests
 * import it directly.
 */

/** A decoded instance, or why it cannot be used (located, in the reader's words). */
export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** An instance file's text, checked against the contract and decoded. */
export interface OpenedInstance {
  readonly json: InstanceJson;
  readonly instance: Instance;
}

export interface Domain {
  /** The Instance of a cluster's read (its wire JSON). */
  decodeSnapshot(json: InstanceJson): Decoded<Instance>;
  /** A BtrPlace instance file's text: its JSON, checked against the contract, then decoded. */
  readInstanceText(text: string): Decoded<OpenedInstance>;
  parseScript(text: string, options: ParseOptions): ScriptResult;
  /** The statements of `text` that build constraints, one entry per statement, in script order. */
  activeConstraintsOf(text: string, result: ScriptResult): ActiveConstraint[];
  /** The script in canonical layout; `formatted` false when it has syntax errors. */
  formatScript(text: string): { readonly text: string; readonly formatted: boolean };
}

function decodeSnapshot(json: InstanceJson): Decoded<Instance> {
  const decoded = decodeInstance(json);
  return decoded.ok ? decoded : { ok: false, message: formatJsonError(decoded.error) };
}

function readInstanceText(text: string): Decoded<OpenedInstance> {
  const raw = parseInstanceJsonText(text);
  if (!raw.ok) return { ok: false, message: formatJsonError(raw.error) };
  const wire = InstanceJsonSchema.safeParse(raw.value);
  if (!wire.success) {
    const issue = wire.error.issues[0];
    return { ok: false, message: issue ? `$${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('')}: ${issue.message}` : 'not a BtrPlace instance' };
  }
  const instance = instanceFromJson(wire.data);
  if (!instance.ok) return { ok: false, message: formatJsonError(instance.error) };
  return { ok: true, value: { json: wire.data, instance: instance.value } };
}

function activeConstraintsOf(text: string, result: ScriptResult): ActiveConstraint[] {
  const index = new LineIndex(text);
  const byStart = new Map<number, ActiveConstraint>();
  result.origins.forEach((span, i) => {
    const constraint = result.constraints[i];
    if (!constraint) return;
    const known = byStart.get(span.start);
    if (known) {
      byStart.set(span.start, { ...known, count: known.count + 1 });
      return;
    }
    byStart.set(span.start, {
      line: index.position(span.start).line,
      endLine: index.position(Math.max(span.start, span.end - 1)).line,
      start: span.start,
      end: span.end,
      text: text.slice(span.start, span.end).replace(/\s+/g, ' ').trim(),
      constraintId: constraint.id,
      continuous: constraint.continuous,
      count: 1,
    });
  });
  return [...byStart.values()].sort((a, b) => a.start - b.start);
}

export const domain: Domain = { decodeSnapshot, readInstanceText, parseScript, activeConstraintsOf, formatScript: formatScriptResult };
