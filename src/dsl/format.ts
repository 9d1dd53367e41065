/**
 * The canonical layout of a btrpsl script: one statement per line, blocks indented by 4 spaces,
 * one space around binary operators, `, ` between arguments, ` : ` before a template, at most one
 * blank line where the author left some. Comments are kept: a comment on its own line stays before
 * the statement that follows it, a comment after a statement on the same line stays there, and a
 * comment written inside a statement moves to the line above that statement. Numbers and strings
 * keep their notation (`0xff`, `'cpu'`). Formatting is idempotent and never changes what the script
 * means (same tokens, same tree). A script with syntax errors is returned unchanged.
 */
import type { DeclareStatement, Expr, IfStatement, ScriptAst, Statement } from './ast.js';
import { DiagnosticSink, LineIndex, type Span } from './diagnostics.js';
import { parseScriptText } from './parser.js';

const INDENT = '    ';

export interface FormatResult {
  readonly text: string;
  /** false when the script has syntax errors (the text is then returned as is) */
  readonly formatted: boolean;
}

export function formatScriptResult(text: string): FormatResult {
  const sink = new DiagnosticSink(new LineIndex(text));
  const ast = parseScriptText(text, sink);
  if (sink.hasErrors()) return { text, formatted: false };
  return { text: new Printer(text, ast).print(), formatted: true };
}

/** The script in canonical layout (unchanged when it has syntax errors). */
export function formatScript(text: string): string {
  return formatScriptResult(text).text;
}

interface Comment {
  readonly text: string;
  readonly span: Span;
  used: boolean;
}

class Printer {
  private readonly out: string[] = [];
  private readonly comments: Comment[];
  /** end offset of the last thing printed, to detect blank lines the author left */
  private lastEnd = -1;
  /** index of the first comment that may still be unused */
  private cursor = 0;

  constructor(
    private readonly source: string,
    private readonly ast: ScriptAst,
  ) {
    this.comments = ast.comments.map((c) => ({ text: c.text, span: c.span, used: false }));
  }

  print(): string {
    const { namespace, imports, statements } = this.ast;
    const top: { span: Span; line: () => string; statement?: Statement }[] = [];
    if (namespace) top.push({ span: namespace.span, line: () => `namespace ${namespace.name};` });
    for (const imp of imports) top.push({ span: imp.span, line: () => `import ${imp.name};` });
    for (const s of statements) top.push({ span: s.span, line: () => '', statement: s });
    top.sort((a, b) => a.span.start - b.span.start);
    for (const item of top) {
      if (item.statement) this.statement(item.statement, 0);
      else {
        this.leading(item.span, 0);
        this.emit(0, item.line(), item.span);
      }
    }
    this.leading({ start: this.source.length, end: this.source.length }, 0);
    while (this.out.length > 0 && this.out[this.out.length - 1] === '') this.out.pop();
    return this.out.length === 0 ? '' : `${this.out.join('\n')}\n`;
  }

  /** First comment starting at or after `offset` (comments are in source order). */
  private lowerBound(offset: number): number {
    let lo = 0;
    let hi = this.comments.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.comments[mid] as Comment).span.start < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Unused comments starting in [start, end), in order. */
  private unusedBetween(start: number, end: number): Comment[] {
    const out: Comment[] = [];
    for (let i = this.lowerBound(start); i < this.comments.length; i++) {
      const c = this.comments[i] as Comment;
      if (c.span.start >= end) break;
      if (!c.used) out.push(c);
    }
    return out;
  }

  private firstUnusedFrom(start: number): Comment | undefined {
    for (let i = this.lowerBound(start); i < this.comments.length; i++) {
      const c = this.comments[i] as Comment;
      if (!c.used) return c;
    }
    return undefined;
  }

  /** Emits the comments before `span` (own lines), with the author's blank lines (at most one). */
  private leading(span: Span, depth: number): void {
    while (this.cursor < this.comments.length && (this.comments[this.cursor] as Comment).used) this.cursor++;
    for (const c of this.unusedBetween(this.cursor < this.comments.length ? (this.comments[this.cursor] as Comment).span.start : span.start, span.start)) {
      c.used = true;
      this.blankLineBefore(c.span.start);
      this.out.push(INDENT.repeat(depth) + c.text);
      this.lastEnd = c.span.end;
    }
    this.blankLineBefore(span.start);
  }

  private blankLineBefore(start: number): void {
    if (this.lastEnd < 0 || this.out.length === 0) return;
    const between = this.source.slice(this.lastEnd, start);
    if (/\n[ \t\r\f\v]*\n/.test(between) && this.out[this.out.length - 1] !== '' && !/\{$/.test(this.out[this.out.length - 1] ?? '')) this.out.push('');
  }

  /** One line; `span` is what it stands for, so a comment after it on the same source line stays on it. */
  private emit(depth: number, line: string, span: Span, insideDepth = depth): void {
    // comments inside the statement (not in a nested block, already handled) go above it; for a
    // `} else {` line, that is inside the block it closes
    const inside = this.unusedBetween(span.start, span.end).filter((c) => c.span.end <= span.end);
    for (const c of inside) {
      c.used = true;
      this.out.push(INDENT.repeat(insideDepth) + c.text);
    }
    let text = INDENT.repeat(depth) + line;
    this.lastEnd = span.end;
    // a comment right after the statement, on its line, with no code in between
    const next = this.firstUnusedFrom(span.end);
    const trailing = next && /^[ \t]*$/.test(this.source.slice(span.end, next.span.start)) ? next : undefined;
    if (trailing && !(trailing.text.startsWith('/*') && trailing.text.includes('\n'))) {
      trailing.used = true;
      text += ` ${trailing.text}`;
      this.lastEnd = trailing.span.end;
    }
    this.out.push(text);
  }

  private statement(s: Statement, depth: number): void {
    this.leading(s.span, depth);
    switch (s.type) {
      case 'assign':
        return this.emit(depth, `${expr(s.target)} ${s.op} ${expr(s.value)};`, s.span);
      case 'declare':
        return this.emit(depth, declaration(s), s.span);
      case 'constraint':
        return this.emit(depth, `${s.discrete ? '>>' : ''}${s.name}(${s.args.map(expr).join(', ')});`, s.span);
      case 'export':
        return this.emit(depth, `export ${s.items.map(expr).join(', ')} to ${s.scopes.map((x) => x.name).join(', ')};`, s.span);
      case 'for':
        return this.block(depth, `for ${s.variable.name} in ${expr(s.iterable)} {`, { start: s.span.start, end: bodyStart(this.source, s.iterable.span.end) }, s.body, s.span.end, '}');
      case 'if':
        return this.ifStatement(s, depth, 'if');
    }
  }

  private ifStatement(s: IfStatement, depth: number, keyword: string, headStart = s.span.start): void {
    const headEnd = bodyStart(this.source, s.condition.span.end);
    const thenEnd = s.otherwise ? closingBrace(this.source, s.then, headEnd) : s.span.end;
    const otherwise = s.otherwise;
    if (otherwise === undefined) {
      this.block(depth, `${keyword} ${expr(s.condition)} {`, { start: headStart, end: headEnd }, s.then, s.span.end, '}');
      return;
    }
    this.block(depth, `${keyword} ${expr(s.condition)} {`, { start: headStart, end: headEnd }, s.then, thenEnd, null);
    if (Array.isArray(otherwise)) {
      const elseHead = bodyStart(this.source, thenEnd);
      this.block(depth, '} else {', { start: thenEnd - 1, end: elseHead }, otherwise as readonly Statement[], s.span.end, '}');
    } else {
      this.ifStatement(otherwise as IfStatement, depth, '} else if', thenEnd - 1);
    }
  }

  /**
   * `head` line, the body one level deeper, then the closing line (`close`, or nothing when an
   * `else` continues the block). `closeEnd` is the offset just after the block's `}`.
   */
  private block(depth: number, head: string, headSpan: Span, body: readonly Statement[], closeEnd: number, close: string | null): void {
    this.emit(depth, head, headSpan, head.startsWith('}') ? depth + 1 : depth);
    for (const s of body) this.statement(s, depth + 1);
    const closeStart = closeEnd - 1;
    // comments left inside the block, before its '}'
    for (const c of this.unusedBetween(headSpan.end, closeStart)) {
      c.used = true;
      this.out.push(INDENT.repeat(depth + 1) + c.text);
      this.lastEnd = c.span.end;
    }
    if (close !== null) this.emit(depth, close, { start: closeStart, end: closeEnd });
    else this.lastEnd = closeEnd;
  }
}

function declaration(s: DeclareStatement): string {
  const options = s.options ? `<${s.options.map((o) => (o.value ? `${o.key}=${o.value.text}` : o.key)).join(', ')}>` : '';
  return `${expr(s.target)} : ${s.template}${options};`;
}

/** Offset just after the `{` opening a block whose header ends at `from`. */
function bodyStart(source: string, from: number): number {
  const i = indexOfCode(source, '{', from);
  return i < 0 ? from : i + 1;
}

/** Offset just after the `}` closing a `then` block (the first `}` at depth 0 after its statements). */
function closingBrace(source: string, body: readonly Statement[], headEnd: number): number {
  const last = body[body.length - 1];
  const from = last ? last.span.end : headEnd;
  const i = indexOfCode(source, '}', from);
  return i < 0 ? from : i + 1;
}

/** Next occurrence of a punctuation character outside comments and strings. */
function indexOfCode(source: string, ch: string, from: number): number {
  let i = from;
  while (i < source.length) {
    const c = source[i];
    if (c === '/' && source[i + 1] === '/') {
      const nl = source.indexOf('\n', i);
      i = nl < 0 ? source.length : nl;
      continue;
    }
    if (c === '/' && source[i + 1] === '*') {
      const close = source.indexOf('*/', i + 2);
      i = close < 0 ? source.length : close + 2;
      continue;
    }
    if (c === ch) return i;
    i++;
  }
  return -1;
}

/** The canonical text of an expression. */
export function expr(e: Expr): string {
  switch (e.type) {
    case 'number':
    case 'string':
      return e.text;
    case 'identifier':
    case 'node':
    case 'variable':
      return e.name;
    case 'blank':
      return '_';
    case 'error':
      return '';
    case 'paren':
      return `(${expr(e.expr)})`;
    case 'set':
      return `{${e.items.map(expr).join(', ')}}`;
    case 'range':
      return `${e.head}[${e.items.map((i) => (i.to ? `${expr(i.from)}..${expr(i.to)}` : expr(i.from))).join(', ')}]${e.tail}`;
    case 'unary':
      return `${e.op}${expr(e.operand)}`;
    case 'binary':
      return `${expr(e.left)} ${e.op} ${expr(e.right)}`;
  }
}
