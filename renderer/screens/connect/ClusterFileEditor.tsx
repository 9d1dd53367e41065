import type { EditorView as EditorViewType } from '@codemirror/view';
import { EditorView } from '@codemirror/view';
import { Button, Card, CardBody, CardTitle, TextInput, Title } from '@patternfly/react-core';
import { ExclamationCircleIcon } from '@patternfly/react-icons';
import { type ReactNode, useEffect, useRef, useState } from 'react';

import { shown } from '../../components/text.js';
import type { ClusterFileEdit } from '../../store/cluster.js';
import { useFerry } from '../../store/index.js';
import { showDiagnostics, yamlExtensions } from './yaml-editor.js';

/**
 * The cluster file open for editing (a known file, or a new one the operator names), with Save
 * and Cancel. The services validate and write it; a refused save shows their located errors at
 * their lines, and nothing was written.
 */
export function ClusterFileEditor(): ReactNode {
  const edit = useFerry((s) => s.clusterFile);
  if (!edit) return null;
  // one editor per file opened: a refused save keeps the operator's text and cursor
  return <EditorCard key={edit.mode === 'new' ? 'new' : `edit:${edit.file}`} edit={edit} />;
}

function EditorCard({ edit }: { readonly edit: ClusterFileEdit }): ReactNode {
  const save = useFerry((s) => s.saveClusterFile);
  const close = useFerry((s) => s.closeClusterFile);
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorViewType | null>(null);
  const text = useRef(edit.text);
  const [path, setPath] = useState(edit.file);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!host.current) return;
    const editor = new EditorView({
      doc: edit.text,
      extensions: yamlExtensions('Cluster file', (t) => {
        text.current = t;
      }),
      parent: host.current,
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // the editor is made once per file opened (the key above): later texts are the operator's own
  }, []);

  useEffect(() => {
    if (view.current) showDiagnostics(view.current, edit.diagnostics);
  }, [edit.diagnostics]);

  const title = edit.mode === 'new' ? 'New cluster file' : `Edit cluster file ${shown(edit.file)}`;
  return (
    <Card isPlain>
      <CardTitle>
        <Title headingLevel="h2" id="cluster-file-title">
          {title}
        </Title>
      </CardTitle>
      <CardBody>
        <section aria-labelledby="cluster-file-title">
          {edit.mode === 'new' ? (
            <div className="ferry-inline">
              <TextInput aria-label="New cluster file path" placeholder="/etc/ferry/lab.yaml" value={path} onChange={(_e, v) => setPath(v)} />
            </div>
          ) : null}
          <p className="ferry-muted">Paths only: key files by their path, passwords asked when a host needs one (askPassword: true). Saved only when valid, as ferry inventory --config reads it.</p>
          <div ref={host} className="ferry-editor" />
          {edit.diagnostics.length > 0 ? (
            <ul className="ferry-error" role="alert" aria-label="Cluster file errors">
              {edit.diagnostics.map((d) => (
                <li key={`${d.line}:${d.column}:${d.message}`}>
                  <ExclamationCircleIcon /> Line {d.line}, column {d.column}: {shown(d.message)}
                </li>
              ))}
            </ul>
          ) : null}
          <div className="ferry-inline">
            <Button
              variant="primary"
              isLoading={busy}
              isDisabled={busy || path.trim() === ''}
              onClick={() => {
                setBusy(true);
                void save(path.trim(), text.current).finally(() => setBusy(false));
              }}
            >
              Save
            </Button>
            <Button variant="link" onClick={close}>
              Cancel
            </Button>
          </div>
        </section>
      </CardBody>
    </Card>
  );
}
