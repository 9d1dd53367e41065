import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { type Diagnostic as CmDiagnostic, lintGutter, lintKeymap, setDiagnostics } from '@codemirror/lint';
import { searchKeymap } from '@codemirror/search';
import { EditorState, type Extension, RangeSetBuilder } from '@codemirror/state';
import { Decoration, type DecorationSet, EditorView, drawSelection, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view';

import { safeName } from '../../../src/text/safe.js';
import type { ClusterFileDiagnostic } from '../../store/cluster.js';
import { offsetOf, styleNonce, viewportDecorations } from '../constraints/editor.js';

/**
 * A plain YAML editor for cluster files: keys, strings, numbers and comments highlighted line by
 * line (mark decorations carrying a class: the text stays text), and the services' located errors
 * in the gutter and under the text. Validation is the services' (the same parser as `ferry
 * inventory --config`); nothing here decides whether a file is valid.
 */

type Kind = 'key' | 'string' | 'number' | 'comment';

interface Token {
  readonly from: number;
  readonly to: number;
  readonly kind: Kind;
}

const MARKS: Readonly<Record<Kind, Decoration>> = {
  key: Decoration.mark({ class: 'ferry-tok ferry-tok-keyword' }),
  string: Decoration.mark({ class: 'ferry-tok ferry-tok-string' }),
  number: Decoration.mark({ class: 'ferry-tok ferry-tok-number' }),
  comment: Decoration.mark({ class: 'ferry-tok ferry-tok-comment' }),
};

/** The YAML tokens of one line (offsets within the line), in order, never overlapping. */
export function yamlLineTokens(line: string): Token[] {
  const found: Token[] = [];
  const strings = /"(?:[^"\\]|\\.)*"?|'(?:[^']|'')*'?/g;
  for (const m of line.matchAll(strings)) found.push({ from: m.index, to: m.index + m[0].length, kind: 'string' });
  const inString = (at: number): boolean => found.some((t) => at >= t.from && at < t.to);
  // a comment starts at a # at the start of the line or after a blank, outside quotes
  let commentAt = -1;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '#' && (i === 0 || /\s/.test(line[i - 1] ?? '')) && !inString(i)) {
      commentAt = i;
      break;
    }
  }
  const code = commentAt < 0 ? line : line.slice(0, commentAt);
  const tokens = found.filter((t) => commentAt < 0 || t.from < commentAt);
  for (const m of code.matchAll(/([A-Za-z_][\w.-]*)(?=\s*:(?:\s|$))/g)) if (!inString(m.index)) tokens.push({ from: m.index, to: m.index + m[0].length, kind: 'key' });
  for (const m of code.matchAll(/(?<![\w.-])(?:\d+(?:\.\d+)?|true|false|null)(?![\w.-])/g)) if (!inString(m.index)) tokens.push({ from: m.index, to: m.index + m[0].length, kind: 'number' });
  if (commentAt >= 0) tokens.push({ from: commentAt, to: line.length, kind: 'comment' });
  tokens.sort((a, b) => a.from - b.from);
  const out: Token[] = [];
  for (const t of tokens) if (out.length === 0 || t.from >= (out.at(-1)?.to ?? 0)) out.push(t);
  return out;
}

function highlight(view: EditorView): DecorationSet {
  const builder = new RangeSetBuilder<Decoration>();
  for (const { from, to } of view.visibleRanges) {
    for (let pos = from; pos <= to; ) {
      const line = view.state.doc.lineAt(pos);
      for (const t of yamlLineTokens(line.text)) builder.add(line.from + t.from, line.from + t.to, MARKS[t.kind]);
      pos = line.to + 1;
    }
  }
  return builder.finish();
}

const yamlHighlight = viewportDecorations(highlight);

export function yamlExtensions(label: string, onChange: (text: string) => void): Extension[] {
  const nonce = styleNonce();
  return [
    lineNumbers(),
    history(),
    drawSelection(),
    highlightActiveLine(),
    yamlHighlight,
    lintGutter(),
    keymap.of([...defaultKeymap, ...historyKeymap, ...searchKeymap, ...lintKeymap, indentWithTab]),
    EditorView.contentAttributes.of({ 'aria-label': label }),
    EditorState.tabSize.of(2),
    ...(nonce ? [EditorView.cspNonce.of(nonce)] : []),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) onChange(update.state.doc.toString());
    }),
  ];
}

/** Shows the services' errors of a save at their lines (each marks its line from its column). */
export function showDiagnostics(view: EditorView, list: readonly ClusterFileDiagnostic[]): void {
  const doc = view.state.doc;
  const marks: CmDiagnostic[] = list.map((d) => {
    const from = offsetOf(doc, d.line, d.column);
    return { from, to: Math.max(from, doc.line(Math.max(1, Math.min(d.line, doc.lines))).to), severity: 'error', message: safeName(d.message) };
  });
  view.dispatch(setDiagnostics(view.state, marks));
}
