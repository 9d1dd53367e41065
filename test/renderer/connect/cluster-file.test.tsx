// @vitest-environment jsdom
import { forEachDiagnostic } from '@codemirror/lint';
import { EditorView } from '@codemirror/view';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { PasswordDialog } from '../../../renderer/screens/connect/PasswordDialog.js';
import { ConnectScreen } from '../../../renderer/screens/connect/ConnectScreen.js';
import { yamlLineTokens } from '../../../renderer/screens/connect/yaml-editor.js';
import { FakeCluster } from '../../libvirt/fake-cluster.js';
import { keyPair } from '../../libvirt/fake-host.js';
import { giveLayout, renderWithStore } from '../support/render.js';
import { type RendererHarness, openHarness } from '../support/services.js';

/** Connect: editing cluster files (validated and written by the services) and password logins. */
let h: RendererHarness;
let fake: FakeCluster;

beforeEach(async () => {
  giveLayout();
  h = openHarness();
  fake = await FakeCluster.start([{ name: 'hv1', domains: [{ name: 'vm1', state: 'running', vcpus: 1, memKiB: 65536 }] }, { name: 'hv2' }], keyPair(), 'pw-4-console');
});
afterEach(async () => {
  h.close();
  await fake.close();
});

function editor(): EditorView {
  const view = EditorView.findFromDOM(screen.getByRole('textbox', { name: 'Cluster file' }));
  if (!view) throw new Error('the cluster file editor is not a CodeMirror view');
  return view;
}

function type(view: EditorView, text: string): void {
  act(() => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }));
}

describe('Connect: cluster files', () => {
  it('edits a known file: a refused save shows the error at its line and writes nothing; a valid one is saved and read again', { timeout: 60_000 }, async () => {
    const file = fake.writeConfig();
    await h.store.getState().addClusterFile(file);
    const original = readFileSync(file, 'utf8');
    renderWithStore(h, <ConnectScreen />);
    const section = await screen.findByRole('region', { name: `libvirt:${file}` });
    fireEvent.click(within(section).getByRole('button', { name: 'Edit cluster file' }));
    const view = await waitFor(() => editor());
    expect(view.state.doc.toString()).toBe(original);

    const broken = original.replace('commandTimeoutSeconds: 2', 'commandTimeoutSeconds: -1');
    const line = broken.split('\n').findIndex((l) => l.startsWith('commandTimeoutSeconds')) + 1;
    type(view, broken);
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    const errors = await screen.findByRole('alert', { name: 'Cluster file errors' });
    expect(errors.textContent).toContain(`Line ${line}, column 24: commandTimeoutSeconds: Number must be greater than 0`);
    const marked: number[] = [];
    forEachDiagnostic(view.state, (_d, from) => marked.push(view.state.doc.lineAt(from).number));
    expect(marked).toEqual([line]);
    expect(readFileSync(file, 'utf8')).toBe(original);

    const renamed = original.replace('name: fake', 'name: edited-lab');
    type(view, renamed);
    // the first save has ended (the button no longer shows its spinner)
    fireEvent.click(await screen.findByRole('button', { name: 'Save' }));
    await waitFor(() => expect(h.store.getState().notifications.at(-1)?.title).toBe('Saved edited-lab'));
    expect(readFileSync(file, 'utf8')).toBe(renamed);
    expect(screen.queryByRole('textbox', { name: 'Cluster file' })).toBeNull();
  });

  it('Cancel leaves the file as it was', async () => {
    const file = fake.writeConfig();
    await h.store.getState().addClusterFile(file);
    const original = readFileSync(file, 'utf8');
    renderWithStore(h, <ConnectScreen />);
    fireEvent.click(within(await screen.findByRole('region', { name: `libvirt:${file}` })).getByRole('button', { name: 'Edit cluster file' }));
    type(await waitFor(() => editor()), 'hosts: []\n');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('textbox', { name: 'Cluster file' })).toBeNull();
    expect(readFileSync(file, 'utf8')).toBe(original);
  });

  it('New cluster file starts from a valid starter and writes it where the operator names it', async () => {
    renderWithStore(h, <ConnectScreen />);
    fireEvent.click(screen.getByRole('button', { name: 'New cluster file' }));
    const view = await waitFor(() => editor());
    expect(view.state.doc.toString()).toContain('hosts:\n  - { name: hv1, address: 192.0.2.10, rack: r1 }');
    const target = join(fake.dir, 'new-lab.yaml');
    fireEvent.change(screen.getByRole('textbox', { name: 'New cluster file path' }), { target: { value: target } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(existsSync(target)).toBe(true));
    expect(readFileSync(target, 'utf8')).toBe(view.state.doc.toString());
    await waitFor(() => expect(h.store.getState().clusters.map((c) => c.clusterId)).toContain(`libvirt:${target}`));
    expect(await screen.findByRole('region', { name: `libvirt:${target}` })).toBeTruthy();
  });

  it('highlights YAML keys, strings, numbers and comments, never inside a quoted #', () => {
    expect(yamlLineTokens("  - { name: 'a # b', port: 22 } # why").map((t) => t.kind)).toEqual(['key', 'string', 'key', 'number', 'comment']);
  });
});

describe('Connect: password logins', () => {
  it('asks in a dialog named "Password for USER@HOST", sends it once, and keeps it nowhere in the store', { timeout: 60_000 }, async () => {
    const file = fake.writeConfig();
    writeFileSync(join(fake.dir, 'id_ed25519'), keyPair().privateKey, { mode: 0o600 });
    writeFileSync(file, readFileSync(file, 'utf8').replace('name: fake\n', 'name: fake\naskPassword: true\n'));
    renderWithStore(h, <PasswordDialog />);
    const stop = h.store.getState().startClusterFeed();
    try {
      await h.store.getState().addClusterFile(file);
      const test = h.store.getState().testHosts(`libvirt:${file}`);
      const dialog = await screen.findByRole('dialog', { name: 'Password for root@127.0.0.1' }, { timeout: 20_000 });
      fireEvent.change(within(dialog).getByLabelText('Password'), { target: { value: 'pw-4-console' } });
      fireEvent.click(within(dialog).getByRole('button', { name: 'Log in' }));
      // hv2 asks next (its own user@host:port), answered the same way
      const second = await screen.findByRole('dialog', { name: 'Password for root@127.0.0.1' }, { timeout: 20_000 });
      fireEvent.change(within(second).getByLabelText('Password'), { target: { value: 'pw-4-console' } });
      fireEvent.click(within(second).getByRole('button', { name: 'Log in' }));
      await test;
      expect(h.store.getState().hostChecks[`libvirt:${file}`]?.map((c) => c.reachable)).toEqual([true, true]);
      expect(JSON.stringify(h.store.getState(), (_k, v: unknown) => (typeof v === 'function' ? undefined : v))).not.toContain('pw-4-console');
    } finally {
      stop();
    }
  });
});
