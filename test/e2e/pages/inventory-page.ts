import type { Locator } from 'playwright-core';

import { ConsolePage, UI_TIMEOUT_MS } from './console-page.js';

/** The Inventory screen: nodes with their VMs, and the actions that write constraints. */
export class InventoryPage extends ConsolePage {
  async show(): Promise<void> {
    await this.open('Inventory');
  }

  /** What shows one node: its table row, else a group/region/article (a card of the cluster map) named after it. */
  node(name: string): Locator {
    const row = this.page.getByRole('row').filter({ has: this.page.getByText(name, { exact: true }) });
    const card = this.page.getByRole('region', { name, exact: true }).or(this.page.getByRole('group', { name, exact: true })).or(this.page.getByRole('article', { name, exact: true }));
    return row.or(card).first();
  }

  /** Runs the node action "Drain for maintenance" on `node`: a button of its own, or an item of its actions menu. */
  async drainForMaintenance(node: string): Promise<void> {
    const holder = this.node(node);
    await holder.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    const direct = holder.getByRole('button', { name: 'Drain for maintenance', exact: true });
    if (await direct.isVisible()) {
      await direct.click();
      return;
    }
    // a kebab or "Actions" toggle of the node, then the menu item
    await holder.getByRole('button', { name: /actions|more|kebab/i }).first().click();
    await this.page.getByRole('menuitem', { name: 'Drain for maintenance', exact: true }).click();
  }
}
