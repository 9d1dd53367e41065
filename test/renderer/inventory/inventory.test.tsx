// @vitest-environment jsdom
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { InventoryScreen } from '../../../renderer/screens/inventory/InventoryScreen.js';
import { giveLayout, renderWithStore } from '../support/render.js';
import { type RendererHarness, openHarness } from '../support/services.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const HOSTILE = '<img src=x onerror=alert(1)>';
let h: RendererHarness;

giveLayout();

beforeEach(async () => {
  h = openHarness();
  await h.store.getState().loadSnapshot();
});
afterEach(() => h.close());

/** The names of the VM rows the table renders (it renders only those in view). */
function vmRows(): string[] {
  const table = screen.getByRole('table', { name: 'VMs' });
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map((r) => r.getAttribute('aria-label') ?? '');
}

describe('Inventory', () => {
  it("shows every node by rack with a gauge per resource, cpu with the cluster's overcommit and any overbook of the script", () => {
    renderWithStore(h, <InventoryScreen />);
    for (const rack of ['r1', 'r2', 'r3']) expect(screen.getByRole('region', { name: `Rack ${rack}` })).toBeTruthy();
    const card = screen.getByRole('group', { name: 'r1-h4' });
    const meters = within(card).getAllByRole('meter');
    expect(meters.map((m) => m.getAttribute('aria-label'))).toEqual(['cpu use', 'mem use']);
    // r1-h4: five CI runners of 16 vCPUs on 32 cores; the demo runs cpu ×3 (96 allowed), memory ×1
    expect(meters[0]?.getAttribute('aria-valuetext')).toBe('80 vCPU of 32 cores ×3 = 96 vCPU (83%)');
    expect(meters[0]?.getAttribute('aria-valuemax')).toBe('96');
    expect(meters[1]?.getAttribute('aria-valuetext')).not.toContain('×');
    expect(screen.getAllByRole('meter')).toHaveLength(24);
    // an overbook in the script is the operator's further policy: it multiplies the cluster's
    act(() => h.store.getState().setScript("overbook(@r1-h4, 'cpu', 1.5);\n"));
    const again = within(screen.getByRole('group', { name: 'r1-h4' })).getAllByRole('meter');
    expect(again[0]?.getAttribute('aria-valuetext')).toBe('80 vCPU of 32 cores ×4.5 = 144 vCPU (56%)');
    const other = within(screen.getByRole('group', { name: 'r1-h1' })).getAllByRole('meter');
    expect(other[0]?.getAttribute('aria-valuetext')).toContain('×3 =');
  });

  it('"Drain for maintenance" on r2-h3 writes offline(@r2-h3); and says so', () => {
    renderWithStore(h, <InventoryScreen />);
    const card = screen.getByRole('group', { name: 'r2-h3' });
    const drain = within(card).getByRole('button', { name: 'Drain for maintenance' });
    fireEvent.click(drain);
    expect(h.store.getState().scriptText).toContain('offline(@r2-h3);\n');
    expect(h.store.getState().activeConstraints.map((c) => c.text)).toContain('offline(@r2-h3);');
    expect(h.store.getState().notifications.at(-1)?.title).toBe('Added offline(@r2-h3);');
  });

  it('filters and sorts the VM table, and its actions write root, fence and spread', () => {
    renderWithStore(h, <InventoryScreen />);
    fireEvent.click(screen.getByRole('tab', { name: 'VMs' }));
    // virtualised: the demo's 60-odd VMs are not all in the DOM at once
    const total = h.store.getState().inventory?.model.mapping.vmCount() ?? 0;
    expect(vmRows().length).toBeLessThan(total);

    fireEvent.change(screen.getByRole('textbox', { name: 'Filter VMs' }), { target: { value: 'web' } });
    expect(vmRows()).toEqual(['web1', 'web2', 'web3', 'web4', 'web5', 'web6']);
    fireEvent.click(screen.getByRole('button', { name: /^VM/ }));
    expect(vmRows()).toEqual(['web6', 'web5', 'web4', 'web3', 'web2', 'web1']);
    expect(screen.getByRole('columnheader', { name: /^VM/ }).getAttribute('aria-sort')).toBe('descending');

    fireEvent.change(screen.getByRole('textbox', { name: 'Filter VMs' }), { target: { value: 'r1-h4' } });
    expect(vmRows()).toEqual(['ci1', 'ci2', 'ci3', 'ci4', 'ci5'].reverse());
    fireEvent.click(screen.getByRole('button', { name: /^cpu/ }));
    expect(screen.getByRole('columnheader', { name: /^cpu/ }).getAttribute('aria-sort')).toBe('ascending');

    fireEvent.change(screen.getByRole('textbox', { name: 'Filter VMs' }), { target: { value: 'web' } });
    const web1 = screen.getByRole('row', { name: 'web1' });
    fireEvent.click(within(web1).getByRole('button', { name: 'Never move' }));
    expect(h.store.getState().scriptText).toContain('root(web1);');

    fireEvent.click(within(screen.getByRole('row', { name: 'web2' })).getByRole('checkbox', { name: 'Select web2' }));
    const keepApart = screen.getByRole('button', { name: 'Keep apart' });
    expect(keepApart).toHaveProperty('disabled', true);
    fireEvent.click(within(screen.getByRole('row', { name: 'web5' })).getByRole('checkbox', { name: 'Select web5' }));
    fireEvent.click(keepApart);
    expect(h.store.getState().scriptText).toContain('spread({web2, web5});');

    fireEvent.click(within(screen.getByRole('row', { name: 'web3' })).getByRole('button', { name: 'Pin to…' }));
    const dialog = screen.getByRole('dialog');
    fireEvent.click(within(dialog).getByRole('checkbox', { name: 'r3-h1 (r3)' }));
    fireEvent.click(within(dialog).getByRole('checkbox', { name: 'r3-h2 (r3)' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Pin' }));
    expect(h.store.getState().scriptText).toContain('fence(web3, {@r3-h1, @r3-h2});');
    expect(h.store.getState().diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('sorts and filters the node table', () => {
    renderWithStore(h, <InventoryScreen />);
    fireEvent.click(screen.getByRole('tab', { name: 'Nodes' }));
    const table = screen.getByRole('table', { name: 'Nodes' });
    fireEvent.change(screen.getByRole('textbox', { name: 'Filter nodes' }), { target: { value: 'r2' } });
    const names = () =>
      within(table)
        .getAllByRole('row')
        .slice(1)
        .map((r) => r.getAttribute('aria-label'));
    expect(names()).toEqual(['r2-h1', 'r2-h2', 'r2-h3', 'r2-h4']);
    fireEvent.click(within(table).getByRole('button', { name: /^Node/ }));
    expect(names()).toEqual(['r2-h4', 'r2-h3', 'r2-h2', 'r2-h1']);
    fireEvent.click(within(screen.getByRole('row', { name: 'r2-h1' })).getByRole('button', { name: 'Drain for maintenance' }));
    expect(h.store.getState().scriptText).toContain('offline(@r2-h1);');
  });

  it('shows a hostile VM name as text everywhere and refuses to write it into the script', () => {
    const seed = JSON.parse(readFileSync(join(ROOT, 'examples', 'seed.json'), 'utf8')) as { model: { views: { id: string; type?: string; map?: Record<string, number> }[] } };
    const vmNames = seed.model.views.find((v) => v.id === 'ns' && v.type === 'vm');
    if (!vmNames?.map) throw new Error('seed.json has no VM naming view');
    const [first, second] = Object.entries(vmNames.map);
    if (!first || !second) throw new Error('seed.json names fewer than two VMs');
    delete vmNames.map[first[0]];
    delete vmNames.map[second[0]];
    vmNames.map[HOSTILE] = first[1];
    // a line break in a name must not forge a line
    vmNames.map['evil\nline'] = second[1];
    act(() => {
      expect(h.store.getState().openInstanceText('hostile.json', JSON.stringify(seed))).toBe(true);
    });
    const { container } = renderWithStore(h, <InventoryScreen />);
    expect(container.querySelector('img')).toBeNull();
    expect(container.textContent).toContain(HOSTILE);
    expect(container.textContent).toContain('evil\uFFFDline');
    expect(container.textContent).not.toContain('evil\nline');
    fireEvent.click(screen.getByRole('tab', { name: 'VMs' }));
    expect(container.querySelector('img')).toBeNull();
    const row = screen.getByRole('row', { name: HOSTILE });
    expect(within(row).getByText(HOSTILE)).toBeTruthy();
    const before = h.store.getState().scriptText;
    fireEvent.click(within(row).getByRole('button', { name: 'Never move' }));
    expect(h.store.getState().scriptText).toBe(before);
    expect(h.store.getState().notifications.at(-1)).toMatchObject({ variant: 'warning', title: 'Nothing was added to the script' });
  });
});
