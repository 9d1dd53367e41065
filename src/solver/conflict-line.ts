/**
 * The grammar of an explanation's conflict lines, written and read in this one module (it depends
 * on nothing, so the contract can read lines with it).
 *
 * A conflict line says what the planner means: the constraints that cannot hold together (or
 * none: the cluster itself lacks capacity), the nodes whose capacity the argument counts, and what
 * goes wrong. The CLI prints writeConflict's text; planResultToWire reads it back with
 * readConflict and hands the console the terms, so the console links constraints to script lines
 * without reading sentences.
 */
export interface Conflict {
  /** 'cluster': no constraint takes part, the VMs do not fit the cluster's nodes at all. */
  readonly cause: 'constraints' | 'cluster';
  /** The constraints as terms (`offline(N[1..500])`, `>>spread({VM2, VM3})`). */
  readonly constraints: readonly string[];
  /** How many more constraints take part than the terms show (MAX_TERMS). */
  readonly more: number;
  /** The nodes whose capacity the argument counts (`N1, N2 and 4 more`), or null. */
  readonly capacityOf: string | null;
  readonly message: string;
}

/** The head of a line whose argument involves no constraint. */
export const CLUSTER_LACKS_CAPACITY = 'no constraint involved, the cluster lacks capacity';

const CAPACITY_TERM = 'capacity of ';
const MORE_TERM = /^(\d+) more constraints$/;

/** The term standing for `k` constraints the line does not show. */
export function moreConstraintsTerm(k: number): string {
  return `${k} more constraints`;
}

/** How many constraints a `k more constraints` term stands for, or null for another term. */
export function moreConstraintsIn(term: string): number | null {
  const m = MORE_TERM.exec(term);
  return m ? Number(m[1]) : null;
}
const CONSTRAINT_TERM = /^(?:>>)?[A-Za-z_]\w*\(.*\)$/s;

/** `offline(N3) + spread({VM2, VM3}) + capacity of N1, N2: VM3 has nowhere to go` */
export function writeConflict(c: Conflict): string {
  const capacity = c.capacityOf === null ? [] : [`${CAPACITY_TERM}${c.capacityOf}`];
  if (c.cause === 'cluster') return `${CLUSTER_LACKS_CAPACITY}${c.capacityOf === null ? '' : ` (${CAPACITY_TERM}${c.capacityOf})`}: ${c.message}`;
  const more = c.more > 0 ? [moreConstraintsTerm(c.more)] : [];
  return `${[...c.constraints, ...more, ...capacity].join(' + ')}: ${c.message}`;
}

/**
 * The conflict a line states, or null for a line that states none (a supporting fact such as a
 * VM's demand). Two forms: writeConflict's, and the one the reduction and the power pass write,
 * a sentence whose subject is the one constraint that cannot hold (`ban(VM1, {N1}) is continuous
 * but …`, `>>maxOnline({N1, N2}, 1) cannot hold: …`).
 */
export function readConflict(line: string): Conflict | null {
  return headConflict(line) ?? subjectConflict(line);
}

/** writeConflict's form: `term + term + capacity of …: message`. */
function headConflict(line: string): Conflict | null {
  const colon = topLevelIndex(line, ': ');
  if (colon < 0) return null;
  const head = line.slice(0, colon);
  const message = line.slice(colon + 2);
  if (head.startsWith(CLUSTER_LACKS_CAPACITY)) {
    const rest = head.slice(CLUSTER_LACKS_CAPACITY.length);
    if (rest === '') return { cause: 'cluster', constraints: [], more: 0, capacityOf: null, message };
    const capacity = /^ \(capacity of (.*)\)$/s.exec(rest);
    return capacity ? { cause: 'cluster', constraints: [], more: 0, capacityOf: capacity[1] as string, message } : null;
  }
  const terms = splitTopLevel(head, ' + ');
  const constraints: string[] = [];
  let more = 0;
  let capacityOf: string | null = null;
  for (const [i, term] of terms.entries()) {
    const count = moreConstraintsIn(term);
    if (term.startsWith(CAPACITY_TERM) && i === terms.length - 1) capacityOf = term.slice(CAPACITY_TERM.length);
    else if (count !== null && more === 0) more = count;
    else if (CONSTRAINT_TERM.test(term) && more === 0) constraints.push(term);
    else return null;
  }
  return constraints.length > 0 ? { cause: 'constraints', constraints, more, capacityOf, message } : null;
}

/** A line opening with one constraint term and a space: that constraint is the conflict. */
function subjectConflict(line: string): Conflict | null {
  const open = /^(?:>>)?[A-Za-z_]\w*\(/.exec(line);
  if (!open) return null;
  let depth = 0;
  for (let i = open[0].length - 1; i < line.length; i++) {
    const c = line[i];
    if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') depth--;
    if (depth === 0) return line[i + 1] === ' ' ? { cause: 'constraints', constraints: [line.slice(0, i + 1)], more: 0, capacityOf: null, message: line.slice(i + 2) } : null;
  }
  return null;
}

/** Index of the first `sep` outside brackets, or -1. */
function topLevelIndex(text: string, sep: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') depth = Math.max(0, depth - 1);
    else if (depth === 0 && text.startsWith(sep, i)) return i;
  }
  return -1;
}

/** The parts of `text` between the `sep`s outside brackets. */
function splitTopLevel(text: string, sep: string): string[] {
  const out: string[] = [];
  let rest = text;
  for (let at = topLevelIndex(rest, sep); at >= 0; at = topLevelIndex(rest, sep)) {
    out.push(rest.slice(0, at));
    rest = rest.slice(at + sep.length);
  }
  out.push(rest);
  return out;
}
