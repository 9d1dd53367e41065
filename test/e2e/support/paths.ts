/** Where things are, seen from the test sources (test/e2e/support) or their compiled copy (dist/test/e2e/support). */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this file holding package.json and bin/ferry.js. */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'bin', 'ferry.js')) && existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no Ferry checkout above ${fileURLToPath(import.meta.url)} (looked for bin/ferry.js)`);
    dir = parent;
  }
}

export const ROOT = findRoot();
export const FERRY_BIN = join(ROOT, 'bin', 'ferry.js');
export const RENDERER_SOURCES = join(ROOT, 'renderer');
export const RENDERER_BUILD = join(ROOT, 'dist', 'renderer', 'index.html');
/** Screenshots and other artifacts of the end-to-end tests (gitignored). */
export const ARTIFACTS = resolve(process.env['FERRY_TEST_ARTIFACTS'] ?? join(ROOT, 'test-artifacts'));
export const SCREENS = join(ARTIFACTS, 'screens');
