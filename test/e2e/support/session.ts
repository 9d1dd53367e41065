/**
 * One console under test, whichever front end shows it: serve mode in Debian's Chromium, or the
 * Electron app where its binary exists. Specs are written once against `ConsoleSession` and run
 * for every target (`forEachTarget`); a target that cannot run here is skipped with its reason in
 * the test's name.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe } from 'vitest';

import { chromiumSkipReason, electronSkipReason, launchChromium, launchElectron } from './browser.js';
import { type ConsoleServer, TEST_DEMO_SPEED, startConsole, temporaryHome } from './console-server.js';
import { ensureConsoleBuilt } from './build.js';
import { SCREENS } from './paths.js';

export type TargetName = 'browser' | 'electron';

export interface SessionOptions {
  /** A data folder prepared by the test; a fresh temporary one otherwise. */
  readonly home?: string;
  readonly demoSpeed?: number;
  readonly colorScheme?: 'light' | 'dark';
}

export interface ConsoleSession {
  readonly target: TargetName;
  readonly page: Page;
  /** Serve mode only: the server, its URL and token. */
  readonly server: ConsoleServer | undefined;
  /** The console's data folder (FERRY_HOME): its journal and demo cluster. */
  readonly home: string;
  /** Dialogs (alert, confirm, prompt) the page opened: none may come from a name. */
  readonly dialogs: string[];
  /** Uncaught errors in the page. */
  readonly pageErrors: string[];
  /** Reloads the page the way an operator would (F5). */
  reload(): Promise<void>;
  close(): Promise<void>;
}

export interface ConsoleTarget {
  readonly name: TargetName;
  readonly skipReason: string | undefined;
  /** Starts the front end's shared part (the browser) for one spec file. */
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  open(options?: SessionOptions): Promise<ConsoleSession>;
}

function watch(page: Page): { dialogs: string[]; pageErrors: string[] } {
  const dialogs: string[] = [];
  const pageErrors: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return { dialogs, pageErrors };
}

class BrowserTarget implements ConsoleTarget {
  readonly name = 'browser' as const;
  readonly skipReason = chromiumSkipReason();
  private browser: Browser | undefined;

  async setUp(): Promise<void> {
    // the build (a minute on a cold, busy machine) belongs to no test's time
    await ensureConsoleBuilt();
    this.browser = await launchChromium();
  }

  async tearDown(): Promise<void> {
    await this.browser?.close();
    this.browser = undefined;
  }

  async open(options: SessionOptions = {}): Promise<ConsoleSession> {
    if (this.browser === undefined) throw new Error('BrowserTarget.open before setUp');
    const server = await startConsole({ ...(options.home !== undefined ? { home: options.home } : {}), demoSpeed: options.demoSpeed ?? TEST_DEMO_SPEED });
    let context: BrowserContext | undefined;
    try {
      context = await this.browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: options.colorScheme ?? 'light', acceptDownloads: true });
      const page = await context.newPage();
      const seen = watch(page);
      await page.goto(server.url);
      const opened = context;
      return {
        target: this.name,
        page,
        server,
        home: server.home,
        ...seen,
        reload: async () => {
          await page.reload();
        },
        close: async () => {
          await opened.close();
          await server.stop();
        },
      };
    } catch (e) {
      await context?.close();
      await server.stop();
      throw e;
    }
  }
}

class ElectronTarget implements ConsoleTarget {
  readonly name = 'electron' as const;
  readonly skipReason = electronSkipReason();

  async setUp(): Promise<void> {
    await ensureConsoleBuilt();
  }
  async tearDown(): Promise<void> {}

  async open(options: SessionOptions = {}): Promise<ConsoleSession> {
    const ownHome = options.home === undefined;
    const home = options.home ?? temporaryHome();
    const app = await launchElectron(home, { FERRY_DEMO_SPEED: String(options.demoSpeed ?? TEST_DEMO_SPEED) });
    try {
      const page = await app.firstWindow();
      await page.emulateMedia({ colorScheme: options.colorScheme ?? 'light' });
      const seen = watch(page);
      return {
        target: this.name,
        page,
        server: undefined,
        home,
        ...seen,
        reload: async () => {
          await page.reload();
        },
        close: async () => {
          await app.close();
          if (ownHome) rmSync(home, { recursive: true, force: true });
        },
      };
    } catch (e) {
      await app.close();
      throw e;
    }
  }
}

export const TARGETS: readonly ConsoleTarget[] = [new BrowserTarget(), new ElectronTarget()];

/**
 * Declares `body` once per target. A target that cannot run here is skipped, its reason in the
 * suite's name so that the test report says why.
 */
export function forEachTarget(title: string, body: (target: ConsoleTarget) => void, targets: readonly ConsoleTarget[] = TARGETS): void {
  for (const target of targets) {
    const skip = target.skipReason;
    describe.skipIf(skip !== undefined)(`${title} [${target.name}${skip !== undefined ? ` skipped: ${skip}` : ''}]`, () => {
      beforeAll(() => target.setUp(), 600_000);
      afterAll(() => target.tearDown());
      body(target);
    });
  }
}

/** The serve-mode target alone (token checks have no meaning inside Electron). */
export const BROWSER_ONLY: readonly ConsoleTarget[] = TARGETS.filter((t) => t.name === 'browser');

/**
 * Saves the screen as test-artifacts/screens/<target>-<name>.png; returns its path. The console
 * scrolls inside its own main area (the page itself never does), so the window is made tall for
 * the picture to hold a whole screen, then put back.
 */
export async function screenshot(session: ConsoleSession, name: string): Promise<string> {
  mkdirSync(SCREENS, { recursive: true });
  const path = join(SCREENS, `${session.target}-${name}.png`);
  const { page } = session;
  const size = page.viewportSize();
  if (size !== null) await page.setViewportSize({ width: size.width, height: SCREENSHOT_HEIGHT });
  try {
    await page.screenshot({ path, fullPage: true });
  } finally {
    if (size !== null) await page.setViewportSize(size);
  }
  return path;
}

const SCREENSHOT_HEIGHT = 1800;

/**
 * Opens a session, runs `body`, and closes it whatever happens; on a failure the page is saved as
 * test-artifacts/screens/<target>-failure-<label>.png first, so the report shows what the test saw.
 */
export async function withSession(target: ConsoleTarget, label: string, options: SessionOptions, body: (session: ConsoleSession) => Promise<void>): Promise<void> {
  const session = await target.open(options);
  try {
    await body(session);
  } catch (e) {
    await screenshot(session, `failure-${label}`).catch(() => undefined);
    const server = session.server ? `\n--- console output ---\n${session.server.output().slice(-3000)}` : '';
    const errors = session.pageErrors.length > 0 ? `\n--- page errors ---\n${session.pageErrors.join('\n')}` : '';
    if (e instanceof Error) e.message += `${errors}${server}`;
    throw e;
  } finally {
    await session.close();
  }
}
