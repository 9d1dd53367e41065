import type { Constraint } from '../catalogue/constraint.js';
import type { Model } from '../model/index.js';
import { safeName, summariseNames } from '../text/safe.js';
import { describeConstraint, describeOf } from '../catalogue/describe.js';
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

/** The constraints as ` + `-joinable terms, grouped and bounded. */
export function describeConstraintSet(model: Model, constraints: readonly Constraint[]): string[] {
  const groups = new Map<string, { readonly shape: Shape; readonly names: string[] }>();
  for (const c of constraints) {
    const { key, shape, name } = shapeOf(model, c);
    const group = groups.get(key);
    if (group) group.names.push(name);
    else groups.set(key, { shape, names: [name] });
  }
  const terms = [...groups.values()].flatMap(({ shape, names }) => (typeof shape === 'string' ? [shape] : groupTerms(shape, names)));
  if (terms.length <= MAX_TERMS) return terms;
  return [...terms.slice(0, MAX_TERMS), moreConstraintsTerm(terms.length - MAX_TERMS)];
}

/** A whole term, or the term around its one VM or node (`offline(` and `)`). */
type Shape = string | { readonly before: string; readonly after: string };

/** A few alike constraints stay apart (`offline(N1) + offline(N3)`); more become one term. */
function groupTerms(shape: Exclude<Shape, string>, names: readonly string[]): string[] {
  if (names.length <= GROUP_FROM) return names.map((n) => `${shape.before}${safeName(n)}${shape.after}`);
  const summary = summariseNames(names);
  // a single range reads as a set already (`N[1..500]`); a list needs braces to stay one argument
  return [`${shape.before}${/^[^,\s]*\[\d+\.\.\d+\]$/.test(summary) ? summary : `{${summary}}`}${shape.after}`];
}

/** Alike constraints up to this many are written one by one. */
const GROUP_FROM = 3;

/**
 * The constraint's term with its single VM or node left out (the catalogue's `lone`), and that
 * element's name; a constraint over sets is its own shape (its sets are summarised already).
 */
function shapeOf(model: Model, c: Constraint): { readonly key: string; readonly shape: Shape; readonly name: string } {
  const term = describeOf(model, c, c.id);
  if ('error' in term) {
    const text = describeConstraint(model, c);
    return { key: text, shape: text, name: '' };
  }
  if (!term.lone) return { key: term.text, shape: term.text, name: '' };
  const { before, after, name } = term.lone;
  // the text around the element cannot hold a newline (names are safe), so it separates them
  return { key: `${before}\n${after}`, shape: { before, after }, name };
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
