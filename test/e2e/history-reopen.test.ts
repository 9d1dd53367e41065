/**
 * History's past plans, in a real browser against serve mode (and in the Electron app where its
 * binary exists): a plan computed, then the page reloaded and the console restarted on the same
 * data folder — a new process whose handler table holds no plan of its own (a reload alone keeps
 * serve mode's table) — is found in "Past plans", opened in Plan, and started as a fresh plan is;
 * History then names the run under the plan.
 */
import { rmSync } from 'node:fs';

import { expect, it } from 'vitest';

import { ConsolePage, UI_TIMEOUT_MS } from './pages/console-page.js';
import { ExecutionPage } from './pages/execution-page.js';
import { HistoryPage } from './pages/history-page.js';
import { PlanPage } from './pages/plan-page.js';
import { temporaryHome } from './support/console-server.js';
import { planDemoDrain } from './support/flows.js';
import { runsOf } from './support/journal.js';
import { forEachTarget, withSession } from './support/session.js';

forEachTarget('a plan reopened from History', (target) => {
  it('is computed, survives a reload and a restart in History, opens in Plan and starts: the run is the plan\'s', async () => {
    const home = temporaryHome();
    try {
      await withSession(target, 'history-reopen-compute', { home }, async (session) => {
        const { page } = session;
        await new ConsolePage(page).waitReady();
        await planDemoDrain(page, 'r2-h3');
        await session.reload();
        await new ConsolePage(page).waitReady();
        const history = new HistoryPage(page);
        await history.show();
        expect(await (await history.selectNewestPlan()).innerText()).toContain('never run');
        expect(await runsOf(session)).toEqual([]);
      });

      await withSession(target, 'history-reopen-start', { home }, async (session) => {
        const { page } = session;
        await new ConsolePage(page).waitReady();
        const history = new HistoryPage(page);
        await history.show();
        await history.selectNewestPlan();
        await history.openInPlan();
        const plan = new PlanPage(page);
        await plan.summary().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
        expect(await plan.summary().innerText()).toMatch(/Migrations\s+[1-9]/);
        await plan.startExecution();

        const execution = new ExecutionPage(page);
        await execution.show();
        await execution.approveButtons().first().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
        const runs = await runsOf(session);
        expect(runs.map((r) => [r.clusterId, r.state])).toEqual([['demo', 'running']]);

        await history.show();
        const again = await history.selectNewestPlan();
        expect(await again.innerText()).toContain(runs[0]?.runId ?? 'the run');
        expect(session.pageErrors).toEqual([]);
      });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 240_000);
});
