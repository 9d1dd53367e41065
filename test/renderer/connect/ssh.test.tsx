// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ConnectScreen } from '../../../renderer/screens/connect/ConnectScreen.js';
import { FakeCluster } from '../../libvirt/fake-cluster.js';
import { renderWithStore } from '../support/render.js';
import { type RendererHarness, openHarness } from '../support/services.js';

/** The Connect screen over a libvirt cluster of in-process SSH hosts (test/libvirt's fake). */
let h: RendererHarness;
let fake: FakeCluster;

beforeEach(async () => {
  h = openHarness();
  fake = await FakeCluster.start([{ name: 'hv1', rack: 'r1', domains: [{ name: 'vm1', state: 'running', vcpus: 1, memKiB: 65536 }] }, { name: 'hv2' }]);
});
afterEach(async () => {
  h.close();
  await fake.close();
});

describe('Connect: SSH clusters', () => {
  it('adds a cluster file, checks its hosts, and trusts a new host key only by its fingerprint', { timeout: 90_000 }, async () => {
    const file = fake.writeConfig({ unknown: ['hv2'] });
    renderWithStore(h, <ConnectScreen />);
    await waitFor(() => expect(screen.getByText('No SSH clusters configured')).toBeTruthy());

    fireEvent.change(screen.getByRole('textbox', { name: 'libvirt cluster file' }), { target: { value: file } });
    fireEvent.click(screen.getByRole('button', { name: 'Add cluster file' }));
    await waitFor(() => expect(h.store.getState().notifications.at(-1)?.title).toMatch(/^Added/), { timeout: 10_000 });
    const section = await screen.findByRole('region', { name: `libvirt:${file}` });
    fireEvent.click(within(section).getByRole('button', { name: 'Check hosts' }));
    const hosts = await within(section).findByRole('table', { name: /^Hosts of/ }, { timeout: 20_000 });
    const hv1 = within(hosts).getByRole('row', { name: /hv1/ });
    expect(within(hv1).getByText(/reachable/)).toBeTruthy();
    const hv2 = within(hosts).getByRole('row', { name: /hv2/ });
    const fingerprint = fake.hv('hv2').host.hostKey.fingerprint;
    expect(within(hv2).getByText(fingerprint)).toBeTruthy();
    const trust = within(hv2).getByRole('button', { name: 'Trust this key' });
    expect(trust.getAttribute('aria-describedby')).toBeTruthy();
    fireEvent.click(trust);
    await waitFor(() => expect(h.store.getState().notifications.at(-1)?.title).toBe('Trusted the key of hv2'), { timeout: 20_000 });
    // trusting re-checks the hosts: hv2 now answers
    await waitFor(() => expect(h.store.getState().hostChecks[`libvirt:${file}`]?.find((c) => c.host === 'hv2')).toMatchObject({ reachable: true, unknownHostKey: null }), { timeout: 40_000 });
    expect(within(screen.getByRole('row', { name: /hv2/ })).getByText(/^reachable/)).toBeTruthy();
  });

  it('says where a cluster file is wrong', async () => {
    renderWithStore(h, <ConnectScreen />);
    fireEvent.change(screen.getByRole('textbox', { name: 'libvirt cluster file' }), { target: { value: '/nowhere/lab.yaml' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add cluster file' }));
    await waitFor(() => expect(h.store.getState().notifications.at(-1)).toMatchObject({ variant: 'danger', title: 'The cluster file was not added' }));
    expect(h.store.getState().notifications.at(-1)?.detail).toContain('/nowhere/lab.yaml');
  });
});
