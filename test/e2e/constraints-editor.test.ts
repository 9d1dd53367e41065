/**
 * The constraints editor and the planner's explanations: an error in a script is marked where it
 * is, and an infeasible set is explained with links back to the lines that conflict.
 */
import { expect, it } from 'vitest';

import { ConsolePage, UI_TIMEOUT_MS } from './pages/console-page.js';
import { ConstraintsPage } from './pages/constraints-page.js';
import { PLAN_TIMEOUT_MS, PlanPage } from './pages/plan-page.js';
import { forEachTarget, screenshot, withSession } from './support/session.js';

forEachTarget('the constraints editor', (target) => {
  it('marks an unknown VM name at its line and column', async () => {
    await withSession(target, 'editor-error', {}, async (session) => {
      await new ConsolePage(session.page).waitReady();
      const editor = new ConstraintsPage(session.page);
      await editor.show();
      await editor.setScript('// drain r2-h3, keep the database where it is\noffline(@r2-h3);\nroot(nosuchvm);\n');
      const mark = await editor.firstErrorMark();
      expect(mark).toEqual({ line: 3, column: 6, text: 'nosuchvm' });
      await screenshot(session, 'light-constraints-error');
    });
  }, 120_000);

  it('says in a toast that a script with a syntax error is not formatted, away from the masthead', async () => {
    await withSession(target, 'editor-toast', {}, async (session) => {
      const { page } = session;
      await new ConsolePage(page).waitReady();
      const editor = new ConstraintsPage(page);
      await editor.show();
      await editor.setScript('offline(@r2-h3;\n');
      await editor.button('Format').click();
      const toast = page.getByRole('list', { name: 'Notifications', exact: true }).getByText('The script was not formatted');
      await toast.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
      // the masthead's controls stay in sight and clickable: no toast lies over them
      const box = await toast.boundingBox();
      if (!box) throw new Error('the toast has no box');
      for (const control of [page.getByText('Dark theme', { exact: true }), page.getByRole('button', { name: /^Commands/ })]) {
        const c = await control.boundingBox();
        if (!c) throw new Error('a masthead control has no box');
        const overlaps = box.x < c.x + c.width && c.x < box.x + box.width && box.y < c.y + c.height && c.y < box.y + box.height;
        expect(overlaps).toBe(false);
      }
      expect(box.y).toBeGreaterThan((page.viewportSize()?.height ?? 0) / 2);
      await screenshot(session, 'light-constraints-toast');
    });
  }, 120_000);

  it('explains an infeasible set and links each conflicting constraint to its line', async () => {
    await withSession(target, 'infeasible', {}, async (session) => {
      const { page } = session;
      await new ConsolePage(page).waitReady();
      const editor = new ConstraintsPage(page);
      await editor.show();
      // memory is never overcommitted: the third rack alone cannot hold the memory of the cluster's VMs
      await editor.setScript('// drain two racks: the third cannot hold their memory\nspread({web1, web2, web3});\n\noffline(@r1-h[1..4] + @r2-h[1..4]);\n');
      const plan = new PlanPage(page);
      await plan.show();
      await plan.compute();
      const why = page.getByRole('region', { name: 'Why there is no plan', exact: true });
      await why.waitFor({ state: 'visible', timeout: PLAN_TIMEOUT_MS });
      // each conflicting constraint links to its line (a link, or a button styled as one)
      const toLine = (pattern: RegExp) => why.getByRole('link', { name: pattern }).or(why.getByRole('button', { name: pattern })).first();
      const offlineLink = toLine(/offline\(.*r2-h.*\bline 4\b/);
      await offlineLink.waitFor({ state: 'visible' });
      // the constraint that takes no part in the conflict is not named
      expect(await toLine(/spread/).count()).toBe(0);
      // the capacity argument counts memory in operator units, not raw MiB
      const text = (await why.textContent()) ?? '';
      expect(text).toMatch(/need \d+(\.\d)? TiB in total/);
      expect(text).not.toMatch(/\b\d{6,} in total/);
      // no plan: nothing to start
      expect(await plan.button('Start execution').isEnabled()).toBe(false);
      await screenshot(session, 'light-plan-infeasible');
      await offlineLink.click();
      await editor.editor().waitFor({ state: 'visible' });
      await expect.poll(() => editor.cursorLine(), { timeout: 5_000 }).toBe(4);
    });
  }, 120_000);
});
