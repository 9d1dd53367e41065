/**
 * Cancelling a solve: Compute plan, then Cancel while the planner works. The planner is anytime:
 * a cancelled solve ends at once with the best plan found so far (or none), never an error.
 */
import { expect, it } from 'vitest';

import { ConsolePage, UI_TIMEOUT_MS } from './pages/console-page.js';
import { ConstraintsPage } from './pages/constraints-page.js';
import { PlanPage } from './pages/plan-page.js';
import { DEMO_OVERCOMMIT } from './support/flows.js';
import { forEachTarget, screenshot, withSession } from './support/session.js';

/** Three hosts drained at once, the web tier kept apart: more search than one drain. */
const HARDER_SCRIPT = `${DEMO_OVERCOMMIT}spread({web1, web2, web3, web4, web5, web6});\noffline(@r2-h3);\noffline(@r1-h3);\noffline(@r3-h2);\n`;

forEachTarget('cancelling a solve', (target) => {
  it('Cancel ends a running solve long before its time limit, without an error', async () => {
    await withSession(target, 'cancel-solve', {}, async (session) => {
      const { page } = session;
      await new ConsolePage(page).waitReady();
      const editor = new ConstraintsPage(page);
      await editor.show();
      await editor.setScript(HARDER_SCRIPT);
      const plan = new PlanPage(page);
      await plan.show();
      await page.getByRole('spinbutton', { name: 'Time limit (s)' }).fill('120');
      const progress = page.getByRole('status', { name: 'Planning progress' });
      const cancel = plan.button('Cancel');
      await plan.compute();
      await cancel.waitFor({ state: 'visible' });
      const t0 = Date.now();
      await cancel.click({ timeout: UI_TIMEOUT_MS });
      await screenshot(session, 'light-plan-cancelling');
      // the solve is over: nothing in progress, Cancel disabled again, well within the 120 s limit
      await expect.poll(async () => (await progress.innerText()).trim(), { timeout: 30_000 }).toBe('');
      expect(await cancel.isEnabled()).toBe(false);
      expect(Date.now() - t0).toBeLessThan(30_000);
      expect(await page.getByText('The planning was not cancelled').count()).toBe(0);
      expect(await page.locator('.ferry-error').count()).toBe(0);
    });
  }, 120_000);
});
