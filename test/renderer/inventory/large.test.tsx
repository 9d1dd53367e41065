// @vitest-environment jsdom
import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { encodeInstance } from '../../../src/contract/wire.js';
import { generateCluster } from '../../../src/solver/generate.js';
import { InventoryScreen } from '../../../renderer/screens/inventory/InventoryScreen.js';
import { giveLayout, renderWithStore } from '../support/render.js';
import { type RendererHarness, openHarness } from '../support/services.js';

/**
 * A 5,000-node cluster opened as an instance file: the inventory opens on its tables (the map
 * would be 5,000 cards), and the VM table keeps one screenful of rows in the DOM wherever it is
 * scrolled. (Frame times are measured in the browser, not here.)
 */
let h: RendererHarness;

giveLayout(1200, 600);

beforeAll(() => {
  h = openHarness();
});
afterAll(() => h.close());

it('opens a 5,000-node instance on virtualised tables', () => {
  const instance = generateCluster({ nodes: 5000, seed: 7 });
  const vms = instance.model.mapping.vmCount();
  expect(vms).toBeGreaterThan(10_000);
  act(() => {
    expect(h.store.getState().openInstanceText('large.json', JSON.stringify(encodeInstance(instance)))).toBe(true);
  });
  renderWithStore(h, <InventoryScreen />);
  expect(screen.getByRole('tab', { name: 'VMs' }).getAttribute('aria-selected')).toBe('true');
  const table = screen.getByRole('table', { name: 'VMs' });
  expect(table.getAttribute('aria-rowcount')).toBe(String(vms + 1));
  const rendered = (): number => within(table).getAllByRole('row').length - 1;
  expect(rendered()).toBeGreaterThan(0);
  expect(rendered()).toBeLessThan(60);

  const body = table.querySelector('.ferry-vtable__body');
  if (!body) throw new Error('no scrolling body');
  act(() => {
    body.scrollTop = 34 * 20_000;
    fireEvent.scroll(body);
  });
  const indexes = within(table)
    .getAllByRole('row')
    .slice(1)
    .map((r) => Number(r.getAttribute('aria-rowindex')));
  expect(Math.min(...indexes)).toBeGreaterThan(19_000);
  expect(indexes.length).toBeLessThan(60);

  fireEvent.click(screen.getByRole('tab', { name: 'Cluster map' }));
  expect(screen.getByText(/The map shows clusters of up to 400 nodes/)).toBeTruthy();
});
