/**
 * What the console refuses and what it never does with untrusted names: requests without the
 * launch's token are refused, a URL without it shows a "not authorised" page, and a VM named like
 * markup shows as text with no script run, in the inventory, the plan and the run.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { expect, it, onTestFinished } from 'vitest';

import type { PageGlobals } from './support/in-page.js';
import { ConsolePage, UI_TIMEOUT_MS } from './pages/console-page.js';
import { ExecutionPage } from './pages/execution-page.js';
import { InventoryPage } from './pages/inventory-page.js';
import { HOSTILE_VM_NAME, seedDemoWithVmName } from './support/demo-seed.js';
import { planDemoDrain } from './support/flows.js';
import { BROWSER_ONLY, forEachTarget, screenshot, withSession } from './support/session.js';
import { temporaryHome } from './support/console-server.js';
import { SCREENS } from './support/paths.js';

forEachTarget(
  'serve mode refuses what lacks the token',
  (target) => {
    it('a request to /rpc without the token gets 401 (the same request with it: 200)', async () => {
      await withSession(target, 'no-token-rpc', {}, async (session) => {
        await new ConsolePage(session.page).waitReady();
        const call = (credentials: 'omit' | 'same-origin'): Promise<number> =>
          session.page.evaluate(async (mode) => {
            const g = globalThis as unknown as PageGlobals;
            // 'omit' leaves out the cookie that carries the token after the first load: no token at all
            const response = await g.fetch('/rpc/ferry:cluster:list', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', credentials: mode });
            return response.status;
          }, credentials);
        expect(await call('omit')).toBe(401);
        expect(await call('same-origin')).toBe(200);
      });
    }, 60_000);

    it('the address without ?token shows a clear "not authorised" page', async () => {
      await withSession(target, 'no-token-page', {}, async (session) => {
        const { server } = session;
        const browser = session.page.context().browser();
        if (server === undefined || browser === null) throw new Error('serve mode in a browser only');
        // a fresh context: no cookie from the first load with the token
        const stranger = await browser.newContext();
        try {
          const page = await stranger.newPage();
          const response = await page.goto(`${server.origin}/`);
          expect(response?.status()).toBe(401);
          expect(response?.headers()['content-type'] ?? '').toMatch(/^text\/html/);
          const text = await page.evaluate(() => (globalThis as unknown as PageGlobals).document.body?.innerText ?? '');
          expect(text).toMatch(/not authori[sz]ed/i);
          expect(text).not.toContain(server.token);
          mkdirSync(SCREENS, { recursive: true });
          await page.screenshot({ path: join(SCREENS, 'browser-light-not-authorised.png') });
        } finally {
          await stranger.close();
        }
      });
    }, 60_000);
  },
  BROWSER_ONLY,
);

forEachTarget('untrusted names', (target) => {
  it(`a VM named ${HOSTILE_VM_NAME} shows as text everywhere and runs nothing`, async () => {
    const home = temporaryHome();
    seedDemoWithVmName(home);
    onTestFinished(() => rmSync(home, { recursive: true, force: true }));
    await withSession(target, 'hostile-name', { home }, async (session) => {
      const { page } = session;
      await new ConsolePage(page).waitReady();
      const inventory = new InventoryPage(page);
      await inventory.show();
      // the node card lists its VMs in one line of text: the name is part of it, as text
      await page.getByText(HOSTILE_VM_NAME).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
      await screenshot(session, 'light-inventory-hostile-name');
      // the renamed VM sits on r2-h3: draining it puts the name in the plan and the run
      const plan = await planDemoDrain(page, 'r2-h3');
      // the steps and the Gantt come with the plan's digest (a worker), after the summary
      await page.getByRole('grid', { name: 'Plan steps' }).waitFor({ state: 'visible', timeout: 30_000 });
      expect(await page.getByText(HOSTILE_VM_NAME).count()).toBeGreaterThan(0);
      await screenshot(session, 'light-plan-hostile-name');
      await plan.startExecution();
      const execution = new ExecutionPage(page);
      await execution.show();
      await page.getByText(HOSTILE_VM_NAME).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
      expect(await page.locator('img[src="x"]').count()).toBe(0);
      expect(session.dialogs).toEqual([]);
      expect(session.pageErrors).toEqual([]);
    });
  }, 180_000);
});
