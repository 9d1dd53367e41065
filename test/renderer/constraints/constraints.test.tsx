// @vitest-environment jsdom
import { currentCompletions, startCompletion } from '@codemirror/autocomplete';
import { forEachDiagnostic } from '@codemirror/lint';
import { EditorView } from '@codemirror/view';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ConstraintsScreen } from '../../../renderer/screens/constraints/ConstraintsScreen.js';
import { giveLayout, renderWithStore } from '../support/render.js';
import { type RendererHarness, openHarness } from '../support/services.js';

let h: RendererHarness;

giveLayout();

beforeEach(async () => {
  h = openHarness();
  await h.store.getState().loadSnapshot();
});
afterEach(() => h.close());

function editorView(): EditorView {
  const content = screen.getByRole('textbox', { name: 'Constraints script' });
  const view = EditorView.findFromDOM(content);
  if (!view) throw new Error('the editor content is not a CodeMirror view');
  return view;
}

function lintDiagnostics(view: EditorView): { from: number; to: number; severity: string; message: string }[] {
  const found: { from: number; to: number; severity: string; message: string }[] = [];
  forEachDiagnostic(view.state, (d, from, to) => found.push({ from, to, severity: d.severity, message: d.message }));
  return found;
}

describe('Constraints', () => {
  it('shows a located diagnostic on the exact text that is wrong', async () => {
    const script = 'spread({web1, web2});\nroot(dbx);\n';
    act(() => h.store.getState().setScript(script));
    renderWithStore(h, <ConstraintsScreen />);
    const view = editorView();
    expect(view.state.doc.toString()).toBe(script);
    await waitFor(() => expect(lintDiagnostics(view).length).toBeGreaterThan(0), { timeout: 5000 });
    const [d] = lintDiagnostics(view);
    expect(d?.severity).toBe('error');
    expect(script.slice(d?.from, d?.to)).toBe('dbx');
    expect(d?.message).toMatch(/unknown VM 'dbx'.*db1/);
    const list = screen.getByRole('list', { name: 'Diagnostics' });
    expect(within(list).getByRole('button', { name: '2:6' })).toBeTruthy();
  });

  it('highlights from src/dsl tokens without turning text into markup', () => {
    act(() => h.store.getState().setScript('// <b>not bold</b>\noffline(@r2-h3);\n'));
    const { container } = renderWithStore(h, <ConstraintsScreen />);
    expect(container.querySelector('.cm-content b')).toBeNull();
    expect([...container.querySelectorAll('.ferry-tok-constraint')].map((e) => e.textContent)).toEqual(['offline']);
    expect([...container.querySelectorAll('.ferry-tok-node')].map((e) => e.textContent)).toEqual(['@r2-h3']);
    expect([...container.querySelectorAll('.ferry-tok-comment')].map((e) => e.textContent).join('')).toBe('// <b>not bold</b>');
  });

  it('follows edits both ways: typing updates the store, an inventory action updates the editor', () => {
    renderWithStore(h, <ConstraintsScreen />);
    const view = editorView();
    act(() => view.dispatch({ changes: { from: view.state.doc.length, insert: 'root(db1);\n' } }));
    expect(h.store.getState().scriptText).toContain('root(db1);\n');
    act(() => h.store.getState().appendConstraint('offline(@r2-h3);'));
    expect(view.state.doc.toString()).toBe(h.store.getState().scriptText);
    expect(view.state.doc.toString()).toMatch(/root\(db1\);\noffline\(@r2-h3\);\n$/);
  });

  it('lists the active constraints with what-if toggles, and focuses a line', () => {
    act(() => h.store.getState().setScript('spread({web1, web2, web3});\nroot(db1);\noffline(@r2-h3);\n'));
    renderWithStore(h, <ConstraintsScreen />);
    const toggle = screen.getByRole('switch', { name: 'root(db1);' });
    expect(toggle).toHaveProperty('checked', true);
    fireEvent.click(toggle);
    expect(h.store.getState().disabled.has(2)).toBe(true);
    expect(h.store.getState().effectiveScript()).not.toContain('root(db1)');
    expect(screen.getByRole('switch', { name: 'root(db1);' })).toHaveProperty('checked', false);

    fireEvent.click(screen.getByRole('button', { name: 'Go to line 3' }));
    const view = editorView();
    const { from, to } = view.state.selection.main;
    expect(view.state.sliceDoc(from, to)).toBe('offline(@r2-h3);');
  });

  it('serves a line focus asked from another screen once, when the editor opens', async () => {
    act(() => h.store.getState().setScript('spread({web1, web2});\nroot(db1);\n'));
    act(() => h.store.getState().focusScriptLine(2));
    renderWithStore(h, <ConstraintsScreen />);
    const view = editorView();
    const { from, to } = view.state.selection.main;
    expect(view.state.sliceDoc(from, to)).toBe('root(db1);');
    // forgotten once the commit is over: an editor mounted again in the same commit gets it too
    await waitFor(() => expect(h.store.getState().focusRequest).toBeNull());
    expect(h.store.getState().route).toBe('constraints');
  });

  it('formats the script with src/dsl/format', () => {
    act(() => h.store.getState().setScript('spread(  {web1,web2} ) ;\n'));
    renderWithStore(h, <ConstraintsScreen />);
    fireEvent.click(screen.getByRole('button', { name: 'Format' }));
    expect(editorView().state.doc.toString()).toBe('spread({web1, web2});\n');
  });

  it('completes constraint signatures and node names from src/dsl/editor', async () => {
    renderWithStore(h, <ConstraintsScreen />);
    const view = editorView();
    act(() => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: 'off' }, selection: { anchor: 3 } }));
    act(() => {
      startCompletion(view);
    });
    await waitFor(() => expect(currentCompletions(view.state).map((c) => c.label)).toContain('offline'));
    const offline = currentCompletions(view.state).find((c) => c.label === 'offline');
    expect(offline?.detail).toMatch(/^offline\(/);

    act(() => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: 'offline(@r2-' }, selection: { anchor: 12 } }));
    act(() => {
      startCompletion(view);
    });
    await waitFor(() => expect(currentCompletions(view.state).map((c) => c.label)).toEqual(['@r2-h1', '@r2-h2', '@r2-h3', '@r2-h4']));
  });
});
