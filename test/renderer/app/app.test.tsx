// @vitest-environment jsdom
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { App } from '../../../renderer/app/App.js';
import { THEME_KEY } from '../../../renderer/store/ui.js';
import { giveLayout, renderWithStore } from '../support/render.js';
import { type RendererHarness, openHarness } from '../support/services.js';

let h: RendererHarness;

giveLayout();

beforeEach(() => {
  window.localStorage.clear();
  document.documentElement.className = '';
  window.location.hash = '#/inventory';
  h = openHarness();
});
afterEach(() => h.close());

async function renderApp(): Promise<void> {
  renderWithStore(h, <App />);
  await waitFor(() => expect(h.store.getState().connection).toBe('connected'), { timeout: 10_000 });
}

describe('the shell', () => {
  it('has the six navigation links, named exactly, as real hash links', async () => {
    await renderApp();
    const nav = screen.getByRole('navigation', { name: 'Screens' });
    const links = within(nav).getAllByRole('link');
    expect(links.map((l) => l.textContent)).toEqual(['Connect', 'Inventory', 'Constraints', 'Plan', 'Execution', 'History']);
    expect(links.map((l) => l.getAttribute('href'))).toEqual(['#/connect', '#/inventory', '#/constraints', '#/plan', '#/execution', '#/history']);
    for (const name of ['Connect', 'Inventory', 'Constraints', 'Plan', 'Execution', 'History']) expect(within(nav).getByRole('link', { name })).toBeTruthy();
    expect(within(nav).getByRole('link', { name: 'Inventory' }).getAttribute('aria-current')).toBe('page');
  });

  it('shows the cluster in use, its connection state and freshness', async () => {
    await renderApp();
    expect(screen.getByLabelText('Cluster in use').textContent).toBe('demo');
    const banner = screen.getByRole('banner');
    expect(within(banner).getByText('connected')).toBeTruthy();
    expect(within(banner).getByText(/^read \d+ s ago/)).toBeTruthy();
  });

  it('switches theme, on <html>, and remembers it', async () => {
    await renderApp();
    const toggle = screen.getByRole('switch', { name: 'Dark theme' });
    expect(document.documentElement.classList.contains('pf-v6-theme-dark')).toBe(false);
    fireEvent.click(toggle);
    expect(document.documentElement.classList.contains('pf-v6-theme-dark')).toBe(true);
    expect(window.localStorage.getItem(THEME_KEY)).toBe('dark');
    fireEvent.click(toggle);
    expect(document.documentElement.classList.contains('pf-v6-theme-dark')).toBe(false);
    expect(window.localStorage.getItem(THEME_KEY)).toBe('light');
  });

  it('starts from a remembered dark theme', async () => {
    window.localStorage.setItem(THEME_KEY, 'dark');
    h.close();
    h = openHarness();
    await renderApp();
    expect(document.documentElement.classList.contains('pf-v6-theme-dark')).toBe(true);
    expect(screen.getByRole('switch', { name: 'Dark theme' })).toHaveProperty('checked', true);
  });

  it('follows the system dark preference when no theme was chosen', async () => {
    const media = (query: string): MediaQueryList => ({ matches: query === '(prefers-color-scheme: dark)', media: query, addEventListener: () => {}, removeEventListener: () => {} }) as unknown as MediaQueryList;
    const original = window.matchMedia;
    window.matchMedia = media;
    try {
      h.close();
      h = openHarness();
      expect(h.store.getState().theme).toBe('dark');
      await renderApp();
      expect(document.documentElement.classList.contains('pf-v6-theme-dark')).toBe(true);
      expect(window.localStorage.getItem(THEME_KEY)).toBeNull();
    } finally {
      window.matchMedia = original;
    }
  });

  it('goes to screens by link, by g-sequences and Alt+digits, and runs commands from the palette', async () => {
    await renderApp();
    act(() => {
      window.location.hash = '#/connect';
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    });
    // every screen is a chunk of its own (React.lazy): it comes a moment after the shell
    expect(await screen.findByRole('heading', { level: 1, name: 'Connect' }, { timeout: 10_000 })).toBeTruthy();

    fireEvent.keyDown(window, { key: 'g' });
    fireEvent.keyDown(window, { key: 's' });
    expect(h.store.getState().route).toBe('constraints');
    // the editor's screen loads on demand (React.lazy): it comes a moment later, with a loading status first
    expect(await screen.findByRole('textbox', { name: 'Constraints script' }, { timeout: 10_000 })).toBeTruthy();

    fireEvent.keyDown(window, { key: '2', code: 'Digit2', altKey: true });
    expect(h.store.getState().route).toBe('inventory');

    fireEvent.keyDown(window, { key: 'k', ctrlKey: true });
    const dialog = await screen.findByRole('dialog');
    const input = within(dialog).getByRole('textbox', { name: 'Command' });
    fireEvent.change(input, { target: { value: 'connect' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(h.store.getState().route).toBe('connect');
    expect(h.store.getState().paletteOpen).toBe(false);

    fireEvent.keyDown(window, { key: 'P', ctrlKey: true, shiftKey: true });
    expect(h.store.getState().paletteOpen).toBe(true);
  });
});

describe('Connect', () => {
  it('lists the demo cluster, tests the connection, and says when no SSH cluster is configured', async () => {
    window.location.hash = '#/connect';
    await renderApp();
    await waitFor(() => expect(h.store.getState().clusters.length).toBeGreaterThan(0));
    const table = await screen.findByRole('table', { name: 'Clusters' }, { timeout: 10_000 });
    const demo = within(table).getByRole('row', { name: /demo/ });
    expect(within(demo).getByText('in use')).toBeTruthy();
    // the list follows the reads: the demo's twelve hosts once the first read is in
    await waitFor(() => expect(within(table).getByRole('row', { name: /demo/ }).querySelectorAll('td')[1]?.textContent).toBe('12'));
    const before = h.store.getState().readAt ?? 0;
    await new Promise((r) => setTimeout(r, 5));
    fireEvent.click(within(demo).getByRole('button', { name: 'Test connection' }));
    await waitFor(() => expect(h.store.getState().readAt ?? 0).toBeGreaterThan(before));
    expect(screen.getByText(/All 12 hosts answered the last read/)).toBeTruthy();
    expect(screen.getByText('No SSH clusters configured')).toBeTruthy();
  });
});
