import { autocompletion, closeBrackets, closeBracketsKeymap, type Completion as CmCompletion, type CompletionContext, type CompletionResult, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching } from '@codemirror/language';
import { type Diagnostic as CmDiagnostic, linter, lintGutter, lintKeymap } from '@codemirror/lint';
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search';
import { EditorState, type Extension, RangeSetBuilder, type Text } from '@codemirror/state';
import { Decoration, type DecorationSet, EditorView, type Tooltip, ViewPlugin, type ViewUpdate, drawSelection, highlightActiveLine, hoverTooltip, keymap, lineNumbers } from '@codemirror/view';

import type { Diagnostic } from '../../../src/dsl/diagnostics.js';
import { completions, hover, tokens } from '../../../src/dsl/editor.js';
import type { Model } from '../../../src/model/index.js';
import { safeName } from '../../../src/text/safe.js';

/**
 * CodeMirror 6 over src/dsl's editor services: highlighting from its semantic tokens (mark
 * decorations carrying a class: the token's text stays text), diagnostics, completions and hovers
 * from the same functions `ferry lint` and the planner use. Nothing about btrpsl is re-implemented here.
 */

export interface ScriptServices {
  /** The model names resolve against (null before the first read). */
  model(): Model | null;
  /** The diagnostics of this exact text (the store's analysis of it). */
  diagnostics(text: string): readonly Diagnostic[];
  /** The operator edited the text. */
  changed(text: string): void;
  /** Shift-Alt-F. */
  format(): void;
}

/** Above this length the highlighting covers the visible ranges only. */
const FULL_HIGHLIGHT_MAX = 200_000;

function highlight(view: EditorView): DecorationSet {
  const builder = new RangeSetBuilder<Decoration>();
  const text = view.state.doc.toString();
  const ranges = text.length <= FULL_HIGHLIGHT_MAX ? [{ from: 0, to: text.length }] : view.visibleRanges;
  for (const t of tokens(text)) {
    if (t.end <= t.start) continue;
    if (!ranges.some((r) => t.end > r.from && t.start < r.to)) continue;
    builder.add(t.start, t.end, MARKS[t.kind]);
  }
  return builder.finish();
}

const MARKS = Object.fromEntries(
  (['keyword', 'constraint', 'template', 'vm', 'node', 'variable', 'number', 'string', 'operator', 'punctuation', 'comment', 'invalid'] as const).map((k) => [k, Decoration.mark({ class: `ferry-tok ferry-tok-${k}` })]),
) as Record<ReturnType<typeof tokens>[number]['kind'], Decoration>;

/** Decorations computed for the visible ranges, again whenever the text or the viewport changes. */
export function viewportDecorations(compute: (view: EditorView) => DecorationSet): Extension {
  return ViewPlugin.fromClass(
    class {
      decorations: DecorationSet;
      constructor(view: EditorView) {
        this.decorations = compute(view);
      }
      update(update: ViewUpdate): void {
        if (update.docChanged || update.viewportChanged) this.decorations = compute(update.view);
      }
    },
    { decorations: (v) => v.decorations },
  );
}

const semanticHighlight = viewportDecorations(highlight);

/** A 1-based line/column (end exclusive) to a document offset, clamped to the document. */
export function offsetOf(doc: Text, line: number, column: number): number {
  const l = doc.line(Math.max(1, Math.min(line, doc.lines)));
  return Math.min(l.to, l.from + Math.max(0, column - 1));
}

export function toCmDiagnostics(doc: Text, list: readonly Diagnostic[]): CmDiagnostic[] {
  return list.map((d) => {
    const from = offsetOf(doc, d.line, d.column);
    const to = Math.max(from, offsetOf(doc, d.endLine, d.endColumn));
    return { from, to, severity: d.severity, message: safeName(d.message), source: d.code };
  });
}

const KIND_TYPE: Record<string, string> = { constraint: 'function', vm: 'variable', node: 'constant', variable: 'variable', resource: 'property', keyword: 'keyword' };

function completionSource(services: ScriptServices) {
  return (context: CompletionContext): CompletionResult | null => {
    const model = services.model();
    if (!model) return null;
    const text = context.state.doc.toString();
    const list = completions(text, context.pos, model);
    if (list.length === 0) return null;
    const from = Math.min(...list.map((c) => c.replaceStart));
    if (!context.explicit && from === context.pos) return null;
    const options: CmCompletion[] = list.map((c) => ({
      label: c.label,
      type: KIND_TYPE[c.kind] ?? 'text',
      ...(c.detail ? { detail: c.detail } : {}),
      ...(c.documentation ? { info: c.documentation } : {}),
      apply: c.insertText,
    }));
    return { from, options, validFor: /^[@$]?[-\w.]*$/ };
  };
}

function hoverSource(services: ScriptServices) {
  return (view: EditorView, pos: number): Tooltip | null => {
    const model = services.model();
    if (!model) return null;
    const found = hover(view.state.doc.toString(), pos, model);
    if (!found) return null;
    return {
      pos: found.span.start,
      end: found.span.end,
      above: true,
      create: () => {
        const dom = document.createElement('div');
        dom.className = 'ferry-hover';
        // plain text: names and docs never become markup
        dom.textContent = found.text;
        return { dom };
      },
    };
  };
}

/** The nonce H1's pages carry for CodeMirror's injected styles (the CSP allows no other inline style). */
export function styleNonce(): string | undefined {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="ferry-style-nonce"]');
  return meta?.content || undefined;
}

export function scriptExtensions(services: ScriptServices): Extension[] {
  const nonce = styleNonce();
  return [
    lineNumbers(),
    history(),
    drawSelection(),
    highlightActiveLine(),
    bracketMatching(),
    closeBrackets(),
    highlightSelectionMatches(),
    semanticHighlight,
    lintGutter(),
    linter((view) => toCmDiagnostics(view.state.doc, services.diagnostics(view.state.doc.toString())), { delay: 250 }),
    autocompletion({ override: [completionSource(services)] }),
    hoverTooltip(hoverSource(services)),
    keymap.of([
      { key: 'Shift-Alt-f', run: () => (services.format(), true) },
      ...closeBracketsKeymap,
      ...defaultKeymap,
      ...historyKeymap,
      ...searchKeymap,
      ...completionKeymap,
      ...lintKeymap,
      indentWithTab,
    ]),
    EditorView.contentAttributes.of({ 'aria-label': 'Constraints script' }),
    EditorView.lineWrapping,
    EditorState.tabSize.of(4),
    ...(nonce ? [EditorView.cspNonce.of(nonce)] : []),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) services.changed(update.state.doc.toString());
    }),
  ];
}
