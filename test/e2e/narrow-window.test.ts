/**
 * The console on a narrow window (issue 16: a laptop, a split screen): below PatternFly's xl
 * breakpoint the sidebar is hidden, and the masthead's "Global navigation" toggle brings it back,
 * over the content, by mouse or keyboard; choosing a screen closes it. Inventory and Plan are saved
 * at 800×600, light and dark (test-artifacts/screens), and no screen makes the page itself scroll
 * sideways at 800×600 or 1024×700 (wide content scrolls inside its own box).
 */
import { join } from 'node:path';

import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';

import { ConsolePage, SCREEN_NAMES, type ScreenName, UI_TIMEOUT_MS } from './pages/console-page.js';
import { planDemoDrain } from './support/flows.js';
import { SCREENS } from './support/paths.js';
import { type ConsoleSession, forEachTarget, screenshot, withSession } from './support/session.js';

const NARROW = { width: 800, height: 600 };
const LAPTOP = { width: 1024, height: 700 };

/** The shell on a narrow window: every screen is reached through the masthead's toggle. */
class NarrowConsole extends ConsolePage {
  toggle(): Locator {
    return this.page.getByRole('button', { name: 'Global navigation', exact: true });
  }

  async expanded(): Promise<boolean> {
    return (await this.toggle().getAttribute('aria-expanded')) === 'true';
  }

  /**
   * After the window was made narrow: PatternFly learns the new width from a resize event, so the
   * sidebar open on the wide window closes a moment later — wait for it, or a click on the toggle
   * in between would close what was about to close anyway.
   */
  async narrowed(): Promise<void> {
    await this.toggle().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await expect.poll(() => this.expanded(), { timeout: UI_TIMEOUT_MS }).toBe(false);
    await this.link('Connect').waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
  }

  /** Opens the navigation with the toggle and follows a link; the navigation closes behind it. */
  async go(screen: ScreenName): Promise<void> {
    await this.toggle().click();
    await this.link(screen).waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await this.open(screen);
    await expect.poll(() => this.expanded(), { timeout: UI_TIMEOUT_MS }).toBe(false);
    await this.link(screen).waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
  }
}

/** How far the page itself reaches past the window's right edge, in px (0: nothing cut off). */
function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document;
    return doc.documentElement.scrollWidth - doc.documentElement.clientWidth;
  });
}

/** The window exactly as the operator sees it (no full-page trick): what is cut off shows. */
async function windowShot(session: ConsoleSession, name: string): Promise<void> {
  await session.page.screenshot({ path: join(SCREENS, `${session.target}-${name}.png`) });
}

forEachTarget('the console on a narrow window', (target) => {
  it('hides the navigation at 800×600 and the "Global navigation" toggle brings it back, over the content', async () => {
    await withSession(target, 'narrow-toggle', {}, async (session) => {
      const { page } = session;
      await page.setViewportSize(NARROW);
      const shell = new NarrowConsole(page);
      await shell.narrowed();
      for (const screen of SCREEN_NAMES) await shell.link(screen).waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });

      await shell.toggle().click();
      await expect.poll(() => shell.expanded()).toBe(true);
      for (const screen of SCREEN_NAMES) {
        const link = shell.link(screen);
        await link.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
        // inside the window once the sidebar has slid in, not pushed off its edge
        await expect.poll(async () => (await link.boundingBox())?.x ?? -1, { timeout: UI_TIMEOUT_MS }).toBeGreaterThanOrEqual(0);
        const box = await link.boundingBox();
        if (!box) throw new Error(`the ${screen} link has no box`);
        expect(box.x + box.width).toBeLessThanOrEqual(NARROW.width);
        expect(box.y + box.height).toBeLessThanOrEqual(NARROW.height);
      }
      await windowShot(session, 'light-800-navigation-open');

      await shell.open('Plan');
      await expect.poll(() => shell.expanded()).toBe(false);
      await shell.button('Compute plan').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
      expect(await shell.link('Plan').isVisible()).toBe(false);
      expect(session.pageErrors).toEqual([]);
    });
  }, 120_000);

  it('is reached by keyboard: the toggle, Tab to the links, Enter on one, Escape to close', async () => {
    await withSession(target, 'narrow-keyboard', {}, async (session) => {
      const { page } = session;
      await page.setViewportSize(NARROW);
      const shell = new NarrowConsole(page);
      await shell.narrowed();
      // the toggle is the first control of the page
      await page.keyboard.press('Tab');
      expect(await shell.toggle().evaluate((e) => e === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement)).toBe(true);
      await page.keyboard.press('Enter');
      await expect.poll(() => shell.expanded()).toBe(true);

      const focusedName = (): Promise<string> => page.evaluate(() => ((globalThis as unknown as { document: { activeElement: { textContent: string | null } | null } }).document.activeElement?.textContent ?? '').trim());
      const reached: string[] = [];
      for (let i = 0; i < 20 && !reached.includes('History'); i += 1) {
        await page.keyboard.press('Tab');
        reached.push(await focusedName());
      }
      // the six links follow one another in the tab order, after the masthead's controls
      const first = reached.indexOf('Connect');
      expect(first).toBeGreaterThanOrEqual(0);
      expect(reached.slice(first, first + 6)).toEqual([...SCREEN_NAMES]);

      // Escape closes and gives the focus back to the toggle; Enter opens again; a link by Enter
      await page.keyboard.press('Escape');
      await expect.poll(() => shell.expanded()).toBe(false);
      expect(await shell.toggle().evaluate((e) => e === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement)).toBe(true);
      await page.keyboard.press('Enter');
      await shell.link('Connect').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
      await shell.link('Connect').focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Connect' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
      await expect.poll(() => shell.expanded()).toBe(false);

      // the command palette fits the small window
      await page.keyboard.press('Control+K');
      const palette = page.getByRole('dialog');
      await palette.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
      const box = await palette.boundingBox();
      if (!box) throw new Error('the command palette has no box');
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(NARROW.width);
      expect(box.y + box.height).toBeLessThanOrEqual(NARROW.height);
      await windowShot(session, 'light-800-command-palette');
    });
  }, 120_000);

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`shows Inventory and a plan at 800×600 with nothing cut off (${colorScheme})`, async () => {
      await withSession(target, `narrow-screens-${colorScheme}`, { colorScheme }, async (session) => {
        const { page } = session;
        await new ConsolePage(page).waitReady();
        // the plan is made on the wide window (the shared flow follows the sidebar's links)
        await planDemoDrain(page, 'r2-h3');
        await page.setViewportSize(NARROW);
        const shell = new NarrowConsole(page);
        await shell.narrowed();
        expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
        await windowShot(session, `${colorScheme}-800-plan-window`);
        await screenshot(session, `${colorScheme}-800-plan`);

        await shell.go('Inventory');
        await page.getByRole('heading', { level: 1, name: 'Inventory' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
        expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
        await windowShot(session, `${colorScheme}-800-inventory-window`);
        await screenshot(session, `${colorScheme}-800-inventory`);
        // the tables: wide rows scroll inside the table, never the page
        for (const tab of ['Nodes', 'VMs']) {
          await page.getByRole('tab', { name: tab, exact: true }).click();
          await page.getByRole('columnheader').first().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
          expect({ tab, overflow: await sidewaysOverflow(page) }).toEqual({ tab, overflow: 0 });
          // its last column is reached by scrolling the table sideways, and then lies inside the window
          const table = page.getByRole('table', { name: tab, exact: true });
          const actions = table.getByRole('columnheader', { name: 'Actions', exact: true });
          await actions.scrollIntoViewIfNeeded();
          const box = await actions.boundingBox();
          const pane = await table.locator('xpath=..').boundingBox();
          if (!box || !pane) throw new Error(`the ${tab} table or its Actions header has no box`);
          expect(box.x + box.width).toBeLessThanOrEqual(Math.min(NARROW.width, pane.x + pane.width) + 1);
          await windowShot(session, `${colorScheme}-800-inventory-${tab.toLowerCase()}-window`);
        }
        expect(session.pageErrors).toEqual([]);
      });
    }, 180_000);
  }

  it('lets no screen push the page sideways at 1024×700 and 800×600', async () => {
    await withSession(target, 'narrow-survey', {}, async (session) => {
      const { page } = session;
      for (const size of [LAPTOP, NARROW]) {
        await page.setViewportSize(size);
        const shell = new NarrowConsole(page);
        await shell.narrowed();
        for (const screen of SCREEN_NAMES) {
          await shell.go(screen);
          await page.getByRole('heading', { level: 1, name: screen }).waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
          await windowShot(session, `light-${size.width}-${screen.toLowerCase()}-window`);
          expect({ screen, size: size.width, overflow: await sidewaysOverflow(page) }).toEqual({ screen, size: size.width, overflow: 0 });
        }
      }
    });
  }, 240_000);
});
