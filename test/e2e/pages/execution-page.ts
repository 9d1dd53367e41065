import type { Locator } from 'playwright-core';

import { ConsolePage } from './console-page.js';

export const FINAL_STATUSES = ['Plan succeeded', 'Plan failed', 'Plan cancelled'] as const;
export type FinalStatus = (typeof FINAL_STATUSES)[number];

/** The Execution screen: the step list with per-step controls, and the run's controls. */
export class ExecutionPage extends ConsolePage {
  async show(): Promise<void> {
    await this.open('Execution');
  }

  /** Enabled "Approve" buttons (one per step awaiting approval). */
  approveButtons(): Locator {
    return this.page.getByRole('button', { name: 'Approve', exact: true });
  }

  finalStatus(): Locator {
    return this.page.getByText(new RegExp(`^(${FINAL_STATUSES.join('|')})$`));
  }

  /**
   * Approves steps one "Approve" at a time until the run reaches a final status; returns that
   * status and how many approvals it took.
   */
  async approveEachStepUntilDone(timeoutMs = 120_000): Promise<{ status: FinalStatus; approvals: number }> {
    const deadline = Date.now() + timeoutMs;
    let approvals = 0;
    for (;;) {
      const final = this.finalStatus().first();
      if (await final.isVisible()) return { status: (await final.innerText()).trim() as FinalStatus, approvals };
      if (Date.now() > deadline) throw new Error(`the run reached no final status within ${timeoutMs / 1000} s after ${approvals} approval(s)`);
      const next = await this.firstEnabled(this.approveButtons());
      if (next !== undefined) {
        // the list re-renders as steps move on: a button that went away meanwhile is looked up again
        const clicked = await next.click({ timeout: 2_000 }).then(
          () => true,
          () => false,
        );
        if (clicked) approvals++;
      } else {
        await this.page.waitForTimeout(100);
      }
    }
  }

  /** The first of `buttons` that is visible and enabled now, if any. */
  private async firstEnabled(buttons: Locator): Promise<Locator | undefined> {
    for (const button of await buttons.all()) {
      if ((await button.isVisible()) && (await button.isEnabled())) return button;
    }
    return undefined;
  }

  async waitForStatus(status: FinalStatus, timeoutMs = 60_000): Promise<void> {
    await this.text(status).waitFor({ state: 'visible', timeout: timeoutMs });
  }
}
