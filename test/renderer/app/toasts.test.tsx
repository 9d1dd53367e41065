// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { type ReactNode, useState } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { MAX_TOASTS_SHOWN, TOASTS_ROOM_VARIABLE, TOAST_TIMEOUT_MS, Toasts } from '../../../renderer/components/Toasts.js';
import type { Notification } from '../../../renderer/store/ui.js';

/** The toasts over a list of their own, as the store keeps it: closing or timing out removes one. */
function Harness({ initial }: { readonly initial: readonly Notification[] }): ReactNode {
  const [notifications, setNotifications] = useState(initial);
  return <Toasts notifications={notifications} onDismiss={(id) => setNotifications((ns) => ns.filter((n) => n.id !== id))} />;
}

const note = (id: number, variant: Notification['variant'], title: string): Notification => ({ id, variant, title, detail: `detail of ${title}` });

const group = (): HTMLElement => screen.getByRole('list', { name: 'Notifications' });
const titles = (): string[] => within(group()).queryAllByRole('heading').map((h) => (h.textContent ?? '').replace(/^.*alert:/, '').trim());

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

async function renderToasts(initial: readonly Notification[]): Promise<void> {
  render(<Harness initial={initial} />);
  // PatternFly portals the group to <body> once mounted
  await act(async () => {
    await vi.advanceTimersByTimeAsync(0);
  });
}

async function elapse(ms: number): Promise<void> {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
}

describe('toasts', () => {
  it('a success goes after its timeout, an error stays until closed', async () => {
    await renderToasts([note(1, 'danger', 'The run was not created'), note(2, 'success', 'Report saved')]);
    expect(titles()).toEqual(['The run was not created', 'Report saved']);
    await elapse(TOAST_TIMEOUT_MS - 100);
    expect(titles()).toEqual(['The run was not created', 'Report saved']);
    await elapse(200);
    expect(titles()).toEqual(['The run was not created']);
    await elapse(10 * TOAST_TIMEOUT_MS);
    expect(titles()).toEqual(['The run was not created']);
    fireEvent.click(screen.getByRole('button', { name: 'Close notification: The run was not created' }));
    expect(titles()).toEqual([]);
  });

  it('waits while the pointer is over a toast, then goes', async () => {
    await renderToasts([note(1, 'info', 'Using li-r6-c0.json as the cluster')]);
    const alert = within(group()).getByRole('heading').closest('.pf-v6-c-alert');
    if (alert === null) throw new Error('no alert around the toast title');
    fireEvent.mouseEnter(alert);
    await elapse(2 * TOAST_TIMEOUT_MS);
    expect(titles()).toEqual(['Using li-r6-c0.json as the cluster']);
    fireEvent.mouseLeave(alert);
    await elapse(TOAST_TIMEOUT_MS);
    expect(titles()).toEqual([]);
  });

  it(`shows the newest ${MAX_TOASTS_SHOWN}, "and N more" for the others, each with a named close button`, async () => {
    await renderToasts([note(1, 'danger', 'first'), note(2, 'danger', 'second'), note(3, 'danger', 'third'), note(4, 'danger', 'fourth'), note(5, 'danger', 'fifth')]);
    expect(titles()).toEqual(['third', 'fourth', 'fifth']);
    for (const t of ['third', 'fourth', 'fifth']) expect(screen.getByRole('button', { name: `Close notification: ${t}` })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'and 2 more' }));
    expect(titles()).toEqual(['first', 'second', 'third', 'fourth', 'fifth']);
    expect(screen.queryByRole('button', { name: /more$/ })).toBeNull();
  });

  it('a toast behind "and N more" shows when one in front goes', async () => {
    await renderToasts([note(1, 'danger', 'kept'), note(2, 'success', 'a'), note(3, 'success', 'b'), note(4, 'success', 'c')]);
    expect(titles()).toEqual(['a', 'b', 'c']);
    expect(screen.getByRole('button', { name: 'and 1 more' })).toBeTruthy();
    await elapse(TOAST_TIMEOUT_MS + 100);
    expect(titles()).toEqual(['kept']);
  });

  it('keeps room for the toasts under the screen, none once they are gone', async () => {
    await renderToasts([note(1, 'success', 'Report saved')]);
    expect(document.documentElement.style.getPropertyValue(TOASTS_ROOM_VARIABLE)).toMatch(/^\d+px$/);
    await elapse(TOAST_TIMEOUT_MS + 100);
    expect(document.documentElement.style.getPropertyValue(TOASTS_ROOM_VARIABLE)).toBe('0px');
  });

  it('shows names as text, never as markup', async () => {
    await renderToasts([note(1, 'danger', '<img src=x onerror=alert(1)>')]);
    expect(titles()).toEqual(['<img src=x onerror=alert(1)>']);
    expect(group().querySelector('img')).toBeNull();
  });
});
