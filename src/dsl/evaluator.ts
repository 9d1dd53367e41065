/**
 * Evaluates a parsed btrpsl script against a Model: resolves element names through the model's
 * naming views, computes variables, sets, loops and conditions, records template declarations as
 * attribute assignments, resolves imports through a ScriptLibrary, and builds constraints through
 * the catalogue's script forms. Every problem becomes a located diagnostic; evaluation goes on
 * after one (a failed value is a silent "poison" that suppresses cascades).
 *
 * Name resolution (documented rule):
 * - a VM identifier `X` in a script of namespace `ns` is looked up in the VM naming view as
 *   `ns.X` first (BtrPlace's canonical, fully qualified form), then as written, `X`. A script
 *   without namespace looks it up as written only. So `VM2` in a console script finds a VM named
 *   `VM2`, and in `namespace clients.app1;` it finds `clients.app1.VM2` or else `VM2`.
 * - a node `@X` is looked up as `@X` (BtrPlace registers node names with their '@'), then as `X`.
 * - template declarations (`VM[1..3] : tiny<boot=7>;`) only describe elements of the model: unlike
 *   BtrPlace, they never create VMs or nodes (an unknown element is an error).
 * - imported symbols are declared under their fully qualified name (`$datacenter.racks`, `$clients.app1`
 *   for an exported `$me`) and, Ferry's convenience for BtrPlace's published examples, under their
 *   short name (`$racks`) when no other import exports the same short name (a local assignment may
 *   shadow a short name; an ambiguous one must be written qualified). `import clients.*;` also
 *   declares `$clients`, the union of the VMs the matched scripts export as `$me`.
 *
 * Other deviations from BtrPlace, all in the operator's favour: `if` with a false condition and no
 * `else` does nothing (BtrPlace reports an error); a constraint is continuous when the catalogue
 * entry supports it and `>>` is absent (BtrPlace's ConstraintStatement), else discrete; old
 * constraint names (`capacity`, `cSpread`, ...) are reported with today's name.
 */
import type { Constraint, ParamKind, ParamSpec } from '../catalogue/constraint.js';
import { RESOURCE_PARAM_NAMES, numberRangeProblem } from '../catalogue/common/fields.js';
import type { ConstraintDefinition } from '../catalogue/definition.js';
import { type AttributeValue, type Model, castAttribute } from '../model/index.js';
import type { ConstraintStatement, DeclareStatement, Expr, RangeExpr, ScriptAst, Statement } from './ast.js';
import { type DiagnosticSink, type Span, closest, didYouMean, sortDiagnostics } from './diagnostics.js';
import {
  type NodeValue,
  type SetValue,
  type Value,
  ValueError,
  type VmValue,
  bool,
  compare,
  degreeOf,
  describeSetType,
  describeType,
  divide,
  elementTypeOf,
  equals,
  int,
  keyOf,
  makeSet,
  minus,
  negate,
  not,
  plus,
  power,
  remainder,
  show,
  times,
  truthy,
} from './values.js';

/** An attribute a template declaration sets on an element. */
export interface AttributeAssignment {
  readonly kind: 'vm' | 'node';
  readonly id: number;
  readonly key: string;
  readonly value: AttributeValue;
}

export interface ExportedSymbol {
  /** `$racks`, `$me` */
  readonly name: string;
  readonly value: Value;
  /** `*`, `admin.*`, `sysadmin` */
  readonly scopes: readonly string[];
}

/** What evaluating one script gives. */
export interface Evaluation {
  readonly namespace: string;
  readonly constraints: Constraint[];
  /** the statement that built each constraint, parallel to `constraints` */
  readonly origins: Span[];
  readonly attributes: AttributeAssignment[];
  readonly exports: ExportedSymbol[];
  /** top-level variables at the end of the script (imports included) */
  readonly variables: Map<string, Value>;
  readonly declaredVMs: number[];
  readonly declaredNodes: number[];
  readonly errorCount: number;
  /** the first error, to quote when the script is imported */
  readonly firstError?: { line: number; column: number; message: string };
}

export interface EvaluationOptions {
  readonly model: Model;
  readonly catalogue: readonly ConstraintDefinition[];
  /** resolves `import`s: id → script text */
  readonly importScript?: (id: string) => Evaluation | { error: string };
  readonly matchImport?: (pattern: string) => string[];
  readonly knownScripts?: () => string[];
  /** evaluation steps allowed (elements built, iterations, statements) before giving up */
  readonly budget?: number;
}

const DEFAULT_BUDGET = 5_000_000;
const MAX_CONSTRAINT_EXPANSION = 200_000;
/** Name comparisons spent on "did you mean" suggestions per script. */
const SUGGESTION_BUDGET = 2_000_000;

/** Legacy btrpsl names found in BtrPlace's older scripts and papers → today's constraint. */
const LEGACY_NAMES: Record<string, string> = {
  capacity: 'runningCapacity',
  singleRunningCapacity: 'runningCapacity',
  cumulatedRunningCapacity: 'runningCapacity',
  singleResourceCapacity: 'resourceCapacity',
  cumulatedResourceCapacity: 'resourceCapacity',
  cSpread: 'spread',
  lazySpread: 'spread',
  sequentialVMTransitions: 'seq',
};


class BudgetExceeded extends Error {}

/** Poison: the value of an expression whose problem was already reported. */
const POISON = Symbol('poison');
type Result = Value | typeof POISON;

interface Symbol_ {
  value: Result;
  level: number;
  immutable: boolean;
  /** an imported short name: the qualified name it stands for */
  aliasOf?: string;
  /** an imported short name exported by several scripts: their qualified names */
  ambiguous?: string[];
}

export function evaluate(ast: ScriptAst, sink: DiagnosticSink, options: EvaluationOptions): Evaluation {
  return new Evaluator(ast, sink, options).run();
}

class Evaluator {
  private readonly symbols = new Map<string, Symbol_>();
  private level = 0;
  private readonly namespace: string;
  private readonly constraints: Constraint[] = [];
  private readonly origins: Span[] = [];
  private readonly attributes: AttributeAssignment[] = [];
  private readonly exports = new Map<string, ExportedSymbol>();
  private readonly me: VmValue[] = [];
  private readonly declaredVMs = new Set<number>();
  private readonly declaredNodes = new Set<number>();
  private readonly byName = new Map<string, ConstraintDefinition[]>();
  private steps = 0;
  private readonly budget: number;
  /** candidate lists for "did you mean", built once; suggestions stop after SUGGESTION_BUDGET comparisons */
  private vmCandidateNames: string[] | undefined;
  private nodeCandidateNames: string[] | undefined;
  private suggestionWork = 0;
  private readonly suggestions = new Map<string, string | undefined>();
  private readonly startErrors: number;

  constructor(
    private readonly ast: ScriptAst,
    private readonly sink: DiagnosticSink,
    private readonly options: EvaluationOptions,
  ) {
    this.namespace = ast.namespace?.name ?? '';
    this.budget = options.budget ?? DEFAULT_BUDGET;
    for (const def of options.catalogue) {
      const list = this.byName.get(def.script.name) ?? [];
      list.push(def);
      this.byName.set(def.script.name, list);
    }
    this.startErrors = sink.list.filter((d) => d.severity === 'error').length;
  }

  run(): Evaluation {
    this.symbols.set('$me', { value: makeSet('vm', 1, this.me), level: -1, immutable: true });
    try {
      for (const imp of this.ast.imports) this.importScript(imp.name, imp.nameSpan);
      this.block(this.ast.statements);
    } catch (e) {
      if (!(e instanceof BudgetExceeded)) throw e;
      this.sink.error('limit', { start: 0, end: 1 }, `the script needs more than ${this.budget.toLocaleString('en-US')} evaluation steps; a range, a loop or a cartesian product is too large`);
    }
    const variables = new Map<string, Value>();
    for (const [name, s] of this.symbols) if (s.value !== POISON && !s.ambiguous) variables.set(name, s.value);
    variables.set('$me', makeSet('vm', 1, this.me));
    return {
      namespace: this.namespace,
      constraints: this.constraints,
      origins: this.origins,
      attributes: this.attributes,
      exports: [...this.exports.values()],
      variables,
      declaredVMs: [...this.declaredVMs],
      declaredNodes: [...this.declaredNodes],
      errorCount: this.sink.list.filter((d) => d.severity === 'error').length - this.startErrors,
      ...firstErrorOf(this.sink),
    };
  }

  private step(n = 1): void {
    this.steps += n;
    if (this.steps > this.budget) throw new BudgetExceeded();
  }

  // ---- symbols -----------------------------------------------------------------------------

  private declare(name: string, value: Result, span: Span): void {
    const existing = this.symbols.get(name);
    if (existing?.immutable) {
      this.sink.error('immutable', span, name === '$me' ? "'$me' is the set of VMs this script declares; it cannot be assigned" : `'${name}' is imported and cannot be reassigned; use another variable name`);
      return;
    }
    if (existing && existing.aliasOf === undefined) existing.value = value;
    else this.symbols.set(name, { value, level: existing ? -1 : this.level, immutable: false });
  }

  private lookup(name: string, span: Span): Result {
    const s = this.symbols.get(name);
    if (!s) {
      const visible = [...this.symbols.entries()].filter(([, v]) => !v.ambiguous).map(([k]) => k);
      const suggestion = closest(name, visible);
      this.sink.error('unknown-variable', span, `unknown variable '${name}'${didYouMean(suggestion)}`, suggestion);
      return POISON;
    }
    if (s.ambiguous) {
      this.sink.error('unknown-variable', span, `'${name}' is exported by several imported scripts; write one of ${s.ambiguous.join(', ')}`, s.ambiguous[0]);
      return POISON;
    }
    return s.value;
  }

  private pushScope(): void {
    this.level++;
  }
  private popScope(): void {
    for (const [name, s] of this.symbols) if (s.level === this.level) this.symbols.delete(name);
    this.level--;
  }

  // ---- imports -----------------------------------------------------------------------------

  private importScript(pattern: string, span: Span): void {
    const { importScript, matchImport } = this.options;
    if (!importScript || !matchImport) {
      this.sink.error('unknown-import', span, `cannot import '${pattern}': no other scripts are available here`);
      return;
    }
    const ids = matchImport(pattern).filter((id) => id !== this.namespace);
    if (ids.length === 0) {
      const suggestion = closest(pattern, this.options.knownScripts?.() ?? []);
      this.sink.error('unknown-import', span, `no script '${pattern}' to import${didYouMean(suggestion)}`, suggestion);
      return;
    }
    const wildcardMembers: VmValue[] = [];
    for (const id of ids) {
      const result = importScript(id);
      if ('error' in result) {
        this.sink.error('import', span, result.error);
        continue;
      }
      if (result.errorCount > 0) {
        const first = result.firstError ? `; first at ${result.firstError.line}:${result.firstError.column}: ${result.firstError.message}` : '';
        this.sink.error('import', span, `${result.errorCount} error(s) in the imported script '${id}'${first}`);
      }
      for (const exp of result.exports) {
        if (!canImport(exp.scopes, this.namespace)) continue;
        const qualified = exp.name === '$me' ? `$${id}` : `$${id}.${exp.name.slice(1)}`;
        this.declareImported(qualified, exp.value, undefined, span);
        if (exp.name === '$me') {
          if (exp.value.kind === 'set') for (const v of exp.value.items) if (v.kind === 'vm') wildcardMembers.push(v);
        } else this.declareImported(exp.name, exp.value, qualified, span);
      }
    }
    if (pattern.endsWith('.*') && wildcardMembers.length > 0) {
      this.declareImported(`$${pattern.slice(0, -2)}`, makeSet('vm', 1, dedupe(wildcardMembers)), undefined, span);
    }
  }

  /**
   * Declares an imported symbol. `aliasOf` set: a short-name alias (`$racks` for
   * `$datacenter.racks`), which a local assignment may shadow and which becomes ambiguous when two
   * imports export the same short name.
   */
  private declareImported(name: string, value: Value, aliasOf: string | undefined, _span: Span): void {
    const existing = this.symbols.get(name);
    if (aliasOf === undefined) {
      if (!existing || existing.aliasOf !== undefined) this.symbols.set(name, { value, level: -1, immutable: true });
      return;
    }
    if (!existing) {
      this.symbols.set(name, { value, level: -1, immutable: false, aliasOf });
      return;
    }
    if (existing.aliasOf === undefined || existing.aliasOf === aliasOf) return;
    existing.ambiguous = [...new Set([...(existing.ambiguous ?? [existing.aliasOf]), aliasOf])];
  }

  // ---- statements --------------------------------------------------------------------------

  private block(statements: readonly Statement[]): void {
    for (const s of statements) this.statement(s);
  }

  private statement(s: Statement): void {
    this.step();
    switch (s.type) {
      case 'assign':
        return this.assign(s);
      case 'declare':
        return this.declareElements(s);
      case 'constraint':
        return this.constraint(s);
      case 'for': {
        const iterable = this.expr(s.iterable);
        if (this.symbols.has(s.variable.name)) {
          this.sink.error('redeclared', s.variable.span, `the loop variable '${s.variable.name}' is already declared; pick another name`);
          return;
        }
        if (iterable === POISON) return;
        if (iterable.kind !== 'set') {
          this.sink.error('type', s.iterable.span, `'for' iterates over a set, got ${describeType(iterable)}`);
          return;
        }
        this.pushScope();
        try {
          for (const item of iterable.items) {
            this.step();
            this.symbols.set(s.variable.name, { value: item, level: this.level, immutable: false });
            this.block(s.body);
          }
        } finally {
          this.popScope();
        }
        return;
      }
      case 'if': {
        const c = this.expr(s.condition);
        if (c === POISON) return;
        let yes: boolean;
        try {
          yes = truthy(c, "'if'");
        } catch (e) {
          this.valueError(e, s.condition.span);
          return;
        }
        const branch = yes ? s.then : s.otherwise;
        if (branch === undefined) return;
        this.pushScope();
        try {
          if (Array.isArray(branch)) this.block(branch as readonly Statement[]);
          else this.statement(branch as Statement);
        } finally {
          this.popScope();
        }
        return;
      }
      case 'export': {
        const scopes = s.scopes.map((x) => x.name);
        for (const item of s.items) {
          if (item.type === 'variable') {
            const v = this.lookup(item.name, item.span);
            if (v !== POISON) this.exports.set(item.name, { name: item.name, value: v, scopes });
          } else if (item.type === 'range' && item.of === 'variable') {
            for (const name of this.rangeNames(item) ?? []) {
              const v = this.lookup(name, item.span);
              if (v !== POISON) this.exports.set(name, { name, value: v, scopes });
            }
          } else this.sink.error('export', item.span, 'only variables can be exported');
        }
        return;
      }
    }
  }

  private valueError(e: unknown, span: Span): void {
    if (e instanceof ValueError) this.sink.error('operation', span, e.message);
    else throw e;
  }

  private assign(s: Statement & { type: 'assign' }): void {
    const value = this.expr(s.value);
    const target = s.target;
    if (s.op !== '=') {
      if (target.type !== 'variable') {
        this.sink.error('operation', target.span, `'${s.op}' needs a variable on its left`);
        return;
      }
      const current = this.lookup(target.name, target.span);
      if (current === POISON || value === POISON) {
        if (current !== POISON) this.declare(target.name, POISON, target.span);
        return;
      }
      const op = s.op.slice(0, 1) as '+' | '-' | '*' | '/' | '%';
      this.declare(target.name, this.apply(op, current, value, s.span), target.span);
      return;
    }
    if (target.type === 'variable') {
      this.declare(target.name, value, target.span);
      return;
    }
    if (target.type === 'set' || (target.type === 'range' && target.of === 'variable')) {
      const names: (string | undefined)[] =
        target.type === 'set'
          ? target.items.map((i) => (i.type === 'variable' ? i.name : i.type === 'blank' ? undefined : '!'))
          : (this.rangeNames(target) ?? []);
      if (names.includes('!')) {
        this.sink.error('operation', target.span, "only variables and '_' can receive parts of a set ({$a, _, $b} = ...)");
        return;
      }
      if (value !== POISON && value.kind !== 'set') {
        this.sink.error('type', s.value.span, `a multiple assignment needs a set of parts on its right, got ${describeType(value)}`);
        return;
      }
      names.forEach((name, i) => {
        if (name === undefined) return;
        if (value === POISON) this.declare(name, POISON, target.span);
        else if (i < value.items.length) this.declare(name, value.items[i] as Value, target.span);
      });
      return;
    }
    this.sink.error('operation', target.span, target.type === 'identifier' || target.type === 'node' || target.type === 'range' ? `elements cannot be assigned; did you mean a template declaration '${this.textOf(target)} : template;'?` : 'only variables can be assigned');
  }

  private textOf(e: Expr): string {
    if (e.type === 'identifier' || e.type === 'node' || e.type === 'variable') return e.name;
    if (e.type === 'range') return `${e.head}[...]`;
    return '...';
  }

  private declareElements(s: DeclareStatement): void {
    const elements: { value: VmValue | NodeValue; span: Span }[] = [];
    const collect = (e: Expr): void => {
      if (e.type === 'identifier' || e.type === 'node' || e.type === 'range') {
        if (e.type === 'range' && e.of === 'variable') {
          this.sink.error('operation', e.span, 'a template is given to VMs or nodes, not to variables');
          return;
        }
        const v = this.expr(e);
        if (v === POISON) return;
        for (const x of v.kind === 'set' ? v.items : [v]) if (x.kind === 'vm' || x.kind === 'node') elements.push({ value: x, span: e.span });
      } else if (e.type === 'set') e.items.forEach(collect);
      else this.sink.error('operation', e.span, 'only VMs and nodes can be declared from a template');
    };
    collect(s.target);
    // BtrPlace's castAndPut: a bare option is `true`, a string is parsed ("7.5" → 7.5), a number kept
    const options: [string, AttributeValue][] = (s.options ?? []).map((o) => [o.key, o.value === undefined ? true : o.value.type === 'string' ? castAttribute(o.value.value) : o.value.value]);
    for (const { value, span } of elements) {
      const seen = value.kind === 'vm' ? this.declaredVMs : this.declaredNodes;
      if (seen.has(value.id)) {
        this.sink.error('redeclared', span, `${value.kind === 'vm' ? 'VM' : 'node'} '${value.name}' is already declared in this script`);
        continue;
      }
      seen.add(value.id);
      if (value.kind === 'vm') this.me.push(value);
      for (const [key, v] of options) this.attributes.push({ kind: value.kind, id: value.id, key, value: v });
      this.attributes.push({ kind: value.kind, id: value.id, key: 'template', value: s.template });
    }
  }

  // ---- expressions -------------------------------------------------------------------------

  private apply(op: string, l: Value, r: Value, span: Span): Result {
    const budget = (n: number): void => this.step(n);
    try {
      switch (op) {
        case '+':
          this.step(l.kind === 'set' && r.kind === 'set' ? l.items.length + r.items.length : 1);
          return plus(l, r);
        case '-':
          return minus(l, r);
        case '*':
          return times(l, r, budget);
        case '/':
          return divide(l, r);
        case '%':
          return remainder(l, r);
        case '^':
          return power(l, r, budget);
        case '==':
          return bool(equals(l, r));
        case '!=':
          return bool(!equals(l, r));
        case '<':
        case '<=':
        case '>':
        case '>=':
          return compare(l, r, op);
        case '&&':
          return bool(truthy(l, "'&&'") && truthy(r, "'&&'"));
        case '||':
          return bool(truthy(l, "'||'") || truthy(r, "'||'"));
        default:
          throw new ValueError(`unknown operator '${op}'`);
      }
    } catch (e) {
      if (e instanceof BudgetExceeded) throw e;
      this.valueError(e, span);
      return POISON;
    }
  }

  expr(e: Expr): Result {
    this.step();
    switch (e.type) {
      case 'number':
        return e.integer ? int(e.value, e.base) : { kind: 'number', value: e.value, integer: false, base: 10 };
      case 'string':
        return { kind: 'string', value: e.value };
      case 'identifier':
        return this.vm(e.name, e.span);
      case 'node':
        return this.node(e.name, e.span);
      case 'variable':
        return this.lookup(e.name, e.span);
      case 'blank':
        this.sink.error('operation', e.span, "'_' only stands for an ignored part on the left of a multiple assignment");
        return POISON;
      case 'paren':
        return this.expr(e.expr);
      case 'error':
        return POISON;
      case 'range':
        return this.range(e);
      case 'set': {
        if (e.items.length === 0) {
          this.sink.error('empty-set', e.span, "empty sets '{}' are not allowed");
          return POISON;
        }
        const items: Value[] = [];
        const seen = new Set<string>();
        let first: Value | undefined;
        let poisoned = false;
        for (const item of e.items) {
          const v = this.expr(item);
          if (v === POISON) {
            poisoned = true;
            continue;
          }
          if (first === undefined) first = v;
          else if (degreeOf(v) !== degreeOf(first) || (elementTypeOf(v) !== elementTypeOf(first) && elementTypeOf(v) !== undefined && elementTypeOf(first) !== undefined)) {
            this.sink.error('type', item.span, `${show(v)} is ${describeType(v)}; it cannot go in a set whose first element is ${describeType(first)}`);
            poisoned = true;
            continue;
          }
          const k = keyOf(v);
          if (seen.has(k)) {
            this.sink.warning('operation', item.span, `${show(v)} is listed twice in this set`);
            continue;
          }
          seen.add(k);
          items.push(v);
        }
        if (poisoned || first === undefined) return POISON;
        return makeSet(elementTypeOf(first), degreeOf(first) + 1, items);
      }
      case 'unary': {
        const v = this.expr(e.operand);
        if (v === POISON) return POISON;
        try {
          if (e.op === '-') return negate(v);
          if (e.op === '!') return not(v);
          if (v.kind !== 'set') throw new ValueError(`'#' gives the size of a set, got ${describeType(v)}`);
          return int(v.items.length);
        } catch (err) {
          this.valueError(err, e.span);
          return POISON;
        }
      }
      case 'binary': {
        const l = this.expr(e.left);
        const r = this.expr(e.right);
        if (l === POISON || r === POISON) return POISON;
        return this.apply(e.op, l, r, e.span);
      }
    }
  }

  private vmCandidates(name: string): string[] {
    return this.namespace ? [`${this.namespace}.${name}`, name] : [name];
  }

  private vm(name: string, span: Span, quiet = false): Result {
    const names = this.options.model.vmNames;
    for (const candidate of this.vmCandidates(name)) {
      const id = names?.resolve(candidate);
      if (id !== undefined) return { kind: 'vm', id, name: candidate };
    }
    if (quiet) return POISON;
    this.vmCandidateNames ??= names ? [...names.names()].map((n) => (this.namespace && n.startsWith(`${this.namespace}.`) ? n.slice(this.namespace.length + 1) : n)) : [];
    const suggestion = this.suggest(name, this.vmCandidateNames);
    this.sink.error('unknown-vm', span, names ? `unknown VM '${name}'${didYouMean(suggestion)}` : `unknown VM '${name}': this instance names no VMs (it has no VM naming view)`, suggestion);
    return POISON;
  }

  private node(name: string, span: Span, quiet = false): Result {
    const names = this.options.model.nodeNames;
    const bare = name.slice(1);
    for (const candidate of [name, bare]) {
      const id = names?.resolve(candidate);
      if (id !== undefined) return { kind: 'node', id, name: candidate };
    }
    if (quiet) return POISON;
    this.nodeCandidateNames ??= names ? [...names.names()].map((n) => (n.startsWith('@') ? n : `@${n}`)) : [];
    const suggestion = this.suggest(name, this.nodeCandidateNames);
    this.sink.error('unknown-node', span, names ? `unknown node '${name}'${didYouMean(suggestion)}` : `unknown node '${name}': this instance names no nodes (it has no node naming view)`, suggestion);
    return POISON;
  }

  /** `closest`, memoised, within a total budget of comparisons per script (huge inventories, many typos). */
  private suggest(name: string, candidates: readonly string[]): string | undefined {
    if (this.suggestions.has(name)) return this.suggestions.get(name);
    if (this.suggestionWork > SUGGESTION_BUDGET) return undefined;
    this.suggestionWork += candidates.length;
    const s = closest(name, candidates);
    this.suggestions.set(name, s);
    return s;
  }

  /** The names a range denotes (`VM1`, `@srv-ff`, `$T3`), or undefined after a reported problem. */
  private rangeNames(e: RangeExpr): string[] | undefined {
    const head = e.head;
    const names: string[] = [];
    for (const item of e.items) {
      if (item.to === undefined) {
        let text: string | undefined;
        if (item.from.type === 'identifier') text = item.from.name;
        else {
          const v = this.expr(item.from);
          if (v === POISON) return undefined;
          if (v.kind === 'set') {
            this.sink.error('range', item.from.span, `${show(v)}: sets are not allowed in a range`);
            return undefined;
          }
          text = show(v);
        }
        names.push(`${head}${text}${e.tail}`);
        this.step();
        continue;
      }
      const from = this.expr(item.from);
      const to = this.expr(item.to);
      if (from === POISON || to === POISON) return undefined;
      if (from.kind !== 'number' || !from.integer) {
        this.sink.error('range', item.from.span, `range bounds must be integers, got ${describeType(from)}`);
        return undefined;
      }
      if (to.kind !== 'number' || !to.integer) {
        this.sink.error('range', item.to.span, `range bounds must be integers, got ${describeType(to)}`);
        return undefined;
      }
      if (from.base !== to.base) {
        this.sink.error('range', item.to.span, 'both bounds of a range must be written in the same base (decimal, octal or hexadecimal)');
        return undefined;
      }
      const lo = Math.min(from.value, to.value);
      const hi = Math.max(from.value, to.value);
      this.step(hi - lo + 1);
      for (let i = lo; i <= hi; i++) names.push(`${head}${show(int(i, from.base))}${e.tail}`);
    }
    return names;
  }

  private range(e: RangeExpr): Result {
    const names = this.rangeNames(e);
    if (!names) return POISON;
    const items: Value[] = [];
    const seen = new Set<string>();
    let bad = false;
    const unknown: string[] = [];
    for (const name of names) {
      const quiet = unknown.length > 0;
      const v = e.of === 'vm' ? this.vm(name, e.span, quiet) : e.of === 'node' ? this.node(name, e.span, quiet) : this.lookup(name, e.span);
      if (v === POISON) {
        bad = true;
        unknown.push(name);
        continue;
      }
      const k = keyOf(v);
      if (seen.has(k)) {
        this.sink.error('redeclared', e.span, `'${name}' appears twice in this range`);
        bad = true;
        continue;
      }
      seen.add(k);
      items.push(v);
    }
    if (unknown.length > 1 && e.of !== 'variable') {
      const more = unknown.slice(1, 6).join(', ');
      this.sink.error(e.of === 'vm' ? 'unknown-vm' : 'unknown-node', e.span, `this range names ${unknown.length - 1} more unknown ${e.of === 'vm' ? 'VM' : 'node'}${unknown.length > 2 ? 's' : ''}: ${more}${unknown.length > 6 ? ', ...' : ''}`);
    }
    if (bad) return POISON;
    if (e.of !== 'variable') return makeSet(e.of, 1, items);
    const first = items[0];
    if (!first) return makeSet(undefined, 1, []);
    for (const v of items) {
      if (degreeOf(v) !== degreeOf(first) || elementTypeOf(v) !== elementTypeOf(first)) {
        this.sink.error('type', e.span, `the variables of '${e.head}[...]' hold different kinds of values (${describeType(first)} and ${describeType(v)})`);
        return POISON;
      }
    }
    return makeSet(elementTypeOf(first), degreeOf(first) + 1, items);
  }

  // ---- constraints -------------------------------------------------------------------------

  private constraint(s: ConstraintStatement): void {
    const candidates = this.byName.get(s.name);
    const args = s.args.map((a) => this.expr(a));
    if (!candidates) {
      const legacy = LEGACY_NAMES[s.name];
      if (legacy && this.byName.has(legacy)) {
        this.sink.error('unknown-constraint', s.nameSpan, `'${s.name}' is an old BtrPlace name; today's constraint is '${legacy}'${s.name === 'lazySpread' ? " (discrete: '>>spread')" : ''}`, legacy);
      } else {
        const suggestion = closest(s.name, this.byName.keys());
        this.sink.error('unknown-constraint', s.nameSpan, `unknown constraint '${s.name}'${didYouMean(suggestion)}`, suggestion);
      }
      return;
    }
    const arity = candidates.filter((d) => d.script.params.length === s.args.length);
    if (arity.length === 0) {
      const sigs = candidates.map((d) => signatureWords(d));
      const span = s.args.length > 0 ? { start: (s.args[0] as Expr).span.start, end: (s.args[s.args.length - 1] as Expr).span.end } : s.nameSpan;
      this.sink.error('arity', span, `${s.name} takes ${sigs.join(' or ')}, got ${s.args.length}`);
      return;
    }
    if (args.some((a) => a === POISON)) return;
    const values = args as Value[];
    let best: { def: ConstraintDefinition; coerced: Coerced[] } | undefined;
    let bestFailure: { at: number; error: CoercionError } | undefined;
    for (const def of arity) {
      const coerced: Coerced[] = [];
      let failure: { at: number; error: CoercionError } | undefined;
      def.script.params.forEach((p, i) => {
        if (failure) return;
        const r = this.coerce(values[i] as Value, p, i, def);
        if ('error' in r) failure = { at: i, error: r };
        else coerced.push(r);
      });
      if (!failure) {
        best = { def, coerced };
        break;
      }
      if (!bestFailure || failure.at > bestFailure.at) bestFailure = failure;
    }
    if (!best) {
      if (bestFailure) {
        const arg = s.args[bestFailure.at] as Expr;
        this.sink.error(bestFailure.error.code, arg.span, bestFailure.error.error, bestFailure.error.suggestion);
      }
      return;
    }
    const { def, coerced } = best;
    if (s.discrete && !def.modes.discrete) {
      this.sink.error('discrete-unsupported', s.span, `Discrete restriction is not supported by constraint '${s.name}': it is always continuous; remove '>>'`);
      return;
    }
    const continuous = !s.discrete && def.modes.continuous;
    // one build per combination of the VMs / nodes given where a single element is expected
    let combos: unknown[][] = [[]];
    for (const c of coerced) {
      const choices = c.expand ?? [c.value];
      if (combos.length * choices.length > MAX_CONSTRAINT_EXPANSION) {
        this.sink.error('limit', s.span, `${s.name} would build more than ${MAX_CONSTRAINT_EXPANSION.toLocaleString('en-US')} constraints`);
        return;
      }
      const next: unknown[][] = [];
      for (const prefix of combos) for (const choice of choices) next.push([...prefix, choice]);
      combos = next;
    }
    this.step(combos.length);
    for (const values_ of combos) {
      let built: ReturnType<ConstraintDefinition['script']['build']>;
      try {
        built = def.script.build(values_, continuous);
      } catch (e) {
        built = { error: e instanceof Error ? e.message : String(e) };
      }
      if ('error' in built) {
        // point at the argument the catalogue names ("parameter 'amount' of ..."), else the call
        const param = /parameter '([^']+)'/.exec(built.error)?.[1];
        const index = def.script.params.findIndex((p) => p.name === param);
        const at = index >= 0 ? (s.args[index]?.span ?? s.span) : s.span;
        this.sink.error('constraint-rejected', at, built.error.includes(s.name) ? built.error : `${s.name}: ${built.error}`);
        return;
      }
      for (const c of built) {
        this.constraints.push(c);
        this.origins.push(s.span);
      }
    }
  }

  private coerce(v: Value, p: ParamSpec, index: number, def: ConstraintDefinition): Coerced | CoercionError {
    const where = `argument ${index + 1} (${p.name})`;
    const name = def.script.name;
    const wrong = (): CoercionError => ({ code: 'type', error: `${name} expects ${KIND_WORDS[p.kind]} as ${where}, got ${describeType(v)}` });
    const elements = (type: 'vm' | 'node', allowSingle: boolean): number[] | CoercionError => {
      if (v.kind === type && allowSingle) return [v.id];
      if (v.kind === 'set' && v.degree === 1 && (v.elementType === type || (v.elementType === undefined && v.items.length === 0))) {
        if (v.items.length === 0) return { code: 'empty-set', error: `${name} expects a non-empty set as ${where}` };
        return v.items.map((x) => (x as VmValue | NodeValue).id);
      }
      return wrong();
    };
    const parts = (type: 'vm' | 'node'): number[][] | CoercionError => {
      if (v.kind !== 'set' || v.degree !== 2 || (v.elementType !== type && v.elementType !== undefined)) return wrong();
      if (v.items.length === 0) return { code: 'empty-set', error: `${name} expects a non-empty set as ${where}` };
      return v.items.map((part) => (part as SetValue).items.map((x) => (x as VmValue | NodeValue).id));
    };
    switch (p.kind) {
      case 'vm':
      case 'node': {
        const ids = elements(p.kind, true);
        return Array.isArray(ids) ? { value: ids[0], expand: ids } : ids;
      }
      case 'vms':
      case 'orderedVms': {
        const ids = elements('vm', true);
        return Array.isArray(ids) ? { value: ids } : ids;
      }
      case 'nodes': {
        const ids = elements('node', true);
        return Array.isArray(ids) ? { value: ids } : ids;
      }
      case 'vmParts':
      case 'nodeParts': {
        const ps = parts(p.kind === 'vmParts' ? 'vm' : 'node');
        return Array.isArray(ps) ? { value: ps } : ps;
      }
      case 'int':
        if (v.kind !== 'number') return wrong();
        if (!v.integer) return { code: 'not-integer', error: `${name} expects an integer as ${where}, got ${show(v)}` };
        return inRange(v.value, name, where);
      case 'number':
        if (v.kind !== 'number') return wrong();
        return inRange(v.value, name, where);
      case 'string':
      case 'timestamp': {
        if (v.kind !== 'string') return wrong();
        if (p.kind === 'string' && RESOURCE_PARAM_NAMES.has(p.name)) {
          const resources = this.options.model.resources;
          if (!resources.has(v.value)) {
            const suggestion = closest(v.value, resources.keys());
            const known = resources.size === 0 ? ' (it defines none)' : suggestion ? '' : ` (known: ${[...resources.keys()].map((r) => `'${r}'`).join(', ')})`;
            return { code: 'unknown-resource', error: `no resource '${v.value}' in this instance${known}${didYouMean(suggestion, "'")}`, ...(suggestion ? { suggestion } : {}) };
          }
        }
        return { value: v.value };
      }
    }
  }
}

/** A numeric argument within the catalogue's range (the JSON reader applies the same bound). */
function inRange(value: number, name: string, where: string): { value: number } | CoercionError {
  const problem = numberRangeProblem(value);
  return problem ? { code: 'constraint-rejected', error: `${name}, ${where}: ${problem}` } : { value };
}

interface Coerced {
  value: unknown;
  /** for 'vm' / 'node' params given a set: one build per element */
  expand?: unknown[];
}
interface CoercionError {
  code: 'type' | 'not-integer' | 'unknown-resource' | 'empty-set' | 'constraint-rejected';
  error: string;
  suggestion?: string;
}

const KIND_WORDS: Record<ParamKind, string> = {
  vm: 'a VM or a set of VMs',
  vms: 'a set of VMs',
  orderedVms: 'a list of VMs',
  node: 'a node or a set of nodes',
  nodes: 'a set of nodes',
  vmParts: describeSetType('vm', 2),
  nodeParts: describeSetType('node', 2),
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  timestamp: 'a timestamp string such as "+0:30:00"',
};

/** "1 argument (vms)", "3 arguments (nodes, rc, amount)". */
export function signatureWords(def: ConstraintDefinition): string {
  const n = def.script.params.length;
  return `${n} argument${n === 1 ? '' : 's'} (${def.script.params.map((p) => p.name).join(', ')})`;
}

/** `spread(vms: set of VMs)`. */
export function signature(def: ConstraintDefinition): string {
  return `${def.script.name}(${def.script.params.map((p) => `${p.name}: ${KIND_WORDS[p.kind].replace(/^an? /, '')}`).join(', ')})`;
}

/** BtrPlace's Script.canImport: a scope equal to the namespace, or a prefix ending with '*'. */
export function canImport(scopes: readonly string[], namespace: string): boolean {
  return scopes.some((scope) => scope === namespace || (scope.endsWith('*') && namespace.startsWith(scope.slice(0, -1))));
}

function firstErrorOf(sink: DiagnosticSink): { firstError?: { line: number; column: number; message: string } } {
  const first = sortDiagnostics(sink.list).find((d) => d.severity === 'error');
  return first ? { firstError: { line: first.line, column: first.column, message: first.message } } : {};
}

function dedupe<T extends Value>(values: T[]): T[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const k = keyOf(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
