import type { Locator } from 'playwright-core';

import { ConsolePage, UI_TIMEOUT_MS } from './console-page.js';

/** Planning may take the planner's whole time limit on a slow machine. */
export const PLAN_TIMEOUT_MS = 60_000;

/** The Plan screen: compute with progress and Cancel, the summary, the explanation of an infeasible set. */
export class PlanPage extends ConsolePage {
  async show(): Promise<void> {
    await this.open('Plan');
    await this.button('Compute plan').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  }

  summary(): Locator {
    return this.page.getByRole('region', { name: 'Plan summary', exact: true });
  }

  async compute(): Promise<void> {
    await this.button('Compute plan').click();
  }

  /** Computes and waits for the summary of the plan. */
  async computeAndWait(): Promise<Locator> {
    await this.compute();
    const summary = this.summary();
    await summary.waitFor({ state: 'visible', timeout: PLAN_TIMEOUT_MS });
    return summary;
  }

  async startExecution(): Promise<void> {
    const start = this.button('Start execution');
    await start.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await start.click();
  }
}
