/**
 * Editor services over btrpsl text, pure functions of (text, offset, model): semantic tokens for
 * highlighting, completions and hovers. They share the lexer, the parser and the evaluator's name
 * resolution, so what the editor shows is what `parseScript` will do.
 */
import type { ConstraintDefinition } from '../catalogue/definition.js';
import { CATALOGUE } from '../catalogue/registry.js';
import type { Model } from '../model/index.js';
import type { Span } from './diagnostics.js';
import { signature } from './evaluator.js';
import { KEYWORDS, type Token, lex } from './lexer.js';
import { type ScriptLibrary, declaredNamespace } from './library.js';
import { parseScript } from './script.js';
import { describeType, show } from './values.js';

export type SemanticKind =
  | 'keyword'
  | 'constraint'
  | 'template'
  | 'vm'
  | 'node'
  | 'variable'
  | 'number'
  | 'string'
  | 'operator'
  | 'punctuation'
  | 'comment'
  | 'invalid';

export interface SemanticToken {
  readonly kind: SemanticKind;
  readonly start: number;
  readonly end: number;
  /** 1-based position of `start` */
  readonly line: number;
  readonly column: number;
  readonly text: string;
}

/** Tokens to highlight (comments included), classified by role. */
export function tokens(text: string): SemanticToken[] {
  const all = lex(typeof text === 'string' ? text : '');
  const code = all.filter((t) => t.kind !== 'comment');
  const result: SemanticToken[] = [];
  const roleOf = new Map<Token, SemanticKind>();
  code.forEach((t, i) => {
    if (t.kind !== 'identifier') return;
    const next = code[i + 1];
    const prev = code[i - 1];
    if (KEYWORDS.has(t.text)) roleOf.set(t, 'keyword');
    else if (next?.kind === 'punctuation' && next.text === '(') roleOf.set(t, 'constraint');
    else if (prev?.kind === 'operator' && prev.text === ':') roleOf.set(t, 'template');
    else if (prev && isIn(code, i, ['namespace', 'import'])) roleOf.set(t, 'keyword');
    else roleOf.set(t, 'vm');
  });
  for (const t of all) {
    if (t.kind === 'eof') continue;
    const kind: SemanticKind =
      t.kind === 'identifier'
        ? (roleOf.get(t) ?? 'vm')
        : t.kind === 'blank'
          ? 'variable'
          : t.kind === 'node' || t.kind === 'variable' || t.kind === 'number' || t.kind === 'string' || t.kind === 'operator' || t.kind === 'punctuation' || t.kind === 'comment' || t.kind === 'invalid'
            ? t.kind
            : 'invalid';
    result.push({ kind, start: t.start, end: t.end, line: t.line, column: t.column, text: t.text });
  }
  return result;
}

function isIn(code: Token[], i: number, words: string[]): boolean {
  const prev = code[i - 1];
  return prev?.kind === 'identifier' && words.includes(prev.text);
}

// ---- completions -------------------------------------------------------------------------------

export type CompletionKind = 'constraint' | 'vm' | 'node' | 'variable' | 'resource' | 'keyword';

export interface Completion {
  readonly label: string;
  readonly kind: CompletionKind;
  /** what replaces the text from `replaceStart` to the cursor */
  readonly insertText: string;
  readonly replaceStart: number;
  readonly detail?: string;
  readonly documentation?: string;
}

const MAX_COMPLETIONS = 500;

/**
 * Completions at `offset`: resource ids inside a string, node names after `@`, variables after `$`,
 * constraints (with their signature and parameter docs) and keywords at the start of a statement,
 * VM names elsewhere.
 */
export function completions(text: string, offset: number, model: Model, catalogue: readonly ConstraintDefinition[] = CATALOGUE, library?: ScriptLibrary): Completion[] {
  const source = typeof text === 'string' ? text : '';
  const at = Math.max(0, Math.min(offset, source.length));
  const all = lex(source);
  const here = all.find((t) => t.kind !== 'eof' && t.start < at && at <= t.end);
  if (here?.kind === 'comment') return [];

  if (here?.kind === 'string') {
    const prefix = source.slice(here.start + 1, at);
    return [...model.resources.keys()]
      .filter((r) => r.startsWith(prefix))
      .map((r) => ({ label: r, kind: 'resource' as const, insertText: r, replaceStart: here.start + 1, detail: 'resource' }));
  }

  const word = wordBefore(source, at);
  const replaceStart = at - word.length;
  const ns = declaredNamespace(source) ?? '';
  if (word.startsWith('@')) {
    const names = model.nodeNames ? [...model.nodeNames.entries()] : [];
    return names
      .map(([name, id]) => ({ label: name.startsWith('@') ? name : `@${name}`, id }))
      .filter((n) => n.label.startsWith(word))
      .slice(0, MAX_COMPLETIONS)
      .map((n) => ({ label: n.label, kind: 'node' as const, insertText: n.label, replaceStart, detail: nodeDetail(model, n.id) }));
  }
  if (word.startsWith('$')) {
    return variablesInScope(source, at, model, catalogue, library)
      .filter((v) => v.name.startsWith(word))
      .map((v) => ({ label: v.name, kind: 'variable' as const, insertText: v.name, replaceStart, ...(v.detail ? { detail: v.detail } : {}) }));
  }

  const out: Completion[] = [];
  const statementStart = atStatementStart(all, replaceStart);
  if (statementStart) {
    const seen = new Set<string>();
    for (const def of catalogue) {
      const name = def.script.name;
      if (!name.startsWith(word) || seen.has(`${name}/${def.script.params.length}/${def.id}`)) continue;
      seen.add(`${name}/${def.script.params.length}/${def.id}`);
      out.push({
        label: name,
        kind: 'constraint',
        insertText: `${name}(`,
        replaceStart,
        detail: signature(def),
        documentation: [def.doc, ...def.script.params.map((p) => `- ${p.name}: ${p.doc}`), modesLine(def)].join('\n'),
      });
    }
    for (const k of ['for', 'if', 'export', 'import', 'namespace']) if (k.startsWith(word) && word.length > 0) out.push({ label: k, kind: 'keyword', insertText: `${k} `, replaceStart });
  }
  if (model.vmNames) {
    for (const [name, id] of model.vmNames.entries()) {
      const shown = ns && name.startsWith(`${ns}.`) ? name.slice(ns.length + 1) : name;
      if (!shown.startsWith(word)) continue;
      out.push({ label: shown, kind: 'vm', insertText: shown, replaceStart, detail: vmDetail(model, id) });
      if (out.length >= MAX_COMPLETIONS) break;
    }
  }
  return out;
}

function modesLine(def: ConstraintDefinition): string {
  const { discrete, continuous } = def.modes;
  if (discrete && continuous) return "Continuous in scripts unless prefixed by '>>' (discrete).";
  return continuous ? "Always continuous ('>>' is not allowed)." : 'Discrete only (constrains the final state).';
}

/** The partial word before the cursor: `@node-1`, `$rac`, `VM1`, `spr`. */
function wordBefore(text: string, at: number): string {
  let i = at;
  while (i > 0 && /[-A-Za-z0-9_.]/.test(text[i - 1] as string)) i--;
  if (i > 0 && (text[i - 1] === '@' || text[i - 1] === '$')) i--;
  let word = text.slice(i, at);
  // a '-' only belongs to a node name
  if (!word.startsWith('@')) {
    const dash = word.lastIndexOf('-');
    if (dash >= 0) word = word.slice(dash + 1);
  }
  return word;
}

function atStatementStart(all: Token[], start: number): boolean {
  let prev: Token | undefined;
  for (const t of all) {
    if (t.kind === 'comment' || t.kind === 'eof') continue;
    if (t.start >= start) break;
    prev = t;
  }
  if (!prev) return true;
  return (prev.kind === 'punctuation' && (prev.text === ';' || prev.text === '{' || prev.text === '}')) || (prev.kind === 'operator' && prev.text === '>>');
}

interface VariableInfo {
  name: string;
  detail?: string;
}

/**
 * Variables visible at `at`: `$me`, the imported ones, and those assigned (or bound by `for`)
 * earlier in the text. Read from the tokens, so it also works while the statement being typed is
 * still incomplete; details come from evaluating the script when it evaluates.
 */
function variablesInScope(text: string, at: number, model: Model, catalogue: readonly ConstraintDefinition[], library: ScriptLibrary | undefined): VariableInfo[] {
  const result = parseScript(text, { model, catalogue, budget: 200_000, ...(library ? { library } : {}) });
  const names = new Map<string, string | undefined>();
  names.set('$me', 'the VMs this script declares');
  const code = lex(text).filter((t) => t.kind !== 'comment');
  const boundAnywhere = new Set<string>();
  code.forEach((t, i) => {
    if (t.kind !== 'variable') return;
    const before = code[i - 1];
    const after = code[i + 1];
    if ((before?.kind === 'identifier' && before.text === 'for') || (after?.kind === 'operator' && /^[-+*/%]?=$/.test(after.text))) boundAnywhere.add(t.text);
    if (t.end > at) return;
    const prev = code[i - 1];
    const next = code[i + 1];
    if (prev?.kind === 'identifier' && prev.text === 'for') names.set(t.text, 'loop variable');
    else if (next?.kind === 'operator' && /^[-+*/%]?=$/.test(next.text) && !names.has(t.text)) names.set(t.text, undefined);
    else if (prev?.kind === 'punctuation' && (prev.text === '{' || prev.text === ',') && !names.has(t.text)) {
      // `{$a, $b} = ...`: a variable inside braces closed by '} ='
      let j = i + 1;
      while (code[j] && !(code[j]?.kind === 'punctuation' && code[j]?.text === '}')) j++;
      const after = code[j + 1];
      if (after?.kind === 'operator' && after.text === '=') names.set(t.text, undefined);
    }
  });
  for (const name of result.variables.keys()) if (!names.has(name) && !boundAnywhere.has(name)) names.set(name, 'imported');
  return [...names.entries()].map(([name, detail]) => {
    const value = result.variables.get(name);
    const d = detail ?? (value ? describeType(value) : undefined);
    return { name, ...(d ? { detail: d } : {}) };
  });
}

// ---- hover -------------------------------------------------------------------------------------

export interface Hover {
  readonly span: Span;
  /** Markdown-free plain text, several lines. */
  readonly text: string;
}

/** What is under the cursor: a constraint's doc, a VM's state and host, a node's state, a variable's value. */
export function hover(text: string, offset: number, model: Model, catalogue: readonly ConstraintDefinition[] = CATALOGUE, library?: ScriptLibrary): Hover | undefined {
  const source = typeof text === 'string' ? text : '';
  const all = lex(source).filter((t) => t.kind !== 'comment' && t.kind !== 'eof');
  const index = all.findIndex((t) => t.start <= offset && offset < t.end);
  const t = all[index];
  if (!t) return undefined;
  const span = { start: t.start, end: t.end };
  const next = all[index + 1];
  if (t.kind === 'identifier' && next?.kind === 'punctuation' && next.text === '(') {
    const defs = catalogue.filter((d) => d.script.name === t.text);
    if (defs.length === 0) return { span, text: `unknown constraint '${t.text}'` };
    return {
      span,
      text: defs.map((d) => [signature(d), '', d.doc, '', ...d.script.params.map((p) => `${p.name}: ${p.doc}`), modesLine(d)].join('\n')).join('\n\n'),
    };
  }
  if (t.kind === 'identifier' && !KEYWORDS.has(t.text)) {
    const ns = declaredNamespace(source);
    for (const candidate of ns ? [`${ns}.${t.text}`, t.text] : [t.text]) {
      const id = model.vmNames?.resolve(candidate);
      if (id !== undefined) return { span, text: `VM ${candidate} (id ${id})\n${vmDetail(model, id)}` };
    }
    return undefined;
  }
  if (t.kind === 'node') {
    for (const candidate of [t.text, t.text.slice(1)]) {
      const id = model.nodeNames?.resolve(candidate);
      if (id !== undefined) return { span, text: `node ${candidate} (id ${id})\n${nodeDetail(model, id)}` };
    }
    return undefined;
  }
  if (t.kind === 'variable') {
    const result = parseScript(source, { model, catalogue, budget: 200_000, ...(library ? { library } : {}) });
    const value = result.variables.get(t.text);
    if (!value) return undefined;
    const shown = show(value);
    return { span, text: `${t.text}: ${describeType(value)}${value.kind === 'set' ? ` (${value.items.length})` : ''}\n${shown.length > 300 ? `${shown.slice(0, 300)}…` : shown}` };
  }
  return undefined;
}

function vmDetail(model: Model, vm: number): string {
  const state = model.vmState(vm);
  const host = model.mapping.host(vm);
  const resources = [...model.resources.values()].map((r) => `${r.id}=${r.consumption(vm)}`).join(', ');
  return `${state}${host === undefined ? '' : ` on ${model.nodeName(host)}`}${resources ? ` (${resources})` : ''}`;
}

function nodeDetail(model: Model, node: number): string {
  const state = model.mapping.nodeState(node) ?? 'unknown';
  const hosted = model.mapping.hostedCount(node);
  const resources = [...model.resources.values()].map((r) => `${r.id} ${model.usage(node, r.id)}/${r.capacity(node)}`).join(', ');
  return `${state}, ${hosted} VM(s)${resources ? `; ${resources}` : ''}`;
}
