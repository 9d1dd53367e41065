/**
 * The operator's whole maintenance flow on the demo cluster, in a real browser against serve mode
 * (and in the Electron app where its binary exists): open the console, write the cluster's
 * overcommit, drain r2-h3 from the inventory, compute the plan, start it, approve each step, see
 * it succeed, download the report, find the plan again in History's past plans and reopen it (it
 * cannot start again: the cluster changed since).
 * Run once light and once dark; every screen is saved as a screenshot on the way
 * (test-artifacts/screens).
 */
import { expect, it } from 'vitest';

import { ConsolePage } from './pages/console-page.js';
import { ConstraintsPage } from './pages/constraints-page.js';
import { ExecutionPage } from './pages/execution-page.js';
import { HistoryPage } from './pages/history-page.js';
import { InventoryPage } from './pages/inventory-page.js';
import { PlanPage } from './pages/plan-page.js';
import { DEMO_OVERCOMMIT } from './support/flows.js';
import { runsOf } from './support/journal.js';
import { forEachTarget, screenshot, withSession } from './support/session.js';

const NODE = 'r2-h3';

forEachTarget('the maintenance flow on the demo cluster', (target) => {
  for (const colorScheme of ['light', 'dark'] as const) {
    it(`drains ${NODE}, approves every step, succeeds and downloads a report naming the run (${colorScheme})`, async () => {
      await withSession(target, `flow-${colorScheme}`, { colorScheme }, async (session) => {
        const { page } = session;
        const shot = (n: number, name: string): Promise<string> => screenshot(session, `${colorScheme}-${n}-${name}`);
        const console_ = new ConsolePage(page);
        await console_.waitReady();
        // the theme follows the system's preference on a first visit
        expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { className: string } } }).document.documentElement.className.includes('pf-v6-theme-dark'))).toBe(colorScheme === 'dark');
        await shot(1, 'start');
        await console_.open('Connect');
        await shot(2, 'connect');

        const constraints = new ConstraintsPage(page);
        await constraints.show();
        await constraints.setScript(DEMO_OVERCOMMIT);

        const inventory = new InventoryPage(page);
        await inventory.show();
        await inventory.node(NODE).waitFor({ state: 'visible' });
        await shot(3, 'inventory');
        await inventory.drainForMaintenance(NODE);

        // the action wrote its constraint into the script, after the operator's lines
        await constraints.show();
        const script = await constraints.script();
        expect(script).toContain('its capacity says so already');
        expect(script).toContain(`offline(@${NODE})`);
        await shot(4, 'constraints');

        const plan = new PlanPage(page);
        await plan.show();
        const summary = await plan.computeAndWait();
        expect(await summary.innerText()).toMatch(/Migrations\s+[1-9]/);
        await shot(5, 'plan');
        await plan.startExecution();

        const execution = new ExecutionPage(page);
        await execution.show();
        await execution.approveButtons().first().waitFor({ state: 'visible' });
        await shot(6, 'execution');
        const { status, approvals } = await execution.approveEachStepUntilDone();
        expect(status).toBe('Plan succeeded');
        expect(approvals).toBeGreaterThan(0);
        await shot(7, 'execution-done');

        const [run] = await runsOf(session);
        if (run === undefined) throw new Error('the services know no run after "Plan succeeded"');
        expect(run.state).toBe('succeeded');
        const history = new HistoryPage(page);
        await history.show();
        const report = await history.downloadReport(run.runId);
        await shot(8, 'history');
        expect(report.content).toContain(run.runId);
        expect(report.content).toContain(NODE);

        // the plan computed is kept in History's past plans, names the run made of it, and opens again
        const past = await history.selectNewestPlan();
        expect(await past.innerText()).toContain(run.runId);
        expect(await history.pastPlans().innerText()).toContain('demo');
        await shot(9, 'history-past-plan');
        await history.openInPlan();
        const reopened = plan.summary();
        await reopened.waitFor({ state: 'visible', timeout: 15_000 });
        expect(await reopened.innerText()).toMatch(/Migrations\s+[1-9]/);
        // it ran: the cluster is no longer what it started from, and starting it again is refused so
        await plan.startExecution();
        await page.getByLabel('Notifications').getByText(/^cluster demo changed since this plan was computed at \d\d:\d\d UTC/).waitFor({ state: 'visible', timeout: 15_000 });
        expect(session.pageErrors).toEqual([]);
      });
    }, 240_000);
  }
});
