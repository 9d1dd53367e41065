// @vitest-environment jsdom
/**
 * The navigation on a narrow window (issue 16): the masthead's "Global navigation" toggle opens the
 * sidebar over the content and a chosen screen closes it; on a wide window it stays open. jsdom lays
 * nothing out: the page's width is given (giveLayout), and PatternFly's Page makes the narrow
 * decision from it, as it does in a browser.
 */
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { App } from '../../../renderer/app/App.js';
import { giveLayout, renderWithStore } from '../support/render.js';
import { type RendererHarness, openHarness } from '../support/services.js';

const SCREEN_LINKS = ['Connect', 'Inventory', 'Constraints', 'Plan', 'Execution', 'History'];

let h: RendererHarness;

beforeEach(() => {
  window.localStorage.clear();
  window.location.hash = '#/inventory';
  h = openHarness();
});
afterEach(() => h.close());

async function renderAt(width: number): Promise<HTMLElement> {
  giveLayout(width, 600);
  renderWithStore(h, <App />);
  await waitFor(() => expect(h.store.getState().connection).toBe('connected'), { timeout: 10_000 });
  return toggle();
}

function toggle(): HTMLElement {
  return screen.getByRole('button', { name: 'Global navigation' });
}

/** The sidebar holding the navigation (PatternFly's page__sidebar), found whether shown or hidden. */
function sidebar(): HTMLElement {
  const element = document.getElementById(toggle().getAttribute('aria-controls') ?? '');
  if (element === null) throw new Error('the toggle controls no element');
  return element;
}

/** The navigation as assistive technology sees it: absent while hidden. */
function navigation(): HTMLElement | null {
  return screen.queryByRole('navigation', { name: 'Screens' });
}

describe('the navigation on a narrow window (800 px)', () => {
  it('starts closed, out of sight and out of the tab order, and the toggle opens it over the content', async () => {
    const button = await renderAt(800);
    expect(button.getAttribute('aria-expanded')).toBe('false');
    expect(navigation()).toBeNull();
    expect(sidebar().hasAttribute('inert')).toBe(true);
    expect(sidebar().classList.contains('pf-m-expanded')).toBe(false);

    fireEvent.click(button);
    expect(toggle().getAttribute('aria-expanded')).toBe('true');
    const nav = navigation();
    expect(nav).not.toBeNull();
    expect(within(nav as HTMLElement).getAllByRole('link').map((l) => l.textContent)).toEqual(SCREEN_LINKS);
    expect(sidebar().hasAttribute('inert')).toBe(false);
    // pf-m-expanded is what lays the sidebar over the content below PatternFly's xl breakpoint
    expect(sidebar().classList.contains('pf-m-expanded')).toBe(true);
  });

  it('closes once a link is chosen, and the link goes to its screen', async () => {
    fireEvent.click(await renderAt(800));
    const plan = within(navigation() as HTMLElement).getByRole('link', { name: 'Plan' });
    act(() => {
      fireEvent.click(plan);
      // jsdom follows the link's hash as a browser does; the event says so to the App
      window.location.hash = '#/plan';
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    });
    expect(toggle().getAttribute('aria-expanded')).toBe('false');
    expect(navigation()).toBeNull();
    expect(h.store.getState().route).toBe('plan');
  });

  it('closes when the current screen is chosen again (no route change)', async () => {
    fireEvent.click(await renderAt(800));
    fireEvent.click(within(navigation() as HTMLElement).getByRole('link', { name: 'Inventory' }));
    expect(toggle().getAttribute('aria-expanded')).toBe('false');
  });

  it('closes on Escape and gives the focus back to the toggle', async () => {
    fireEvent.click(await renderAt(800));
    const link = within(navigation() as HTMLElement).getByRole('link', { name: 'History' });
    link.focus();
    fireEvent.keyDown(link, { key: 'Escape' });
    expect(toggle().getAttribute('aria-expanded')).toBe('false');
    expect(document.activeElement).toBe(toggle());
  });

  it('closes on a press outside it, and when a shortcut goes to another screen', async () => {
    fireEvent.click(await renderAt(800));
    fireEvent.pointerDown(screen.getByRole('main', { name: 'Screen' }));
    expect(toggle().getAttribute('aria-expanded')).toBe('false');

    fireEvent.click(toggle());
    expect(toggle().getAttribute('aria-expanded')).toBe('true');
    fireEvent.keyDown(window, { key: 'g' });
    fireEvent.keyDown(window, { key: 'h' });
    expect(h.store.getState().route).toBe('history');
    expect(toggle().getAttribute('aria-expanded')).toBe('false');
  });
});

describe('the navigation on a wide window (1440 px)', () => {
  it('is open from the start and stays open when a link is chosen; the toggle folds it', async () => {
    const button = await renderAt(1440);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    const nav = navigation() as HTMLElement;
    expect(within(nav).getAllByRole('link').map((l) => l.textContent)).toEqual(SCREEN_LINKS);
    // beside the content, not over it
    expect(sidebar().classList.contains('pf-m-expanded')).toBe(false);

    fireEvent.click(within(nav).getByRole('link', { name: 'Constraints' }));
    fireEvent.pointerDown(screen.getByRole('main', { name: 'Screen' }));
    expect(toggle().getAttribute('aria-expanded')).toBe('true');
    expect(navigation()).not.toBeNull();

    fireEvent.click(toggle());
    expect(toggle().getAttribute('aria-expanded')).toBe('false');
    expect(sidebar().classList.contains('pf-m-collapsed')).toBe(true);
    expect(navigation()).toBeNull();
    fireEvent.click(toggle());
    expect(navigation()).not.toBeNull();
  });
});
