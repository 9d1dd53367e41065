import type { ConflictWire, PlanResultWire } from '../../src/contract/events.js';

/**
 * An infeasibility explanation tied back to the script. The services send, beside each line, the
 * conflict it states (`conflicts`: the constraint terms, or "the cluster lacks capacity"); here
 * each term finds the script statements that state it, so the operator can go there. A constraint
 * the script does not state (the cluster's own) has no line. The sentences are never read.
 */

export interface ConflictingConstraint {
  /** The constraint as the explanation says it (text, never markup). */
  readonly text: string;
  /** 1-based lines of the script stating it (several for a summarised set); empty: not in the script. */
  readonly lines: readonly number[];
}

export interface ExplainedConflict {
  /** The explanation line as is. */
  readonly sentence: string;
  /** What the line states: constraints in conflict, the cluster's own capacity, or nothing (a supporting fact). */
  readonly cause: ConflictWire['cause'] | null;
  readonly constraints: readonly ConflictingConstraint[];
  /** Constraints that take part beyond those the line shows. */
  readonly more: number;
}

/** Each explanation line with the conflict it states and the script lines of its constraints. */
export function conflictLinks(result: Pick<PlanResultWire, 'explanation' | 'conflicts'>, script: string): ExplainedConflict[] {
  const statements = constraintCalls(script);
  const byLine = new Map((result.conflicts ?? []).map((c) => [c.line, c]));
  return result.explanation.map((sentence, i) => {
    const conflict = byLine.get(i);
    if (!conflict) return { sentence, cause: null, constraints: [], more: 0 };
    const constraints = conflict.constraints.map((text) => ({ text, lines: linesStating(text, statements) }));
    return { sentence, cause: conflict.cause, constraints, more: conflict.more };
  });
}

/** A script line calling a constraint: its name and the VM/node names it mentions (ranges expanded). */
interface ConstraintCall {
  readonly line: number;
  readonly name: string;
  readonly elements: ReadonlySet<string>;
}

const CALL = /(?:^|[^\w@.-])(?:>>)?([A-Za-z_]\w*)\s*\(/g;

function constraintCalls(script: string): ConstraintCall[] {
  const out: ConstraintCall[] = [];
  script.split(/\r\n|\r|\n/).forEach((raw, i) => {
    const code = raw.split('//', 1)[0] ?? '';
    for (const m of code.matchAll(CALL)) out.push({ line: i + 1, name: m[1] as string, elements: elementsOf(argumentsAt(code, (m.index ?? 0) + m[0].length)) });
  });
  return out;
}

/** The text from `from` (just past a call's `(`) to the call's closing bracket, or the line's end. */
function argumentsAt(code: string, from: number): string {
  let depth = 1;
  for (let i = from; i < code.length; i++) {
    const c = code[i];
    if (c === '(' || c === '{' || c === '[') depth++;
    else if ((c === ')' || c === '}' || c === ']') && --depth === 0) return code.slice(from, i);
  }
  return code.slice(from);
}

/**
 * The script lines stating a term: the calls of the same constraint whose every element the term
 * names (a summarised set names many statements); failing that, the call naming the most of them.
 */
function linesStating(term: string, statements: readonly ConstraintCall[]): number[] {
  const head = /^(?:>>)?([A-Za-z_]\w*)\(/.exec(term);
  if (!head) return [];
  const named = elementsOf(term.slice(head[0].length));
  const calls = statements.filter((s) => s.name === head[1]);
  const inside = calls.filter((s) => s.elements.size > 0 && [...s.elements].every((e) => named.has(e)));
  if (inside.length > 0) return [...new Set(inside.map((s) => s.line))];
  let best: { line: number; score: number } | null = null;
  for (const s of calls) {
    const score = [...s.elements].filter((e) => named.has(e)).length;
    // a call naming none of the term's elements states another constraint, unless it names no element at all (variables)
    if ((score > 0 || s.elements.size === 0) && (best === null || score > best.score)) best = { line: s.line, score };
  }
  return best ? [best.line] : [];
}

/** Most names one range (`N[1..500]`) expands to: past it, the range's ends stand for it. */
const MAX_RANGE = 10_000;

const ELEMENT = /(\$?)@?([A-Za-z_][\w.-]*|\d[\w.-]*[A-Za-z_][\w.-]*)(?:\[(\d+)\.\.(\d+)\])?/g;

/** VM and node names in a text of constraint arguments, `prefix[a..b]` ranges expanded (`$variables` name none). */
function elementsOf(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(ELEMENT)) {
    if (m[1] === '$') continue;
    const prefix = m[2] as string;
    if (m[3] === undefined || m[4] === undefined) {
      out.add(prefix);
      continue;
    }
    const from = Number(m[3]);
    const to = Number(m[4]);
    if (to - from >= MAX_RANGE || to < from) {
      out.add(`${prefix}${from}`);
      out.add(`${prefix}${to}`);
    } else for (let k = from; k <= to; k++) out.add(`${prefix}${k}`);
  }
  return out;
}
