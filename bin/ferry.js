#!/usr/bin/env node
// Entry of the `ferry` command. Runs the compiled CLI; builds it first when dist/ is missing or
// older than the sources (dependencies install with scripts off, see .npmrc, so no `prepare` ran).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'main', 'cli', 'index.js');

const TS_FILE = (name) => name.endsWith('.ts');
const ANY_FILE = () => true;

function newestMtime(dir, counts = TS_FILE) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p, counts));
    else if (counts(entry.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

const sourcesExist = existsSync(join(root, 'src'));
const stale = !existsSync(entry) || (sourcesExist && Math.max(newestMtime(join(root, 'src')), newestMtime(join(root, 'main'))) > statSync(entry).mtimeMs);
if (stale && sourcesExist) {
  process.stderr.write('ferry: building (first run or sources changed)...\n');
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', join(root, 'main')], { stdio: 'inherit', cwd: root });
  // tsc -b leaves an unchanged output untouched: mark the entry fresh, or every run would rebuild
  const now = new Date();
  utimesSync(entry, now, now);
}
// `ferry console` serves the built renderer: build it first when it is missing or older than its
// sources (renderer/ and the src/ it bundles). Vite's report goes to stderr: stdout is the one line.
// FERRY_CONSOLE_NO_BUILD=1 skips this (tests of the server alone; a build made by other means).
if (process.argv[2] === 'console' && process.env.FERRY_CONSOLE_NO_BUILD !== '1' && existsSync(join(root, 'renderer', 'vite.config.ts'))) {
  const page = join(root, 'dist', 'renderer', 'index.html');
  const newestSource = Math.max(newestMtime(join(root, 'renderer'), ANY_FILE), newestMtime(join(root, 'src'), ANY_FILE));
  if (!existsSync(page) || newestSource > statSync(page).mtimeMs) {
    process.stderr.write('ferry: building the console (first run or renderer sources changed)...\n');
    try {
      execFileSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(root, 'renderer', 'vite.config.ts'), '--logLevel', 'warn'], { stdio: ['ignore', 2, 2], cwd: root });
    } catch {
      process.stderr.write('ferry console: the console could not be built (vite build failed, its errors are above)\n');
      process.exit(1);
    }
  }
}
// a reader that stops early (`| head`) must not get an EPIPE stack trace: see guardProcessPipes
const { guardProcessPipes } = await import(pathToFileURL(join(root, 'dist', 'main', 'cli', 'command.js')).href);
guardProcessPipes();
const { runCli } = await import(pathToFileURL(entry).href);
process.exitCode = await runCli(process.argv.slice(2));
