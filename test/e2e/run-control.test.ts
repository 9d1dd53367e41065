/**
 * Controlling a run from the Execution screen: pause, resume, abort; and a reload in the middle of
 * a run, after which the view is rebuilt from the services' state (nothing lives only in the page).
 * The demo runs slower here than in the flow test so that the run is still going when we act.
 */
import { expect, it } from 'vitest';

import { ConsolePage, UI_TIMEOUT_MS } from './pages/console-page.js';
import { ExecutionPage } from './pages/execution-page.js';
import { planDemoDrain } from './support/flows.js';
import { runsOf } from './support/journal.js';
import { type ConsoleSession, forEachTarget, withSession } from './support/session.js';

/** Migrations of the demo drain take 7–13 s at speed 1: at 2 a run lasts long enough to be paused. */
const SLOW_DEMO = 2;

/** Drains r2-h3, computes the plan, starts it, approves every ready step; returns on the Execution screen. */
async function startDrain(session: ConsoleSession): Promise<ExecutionPage> {
  const { page } = session;
  await new ConsolePage(page).waitReady();
  const plan = await planDemoDrain(page, 'r2-h3');
  await plan.startExecution();
  const execution = new ExecutionPage(page);
  await execution.show();
  await execution.button('Approve all ready').click({ timeout: UI_TIMEOUT_MS });
  return execution;
}

async function waitForRunState(session: ConsoleSession, state: string): Promise<void> {
  await expect.poll(async () => (await runsOf(session))[0]?.state, { timeout: 20_000, interval: 250 }).toBe(state);
}

forEachTarget('controlling a run', (target) => {
  // The console once kept showing such a run "running" after Abort: the answer to the abort (HTTP)
  // arrived after run:changed had said "cancelled" (WebSocket) and was put back over it. The
  // interleavings are covered without a browser in test/execution/run-control.test.ts.
  it('pauses, resumes and aborts a run: "Plan cancelled"', async () => {
    await withSession(target, 'pause-resume-abort', { demoSpeed: SLOW_DEMO }, async (session) => {
      const execution = await startDrain(session);
      await execution.button('Pause').click({ timeout: UI_TIMEOUT_MS });
      await execution.button('Resume').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
      await waitForRunState(session, 'paused');
      await execution.button('Resume').click();
      await execution.button('Pause').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
      await waitForRunState(session, 'running');
      await execution.button('Abort').click();
      // a destructive action confirms first, in a dialog of its own
      const dialog = session.page.getByRole('dialog');
      if (await dialog.isVisible({ timeout: 2_000 }).catch(() => false)) await dialog.getByRole('button', { name: /^Abort/ }).click();
      await execution.waitForStatus('Plan cancelled');
      await waitForRunState(session, 'cancelled');
    });
  }, 180_000);

  it('a reload in the middle of a run restores the run from the services, which then finishes', async () => {
    await withSession(target, 'reload', { demoSpeed: SLOW_DEMO }, async (session) => {
      const { page } = session;
      let execution = await startDrain(session);
      await execution.button('Pause').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
      const before = (await runsOf(session))[0];
      expect(before?.state).toBe('running');
      await session.reload();
      await new ConsolePage(page).waitReady();
      execution = new ExecutionPage(page);
      await execution.show();
      // the same run, still going (or finished meanwhile), with its steps: web3 leaves r2-h3 in every plan
      await page.getByText(/web3/).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
      const { status } = await execution.approveEachStepUntilDone();
      expect(status).toBe('Plan succeeded');
      const after = await runsOf(session);
      expect(after.map((r) => r.runId)).toEqual([before?.runId]);
      expect(after[0]?.state).toBe('succeeded');
    });
  }, 240_000);
});
