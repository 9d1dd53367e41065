/**
 * Diagnostics of the btrpsl tool chain: located (1-based line and column, end exclusive), worded
 * for operators, with an optional suggestion ("did you mean VM2?") kept apart so an editor can
 * offer it as a quick fix.
 */

export type Severity = 'error' | 'warning' | 'info';

/** Stable machine codes, one per kind of problem (editors and tests key on them). */
export type DiagnosticCode =
  | 'syntax'
  | 'unknown-vm'
  | 'unknown-node'
  | 'unknown-variable'
  | 'unknown-constraint'
  | 'unknown-resource'
  | 'unknown-import'
  | 'arity'
  | 'type'
  | 'not-integer'
  | 'discrete-unsupported'
  | 'constraint-rejected'
  | 'immutable'
  | 'redeclared'
  | 'operation'
  | 'range'
  | 'export'
  | 'import'
  | 'limit'
  | 'empty-set'
  | 'no-constraint'
  | 'internal';

export interface Diagnostic {
  readonly severity: Severity;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly message: string;
  /** A replacement text the operator probably meant (a name, a constraint, a resource id). */
  readonly suggestion?: string;
  readonly code: DiagnosticCode;
}

/** A half-open range of character offsets in a script. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** Offsets → 1-based line/column, computed once per text. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  position(offset: number): { line: number; column: number } {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - (this.starts[lo] ?? 0) + 1 };
  }

  /** Offset of a 1-based line/column (clamped). */
  offset(line: number, column: number): number {
    const start = this.starts[Math.max(0, Math.min(line - 1, this.starts.length - 1))] ?? 0;
    return Math.min(this.text.length, start + Math.max(0, column - 1));
  }

  /** The text of a 1-based line, without its line break. */
  lineText(line: number): string {
    const start = this.starts[line - 1];
    if (start === undefined) return '';
    const next = this.starts[line];
    const raw = this.text.slice(start, next === undefined ? undefined : next - 1);
    return raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  }
}

/** Collects diagnostics for one text; de-duplicates identical ones (loops re-evaluate statements). */
export class DiagnosticSink {
  readonly list: Diagnostic[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly lines: LineIndex) {}

  add(severity: Severity, code: DiagnosticCode, span: Span, message: string, suggestion?: string): void {
    const from = this.lines.position(span.start);
    const to = this.lines.position(Math.max(span.end, span.start));
    const key = `${severity}|${span.start}|${span.end}|${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push({
      severity,
      code,
      line: from.line,
      column: from.column,
      endLine: to.line,
      endColumn: to.column,
      message,
      ...(suggestion === undefined ? {} : { suggestion }),
    });
  }

  error(code: DiagnosticCode, span: Span, message: string, suggestion?: string): void {
    this.add('error', code, span, message, suggestion);
  }

  warning(code: DiagnosticCode, span: Span, message: string, suggestion?: string): void {
    this.add('warning', code, span, message, suggestion);
  }

  hasErrors(): boolean {
    return this.list.some((d) => d.severity === 'error');
  }
}

/** Sorted by position, errors first at equal positions. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  const rank = { error: 0, warning: 1, info: 2 } as const;
  return [...list].sort((a, b) => a.line - b.line || a.column - b.column || rank[a.severity] - rank[b.severity]);
}

/** Levenshtein distance, stopping early once it exceeds `max` (then returns max + 1). */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (a.length === 0 || b.length === 0) return Math.max(a.length, b.length);
  let previous = new Uint32Array(b.length + 1);
  let current = new Uint32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      const value = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > max) return max + 1;
    [previous, current] = [current, previous];
  }
  return previous[b.length] as number;
}

/**
 * The closest candidate to `word` (case-insensitive edit distance), if it is close enough to be a
 * plausible typo: at most 1 edit for short words, about a third of the length for longer ones.
 * Ties go to the candidate sharing the longest ending with `word` (names differ by their numbers:
 * `VM12` → `VM2` rather than `VM1`), then to the one listed first. Bounded work: at most 50,000
 * candidates are compared.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const target = word.toLowerCase();
  const budget = Math.max(1, Math.min(3, Math.floor(target.length / 3)));
  let best: string | undefined;
  let bestDistance = budget + 1;
  let compared = 0;
  for (const candidate of candidates) {
    if (++compared > 50_000) break;
    if (candidate === word) return candidate;
    const lower = candidate.toLowerCase();
    const d = editDistance(target, lower, bestDistance);
    if (d < bestDistance || (d === bestDistance && best !== undefined && commonSuffix(target, lower) > commonSuffix(target, best.toLowerCase()))) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function commonSuffix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

/** " (did you mean X?)" or "" — for messages; the bare suggestion goes into Diagnostic.suggestion. */
export function didYouMean(suggestion: string | undefined, quote = ''): string {
  return suggestion === undefined ? '' : `; did you mean ${quote}${suggestion}${quote}?`;
}
