/**
 * The btrpsl syntax tree. Every node carries its source span (character offsets) so diagnostics,
 * hovers and the formatter can point back at the text.
 */
import type { Span } from './diagnostics.js';

export interface NumberLiteral {
  readonly type: 'number';
  readonly span: Span;
  /** source text, kept so the formatter preserves hexadecimal and octal notations */
  readonly text: string;
  readonly value: number;
  readonly integer: boolean;
  readonly base: 8 | 10 | 16;
}

export interface StringLiteral {
  readonly type: 'string';
  readonly span: Span;
  readonly text: string;
  readonly value: string;
}

/** A VM identifier (`VM1`, `ns.VM1`), or a bare word inside a range (`frontend`). */
export interface Identifier {
  readonly type: 'identifier';
  readonly span: Span;
  readonly name: string;
}

export interface NodeName {
  readonly type: 'node';
  readonly span: Span;
  /** with its leading '@' */
  readonly name: string;
}

export interface Variable {
  readonly type: 'variable';
  readonly span: Span;
  /** with its leading '$' */
  readonly name: string;
}

export interface Blank {
  readonly type: 'blank';
  readonly span: Span;
}

export interface RangeItem {
  readonly from: Expr;
  readonly to?: Expr;
}

/** `VM[1..10]`, `@node-[1..250, frontend]`, `@helios-[1..56].sophia.grid5000.fr`, `$T[1..3]`. */
export interface RangeExpr {
  readonly type: 'range';
  readonly span: Span;
  readonly of: 'vm' | 'node' | 'variable';
  /** the text before '[' (`VM`, `@node-`, `$T`) */
  readonly head: string;
  readonly items: readonly RangeItem[];
  /** the text glued after ']' (`.sophia.grid5000.fr`), often '' */
  readonly tail: string;
}

export interface SetLiteral {
  readonly type: 'set';
  readonly span: Span;
  readonly items: readonly Expr[];
}

export type UnaryOperator = '-' | '!' | '#';
export interface UnaryExpr {
  readonly type: 'unary';
  readonly span: Span;
  readonly op: UnaryOperator;
  readonly operand: Expr;
}

export type BinaryOperator = '+' | '-' | '*' | '/' | '%' | '^' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||';
export interface BinaryExpr {
  readonly type: 'binary';
  readonly span: Span;
  readonly op: BinaryOperator;
  readonly left: Expr;
  readonly right: Expr;
}

/** Kept so the formatter reproduces the author's grouping. */
export interface ParenExpr {
  readonly type: 'paren';
  readonly span: Span;
  readonly expr: Expr;
}

/** Stands for an expression the parser could not read (already reported). */
export interface ErrorExpr {
  readonly type: 'error';
  readonly span: Span;
}

export type Expr =
  | NumberLiteral
  | StringLiteral
  | Identifier
  | NodeName
  | Variable
  | Blank
  | RangeExpr
  | SetLiteral
  | UnaryExpr
  | BinaryExpr
  | ParenExpr
  | ErrorExpr;

export type AssignOperator = '=' | '+=' | '-=' | '*=' | '/=' | '%=';

export interface AssignStatement {
  readonly type: 'assign';
  readonly span: Span;
  /** a variable, a variable range `$T[1..3]`, or a set of variables and `_` */
  readonly target: Expr;
  readonly op: AssignOperator;
  readonly value: Expr;
}

export interface TemplateOption {
  readonly span: Span;
  readonly key: string;
  readonly value?: NumberLiteral | StringLiteral;
}

/** `VM[1..10] : tiny<clone, boot=7>;` */
export interface DeclareStatement {
  readonly type: 'declare';
  readonly span: Span;
  readonly target: Expr;
  readonly template: string;
  readonly templateSpan: Span;
  /** undefined when no `<...>` was written */
  readonly options?: readonly TemplateOption[];
}

export interface ConstraintStatement {
  readonly type: 'constraint';
  readonly span: Span;
  readonly discrete: boolean;
  readonly name: string;
  readonly nameSpan: Span;
  readonly args: readonly Expr[];
}

export interface ForStatement {
  readonly type: 'for';
  readonly span: Span;
  readonly variable: Variable;
  readonly iterable: Expr;
  readonly body: readonly Statement[];
}

export interface IfStatement {
  readonly type: 'if';
  readonly span: Span;
  readonly condition: Expr;
  readonly then: readonly Statement[];
  /** `else { ... }` or `else if ...` */
  readonly otherwise?: readonly Statement[] | IfStatement;
}

export interface ExportStatement {
  readonly type: 'export';
  readonly span: Span;
  readonly items: readonly Expr[];
  /** `*`, `admin.*`, `sysadmin` */
  readonly scopes: readonly { readonly name: string; readonly span: Span }[];
}

export type Statement = AssignStatement | DeclareStatement | ConstraintStatement | ForStatement | IfStatement | ExportStatement;

export interface NamespaceDecl {
  readonly span: Span;
  readonly name: string;
  readonly nameSpan: Span;
}

export interface ImportDecl {
  readonly span: Span;
  /** `datacenter`, `clients.*` */
  readonly name: string;
  readonly nameSpan: Span;
}

export interface ScriptAst {
  readonly namespace?: NamespaceDecl;
  readonly imports: readonly ImportDecl[];
  readonly statements: readonly Statement[];
  /** comments, in source order (the formatter puts them back) */
  readonly comments: readonly { readonly text: string; readonly span: Span }[];
}
