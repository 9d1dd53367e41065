/**
 * Recursive-descent parser for btrpsl (grammar: BtrPlace's ANTLRBtrplaceSL2.g, operator precedence
 * included). It never throws: a syntax error is reported once, then the parser skips to the next
 * `;` (or stops before `}`) and goes on, so one typo never hides the problems after it. A missing
 * `;` at the end of a line is reported and treated as present.
 *
 * Deviations from BtrPlace, all lenient: `namespace` may be omitted (scripts typed in the console
 * have none); strings may use single quotes; whitespace is allowed between a constraint name and `(`.
 */
import type {
  AssignOperator,
  BinaryOperator,
  ConstraintStatement,
  DeclareStatement,
  ExportStatement,
  Expr,
  ForStatement,
  IfStatement,
  ImportDecl,
  NamespaceDecl,
  RangeExpr,
  RangeItem,
  ScriptAst,
  Statement,
  TemplateOption,
} from './ast.js';
import type { DiagnosticSink, Span } from './diagnostics.js';
import { KEYWORDS, type Token, lex, numberValue } from './lexer.js';

/** Deeper nesting than this is reported instead of risking the call stack. */
const MAX_DEPTH = 150;
/** Depth bound of a built expression tree (long operator chains build deep left-leaning trees). */
const MAX_TREE_DEPTH = 400;

class SyntaxFailure extends Error {}

const ASSIGN_OPS = new Set(['=', '+=', '-=', '*=', '/=', '%=']);
const RELATION_OPS = new Set(['==', '!=', '<', '<=', '>', '>=']);

class Parser {
  private readonly tokens: Token[];
  private readonly comments: { text: string; span: Span }[] = [];
  private pos = 0;
  private depth = 0;
  private readonly treeDepth = new WeakMap<Expr, number>();

  constructor(
    private readonly text: string,
    private readonly sink: DiagnosticSink,
  ) {
    const all = lex(text);
    this.tokens = [];
    for (const t of all) {
      if (t.kind === 'comment') {
        this.comments.push({ text: t.text, span: { start: t.start, end: t.end } });
        if (t.unterminated) sink.error('syntax', { start: t.start, end: t.start + 2 }, "unterminated comment: '/*' has no closing '*/'");
      } else this.tokens.push(t);
    }
  }

  // ---- token helpers -----------------------------------------------------------------------

  private get current(): Token {
    return this.tokens[this.pos] ?? (this.tokens[this.tokens.length - 1] as Token);
  }
  private peek(k = 1): Token {
    return this.tokens[Math.min(this.pos + k, this.tokens.length - 1)] as Token;
  }
  private get previous(): Token | undefined {
    return this.pos > 0 ? this.tokens[this.pos - 1] : undefined;
  }
  private advance(): Token {
    const t = this.current;
    if (t.kind !== 'eof') this.pos++;
    return t;
  }
  private is(text: string): boolean {
    const t = this.current;
    return (t.kind === 'operator' || t.kind === 'punctuation') && t.text === text;
  }
  private isKeyword(word: string): boolean {
    return this.current.kind === 'identifier' && this.current.text === word;
  }
  private accept(text: string): Token | undefined {
    return this.is(text) ? this.advance() : undefined;
  }

  private describe(t: Token): string {
    switch (t.kind) {
      case 'eof':
        return 'the end of the script';
      case 'string':
        return `the string ${t.text}`;
      case 'invalid':
        return `'${t.text}'`;
      default:
        return `'${t.text}'`;
    }
  }

  /** Reports at the offending token, or just after the previous one when the token is far away. */
  private fail(message: string, at: Token = this.current, here = false): never {
    const prev = this.previous;
    const span =
      !here && at === this.current && prev && (at.kind === 'eof' || this.lineBreakBetween(prev.end, at.start))
        ? { start: prev.end, end: prev.end + 1 }
        : { start: at.start, end: Math.max(at.end, at.start + 1) };
    this.sink.error('syntax', span, message);
    throw new SyntaxFailure(message);
  }

  private expect(text: string, what: string): Token {
    const t = this.accept(text);
    if (t) return t;
    return this.fail(`expected '${text}' ${what}, found ${this.describe(this.current)}`);
  }

  private lineBreakBetween(from: number, to: number): boolean {
    return this.text.slice(from, to).includes('\n');
  }

  /** `;` closing a statement. A missing one before a line break is reported and assumed. */
  private endStatement(): number {
    const semi = this.accept(';');
    if (semi) return semi.end;
    const prev = this.previous;
    // an unterminated string ran to the end of its line and was reported: assume the ';'
    if (prev?.kind === 'string' && prev.unterminated) return prev.end;
    const cur = this.current;
    if (prev && (cur.kind === 'eof' || this.text.slice(prev.end, cur.start).includes('\n') || this.is('}'))) {
      this.sink.error('syntax', { start: prev.end, end: prev.end + 1 }, `expected ';' at the end of the statement, found ${this.describe(cur)}`);
      return prev.end;
    }
    return this.fail(`expected ';' at the end of the statement, found ${this.describe(cur)}`);
  }

  /** Skips to just after the next `;`, or to the next `}` (left for the enclosing block). */
  private synchronize(startPos: number): void {
    if (this.pos === startPos) this.advance();
    let nesting = 0;
    while (this.current.kind !== 'eof') {
      if (this.is('{')) nesting++;
      if (this.is('}')) {
        if (nesting === 0) return;
        nesting--;
        this.advance();
        if (nesting === 0 && !this.is(';')) return;
        continue;
      }
      if (this.is(';') && nesting === 0) {
        this.advance();
        return;
      }
      this.advance();
    }
  }

  // ---- script ------------------------------------------------------------------------------

  script(): ScriptAst {
    let namespace: NamespaceDecl | undefined;
    const imports: ImportDecl[] = [];
    const statements: Statement[] = [];
    let sawStatement = false;
    while (this.current.kind !== 'eof') {
      const startPos = this.pos;
      try {
        if (this.isKeyword('namespace')) {
          const decl = this.parseNamespace();
          if (namespace) this.sink.error('syntax', decl.span, `a script has one namespace; '${namespace.name}' is already declared`);
          else if (sawStatement || imports.length > 0) this.sink.error('syntax', decl.span, 'the namespace must be declared first, before any import or statement');
          else namespace = decl;
        } else if (this.isKeyword('import')) {
          const decl = this.parseImport();
          if (sawStatement) this.sink.error('syntax', decl.span, 'imports must come before the statements');
          imports.push(decl);
        } else if (this.is('}')) {
          const brace = this.advance();
          this.sink.error('syntax', { start: brace.start, end: brace.end }, "unexpected '}': no block is open here");
        } else {
          statements.push(this.parseStatement());
          sawStatement = true;
        }
      } catch (e) {
        if (!(e instanceof SyntaxFailure)) throw e;
        this.depth = 0;
        this.synchronize(startPos);
        if (this.is('}') && this.pos === startPos) this.advance();
      }
    }
    return { ...(namespace ? { namespace } : {}), imports, statements, comments: this.comments };
  }

  private parseNamespace(): NamespaceDecl {
    const kw = this.advance();
    const name = this.current;
    if (name.kind !== 'identifier' || name.text.endsWith('*')) this.fail(`expected a namespace name such as 'clients.app1' after 'namespace', found ${this.describe(name)}`);
    this.advance();
    const end = this.endStatement();
    return { span: { start: kw.start, end }, name: name.text, nameSpan: { start: name.start, end: name.end } };
  }

  private parseImport(): ImportDecl {
    const kw = this.advance();
    const name = this.current;
    if (name.kind !== 'identifier') this.fail(`expected a script name such as 'datacenter' or 'clients.*' after 'import', found ${this.describe(name)}`);
    this.advance();
    const end = this.endStatement();
    return { span: { start: kw.start, end }, name: name.text, nameSpan: { start: name.start, end: name.end } };
  }

  // ---- statements --------------------------------------------------------------------------

  private parseBlock(): { statements: Statement[]; end: number } {
    this.expect('{', 'to open the block');
    const statements: Statement[] = [];
    while (!this.is('}') && this.current.kind !== 'eof') {
      const startPos = this.pos;
      try {
        if (this.isKeyword('namespace') || this.isKeyword('import')) this.fail(`'${this.current.text}' is only allowed at the top of a script`, this.current, true);
        statements.push(this.parseStatement());
      } catch (e) {
        if (!(e instanceof SyntaxFailure)) throw e;
        this.depth = 0;
        this.synchronize(startPos);
      }
    }
    const close = this.expect('}', 'to close the block');
    return { statements, end: close.end };
  }

  private parseStatement(): Statement {
    const t = this.current;
    if (t.kind === 'identifier' && KEYWORDS.has(t.text)) {
      if (t.text === 'for') return this.parseFor();
      if (t.text === 'if') return this.parseIf();
      if (t.text === 'export') return this.parseExport();
      if (t.text === 'else') this.fail("'else' without a matching 'if'", this.current, true);
    }
    if (this.is('>>')) {
      const discrete = this.advance();
      if (this.current.kind !== 'identifier') this.fail(`expected a constraint name after '>>', found ${this.describe(this.current)}`);
      return this.parseConstraint(discrete.start, true);
    }
    if (t.kind === 'identifier' && this.peek().kind === 'punctuation' && this.peek().text === '(') return this.parseConstraint(t.start, false);
    if (t.kind === 'eof') this.fail('expected a statement, found the end of the script');

    const target = this.parseTerm();
    const op = this.current;
    if (op.kind === 'operator' && ASSIGN_OPS.has(op.text)) {
      this.advance();
      const value = this.parseExpression();
      const end = this.endStatement();
      return { type: 'assign', span: { start: target.span.start, end }, target, op: op.text as AssignOperator, value };
    }
    if (op.kind === 'operator' && op.text === ':') {
      this.advance();
      return this.parseDeclaration(target);
    }
    if (target.type === 'identifier' && op.kind !== 'eof') {
      this.fail(`expected '(' after '${target.name}' to call a constraint, '=' or ':', found ${this.describe(op)}`);
    }
    return this.fail(`expected '=' (assignment), ':' (template declaration) or a constraint call, found ${this.describe(op)}`);
  }

  private parseConstraint(start: number, discrete: boolean): ConstraintStatement {
    const name = this.advance();
    this.expect('(', `after the constraint name '${name.text}'`);
    const args: Expr[] = [];
    if (!this.is(')')) {
      do args.push(this.parseExpression());
      while (this.accept(','));
    }
    this.expect(')', `to close the arguments of '${name.text}'`);
    const end = this.endStatement();
    return { type: 'constraint', span: { start, end }, discrete, name: name.text, nameSpan: { start: name.start, end: name.end }, args };
  }

  private parseDeclaration(target: Expr): DeclareStatement {
    const tpl = this.current;
    if (tpl.kind !== 'identifier') this.fail(`expected a template name after ':', found ${this.describe(tpl)}`);
    this.advance();
    let options: TemplateOption[] | undefined;
    if (this.accept('<')) {
      options = [];
      do {
        const key = this.current;
        if (key.kind !== 'identifier') this.fail(`expected a template option name, found ${this.describe(key)}`);
        this.advance();
        if (this.accept('=')) {
          const v = this.current;
          if (v.kind === 'number') {
            this.advance();
            const lit = this.numberLiteral(v);
            options.push({ span: { start: key.start, end: v.end }, key: key.text, value: lit });
          } else if (v.kind === 'string') {
            this.advance();
            options.push({ span: { start: key.start, end: v.end }, key: key.text, value: { type: 'string', span: { start: v.start, end: v.end }, text: v.text, value: v.value ?? '' } });
          } else this.fail(`expected a number or a string as the value of option '${key.text}', found ${this.describe(v)}`);
        } else options.push({ span: { start: key.start, end: key.end }, key: key.text });
      } while (this.accept(','));
      if (this.is('>>')) {
        this.fail("expected '>' to close the template options, found '>>'");
      }
      this.expect('>', 'to close the template options');
    }
    const end = this.endStatement();
    return {
      type: 'declare',
      span: { start: target.span.start, end },
      target,
      template: tpl.text,
      templateSpan: { start: tpl.start, end: tpl.end },
      ...(options ? { options } : {}),
    };
  }

  private parseFor(): ForStatement {
    const kw = this.advance();
    const v = this.current;
    if (v.kind !== 'variable') this.fail(`expected a loop variable such as '$t' after 'for', found ${this.describe(v)}`);
    this.advance();
    if (!this.isKeyword('in')) this.fail(`expected 'in' after '${v.text}', found ${this.describe(this.current)}`);
    this.advance();
    const iterable = this.parseExpression();
    const body = this.parseBlock();
    return { type: 'for', span: { start: kw.start, end: body.end }, variable: { type: 'variable', span: { start: v.start, end: v.end }, name: v.text }, iterable, body: body.statements };
  }

  private parseIf(): IfStatement {
    const kw = this.advance();
    const condition = this.parseExpression();
    const then = this.parseBlock();
    let end = then.end;
    let otherwise: Statement[] | IfStatement | undefined;
    if (this.isKeyword('else')) {
      this.advance();
      if (this.isKeyword('if')) {
        otherwise = this.parseIf();
        end = otherwise.span.end;
      } else {
        const block = this.parseBlock();
        otherwise = block.statements;
        end = block.end;
      }
    }
    return { type: 'if', span: { start: kw.start, end }, condition, then: then.statements, ...(otherwise ? { otherwise } : {}) };
  }

  private parseExport(): ExportStatement {
    const kw = this.advance();
    const items: Expr[] = [];
    do {
      const t = this.current;
      if (t.kind !== 'variable') this.fail(`expected a variable to export such as '$racks' or '$R[1..4]', found ${this.describe(t)}`);
      items.push(this.parseTerm());
    } while (this.accept(','));
    if (!this.isKeyword('to')) this.fail(`expected 'to' and the namespaces allowed to import (e.g. 'to *;'), found ${this.describe(this.current)}`);
    this.advance();
    const scopes: { name: string; span: Span }[] = [];
    do {
      const s = this.current;
      if (s.kind === 'operator' && s.text === '*') scopes.push({ name: '*', span: { start: s.start, end: s.end } });
      else if (s.kind === 'identifier') scopes.push({ name: s.text, span: { start: s.start, end: s.end } });
      else this.fail(`expected '*' or a namespace such as 'admin.*', found ${this.describe(s)}`);
      this.advance();
    } while (this.accept(','));
    const end = this.endStatement();
    return { type: 'export', span: { start: kw.start, end }, items, scopes };
  }

  // ---- expressions -------------------------------------------------------------------------

  private binary(op: BinaryOperator, left: Expr, right: Expr): Expr {
    return this.track({ type: 'binary', span: { start: left.span.start, end: right.span.end }, op, left, right }, [left, right]);
  }

  private track<E extends Expr>(node: E, children: readonly Expr[]): E {
    let d = 0;
    for (const c of children) d = Math.max(d, this.treeDepth.get(c) ?? 1);
    if (d + 1 > MAX_TREE_DEPTH) this.fail(`expression too deeply nested (more than ${MAX_TREE_DEPTH} levels of operators); split it with intermediate variables`);
    this.treeDepth.set(node, d + 1);
    return node;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail(`expression nested too deeply (more than ${MAX_DEPTH} levels)`);
  }

  parseExpression(): Expr {
    this.enter();
    try {
      let left = this.parseRelation();
      while (this.is('&&') || this.is('||')) {
        const op = this.advance().text as BinaryOperator;
        const right = this.parseRelation();
        left = this.binary(op, left, right);
      }
      return left;
    } finally {
      this.depth--;
    }
  }

  private parseRelation(): Expr {
    let left = this.parseAdditive();
    while (this.current.kind === 'operator' && RELATION_OPS.has(this.current.text)) {
      const op = this.advance().text as BinaryOperator;
      const right = this.parseAdditive();
      left = this.binary(op, left, right);
    }
    return left;
  }

  private parseAdditive(): Expr {
    let left = this.parseMultiplicative();
    while (this.is('+') || this.is('-')) {
      const op = this.advance().text as BinaryOperator;
      const right = this.parseMultiplicative();
      left = this.binary(op, left, right);
    }
    return left;
  }

  private parseMultiplicative(): Expr {
    let left = this.parseUnary();
    while (this.is('*') || this.is('/') || this.is('%')) {
      const op = this.advance().text as BinaryOperator;
      const right = this.parseUnary();
      left = this.binary(op, left, right);
    }
    return left;
  }

  private parseUnary(): Expr {
    if (this.is('-') || this.is('!') || this.is('#')) {
      this.enter();
      try {
        const op = this.advance();
        const operand = this.parseUnary();
        return this.track({ type: 'unary', span: { start: op.start, end: operand.span.end }, op: op.text as '-' | '!' | '#', operand }, [operand]);
      } finally {
        this.depth--;
      }
    }
    const base = this.parseTerm();
    if (this.is('^')) {
      this.advance();
      const exponent = this.parseTerm();
      return this.binary('^', base, exponent);
    }
    return base;
  }

  private numberLiteral(t: Token): Expr & { type: 'number' } {
    const value = numberValue(t);
    if (Number.isNaN(value)) this.fail(`'${t.text}' is not a valid octal number (a leading 0 means octal: digits 0 to 7)`, t);
    // past 2^53 digits are lost silently; refuse rather than compute with another number
    if (!t.isFloat && !Number.isNaN(value) && !Number.isSafeInteger(value)) this.fail(`the integer '${t.text}' is out of range: at most ${Number.MAX_SAFE_INTEGER}`, t);
    if (t.isFloat && !Number.isFinite(value)) this.fail(`the number '${t.text}' is out of range`, t);
    return { type: 'number', span: { start: t.start, end: t.end }, text: t.text, value, integer: !t.isFloat, base: t.numberBase ?? 10 };
  }

  parseTerm(): Expr {
    const t = this.current;
    const span = { start: t.start, end: t.end };
    const next = this.peek();
    const glued = next.kind === 'punctuation' && next.text === '[' && next.start === t.end;
    switch (t.kind) {
      case 'number':
        this.advance();
        return this.numberLiteral(t);
      case 'string':
        this.advance();
        if (t.unterminated) this.sink.error('syntax', span, `unterminated string: ${t.text.slice(0, 1)} has no closing quote on this line`);
        return { type: 'string', span, text: t.text, value: t.value ?? '' };
      case 'identifier':
        if (glued) return this.parseRange('vm');
        if (KEYWORDS.has(t.text)) this.fail(`'${t.text}' is a keyword and cannot be used as a value`, t, true);
        if (t.text.endsWith('*')) this.fail(`'${t.text}' is an import pattern, not a value`, t, true);
        this.advance();
        return { type: 'identifier', span, name: t.text };
      case 'node':
        if (glued) return this.parseRange('node');
        this.advance();
        return { type: 'node', span, name: t.text };
      case 'variable':
        if (glued) return this.parseRange('variable');
        this.advance();
        return { type: 'variable', span, name: t.text };
      case 'blank':
        this.advance();
        return { type: 'blank', span };
      case 'invalid':
        return this.fail(`unexpected character${t.text.length > 1 ? 's' : ''} '${t.text}'`, t, true);
      default:
        break;
    }
    if (this.is('(')) {
      this.enter();
      try {
        const open = this.advance();
        const expr = this.parseExpression();
        const close = this.expect(')', "to close '('");
        return this.track({ type: 'paren', span: { start: open.start, end: close.end }, expr }, [expr]);
      } finally {
        this.depth--;
      }
    }
    if (this.is('{')) {
      this.enter();
      try {
        const open = this.advance();
        const items: Expr[] = [];
        if (!this.is('}')) {
          do items.push(this.parseExpression());
          while (this.accept(','));
        }
        const close = this.expect('}', 'to close the set');
        return this.track({ type: 'set', span: { start: open.start, end: close.end }, items }, items);
      } finally {
        this.depth--;
      }
    }
    if (t.kind === 'punctuation' && t.text === '[') this.fail("unexpected '[': a range needs a name glued before it, as in 'VM[1..10]' or '@node-[1..5]'", t, true);
    return this.fail(`expected a value (a VM, a @node, a $variable, a number, a string or a set), found ${this.describe(t)}`);
  }

  private parseRange(of: RangeExpr['of']): RangeExpr {
    const head = this.advance();
    this.advance(); // '['
    const items: RangeItem[] = [];
    this.enter();
    try {
      do {
        const from = this.parseTerm();
        if (this.accept('..')) items.push({ from, to: this.parseTerm() });
        else items.push({ from });
      } while (this.accept(','));
    } finally {
      this.depth--;
    }
    const close = this.current;
    if (!(close.kind === 'punctuation' && close.text.startsWith(']'))) this.fail(`expected ']' to close the range '${head.text}[', found ${this.describe(close)}`);
    this.advance();
    const parts = items.flatMap((i) => (i.to ? [i.from, i.to] : [i.from]));
    return this.track({ type: 'range', span: { start: head.start, end: close.end }, of, head: head.text, items, tail: close.suffix ?? '' }, parts);
  }
}

/** Parses a whole script; diagnostics go to `sink`. */
export function parseScriptText(text: string, sink: DiagnosticSink): ScriptAst {
  return new Parser(text, sink).script();
}

/** Parses one expression (tests, hovers); trailing tokens are reported. */
export function parseExpressionText(text: string, sink: DiagnosticSink): Expr {
  const parser = new Parser(text, sink);
  try {
    return parser.parseExpression();
  } catch (e) {
    if (!(e instanceof SyntaxFailure)) throw e;
    return { type: 'error', span: { start: 0, end: text.length } };
  }
}
