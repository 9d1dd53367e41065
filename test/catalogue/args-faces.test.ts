import { describe, expect, it } from 'vitest';

import { argsOf, knownElementsOf } from '../../src/catalogue/args.js';
import type { FieldKind, FieldSpec } from '../../src/catalogue/common/fields.js';
import type { Constraint } from '../../src/catalogue/constraint.js';
import type { ConstraintDefinition } from '../../src/catalogue/definition.js';
import { readTimestamp } from '../../src/catalogue/deadline/timestamp.js';
import { describeConstraint, describeOf } from '../../src/catalogue/describe.js';
import { CATALOGUE } from '../../src/catalogue/registry.js';
import { checkPlan } from '../../src/checker/plan-checker.js';
import type { Instance } from '../../src/instance/instance.js';
import type { Model } from '../../src/model/index.js';
import type { Plan } from '../../src/plan/plan.js';
import { quickInfeasibility } from '../../src/solver/bounds.js';
import { buildExact } from '../../src/solver/exact/build.js';
import { ENCODERS } from '../../src/solver/exact/encoders.js';
import { EXACT_MODEL, EXACT_SOLVE } from '../../src/solver/exact/model.js';
import { describeConstraintSet } from '../../src/solver/explain-text.js';
import { facesOf } from '../../src/solver/faces.js';
import { reduce } from '../../src/solver/problem.js';
import { parseConstraints, parseTimestamp as schedulerTimestamp } from '../../src/solver/schedule/constraints.js';
import { SAMPLES } from './samples.js';
import { build, migrate, rc } from './support.js';

/**
 * One typed reader for every face (issue 15 §4): whichever module reads a constraint first — the
 * plan checker, the exact model, the placement, scheduling and bounds faces, the explanations — a
 * bad argument is the same located sentence, never NaN, a throw or a silently dropped element.
 * Every entry, every field, every kind of bad value: a new entry is covered by its samples.
 */

/** Six online nodes, seven running VMs, cpu and mem: every sample's elements are declared. */
function cluster(): Model {
  const b = build().on(0, 1, 2, 3, 4, 5).run(0, 0, 1).run(1, 2, 3).run(2, 4).run(3, 5).run(4, 6);
  return b.resource(rc('cpu', 16, 1)).resource(rc('mem', 16, 1)).model;
}

type Corruption = 'missing' | 'wrong type' | 'NaN' | 'negative' | 'huge' | 'non-integer' | 'unknown id';

const ELEMENT_KINDS: ReadonlySet<FieldKind> = new Set(['vm', 'node', 'vms', 'orderedVms', 'nodes', 'vmParts', 'nodeParts']);
const NUMERIC_KINDS: ReadonlySet<FieldKind> = new Set([...ELEMENT_KINDS, 'int', 'number']);
/** Where an integer is needed (a ratio may be 1.5). */
const INTEGER_KINDS: ReadonlySet<FieldKind> = new Set([...ELEMENT_KINDS, 'int']);

/** A bad value of the field's own shape (a bad id inside a list stays inside the list). */
function corrupt(kind: FieldKind, how: Corruption): unknown {
  const shaped = (x: unknown): unknown =>
    kind === 'vms' || kind === 'orderedVms' || kind === 'nodes' ? [x] : kind === 'vmParts' || kind === 'nodeParts' ? [[x]] : x;
  switch (how) {
    case 'missing':
      return undefined;
    case 'wrong type':
      return kind === 'string' || kind === 'timestamp' ? 7 : 'seven';
    case 'NaN':
      return shaped(Number.NaN);
    case 'negative':
      return shaped(-1);
    case 'huge':
      return shaped(1e308);
    case 'non-integer':
      return shaped(1.5);
    case 'unknown id':
      return shaped(999);
  }
}

function applies(kind: FieldKind, how: Corruption): boolean {
  if (how === 'missing' || how === 'wrong type') return true;
  if (how === 'non-integer') return INTEGER_KINDS.has(kind);
  if (how === 'unknown id') return ELEMENT_KINDS.has(kind);
  return NUMERIC_KINDS.has(kind);
}

const CORRUPTIONS: readonly Corruption[] = ['missing', 'wrong type', 'NaN', 'negative', 'huge', 'non-integer', 'unknown id'];

interface Case {
  readonly id: string;
  readonly field: string;
  readonly how: Corruption;
  readonly def: ConstraintDefinition;
  readonly constraint: Constraint;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const def of CATALOGUE as readonly ConstraintDefinition[]) {
    const sample = SAMPLES[def.id]?.[0];
    if (!sample) continue; // registry.test.ts fails for an entry without samples
    for (const f of def.fields as readonly FieldSpec[]) {
      for (const how of CORRUPTIONS) {
        if (!applies(f.kind, how)) continue;
        const args: Record<string, unknown> = { ...sample.constraint.args };
        if (how === 'missing') delete args[f.key];
        else args[f.key] = corrupt(f.kind, how);
        out.push({ id: def.id, field: f.key, how, def, constraint: { ...sample.constraint, args } });
      }
    }
  }
  return out;
}

const instanceOf = (model: Model, constraints: readonly Constraint[]): Instance => ({ model, constraints, objective: { id: 'minimizeMTTR' } });
const emptyPlan = (model: Model): Plan => ({ origin: model, actions: [] });

/** Runs a face; a throw is a failure of the test, with the face named. */
function noThrow<T>(face: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    throw new Error(`${face} threw: ${e instanceof Error ? e.message : String(e)}`);
  }
}

describe('one typed reader: the same located error through every face', () => {
  it('covers every entry and every field of it', () => {
    const all = cases();
    for (const def of CATALOGUE) {
      for (const f of def.fields) expect(all.some((c) => c.id === def.id && c.field === f.key), `${def.id}.${f.key}`).toBe(true);
    }
  });

  it.each(cases().map((c) => [`${c.id}.${c.field}: ${c.how}`, c] as const))('%s', (_name, { def, constraint, field, how }) => {
    const model = cluster();
    const known = knownElementsOf(model);
    const where = 'constraints[0]';
    const read = argsOf(def, constraint, where, known);
    if (!('error' in read)) return expect.fail(`${def.id}.${field} accepted a ${how} value: ${JSON.stringify(constraint.args[field])}`);
    const error = read.error;
    expect(error.startsWith(`${where}.${field}: `), error).toBe(true);
    expect(error).not.toMatch(/undefined|\[object/);

    // the heuristic planner's faces, given the model's elements
    expect(noThrow('facesOf', () => facesOf(constraint, where, known))).toEqual({ error });
    // the plan checker
    const report = noThrow('checkPlan', () => checkPlan(instanceOf(model, [constraint]), emptyPlan(model)));
    expect(report.ok).toBe(false);
    expect(report.violations.map((v) => v.message)).toEqual([expect.stringContaining(error)]);
    // the exact model, before any encoder reads the arguments
    const built = noThrow('buildExact', () => buildExact({ model, constraints: [constraint] }, ENCODERS, EXACT_MODEL, EXACT_SOLVE, 'mttr'));
    expect(built.ok ? [] : built.reasons).toEqual([error]);

    // the reduction reads the model's elements too; the scheduler, given constraints the
    // reduction already accepted, reads kinds and validation the same way
    const modelFree = how !== 'unknown id';
    const placement = noThrow('reduce', () => reduce(instanceOf(model, [constraint])));
    expect(placement.infeasible).toContain(error);
    const scheduled = noThrow('parseConstraints', () => parseConstraints([constraint], model));
    if (modelFree) expect(scheduled).toMatchObject({ ok: false, reason: error });
    noThrow('quickInfeasibility', () => quickInfeasibility(placement));
    // the explanations: the describe face gives the same sentence; a sentence quoting the
    // constraint anyway names it without its arguments
    // constraint anyway names it without its arguments (an undeclared id prints as `vm#999`)
    expect(noThrow('describeOf', () => describeOf(model, constraint, where, known))).toEqual({ error });
    const quoted = noThrow('describeConstraint', () => describeConstraint(model, constraint));
    if (modelFree) expect(quoted).toBe(`${def.id}(?)`);
    expect(noThrow('describeConstraintSet', () => describeConstraintSet(model, [constraint]))).toEqual([quoted]);
  });

  it('accepts every sample through every face (the reader refuses only what is wrong)', () => {
    const model = cluster();
    const known = knownElementsOf(model);
    for (const def of CATALOGUE) {
      for (const s of SAMPLES[def.id] ?? []) {
        const read = argsOf(def, s.constraint, 'constraints[0]', known);
        expect('error' in read ? read.error : undefined, def.id).toBeUndefined();
        const term = describeOf(model, s.constraint, 'constraints[0]', known);
        expect('text' in term ? term.text : term, def.id).toMatch(new RegExp(`^(>>)?${def.id}\\(.*\\)$`));
      }
    }
  });
});

describe('Deadline: one timestamp parser for the checker, the exact model and the scheduler', () => {
  const model = (): Model => build().on(0, 1).run(0, 0).resource(rc('cpu', 4, 1)).model;
  const deadline = (timestamp: string): Constraint => ({ id: 'Deadline', continuous: true, args: { vm: 0, timestamp } });
  /** The checker's verdict on VM0 migrating during [0, end]. */
  const onTime = (timestamp: string, end: number): boolean => {
    const m = model();
    const report = checkPlan(instanceOf(m, [deadline(timestamp)]), { origin: m, actions: [migrate(0, 0, 1, 0, end)] });
    return report.violations.every((v) => v.constraint?.id !== 'Deadline');
  };
  /** The bound the exact model puts on the migration's end, or its refusal. */
  const exactBound = (timestamp: string): number | string => {
    const built = buildExact({ model: model(), constraints: [deadline(timestamp)] }, ENCODERS, EXACT_MODEL, EXACT_SOLVE, 'mttr');
    if (!built.ok) return built.reasons.join('\n');
    const m = /constraint .* -> .* <= (\d+);/.exec(built.model);
    return m ? Number(m[1]) : 'no bound';
  };
  /** The seconds the scheduler ends up with (the face hands it the parser's reading). */
  const scheduled = (timestamp: string): number | undefined => {
    const parsed = parseConstraints([deadline(timestamp)], model());
    if ('ok' in parsed) return undefined;
    const d = parsed.deadline[0];
    const seconds = d === undefined ? undefined : schedulerTimestamp(d.timestamp);
    return typeof seconds === 'number' ? seconds : undefined;
  };
  /** What the scheduler gets from the face for this timestamp, converted with the clock at the plan start. */
  const scheduledAt = (timestamp: string, clockSeconds?: number): number | { readonly error: string } | undefined => {
    const parsed = parseConstraints([deadline(timestamp)], model());
    if ('ok' in parsed) return undefined;
    const d = parsed.deadline[0];
    return d === undefined ? undefined : schedulerTimestamp(d.timestamp, clockSeconds);
  };

  it.each([
    ['+0:05', 5],
    ["+1'30", 90],
    ['90', 90],
    ['+00:01:30', 90],
    ["1'30", 90],
  ])('%s is %i s after the plan starts, for the checker, the exact model and the scheduler', (timestamp, seconds) => {
    expect(readTimestamp(timestamp)).toEqual({ relative: true, seconds });
    expect(onTime(timestamp, seconds)).toBe(true);
    expect(onTime(timestamp, seconds + 1)).toBe(false);
    expect(exactBound(timestamp)).toBe(seconds);
    expect(scheduled(timestamp)).toBe(seconds);
  });

  it('an absolute deadline is refused by the exact model with the reason, and not judged by the checker', () => {
    expect(exactBound('12:00:00')).toMatch(/^constraints\[0\] \(Deadline\): the absolute deadline "12:00:00" \(a wall-clock time\) is not supported by the exact model/);
    expect(onTime('12:00:00', 100_000)).toBe(true); // a plan does not record when it runs
    expect(schedulerTimestamp('12:00:00', 11 * 3600)).toBe(3600); // the scheduler converts it against its clock
  });

  it('the scheduler only converts what the parser read: a delay ignores the clock, a wall-clock time counts from it', () => {
    const elevenAm = 11 * 3600;
    const onePm = 13 * 3600;
    // relative forms (BtrPlace's and Ferry's short ones): the same seconds whatever the clock says
    for (const delay of ['+00:01:30', "+1'30", '90', '+1:30']) {
      expect(scheduledAt(delay), delay).toBe(90);
      expect(scheduledAt(delay, onePm), delay).toBe(90);
    }
    // a wall-clock time: the seconds until then, rolled over to the next day once past
    expect(scheduledAt('12:00:00', elevenAm)).toBe(3600);
    expect(scheduledAt('12:00:00', onePm)).toBe(23 * 3600);
    expect(scheduledAt('13:00:00', onePm)).toBe(0);
    expect(scheduledAt(' 12:00:05 ', elevenAm)).toBe(3605);
    // without a clock, the time of day is read as a delay from the plan start
    expect(scheduledAt('12:00:00')).toBe(12 * 3600);
  });

  it.each(['soon', '12:00', '25:00:00', "+1'75", '-3'])('the scheduler refuses %j with the parser\'s own sentence', (timestamp) => {
    const refused = readTimestamp(timestamp);
    if (!('error' in refused)) return expect.fail(`${timestamp} accepted`);
    expect(schedulerTimestamp(timestamp, 3600)).toEqual({ error: refused.error });
  });

  it.each(['soon', '12:00', '+1:2', '25:00:00', "+1'75", '+99999999999', ''])('%j is the same located error everywhere', (timestamp) => {
    const m = model();
    const c = deadline(timestamp);
    const definition = CATALOGUE.find((d) => d.id === 'Deadline') as ConstraintDefinition;
    const read = argsOf(definition, c, 'constraints[0]');
    if (!('error' in read)) return expect.fail(`${timestamp} accepted`);
    expect(read.error).toMatch(/^constraints\[0\]\.timestamp: /);
    expect(checkPlan(instanceOf(m, [c]), emptyPlan(m)).violations.map((v) => v.message)).toEqual([expect.stringContaining(read.error)]);
    expect(exactBound(timestamp)).toBe(read.error);
    expect(parseConstraints([c], m)).toMatchObject({ ok: false, reason: read.error });
  });
});
