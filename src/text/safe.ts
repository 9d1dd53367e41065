/**
 * Text Ferry prints for an operator. Names come from the instance or the cluster (a hypervisor
 * reports whatever a VM was called), so every name printed in text goes through `safeName`: a
 * name with a newline must not forge a line of the plan the operator approves, nor an escape
 * sequence reach the terminal. JSON output does not need this (JSON escapes).
 */

// C0 and C1 controls (ESC, CSI, newline, carriage return…) and the Unicode line separators
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** The name with every control character replaced by U+FFFD: always one line, never an escape. */
export function safeName(name: string): string {
  return name.replace(CONTROL, '\uFFFD');
}

// every C0 control but tab and newline: JSON.stringify escapes all of them, so a whole output
// (text or JSON) can pass through this without changing any JSON
// eslint-disable-next-line no-control-regex
const STRAY_CONTROL = /[\u0000-\u0008\u000b-\u001f]/g;

/**
 * The last guard before the terminal: control characters other than tab and newline (ESC above
 * all) become U+FFFD. It cannot tell a name's newline from a line break: names must already have
 * gone through safeName.
 */
export function terminalSafe(text: string): string {
  return text.replace(STRAY_CONTROL, '\uFFFD');
}

/**
 * Up to `max` names as they are; more, as ranges of consecutive names (`@N[1..500]`: a shared
 * prefix and consecutive numbers) and the first `max` of those, then `and 480 more`: a set of 500
 * names stays one short line.
 */
export function summariseNames(names: readonly string[], max = 6): string {
  if (names.length <= max) return names.map(safeName).join(', ');
  const runs = numberedRuns(names.map(safeName));
  const shown = runs.slice(0, max).map((r) => r.text);
  if (runs.length <= max) return shown.join(', ');
  const rest = runs.slice(max).reduce((k, r) => k + r.count, 0);
  return `${shown.join(', ')} and ${rest} more`;
}

interface Numbered {
  readonly prefix: string;
  readonly n: number;
  readonly digits: string;
}

function numbered(name: string): Numbered | undefined {
  const m = /^(.*?)(\d+)$/.exec(name);
  if (!m || (m[2] as string).length > 9) return undefined;
  return { prefix: m[1] as string, n: Number(m[2]), digits: m[2] as string };
}

/** Consecutive names in order (`VM1, VM2, VM3`) become `VM[1..3]`; runs of two stay apart. */
function numberedRuns(names: readonly string[]): { readonly text: string; readonly count: number }[] {
  const out: { text: string; count: number }[] = [];
  let i = 0;
  while (i < names.length) {
    const first = numbered(names[i] as string);
    let j = i + 1;
    // a leading zero would make `VM01` read as `VM[1..]`: such names are kept as they are
    while (first && !first.digits.startsWith('0') && j < names.length && follows(first, j - i, names[j] as string)) j++;
    if (first && j - i >= 3) out.push({ text: `${first.prefix}[${first.n}..${first.n + j - i - 1}]`, count: j - i });
    else {
      out.push({ text: names[i] as string, count: 1 });
      j = i + 1;
    }
    i = j;
  }
  return out;
}

function follows(first: Numbered, offset: number, name: string): boolean {
  const next = numbered(name);
  return next !== undefined && next.prefix === first.prefix && next.n === first.n + offset && String(next.n) === next.digits;
}

/**
 * At most `width` characters of a source line around `column` (1-based), with `…` where it was
 * cut, and the column of the same character in the excerpt: a 2 MB line prints a window, not 2 MB.
 */
export function lineExcerpt(line: string, column: number, width = 120): { readonly text: string; readonly column: number } {
  if (line.length <= width) return { text: line, column };
  const start = Math.max(0, Math.min(column - 1 - Math.floor(width / 2), line.length - width));
  const end = start + width;
  const head = start > 0 ? '…' : '';
  const tail = end < line.length ? '…' : '';
  return { text: `${head}${line.slice(start, end)}${tail}`, column: column - start + head.length };
}
