/**
 * The console's shell (Podman Desktop's page-object style): its navigation, and a page object per
 * screen. Every control is found by role and by the accessible name issue 16 fixes: these names
 * are the interface between the console and its tests.
 */
import type { Locator, Page } from 'playwright-core';

export const SCREEN_NAMES = ['Connect', 'Inventory', 'Constraints', 'Plan', 'Execution', 'History'] as const;
export type ScreenName = (typeof SCREEN_NAMES)[number];

/** How long a screen may take to show what a test waits for (a busy CI machine, a cold bundle). */
export const UI_TIMEOUT_MS = 15_000;

export class ConsolePage {
  constructor(readonly page: Page) {}

  link(screen: ScreenName): Locator {
    return this.page.getByRole('link', { name: screen, exact: true });
  }

  /** The console is ready when its navigation shows every screen's link. */
  async waitReady(timeout = UI_TIMEOUT_MS): Promise<void> {
    for (const screen of SCREEN_NAMES) await this.link(screen).waitFor({ state: 'visible', timeout });
  }

  /** Follows a navigation link and waits until the console marks it as the current page. */
  async open(screen: ScreenName): Promise<void> {
    const link = this.link(screen);
    await link.click();
    await this.page.waitForFunction(
      (name) => {
        const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null; getAttribute(a: string): string | null }> } }).document;
        return Array.from(doc.querySelectorAll('[aria-current="page"]')).some((e) => (e.textContent ?? '').trim() === name || e.getAttribute('aria-label') === name);
      },
      screen,
      { timeout: UI_TIMEOUT_MS },
    );
  }

  button(name: string): Locator {
    return this.page.getByRole('button', { name, exact: true });
  }

  /** Text anywhere on the page (exact), e.g. a run's final status. */
  text(text: string): Locator {
    return this.page.getByText(text, { exact: true });
  }
}
