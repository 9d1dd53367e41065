/**
 * The btrpsl entry point: text + model (+ a library of importable scripts) → constraints,
 * attribute assignments, exports and located diagnostics. Never throws, whatever the text.
 */
import type { Constraint } from '../catalogue/constraint.js';
import type { ConstraintDefinition } from '../catalogue/definition.js';
import { CATALOGUE } from '../catalogue/registry.js';
import type { Model } from '../model/index.js';
import type { ScriptAst } from './ast.js';
import { type Diagnostic, DiagnosticSink, LineIndex, type Span, sortDiagnostics } from './diagnostics.js';
import { type AttributeAssignment, type Evaluation, type ExportedSymbol, evaluate } from './evaluator.js';
import type { ScriptLibrary } from './library.js';
import { parseScriptText } from './parser.js';
import type { Value } from './values.js';

export interface ParseOptions {
  readonly model: Model;
  readonly library?: ScriptLibrary;
  /** the constraint catalogue (defaults to Ferry's CATALOGUE) */
  readonly catalogue?: readonly ConstraintDefinition[];
  /** evaluation steps allowed before giving up (default 5,000,000) */
  readonly budget?: number;
}

export interface ScriptResult {
  /** the constraints built, in statement order (empty for the statements that had errors) */
  readonly constraints: Constraint[];
  /** the source span of the statement that built each constraint, parallel to `constraints` */
  readonly origins: Span[];
  readonly diagnostics: Diagnostic[];
  /** attributes the template declarations set (`template`, and one per option) */
  readonly attributes: AttributeAssignment[];
  readonly exports: ExportedSymbol[];
  readonly namespace: string;
  /** top-level variables at the end of the script */
  readonly variables: ReadonlyMap<string, Value>;
  readonly ast: ScriptAst;
  readonly ok: boolean;
}

export function parseScript(text: string, options: ParseOptions): ScriptResult {
  const input = typeof text === 'string' ? text : '';
  try {
    return parseScriptUnguarded(input, options);
  } catch (e) {
    // a bug must not take the console down: report it as a diagnostic, build nothing
    const message = `internal error while reading the script (please report it): ${e instanceof Error ? e.message : String(e)}`;
    const sink = new DiagnosticSink(new LineIndex(input));
    sink.error('internal', { start: 0, end: Math.min(1, input.length) }, message);
    return { constraints: [], origins: [], diagnostics: sink.list, attributes: [], exports: [], namespace: '', variables: new Map(), ast: { imports: [], statements: [], comments: [] }, ok: false };
  }
}

function parseScriptUnguarded(input: string, options: ParseOptions): ScriptResult {
  const catalogue = options.catalogue ?? CATALOGUE;
  const importer = makeImporter(options, catalogue);
  const { ast, sink, evaluation } = evaluateText(input, options, catalogue, importer);
  const diagnostics = sortDiagnostics(sink.list);
  return {
    constraints: evaluation.constraints,
    origins: evaluation.origins,
    diagnostics,
    attributes: evaluation.attributes,
    exports: evaluation.exports,
    namespace: evaluation.namespace,
    variables: evaluation.variables,
    ast,
    ok: !diagnostics.some((d) => d.severity === 'error'),
  };
}

interface Importer {
  importScript(id: string): Evaluation | { error: string };
  matchImport(pattern: string): string[];
  knownScripts(): string[];
}

function evaluateText(text: string, options: ParseOptions, catalogue: readonly ConstraintDefinition[], importer: Importer | undefined): { ast: ScriptAst; sink: DiagnosticSink; evaluation: Evaluation } {
  const sink = new DiagnosticSink(new LineIndex(text));
  const ast = parseScriptText(text, sink);
  const evaluation = evaluate(ast, sink, {
    model: options.model,
    catalogue,
    ...(options.budget === undefined ? {} : { budget: options.budget }),
    ...(importer ? { importScript: (id: string) => importer.importScript(id), matchImport: (p: string) => importer.matchImport(p), knownScripts: () => importer.knownScripts() } : {}),
  });
  return { ast, sink, evaluation };
}

/** Imports evaluate each library script once per parse, and detect cycles. */
function makeImporter(options: ParseOptions, catalogue: readonly ConstraintDefinition[]): Importer | undefined {
  const library = options.library;
  if (!library) return undefined;
  const done = new Map<string, Evaluation>();
  const inProgress: string[] = [];
  const importer: Importer = {
    importScript(id) {
      const cached = done.get(id);
      if (cached) return cached;
      if (inProgress.includes(id)) return { error: `import cycle: ${[...inProgress.slice(inProgress.indexOf(id)), id].join(' → ')}` };
      const text = library.text(id);
      if (text === undefined) return { error: `no script '${id}' to import` };
      inProgress.push(id);
      try {
        const { evaluation } = evaluateText(text, options, catalogue, importer);
        done.set(id, evaluation);
        return evaluation;
      } finally {
        inProgress.pop();
      }
    },
    matchImport: (pattern) => library.match(pattern),
    knownScripts: () => library.ids(),
  };
  return importer;
}

/** Applies the attribute assignments of a script to a model (e.g. before planning). */
export function applyAttributes(model: Model, attributes: readonly AttributeAssignment[]): void {
  for (const a of attributes) model.attributes.put(a.kind, a.id, a.key, a.value);
}
