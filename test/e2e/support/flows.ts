/** Steps several specs share, written once over the page objects. */
import type { Page } from 'playwright-core';

import { ConstraintsPage } from '../pages/constraints-page.js';
import { InventoryPage } from '../pages/inventory-page.js';
import { PlanPage } from '../pages/plan-page.js';

/**
 * The demo cluster runs its cpu overcommitted, up to 3 vCPUs per core: its reads state that in
 * their capacity (src/cluster/overcommit), so the operator's script starts with no overbook line
 * (one would multiply the capacity again).
 */
export const DEMO_OVERCOMMIT = "// the demo cluster runs cpu at up to 3 vCPUs per core: its capacity says so already\n";

/**
 * What an operator does to drain a host of the demo: the cluster's overcommit in the script, then
 * the inventory's "Drain for maintenance" on the host, then a plan. Returns on the Plan screen
 * with the plan's summary shown.
 */
export async function planDemoDrain(page: Page, node: string): Promise<PlanPage> {
  const constraints = new ConstraintsPage(page);
  await constraints.show();
  await constraints.setScript(DEMO_OVERCOMMIT);
  const inventory = new InventoryPage(page);
  await inventory.show();
  await inventory.drainForMaintenance(node);
  const plan = new PlanPage(page);
  await plan.show();
  await plan.computeAndWait();
  return plan;
}
