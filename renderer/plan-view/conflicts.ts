/**
 * An infeasibility explanation (`offline(@r2-h3) + spread({web1, web2}) + capacity of …: web3 has
 * no host`) tied back to the script: each conflicting constraint with the line of the script that
 * states it, so the operator can go there. A constraint the script does not state (the cluster's
 * own, or the capacity) has no line.
 */

export interface ConflictingConstraint {
  /** The constraint as the explanation says it (text, never markup). */
  readonly text: string;
  /** 1-based line of the script stating it, or null. */
  readonly line: number | null;
}

export interface ExplainedConflict {
  /** The explanation line as is. */
  readonly sentence: string;
  readonly constraints: readonly ConflictingConstraint[];
}

/** Splits each explanation line into its constraints (before the first `: `) and finds their lines. */
export function conflictLinks(explanation: readonly string[], script: string): ExplainedConflict[] {
  const lines = script.split(/\r\n|\r|\n/);
  return explanation.map((sentence) => {
    const head = sentence.split(': ', 1)[0] ?? '';
    const parts = head.includes('(') ? splitTopLevel(head, ' + ') : [];
    return { sentence, constraints: parts.filter((p) => /^\w+\s*\(/.test(p)).map((text) => ({ text, line: lineOf(text, lines) })) };
  });
}

/** Splits at `sep` outside brackets (a constraint's arguments may contain anything but unbalanced brackets). */
function splitTopLevel(text: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') depth = Math.max(0, depth - 1);
    else if (depth === 0 && text.startsWith(sep, i)) {
      out.push(text.slice(from, i).trim());
      from = i + sep.length;
      i += sep.length - 1;
    }
  }
  out.push(text.slice(from).trim());
  return out.filter((p) => p !== '');
}

/**
 * The script line stating a constraint: a line calling the same constraint (outside a comment)
 * that names the most of its elements; ties go to the first such line.
 */
function lineOf(constraint: string, lines: readonly string[]): number | null {
  const name = /^(\w+)\s*\(/.exec(constraint)?.[1];
  if (name === undefined) return null;
  const elements = (constraint.slice(name.length).match(/[@\w][\w.-]*/g) ?? []).map((e) => e.replace(/^@/, ''));
  const call = new RegExp(`(^|[^\\w])${name}\\s*\\(`);
  let best: { line: number; score: number } | null = null;
  lines.forEach((raw, i) => {
    const code = raw.split('//', 1)[0] ?? '';
    if (!call.test(code)) return;
    const score = elements.filter((e) => code.includes(e)).length;
    if (best === null || score > best.score) best = { line: i + 1, score };
  });
  return (best as { line: number } | null)?.line ?? null;
}
