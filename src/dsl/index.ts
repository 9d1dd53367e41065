/** btrpsl, BtrPlace's scripting language: parsing, evaluation, editor services, constraint sets. */
export type * from './ast.js';
export { type Diagnostic, type DiagnosticCode, type Severity, type Span, LineIndex, closest, editDistance, sortDiagnostics } from './diagnostics.js';
export { type AttributeAssignment, type ExportedSymbol, canImport, signature } from './evaluator.js';
export { type Token, type TokenKind, lex } from './lexer.js';
export { ScriptLibrary, declaredNamespace } from './library.js';
export { type ParseOptions, type ScriptResult, applyAttributes, parseScript } from './script.js';
export { type FormatResult, formatScript, formatScriptResult } from './format.js';
export { type Completion, type CompletionKind, type Hover, type SemanticKind, type SemanticToken, completions, hover, tokens } from './editor.js';
export { type ConstraintSet, type ConstraintSetJson, constraintSetFromJson, constraintSetHash, constraintSetToJson, createConstraintSet, recheckConstraintSet } from './constraint-set.js';
export { canonicalJson, sha256Hex } from './hash.js';
export type { Value } from './values.js';
