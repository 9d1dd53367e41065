// @vitest-environment jsdom
import { render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { FerryClient } from '../../../renderer/api/index.js';
import { ConnectScreen } from '../../../renderer/screens/connect/ConnectScreen.js';
import { StoreProvider, createFerryStore } from '../../../renderer/store/index.js';
import { renderWithStore } from '../support/render.js';
import { type RendererHarness, openHarness } from '../support/services.js';

let h: RendererHarness;
beforeEach(() => {
  h = openHarness();
});
afterEach(() => h.close());

describe('Connect: the cluster list', () => {
  it('a connected cluster shows when it was read, never "not read yet"', async () => {
    renderWithStore(h, <ConnectScreen />);
    const state = h.store.getState();
    const stop = state.startClusterFeed();
    void state.loadClusters();
    void state.loadSnapshot();
    await waitFor(() => expect(h.store.getState().connection).toBe('connected'), { timeout: 20_000 });
    const row = await screen.findByRole('row', { name: /demo/ });
    await waitFor(() => expect(within(row).queryByText('not read yet')).toBeNull());
    expect(within(row).getByText(/^read /)).toBeTruthy();
    stop();
  });

  it('a list asked before the first read but answered after it does not undo the newer list', async () => {
    // the console's start-up: cluster:list and cluster:snapshot leave together; here the first
    // list's answer is held back until the read (and the list it asks for afterwards) are in
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let lists = 0;
    const slow: FerryClient = {
      subscribe: h.client.subscribe.bind(h.client),
      invoke: (async (name: string, input: unknown) => {
        const reply = await (h.client.invoke as (n: string, i: unknown) => Promise<unknown>)(name, input);
        if (name === 'cluster:list' && ++lists === 1) await held;
        return reply;
      }) as FerryClient['invoke'],
    };
    const store = createFerryStore(slow);
    render(
      <StoreProvider store={store}>
        <ConnectScreen />
      </StoreProvider>,
    );
    const first = store.getState().loadClusters();
    await store.getState().loadSnapshot();
    await waitFor(() => expect(store.getState().clusters[0]?.readAt).not.toBeNull());
    release();
    await first;
    expect(store.getState().clusters[0]?.readAt).not.toBeNull();
    const row = screen.getByRole('row', { name: /demo/ });
    expect(within(row).queryByText('not read yet')).toBeNull();
    expect(within(row).getByText(/^read /)).toBeTruthy();
  });
});
