/**
 * The browsers the specs drive: Debian's Chromium through playwright-core (never a downloaded
 * browser build), and the Electron app where its binary was downloaded.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { type Browser, type ElectronApplication, _electron, chromium } from 'playwright-core';

import { ROOT } from './paths.js';

/** Debian's chromium package (installed by .ci/run); FERRY_CHROMIUM points elsewhere. */
export const CHROMIUM = process.env['FERRY_CHROMIUM'] ?? '/usr/bin/chromium';

/** Why the browser specs cannot run here, or undefined when they can. */
export function chromiumSkipReason(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  return `${CHROMIUM} is absent: install Debian's chromium package (apt-get install chromium; .ci/run does) or set FERRY_CHROMIUM`;
}

export function launchChromium(): Promise<Browser> {
  // headless, Playwright's default args (no sandbox: tests run as root in CI)
  return chromium.launch({ executablePath: CHROMIUM, headless: true });
}

/** The Electron binary npm's electron package downloads at install time, when it did. */
export function electronBinary(): string | undefined {
  try {
    const path = createRequire(join(ROOT, 'package.json'))('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

export function electronSkipReason(): string | undefined {
  if (electronBinary() !== undefined) return undefined;
  return 'the Electron binary is absent (npm could not download it on this machine: node_modules/electron has no dist/); the same specs ran in serve mode';
}

export function launchElectron(home: string, env: Readonly<Record<string, string>>): Promise<ElectronApplication> {
  const executablePath = electronBinary();
  if (executablePath === undefined) throw new Error(electronSkipReason());
  return _electron.launch({
    executablePath,
    args: [join(ROOT, 'dist', 'main', 'electron', 'index.js')],
    cwd: ROOT,
    env: { ...(process.env as Record<string, string>), ...env, FERRY_HOME: home },
  });
}
