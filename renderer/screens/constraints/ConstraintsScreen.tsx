import { EditorSelection } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { Button, Card, CardBody, CardTitle, Label, PageSection, Switch, Title } from '@patternfly/react-core';
import { CheckCircleIcon, ExclamationCircleIcon, ExclamationTriangleIcon } from '@patternfly/react-icons';
import { type ReactNode, useEffect, useRef } from 'react';

import { shown } from '../../components/text.js';
import { useFerry, useFerryStore } from '../../store/index.js';
import { type ScriptServices, scriptExtensions } from './editor.js';

/** The btrpsl editor, its diagnostics, and the constraints it builds with their what-if toggles. */
export function ConstraintsScreen(): ReactNode {
  const formatScript = useFerry((s) => s.formatScript);
  return (
    <PageSection aria-labelledby="constraints-title">
      <div className="ferry-header">
        <Title headingLevel="h1" id="constraints-title">
          Constraints
        </Title>
        <Button variant="secondary" onClick={() => formatScript()} aria-keyshortcuts="Shift+Alt+F">
          Format
        </Button>
        <LintSummary />
      </div>
      <div className="ferry-constraints">
        <ScriptEditor />
        <ActiveConstraints />
      </div>
      <DiagnosticList />
    </PageSection>
  );
}

function ScriptEditor(): ReactNode {
  const store = useFerryStore();
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);

  useEffect(() => {
    if (!host.current) return;
    const services: ScriptServices = {
      model: () => store.getState().inventory?.model ?? null,
      diagnostics: (text) => {
        const state = store.getState();
        if (state.scriptText !== text) state.setScript(text);
        return store.getState().diagnostics;
      },
      changed: (text) => store.getState().setScript(text),
      format: () => void store.getState().formatScript(),
    };
    const editor = new EditorView({ doc: store.getState().scriptText, extensions: scriptExtensions(services), parent: host.current });
    view.current = editor;
    // the script changed elsewhere (an inventory action, Format): show it
    const unsubscribe = store.subscribe((state, previous) => {
      if (state.scriptText !== previous.scriptText && state.scriptText !== editor.state.doc.toString()) {
        editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: state.scriptText } });
      }
      if (state.focusRequest && state.focusRequest !== previous.focusRequest) consume(state.focusRequest);
    });
    // A request is served once: coming back to this screen later must not move the cursor again.
    // It is forgotten after this commit, not at once: React may mount, clean up and mount the
    // editor again in one commit (StrictMode does), and the editor that stays must get it too.
    function consume(request: { readonly line: number; readonly seq: number }): void {
      focusLine(editor, request.line);
      setTimeout(() => {
        if (store.getState().focusRequest?.seq === request.seq) store.setState({ focusRequest: null });
      }, 0);
    }
    const pending = store.getState().focusRequest;
    if (pending) consume(pending);
    return () => {
      unsubscribe();
      editor.destroy();
      view.current = null;
    };
  }, [store]);

  return <div ref={host} className="ferry-editor" />;
}

/** Puts the cursor on a line, selects it and brings it into view (a conflict's link, a diagnostic). */
function focusLine(editor: EditorView, line: number): void {
  const doc = editor.state.doc;
  const l = doc.line(Math.max(1, Math.min(line, doc.lines)));
  editor.dispatch({ selection: EditorSelection.range(l.from, l.to), effects: EditorView.scrollIntoView(l.from, { y: 'center' }) });
  editor.focus();
}

function LintSummary(): ReactNode {
  const diagnostics = useFerry((s) => s.diagnostics);
  const active = useFerry((s) => s.activeConstraints);
  const analysis = useFerry((s) => s.analysis);
  const serverLint = useFerry((s) => s.serverLint);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  if (!analysis) return <span>Names are checked once the cluster is read.</span>;
  return (
    <span className="ferry-inline">
      {errors > 0 ? (
        <Label color="red" icon={<ExclamationCircleIcon />}>
          {errors} error{errors === 1 ? '' : 's'}
        </Label>
      ) : (
        <Label color="green" icon={<CheckCircleIcon />}>
          no error
        </Label>
      )}
      {warnings > 0 ? (
        <Label color="orange" icon={<ExclamationTriangleIcon />}>
          {warnings} warning{warnings === 1 ? '' : 's'}
        </Label>
      ) : null}
      <span>
        {active.length} statement{active.length === 1 ? '' : 's'} building {analysis.constraints.length} constraint{analysis.constraints.length === 1 ? '' : 's'}
      </span>
      {serverLint && serverLint.constraintHash ? <span className="ferry-muted">services: {serverLint.constraints} in force, {serverLint.constraintHash.slice(0, 19)}…</span> : null}
    </span>
  );
}

function DiagnosticList(): ReactNode {
  const diagnostics = useFerry((s) => s.diagnostics);
  const focusScriptLine = useFerry((s) => s.focusScriptLine);
  if (diagnostics.length === 0) return null;
  return (
    <Card isPlain isCompact>
      <CardTitle>
        <Title headingLevel="h2" size="md">
          Diagnostics
        </Title>
      </CardTitle>
      <CardBody>
        <ul className="ferry-diagnostics" aria-label="Diagnostics">
          {diagnostics.slice(0, 200).map((d, i) => (
            <li key={i} className={`ferry-diag ferry-diag--${d.severity}`}>
              <Button variant="link" isInline onClick={() => focusScriptLine(d.line)}>
                {d.line}:{d.column}
              </Button>{' '}
              {d.severity}: {shown(d.message)}
            </li>
          ))}
        </ul>
      </CardBody>
    </Card>
  );
}

function ActiveConstraints(): ReactNode {
  const active = useFerry((s) => s.activeConstraints);
  const disabled = useFerry((s) => s.disabled);
  const toggle = useFerry((s) => s.toggleConstraint);
  const focusScriptLine = useFerry((s) => s.focusScriptLine);
  return (
    <Card isCompact className="ferry-active" component="section" aria-labelledby="active-title">
      <CardTitle>
        <Title headingLevel="h2" size="md" id="active-title">
          Active constraints
        </Title>
      </CardTitle>
      <CardBody>
        {active.length === 0 ? (
          <p>No constraint yet: write one, or use the Inventory's actions.</p>
        ) : (
          <ul className="ferry-active__list">
            {active.map((c) => (
              <li key={c.start}>
                <Switch id={`constraint-${c.line}`} label={c.text} isChecked={!disabled.has(c.line)} onChange={(_e, on) => toggle(c.line, on)} />
                <Button variant="link" isInline onClick={() => focusScriptLine(c.line)} aria-label={`Go to line ${c.line}`}>
                  line {c.line}
                </Button>
                {c.count > 1 ? <span className="ferry-muted"> ({c.count} constraints)</span> : null}
              </li>
            ))}
          </ul>
        )}
      </CardBody>
    </Card>
  );
}
