import type { Constraint } from '../catalogue/constraint.js';
import type { Model } from '../model/index.js';
import { safeName, summariseNames } from '../text/safe.js';
import { describeConstraint } from './problem.js';
import { type Conflict, moreConstraintsIn, moreConstraintsTerm } from './conflict-line.js';

/**
 * Explanations promise a small set of constraints; an instance with 500 `offline` constraints
 * made one 500-term line of them. Constraints that differ only in their one VM or node are
 * written once with the names summarised (`offline(N[1..500])`), and at most MAX_TERMS terms are
 * written, then how many more.
 */
export const MAX_TERMS = 8;

/** Most lines an explanation prints: past that, the count of the others. */
export const MAX_EXPLANATION_LINES = 12;

const HOLE = '\u0000';

/** The constraints as ` + `-joinable terms, grouped and bounded. */
export function describeConstraintSet(model: Model, constraints: readonly Constraint[]): string[] {
  const groups = new Map<string, string[]>();
  for (const c of constraints) {
    const [shape, name] = shapeOf(model, c);
    const names = groups.get(shape);
    if (names) names.push(name);
    else groups.set(shape, [name]);
  }
  const terms = [...groups].flatMap(([shape, names]) => (shape.includes(HOLE) ? groupTerms(shape, names) : [shape]));
  if (terms.length <= MAX_TERMS) return terms;
  return [...terms.slice(0, MAX_TERMS), moreConstraintsTerm(terms.length - MAX_TERMS)];
}

/** A few alike constraints stay apart (`offline(N1) + offline(N3)`); more become one term. */
function groupTerms(shape: string, names: readonly string[]): string[] {
  if (names.length <= GROUP_FROM) return names.map((n) => shape.replace(HOLE, safeName(n)));
  const summary = summariseNames(names);
  // a single range reads as a set already (`N[1..500]`); a list needs braces to stay one argument
  return [shape.replace(HOLE, /^[^,\s]*\[\d+\.\.\d+\]$/.test(summary) ? summary : `{${summary}}`)];
}

/** Alike constraints up to this many are written one by one. */
const GROUP_FROM = 3;

/**
 * The description with its single VM or node left as a hole, and that element's name; a
 * constraint over sets is its own shape (its sets are summarised by describeConstraint).
 */
function shapeOf(model: Model, c: Constraint): [string, string] {
  const key = (['vm', 'node'] as const).find((k) => typeof c.args[k] === 'number');
  if (key === undefined) return [describeConstraint(model, c), ''];
  const id = c.args[key] as number;
  const name = key === 'vm' ? model.vmName(id) : model.nodeName(id);
  return [describeConstraint(model, { ...c, args: { ...c.args, [key]: HOLE } }), name];
}

/** At most MAX_EXPLANATION_LINES lines, the last one saying how many were left out. */
export function boundLines(lines: readonly string[]): string[] {
  if (lines.length <= MAX_EXPLANATION_LINES) return [...lines];
  const kept = lines.slice(0, MAX_EXPLANATION_LINES - 1);
  return [...kept, `and ${lines.length - kept.length} more reasons`];
}

/** The conflict of these constraints (grouped, bounded) with the capacity of these nodes. */
export function conflictOf(model: Model, constraints: readonly Constraint[], capacityOf: string | null, message: string): Conflict {
  if (constraints.length === 0) return { cause: 'cluster', constraints: [], more: 0, capacityOf, message };
  const terms = describeConstraintSet(model, constraints);
  const more = moreConstraintsIn(terms[terms.length - 1] ?? '');
  return more === null ? { cause: 'constraints', constraints: terms, more: 0, capacityOf, message } : { cause: 'constraints', constraints: terms.slice(0, -1), more, capacityOf, message };
}
